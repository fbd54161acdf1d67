"""The grader's words, per language: every sentence a student reads in a report is a template here.

    from .i18n import _
    _("judge.not_raised", error="IndexError", message="...")

The language is a context variable: `with use("zh"): ...` around grading and reporting (the batch
and the nbgrader bridge take it from the assignment: ASSIGNMENT_LANG). Checks' questions are their
docstrings in English; other languages give them by case key ("part/name") in lang_<code>.py.
A missing translation falls back to English; tests/test_editions.py fails when one is missing.

To add a language (code "xx"): add its edition to the registry (parts.EDITIONS: "embedding-xx": "xx";
LANGS follows), write autograder/lang_xx.py (MESSAGES: a template for every key of EN with the same
fields; QUESTIONS: every hidden test's question, "part/name" -> text), give the authoring source its
side (authoring/build.py's INLINE_LANGS, a TEXT entry per key and a keyword of each md(...) in
authoring/chapters/), the Gradescope run's two sentences (gradescope_run.py), then `make release`.
tests/test_registry.py checks each language has every one of these.
"""
import contextlib
import functools
import re
import string
from contextvars import ContextVar
from dataclasses import dataclass

from .parts import EDITIONS

LANGS = tuple(dict.fromkeys(["en", *EDITIONS.values()]))   # English first: the fallback of every other
ASSIGNMENT_LANG = EDITIONS   # the registry's (parts.py)
_LANG: ContextVar[str | None] = ContextVar("kit_lang", default=None)   # None: nobody chose (English)

EN = {
    # parts (titles in reports)
    "part.one_hot_lookup": "Lookup as a one-hot product",
    "part.embedding_backward": "Backward with padding_idx and scale_grad_by_freq",
    "part.embedding_renorm": "max_norm: in-place renormalisation",
    "part.embedding_module": "The Embedding module",
    # report framing
    "report.part_points": "{part}: {score:.2f} / {max:.0f} points",
    "report.zeroed_by": " — zero: {why}",
    "report.pass": "PASS",
    "report.fail": "FAIL",
    "report.notes": "Notes:",
    "report.note": "note: {note}",
    "note.more": "… and {n} more notes (only the first {shown} are shown)",
    "note.standin": "{part} lost points; when the other parts were graded, torch's `{names}` stood in for yours, so they lost nothing for it. With your own, code that calls `{names}` (your Embedding, say) would fail where it fails.",
    "report.cause": "Likely cause: {cause}",
    "report.as_above": "(as above)",
    "report.group": "{n} checks fail the same way; fix this first: {symptom}",
    "report.group_dtype": "results in {got} where {expected} is expected",
    "report.not_implemented": "not written yet (NotImplementedError)",
    # questions the grader itself asks (not a check's docstring)
    "q.submission_readable": "Can the submission be read?",
    # reading the submission (every part scores zero)
    "extract.no_notebook_in_folder": "the folder {name}/ holds no notebook (.ipynb)",
    "extract.missing": "{path} does not exist",
    "extract.wrong_kind": "{name}: expected a notebook (.ipynb), a folder of notebooks or a .py file",
    "extract.too_large": "{name} is {mb} MB: too large to be a submission",
    "extract.not_utf8": "{name} is not UTF-8 text ({reason} at byte {start})",
    "extract.empty": "{name} is empty",
    "extract.not_json": "{name} is not a valid notebook (not JSON: {error})",
    "extract.unreadable": "{name} is not a notebook nbformat can read ({error})",
    "extract.nbformat": "{name} is nbformat {version}; expected nbformat 4",
    "extract.syntax": "{label}: not valid Python{where}: {error}; it was skipped",
    "extract.syntax_line": " (line {line})",
    "extract.skipped": "{label}, line {line}: `{code}` was not run by the grader (it runs only imports, definitions and assignments); put it inside a function, or write it as an assignment",
    "extract.code_too_large": "{label}: skipped, the submission's code exceeds {mb} MB",
    "extract.symlink": "{name} is a symbolic link: the grader reads only the submission's own files",
    "extract.too_deep": "{name} is not a notebook the grader can read (its JSON is nested too deeply)",
    "extract.too_many_cells": "{label}: skipped, with every later cell: a submission may have at most {cells} code cells",
    # running a part
    "run.not_graded": "Your code for {part} could not be graded: {detail}.",
    "run.not_graded_job": "could not be graded: {detail}.",
    "run.budget_used": "the time allowed for the whole submission was used up by its earlier parts",
    "run.grader_error": "the grader itself failed on this check ({error}); this is not your code's fault",
    "run.last_output": " Its last output was:\n{output}",
    "run.no_result": "no result came back",
    "run.malformed": "its results were malformed ({error})",
    "run.incomplete": "its results were incomplete",
    "run.zygote_gone": "the sandbox's zygote process ended unexpectedly",
    "run.too_much_output": "the results were larger than {mb} MB",
    "run.timeout": "it ran longer than the {seconds:g} s allowed, and was stopped",
    "run.exited": "the process exited with status {code} before finishing",
    "run.signal": "the process died from {signal}",
    "run.SIGXCPU": "the process died from SIGXCPU: it used more CPU time than allowed",
    "run.SIGXFSZ": "the process died from SIGXFSZ: it wrote more output than allowed",
    "run.SIGKILL": "the process died from SIGKILL: it was killed (out of memory, or it killed itself)",
    "run.SIGSEGV": "the process died from SIGSEGV: it crashed (segmentation fault)",
    "run.SIGABRT": "the process died from SIGABRT: it aborted",
    "run.cell_raised": "{where}{line} raised {error}",
    "run.cell_line": ", line {line}",
    "run.not_defined": "`{names}` is not defined.",
    "run.not_defined_error": "`{names}` is not defined (a cell that should define it raised an error: see the notes).",
    # judging one observation
    "judge.not_raised": "torch raises {error} here ({message}), but yours did not raise.",
    "judge.raised": "yours raised {error}: {message}",
    "judge.missing_key": "`{key}` is missing from what your code produced.",
    # the part-level rules
    "rule.where": "{label}, line {line}: `{code}` ({rule})",
    "rule.torch_embedding": "torch's own embedding",
    "rule.dynamic": "dynamic attribute access or code generation",
    "rule.processes": "threads or processes",
    "rule.kit": "the grader's own code",
    "rule.import": "an import outside the allowed list (torch, torch.nn, torch.nn.functional, math, numpy, ...)",
    "rule.star": "a star import (import the names you use)",
    "rule.static": "The graded code may not use this (see the rules at the top of the notebook): {hits}. This part scores zero.",
    "rule.one_hot.select": "The lookup must be a one-hot product (one_hot(indices) @ weight): yours reads the table's rows by position (`{op}`) instead of multiplying a one-hot by the table. This part scores zero.",
    "rule.one_hot.raw": "The lookup must be a one-hot product (one_hot(indices) @ weight): its result holds the table's values without a sum over the table's rows (rows copied or sliced, not multiplied by a one-hot). This part scores zero.",
    "rule.one_hot.unrelated": "The lookup must be a one-hot product (one_hot(indices) @ weight): its result does not come from a product with the table (its values were taken outside torch's operations, through Python lists or numpy, say). This part scores zero.",
    "rule.forbidden_kernel": "The code calls torch's own embedding ({n} call(s) refused while grading: F.embedding, nn.Embedding, torch.embedding_renorm_ and the like are switched off, however they are reached). This part scores zero.",
    "rule.refusal_needs_work": "Raising on bad input earns points only when the same function also works on valid input; it does not here.",
    # comparing a value with torch's (compare.py)
    "cmp.torch_raises": "{what}: torch raises here ({error}), but yours returned {got}.",
    "cmp.yours_raised": "{what}: yours raised {got} where torch returns {expected}.",
    "cmp.value": "{what}: expected {expected}, got {got}.",
    "cmp.shape": "{what}: expected shape {expected}, got {got}.",
    "cmp.dtype": "{what}: expected dtype {expected}, got {got}.",
    "cmp.device": "{what}: expected a tensor on {expected}, got one on {got}.",
    "cmp.a_tensor": "a tensor of shape {shape} and dtype {dtype}",
    "cmp.an_exception": "an exception ({error})",
    "cmp.differ": "{what}: values differ at {bad} of {total} positions (tolerance: {tol}); first at index {where}: "
                  "got {got}, expected {expected}",
    "cmp.largest": "; largest difference at {where}: got {got}, expected {expected}",
    "cmp.listing": ".\n    got:      {got}\n    expected: {expected}",
    "cmp.tol_exact": "exact",
    "cmp.tol_half": "twice torch's own error against float64, or count·eps·max|g|",
    "cmp.tol_close": "atol {atol:g} + rtol {rtol:g}·|expected|",
    # formgrader and feedback (nbgrader_bridge, report)
    "report.comment": "{part}: {score:.2f} / {max:.0f} points. The grader's full report is the output of the "
                      "part's graded cell.",
    "feedback.unreadable": "**Your notebook could not be read, so nothing in it was graded: every part scores 0.**\n\n"
                           "The reason: {reason}\n\n"
                           "A notebook is a JSON file; yours was cut or edited outside Jupyter (a bad merge, a "
                           "text editor). To fix it: open it in JupyterLab; if it does not open, use *File → Revert "
                           "Notebook to Checkpoint*, or fetch the assignment again into a new folder and copy your "
                           "code into it. Then *Validate* and submit again. Below is the released notebook, as "
                           "it was graded.",
}


# ---- common causes (issue 24): each names the failure it explains, and is printed only for a failure
# that matches it (the kind of failure, the exception's type and message, what differs). One catalog for
# the hidden tests' feedback and the notebook's visible checks (authoring/build.py writes the entries
# its checks name into the setup cell). Keys: "<part>/<check>" (the hidden test's name, or a visible
# check's), "<part>/<check>:<variant>" for a further cause of the same check, "<part>/*:<name>" for a
# symptom any check of the part can show, "*/*:<name>" for one any part can show. The text of a key is
# the catalog's "cause.<key>".
KINDS = ("values", "shape", "dtype", "device", "raised", "not_raised", "other_reason", "not_implemented",
         "rule", "not_graded")
WRONG = ("values", "shape", "dtype", "device")   # a result that differs from torch's


@dataclass(frozen=True)
class When:
    """Which failures a cause explains: every condition given must hold."""
    kinds: tuple = WRONG    # Failure.kind is one of these
    errors: tuple = ()      # (raised) the exception's type is one of these
    words: tuple = ()       # (raised, other_reason) the exception's message holds one of these (case ignored)
    what: tuple = ()        # (a wrong result of a hidden test) the observation's name holds one of these


@dataclass(frozen=True)
class Failure:
    """What a failed check says, in a form causes can match, whatever the report's language."""
    kind: str = "unknown"   # one of KINDS, or "unknown"
    error: str = ""         # the exception's type (raised, other_reason)
    message: str = ""       # the exception's message (raised), or what differs (a wrong result)
    what: str = ""          # the observation's name (a wrong result of a hidden test)
    got: str = ""
    expected: str = ""


RAISED = ("raised",)
_ERR = ("raised", "other_reason")

CAUSES = [   # (key, When, English text): the first that matches a failure is its cause
    # -- any part
    ("*/*:not_implemented", When(("not_implemented",)),
     "not written yet: replace the stub's `raise NotImplementedError(...)` lines with your code"),
    ("*/*:forbidden", When(RAISED, errors=("EmbeddingForbidden",)),
     "your code reaches torch's own embedding (F.embedding, nn.Embedding, torch.embedding_renorm_, or a class "
     "built on them), which is switched off while grading: compute it with your own code"),
    ("*/*:other_reason", When(("other_reason",)),
     "it raised, but it raises for the valid input beside it too: it fails for another reason (a crash), not "
     "because the input is invalid; fix the other failing checks first"),
    ("*/*:timeout", When(("not_graded",), words=("longer than", "SIGXCPU", "超过了允许")),
     "a Python loop over every position or row is far too slow at the graders' sizes: use one vectorised "
     "operation"),
    # -- Part 1: the symptoms any check can show
    ("one_hot_lookup/*:dtype", When(("dtype",)),
     "the result is not in weight's dtype: F.one_hot makes int64; convert the one-hot with .to(weight.dtype) "
     "(not .float()) and leave weight as it is"),
    ("one_hot_lookup/*:mixed_dtypes", When(RAISED, words=("same dtype", "scalar type")),
     "the one-hot and the table reach the product in different dtypes: convert the one-hot with "
     ".to(weight.dtype)"),
    ("one_hot_lookup/*:long", When(RAISED, words=("LongTensor",)),
     "F.one_hot takes only int64 indices: check the dtype first, then convert int32 indices with .long()"),
    ("one_hot_lookup/*:width", When(RAISED, words=("cannot be multiplied", "Expected size for first two")),
     "the product's shapes do not fit: the one-hot must be V = weight.shape[0] wide (num_classes given, not "
     "inferred from the data), and (*, V) @ (V, D) needs no transpose"),
    ("one_hot_lookup/*:infer_empty", When(RAISED, words=("infer total number of classes",)),
     "F.one_hot cannot infer a width from empty indices: pass num_classes=weight.shape[0]"),
    ("one_hot_lookup/*:out_shape", When(("shape",), what=("out",)),
     "the output is not (*indices.shape, D): reshape a flattened product back, and never give a 0-d index an "
     "extra dimension"),
    ("one_hot_lookup/*:out_shape_grad", When(RAISED, words=("Mismatch in shape",)),
     "the output is not (*indices.shape, D): reshape a flattened product back, and never give a 0-d index an "
     "extra dimension"),
    ("one_hot_lookup/*:view", When(RAISED, words=("view size is not compatible",)),
     "view() fails on a transposed or expanded tensor: use reshape()"),
    ("one_hot_lookup/*:no_grad", When(RAISED, words=("does not require grad",)),
     "no gradient reaches the table: the result must come from a product with weight itself (not "
     "weight.detach(), .data, or rows copied into a new tensor)"),
    ("one_hot_lookup/*:range_check", When(RAISED, errors=("IndexError",)),
     "your range check refuses valid indices: an index is valid when 0 <= index < weight.shape[0]"),
    # -- Part 1: each check
    ("one_hot_lookup/lecture_example:grad", When(what=("grad",)),
     "the output is right but its gradient is not: the table reaches the result through something autograd "
     "cannot follow (weight.detach(), .data, values copied through Python)"),
    ("one_hot_lookup/lecture_example", When(),
     "start from the basic case: one_hot(indices, num_classes=V) in weight's dtype, times weight, shaped "
     "(*indices.shape, D)"),
    ("one_hot_lookup/int32_indices", When(),
     "int32 indices must give what int64 ones give: check the dtype, convert with .long(), and build the "
     "one-hot from the converted indices"),
    ("one_hot_lookup/scalar_index", When(WRONG + RAISED, words=("0-d", "Mismatch in shape")),
     "a 0-d index must give a (D,) row: keep indices' shape (one_hot of a 0-d tensor is (V,), and (V,) @ (V, D) "
     "is (D,)); do not add a dimension with unsqueeze or view(-1, 1)"),
    ("one_hot_lookup/empty_indices", When(WRONG + RAISED, words=("empty", "numel", "min()", "max()")),
     "empty indices give an empty (..., D) output: skip the range check when indices.numel() == 0, pass "
     "num_classes, and keep the shape ((3, 0) gives (3, 0, D))"),
    ("one_hot_lookup/largest_index_below_V", When(),
     "the one-hot must be V = weight.shape[0] wide whatever the indices hold: F.one_hot(indices, "
     "num_classes=V), not max(indices) + 1 wide"),
    ("one_hot_lookup/noncontiguous_inputs", When(),
     "a transposed or sliced table, or transposed indices, must give the same values: use reshape (not view) "
     "and assume no layout"),
    ("one_hot_lookup/output_is_a_new_tensor", When(),
     "the output shares memory with the table: return a new tensor (the product makes one)"),
    ("one_hot_lookup/leaves_its_inputs_alone", When(),
     "your code changes its inputs: an in-place method (unsqueeze_, squeeze_, sort_ ...) on indices or weight "
     "changes the caller's tensor; use the out-of-place version"),
    ("one_hot_lookup/every_kind_of_input", When(WRONG + RAISED),
     "one kind of input (named above) breaks the lookup: reshape rather than view, keep 0-d and empty shapes, "
     "convert int32 indices"),
    ("one_hot_lookup/rejects_bad_index_dtypes", When(("not_raised",)),
     "only int64 and int32 indices are valid: refuse every other dtype (float, int16, uint8, bool) before "
     "converting, since .long() makes them look valid"),
    ("one_hot_lookup/rejects_out_of_range_indices", When(("not_raised",)),
     "check the range yourself, 0 <= index < V: a one-hot of -1 (or indexing) wraps around silently"),
    ("one_hot_lookup/rejects_a_table_that_is_not_2d", When(("not_raised",)),
     "check weight.dim() == 2 first: with a 1-D weight the product becomes a matrix-vector product and "
     "raises nothing"),
    ("one_hot_lookup/large_table", When(WRONG + RAISED),
     "with 1000 rows and many repeats the lookup must still be exact: one 1 per one-hot row, in weight's "
     "dtype, V wide"),
    ("one_hot_lookup/random_shapes", When(WRONG + RAISED),
     "one of 25 small cases differs (named above): usually a 0-d index, an empty dimension, D = 0 or int32 "
     "indices"),
    ("one_hot_lookup/is_a_one_hot_product", When(("rule",)),
     "build a one-hot and multiply the whole table by it, one_hot(indices, V).to(weight.dtype) @ weight; "
     "indexing (weight[indices], index_select, gather, a loop of weight[k]) reads rows by position"),
    ("one_hot_lookup/uses_its_own_code", When(("rule",)),
     "remove the call the message names (torch's own embedding) or the import that is not allowed"),
    # -- Part 2: the symptoms any check can show
    ("embedding_backward/*:dtype", When(("dtype",)),
     "the gradient table is made without dtype=: torch.zeros(V, D) is float32; create it with "
     "dtype=grad_output.dtype and device=grad_output.device"),
    ("embedding_backward/*:mixed_dtypes", When(RAISED, words=("same dtype", "scalar type", "same type")),
     "the gradient table and grad_output have different dtypes: create the table with dtype=grad_output.dtype"),
    ("embedding_backward/*:reshape_zero", When(RAISED, words=("tensor of 0 elements",)),
     "reshape(-1, D) cannot work out -1 when there are no elements (D = 0): write reshape(indices.numel(), D)"),
    ("embedding_backward/*:shape", When(("shape",)),
     "the gradient must be (num_embeddings, D): size it by num_embeddings, not by indices.max() + 1"),
    ("embedding_backward/*:zero_d", When(RAISED, words=("0-d tensor",)),
     "len() and for-loops fail on a 0-d tensor: flatten with indices.reshape(-1) and count with numel()"),
    ("embedding_backward/*:view", When(RAISED, words=("view size is not compatible",)),
     "view() fails on a transposed, sliced or expanded grad_output: use reshape()"),
    # -- Part 2: each check
    ("embedding_backward/sums_repeated_rows", When(),
     "repeated indices must add up: index_add_ (or one_hotᵀ @ grad) sums them, `out[idx] = rows` keeps only "
     "one of the repeats"),
    ("embedding_backward/padding_row_is_zero_when_hit:row", When(what=("padding row",)),
     "the padding row must be exactly 0.0: leave the padding positions out before summing (subtracting them "
     "back out afterwards leaves a rounding residue)"),
    ("embedding_backward/padding_row_is_zero_when_hit", When(),
     "the padding positions must be left out: keep only the positions whose index is not padding_idx, then "
     "index_add_"),
    ("embedding_backward/padding_idx_zero", When(),
     "`if padding_idx:` treats 0 as no padding: test `padding_idx is not None`"),
    ("embedding_backward/negative_padding_idx_counts_from_the_end", When(),
     "a negative padding_idx counts from the end: turn it into padding_idx + num_embeddings before comparing "
     "it with the indices"),
    ("embedding_backward/padding_idx_never_hit", When(),
     "a padding_idx that never occurs changes nothing: the table is num_embeddings rows whatever the indices "
     "hold"),
    ("embedding_backward/padding_positions_are_skipped_not_zeroed", When(),
     "drop the padding positions before summing: multiplying them by 0 (a mask, or the one-hot's transpose) "
     "turns inf and NaN into NaN that reaches other rows, and zeroing the row afterwards is too late (here "
     "padding_idx is 0: `if padding_idx:` would skip it)"),
    ("embedding_backward/leaves_its_inputs_alone", When(),
     "your code changes its inputs: an in-place operation (div_, mul_, ...) on a view of grad_output or on "
     "the indices changes the caller's tensor; compute into new tensors"),
    ("embedding_backward/every_kind_of_input", When(WRONG + RAISED),
     "one kind of input (named above) breaks the backward: flatten with reshape (not view), size by "
     "indices.numel() (not -1), convert int32 indices"),
    ("embedding_backward/scale_grad_by_freq", When(),
     "count each index over the whole indices tensor (torch.bincount(idx, minlength=V)) and divide each "
     "position's row by its own index's count"),
    ("embedding_backward/padding_idx_must_be_in_range", When(("not_raised",)),
     "padding_idx must lie in [-V, V): check it before normalising it, and raise AssertionError as torch does"),
    ("embedding_backward/rejects_out_of_range_indices", When(("not_raised",)),
     "check the indices as Part 1 does (0 <= index < V, with _check_indices): a bad index must raise, not be "
     "dropped or wrapped"),
    ("embedding_backward/rejects_bad_index_dtypes", When(("not_raised",)),
     "check the index dtype before converting (Part 1's _check_indices): .long() makes float and bool "
     "indices look valid"),
    ("embedding_backward/any_index_shape", When(WRONG + RAISED),
     "any shape of indices works once flattened: indices.reshape(-1) is (N,) and grad_output.reshape(N, D), "
     "a 0-d index and empty indices included"),
    ("embedding_backward/embedding_dim_zero", When(WRONG + RAISED),
     "with D = 0, reshape(-1, D) cannot work out -1: write reshape(indices.numel(), D)"),
    ("embedding_backward/half_precision", When(),
     "accumulate float16 and bfloat16 gradients in float32 and cast the result back to grad_output's dtype"),
    ("embedding_backward/random_settings", When(WRONG + RAISED),
     "one of 25 settings differs (named above): look at its padding_idx, scale_grad_by_freq and shape"),
    ("embedding_backward/uses_its_own_code", When(("rule",)),
     "remove the call the message names: autograd through F.embedding runs torch's own backward"),
    # -- Part 3: the symptoms any check can show
    ("embedding_renorm/*:leaf", When(RAISED, words=("leaf variable", "requires grad")),
     "an in-place change of a leaf that requires grad must run under torch.no_grad()"),
    ("embedding_renorm/*:zero_d", When(RAISED, words=("0-d tensor",)),
     "len() and for-loops fail on a 0-d tensor: take the rows with torch.unique(indices.reshape(-1))"),
    ("embedding_renorm/*:expanded_write", When(RAISED, words=("written-to tensor",)),
     "your code writes in place into the caller's indices (an expanded view cannot be written): sort or "
     "change a copy"),
    ("embedding_renorm/*:dtype", When(("dtype",)),
     "the renorm must keep weight's dtype: compute the factor in float64, then round it to weight.dtype"),
    # -- Part 3: each check
    ("embedding_renorm/renorms_only_the_indexed_rows", When(),
     "rescale only the rows named in the indices, each by max_norm / (norm + 1e-7), and write them back into "
     "weight itself"),
    ("embedding_renorm/tiny_norms_need_the_epsilon", When(),
     "the factor is max_norm / (norm + 1e-7): the 1e-7 goes on the norm, in the denominator"),
    ("embedding_renorm/norm_types", When(),
     "use torch.linalg.vector_norm(rows, ord=norm_type, dim=1): it handles p = inf (the max of |x|) and "
     "p < 1, which (sum |x|^p)^(1/p) does not"),
    ("embedding_renorm/norm_types_cuda", When(),
     "use torch.linalg.vector_norm(rows, ord=norm_type, dim=1) on the weight's own device"),
    ("embedding_renorm/only_norms_strictly_above_max_norm", When(),
     "rescale only rows whose norm is strictly greater than max_norm (> not >=), and leave the others alone "
     "(no min(1, factor) applied to every row)"),
    ("embedding_renorm/repeated_indices_renorm_once", When(),
     "take each row once (torch.unique) before scaling: a repeated index must not be scaled twice"),
    ("embedding_renorm/works_on_a_leaf_that_requires_grad:same_object", When(what=("same tensor", "same storage")),
     "the renorm works on a copy: change the caller's weight in place and return that very tensor"),
    ("embedding_renorm/works_on_a_leaf_that_requires_grad", When(WRONG + RAISED),
     "change the weight under torch.no_grad(), in place, and return the same tensor object"),
    ("embedding_renorm/bumps_the_version", When(),
     "write through weight itself (or weight.detach()), not weight.data: .data hides the change from "
     "autograd's version counter"),
    ("embedding_renorm/int32_indices", When(WRONG + RAISED),
     "int32 indices must work: check them, then convert them with .long()"),
    ("embedding_renorm/leaves_the_indices_alone", When(),
     "your code changes the caller's indices (an in-place sort_ or unsqueeze_) or the weight's shape or "
     "strides: change only weight's values, in place"),
    ("embedding_renorm/every_kind_of_input", When(WRONG + RAISED),
     "one kind of input (named above) breaks the renorm: reshape rather than view, and write the rows back "
     "into weight with weight[rows] = ..., whatever its layout"),
    ("embedding_renorm/rejects_bad_index_dtypes", When(("not_raised",)),
     "check the index dtype before converting (Part 1's _check_indices): .long() makes float and bool "
     "indices look valid"),
    ("embedding_renorm/rejects_out_of_range_indices", When(("not_raised",)),
     "check the indices (Part 1's _check_indices): -1 would silently rescale the last row"),
    ("embedding_renorm/random_settings", When(WRONG + RAISED),
     "one of 20 settings differs (named above): look at its norm_type, max_norm and repeated indices"),
    ("embedding_renorm/uses_its_own_code", When(("rule",)),
     "remove the call the message names (torch.embedding_renorm_ is torch's own)"),
    # -- Part 4: the symptoms any check can show
    ("embedding_module/*:no_grad", When(RAISED, words=("does not require grad",)),
     "the output has no gradient: only the renorm belongs under torch.no_grad(), not the lookup"),
    ("embedding_module/*:dtype", When(("dtype",)),
     "dtype= (and device=) must reach the weight: torch.empty(V, D, dtype=dtype, device=device)"),
    ("embedding_module/*:dtype_value", When(("values",), what=("dtype",)),
     "dtype= (and device=) must reach the weight: torch.empty(V, D, dtype=dtype, device=device)"),
    ("embedding_module/*:state_dict", When(RAISED, words=("loading state_dict",)),
     "the state_dict must hold 'weight' alone: no extra buffer or parameter"),
    ("embedding_module/*:from_pretrained", When(RAISED, errors=("AttributeError",), words=("from_pretrained",)),
     "from_pretrained must be a classmethod of your Embedding"),
    # -- Part 4: each check
    ("embedding_module/constructor_attributes:parameter", When(what=("weight type",)),
     "the weight must be an nn.Parameter: a plain tensor with requires_grad=True is missing from parameters() "
     "and state_dict()"),
    ("embedding_module/constructor_attributes", When(),
     "store each argument under its own name, padding_idx normalised (-2 becomes V - 2: Part 2's helper)"),
    ("embedding_module/init_is_standard_normal_with_zero_padding_row:padding", When(what=("padding row",)),
     "zero the padding row after drawing the weight, for padding_idx 0 and negative ones too (`if "
     "self.padding_idx:` skips 0)"),
    ("embedding_module/init_is_standard_normal_with_zero_padding_row", When(),
     "nn.Embedding draws N(0, 1) (nn.init.normal_), then zeroes the padding row"),
    ("embedding_module/init_is_standard_normal_in_distribution", When(),
     "draw from N(0, 1) itself (nn.init.normal_): a truncated normal, a uniform or Xavier has the wrong shape"),
    ("embedding_module/reset_parameters", When(),
     "reset_parameters() must redraw N(0, 1) and zero the padding row again"),
    ("embedding_module/padding_idx_must_be_in_range", When(("not_raised",)),
     "check padding_idx's range in the constructor (Part 2's helper): [-V, V)"),
    ("embedding_module/forward_matches", When(WRONG + RAISED),
     "forward is the Function: _EmbeddingFunction.apply(input, self.weight, self.padding_idx, "
     "self.scale_grad_by_freq), whose forward is one_hot_lookup"),
    ("embedding_module/forward_leaves_its_input_alone", When(),
     "forward changes the caller's indices (in place) or, without max_norm, the weight"),
    ("embedding_module/every_kind_of_input", When(WRONG + RAISED),
     "one kind of input (named above) breaks the module: reshape rather than view, and pass every option on"),
    ("embedding_module/rejects_bad_index_dtypes", When(("not_raised",)),
     "forward must refuse bad indices as the functions do: do not convert them (.long()) before they are "
     "checked"),
    ("embedding_module/rejects_out_of_range_indices", When(("not_raised",)),
     "forward must refuse out-of-range indices, with and without max_norm: the renorm checks them too"),
    ("embedding_module/backward_matches", When(),
     "pass padding_idx and scale_grad_by_freq on to the Function, and from there to embedding_backward"),
    ("embedding_module/padding_positions_are_skipped_in_backward", When(),
     "the module's gradient must come from your embedding_backward (the Function's backward), which skips "
     "padding positions; autograd through the product does not"),
    ("embedding_module/max_norm_renorms_before_the_lookup:copy", When(what=("weight", "caller")),
     "the renorm changes a copy: rescale self.weight itself (through self.weight.detach()), with the module's "
     "norm_type"),
    ("embedding_module/max_norm_renorms_before_the_lookup", When(),
     "rescale the looked-up rows (in place, under no_grad) before the lookup, with the module's norm_type"),
    ("embedding_module/max_norm_bumps_the_version:clone", When(RAISED, what=("with .clone()",)),
     "the module raises where torch does not (the docs example with .clone() must run): it fails for another "
     "reason; fix the other failing checks first"),
    ("embedding_module/max_norm_bumps_the_version", When(WRONG + ("not_raised",)),
     "rescale through self.weight.detach(), not self.weight.data: .data hides the change from autograd's "
     "version counter, so the hazard goes unnoticed"),
    ("embedding_module/repr_matches", When(),
     "extra_repr prints num_embeddings, embedding_dim, then only the options that differ from the defaults, "
     "values as given (max_norm=2, not 2.0)"),
    ("embedding_module/state_dict_both_ways", When(WRONG + RAISED),
     "the state_dict must hold 'weight' alone (no extra buffer or parameter)"),
    ("embedding_module/from_pretrained:frozen", When(what=("frozen",)),
     "freeze defaults to True: pass _freeze=freeze to the constructor, which sets requires_grad = not _freeze"),
    ("embedding_module/from_pretrained:shared", When(what=("caller's", "shares")),
     "wrap the given tensor itself (no clone): a max_norm forward must rescale the caller's tensor"),
    ("embedding_module/from_pretrained:padding", When(what=("padding",)),
     "keep the given padding row (do not zero it) and pass padding_idx on to the constructor"),
    ("embedding_module/from_pretrained:not_2d", When(("not_raised",)),
     "check embeddings.dim() == 2 and raise AssertionError otherwise"),
    ("embedding_module/from_pretrained", When(),
     "from_pretrained is cls(V, D, _weight=embeddings, _freeze=freeze, ...) with every option passed on"),
    ("embedding_module/private_weight_and_freeze:shape", When(("not_raised",)),
     "check _weight's shape against (num_embeddings, embedding_dim) and raise AssertionError otherwise"),
    ("embedding_module/private_weight_and_freeze", When(),
     "_weight becomes the Parameter as given (no copy, padding row kept); _freeze=True means requires_grad "
     "False"),
    ("embedding_module/dtype_and_device_arguments", When(),
     "dtype= and device= must reach the weight: torch.empty(V, D, dtype=dtype, device=device)"),
    ("embedding_module/sparse_is_refused_or_right", When(WRONG + ("not_raised",)),
     "sparse=True must raise NotImplementedError (a clear refusal) unless the gradient really is sparse"),
    ("embedding_module/embedding_dim_zero", When(WRONG + RAISED),
     "Embedding(5, 0) must work: nothing may assume D > 0 (reshape(-1, D) with D = 0 fails)"),
    ("embedding_module/uses_its_own_code", When(("rule",)),
     "build on your own functions: subclassing nn.Embedding or calling F.embedding runs torch's embedding"),
]
CAUSES += [   # the notebook's ungraded steps: the gradient check students write, the training comparison
    ("numerical_gradient/linear", When(WRONG + RAISED),
     "each entry is (f(W + h·E) - f(W - h·E)) / (2h) with E one at [k, j]: change W[k, j] alone, call f twice, "
     "and put W[k, j] back before the next entry"),
    ("numerical_gradient/backward", When(),
     "your embedding_backward differs from the derivative itself: look at the rows it gets wrong (repeated "
     "ids must add up)"),
    ("numerical_gradient/padding", When(),
     "with padding_idx=0 your backward must differ from the true derivative in row 0 exactly: it ignores "
     "padding_idx=0 (`if padding_idx:` treats 0 as no padding) or zeroes the wrong row"),
    ("training/curves", When(WRONG + RAISED),
     "the usual causes, in order: the padding row gets a gradient (padding_idx not passed on), max_norm "
     "ignored or applied after the lookup, scale_grad_by_freq passed on wrong, the weight not initialised "
     "like nn.Embedding's (a different start: the curves differ from step 0)"),
]
EN.update({"cause." + key: text for key, _when, text in CAUSES})
WHEN = {key: when for key, when, _text in CAUSES}

# The reports' sentences that say how a check failed, by kind (the names are the templates' fields)
_SAYS = (("judge.raised", "raised"), ("cmp.yours_raised", "raised"), ("judge.not_raised", "not_raised"),
         ("cmp.torch_raises", "not_raised"), ("cmp.shape", "shape"), ("cmp.dtype", "dtype"),
         ("cmp.device", "device"), ("cmp.differ", "values"), ("cmp.value", "values"), ("judge.missing_key", "values"),
         ("rule.static", "rule"), ("rule.one_hot.select", "rule"), ("rule.one_hot.raw", "rule"),
         ("rule.one_hot.unrelated", "rule"), ("rule.forbidden_kernel", "rule"), ("run.not_graded", "not_graded"),
         ("run.not_graded_job", "not_graded"))
_PARAM = re.compile(r"^\[[^\]\n]*\] ")


def _pattern(template: str):
    """A template as a regular expression: each field a named group (the last one greedy), anchored at
    the start; what follows the template (a listing, a cause) is left over."""
    parts = list(string.Formatter().parse(template))
    fields = [f for _lit, f, _spec, _conv in parts if f is not None]
    out, seen = "", set()
    for lit, field, _spec, _conv in parts:
        out += re.escape(lit)
        if field is not None:
            greedy = field == fields[-1]
            out += f"(?P={field})" if field in seen else f"(?P<{field}>.*{'' if greedy else '?'})"
            seen.add(field)
    return re.compile(out, re.S)


@functools.lru_cache(maxsize=None)
def _patterns() -> list:
    return [(_pattern(catalog[key]), kind) for catalog in _catalogs().values() for key, kind in _SAYS]


def failure(message: str) -> Failure:
    """Read a hidden test's failure message (any language; a leading [param] and a trailing cause line
    are ignored) into a Failure."""
    text = _PARAM.sub("", split_cause(message)[0].strip())
    for pattern, kind in _patterns():
        m = pattern.match(text)
        if not m:
            continue
        g = m.groupdict()
        if kind == "raised":
            error, _sep, said = (g.get("error") or "").strip(), "", g.get("message", "")
            if "got" in g:   # cmp.yours_raised: got is "Type: message"
                error, _sep, said = g["got"].partition(": ")
            if error == "NotImplementedError":
                return Failure("not_implemented", error, said)
            return Failure("raised", error, said)
        if kind == "values" and "got" in g:
            return _value_failure(g.get("what", ""), g["got"], g.get("expected", ""))
        return Failure(kind, "", text, g.get("what", "") or "", g.get("got", "") or "", g.get("expected", "") or "")
    return Failure("unknown", "", text)


def _value_failure(what: str, got: str, expected: str) -> Failure:
    """cmp.value: a wrong plain value, or one of the texts the graders' helpers observe (inputs.py):
    'raised X: ...' for a call that raised, and a must-raise verdict."""
    bare = got.strip()[1:-1] if got.strip()[:1] in "'\"" else got.strip()
    if bare.startswith("raised "):
        error, _sep, said = bare[len("raised "):].partition(": ")
        kind = "not_implemented" if error == "NotImplementedError" else "raised"
        return Failure(kind, "" if error == "an exception" else error, said, what)
    if bare == "does not raise" or ("raises" in what and expected == "True" and got == "False"):
        return Failure("not_raised", "", "", what, got, expected)
    if bare.startswith("raises, but also for"):
        return Failure("other_reason", "", bare, what, got, expected)
    if "raises" in what and expected == "False" and got == "True":
        return Failure("raised", "", "", what, got, expected)
    return Failure("values", "", f"{what} {got} {expected}", what, got, expected)


def split_cause(message: str) -> tuple[str, str]:
    """A test's message -> (the failure, the cause line appended to it, or "")."""
    for catalog in _catalogs().values():
        head = catalog["report.cause"].split("{", 1)[0]
        at = message.rfind("\n" + head)
        if at >= 0:
            return message[:at], message[at + 1:]
    return message, ""


def matches(when: When, f: Failure) -> bool:
    """Does the cause `when` explain the failure f? (The notebook's setup cell matches the same way,
    without `what`: a visible check names its cause by key.)"""
    if f.kind not in when.kinds:
        return False
    if when.errors and f.error not in when.errors:
        return False
    if when.words and f.kind in _ERR and not any(w.lower() in f.message.lower() for w in when.words):
        return False
    if when.what and not any(w.lower() in f.what.lower() for w in when.what):
        return False
    return True


def specific(when: When) -> bool:
    """Does the cause ask more of a failure than its kind (an exception's type or words, the observation)?"""
    return bool(when.errors or when.words or when.what)


def cause_keys(part: str, name: str, symptoms_only: bool = False) -> list:
    """The catalog's keys that may explain a failure of check `name` of `part`, in the order tried: the
    check's own causes that ask for a particular failure, then the part's symptoms and any part's, then
    the check's own general causes (a shared symptom such as a wrong dtype explains more than they do)."""
    own = [] if symptoms_only else [k for k in WHEN if k == f"{part}/{name}" or k.startswith(f"{part}/{name}:")]
    symptoms = [k for k in WHEN if k.startswith(f"{part}/*:")] + [k for k in WHEN if k.startswith("*/*:")]
    return [k for k in own if specific(WHEN[k])] + symptoms + [k for k in own if not specific(WHEN[k])]


def cause(part: str, name: str, message: str = "", symptoms_only: bool = False) -> str:
    """The likely cause of a failed hidden test, matched to how it failed ("" if no cause matches)."""
    f = failure(message)
    for key in cause_keys(part, name, symptoms_only):
        if matches(WHEN[key], f):
            return _("cause." + key)
    return ""


def visible_causes(lang: str, checks: dict) -> dict:
    """For the notebook's setup cell: {"part/check": [kinds, errors, words, text]} for every check the
    visible checks name (checks: part -> names; a name may be a variant, "check:variant"), each part's
    symptoms and any part's, in `lang`, in the catalog's order."""
    wanted = {f"{part}/{name}" for part, names in checks.items() for name in names}
    wanted |= {k for k in WHEN for part in checks if k.startswith((f"{part}/*:", "*/*:"))}
    unknown = wanted - set(WHEN)
    if unknown:
        raise KeyError(f"visible checks name causes the catalog lacks: {sorted(unknown)}")
    with use(lang):
        return {key: [list(w.kinds), list(w.errors), list(w.words), _("cause." + key)]
                for key, w in WHEN.items() if key in wanted}


def _catalog_module(code: str):
    """autograder/lang_<code>.py: MESSAGES and QUESTIONS of a language other than English."""
    import importlib
    return importlib.import_module(f"{__package__}.lang_{code}")


@functools.cache
def _catalogs() -> dict:
    return {"en": EN, **{code: _catalog_module(code).MESSAGES for code in LANGS if code != "en"}}


def _questions(lang: str) -> dict:
    return _catalog_module(lang).QUESTIONS if lang != "en" and lang in LANGS else {}


def lang() -> str:
    return _LANG.get() or "en"


def chosen() -> bool:
    """Whether a language was chosen around this code (else the submission's own edition may decide)."""
    return _LANG.get() is not None


@contextlib.contextmanager
def use(code: str | None):
    """Messages made inside are in language `code` (None or unknown: English)."""
    token = _LANG.set(code if code in LANGS else "en")
    try:
        yield
    finally:
        _LANG.reset(token)


def _(key: str, /, **args) -> str:
    """The message `key` in the current language, formatted with args."""
    code = lang()
    catalog = EN if code == "en" else _catalogs().get(code, EN)
    return catalog.get(key, EN[key]).format(**args)


def question(part: str, name: str, english: str) -> str:
    """A check's question (its docstring in English) in the current language."""
    return _questions(lang()).get(f"{part}/{name}", english)
