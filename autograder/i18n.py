"""The grader's words, per language: every sentence a student reads in a report is a template here.

    from .i18n import _
    _("judge.not_raised", error="IndexError", message="...")

The language is a context variable: `with use("zh"): ...` around grading and reporting (the batch
and the nbgrader bridge take it from the assignment: ASSIGNMENT_LANG). Checks' questions are their
docstrings in English; other languages give them by case key ("part/name") in lang_<code>.py.
A missing translation falls back to English; tests/test_i18n.py fails when one is missing.
"""
import contextlib
from contextvars import ContextVar

from .parts import EDITIONS

LANGS = ("en", "zh")
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
    "report.cause": "If this fails, check: {cause}",
    "report.as_above": "(as above)",
    # questions the grader itself asks (not a check's docstring)
    "q.uses_its_own_code": "Does the code compute the result itself, without torch's own embedding ops?",
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
    "cmp.something": "<{what}>",
    # common causes of a failing hidden test (from the mistake corpus, tests/corpus/wrong), keyed part/name
    "cause.one_hot_lookup/lecture_example": "check that the one-hot matrix is cast to weight's dtype before the product, and that the output keeps the indices' shape plus D",
    "cause.one_hot_lookup/int32_indices": 'F.one_hot accepts only int64: convert the indices (after checking their dtype) before building the one-hot',
    "cause.one_hot_lookup/scalar_index": 'a 0-d index must give a (D,) row: do not add a dimension with unsqueeze or view(-1, 1) and keep it',
    "cause.one_hot_lookup/largest_index_below_V": 'pass num_classes=weight.shape[0] to F.one_hot: inferred, it is only max(indices)+1 wide',
    "cause.one_hot_lookup/empty_indices": 'empty indices need num_classes given explicitly (F.one_hot cannot infer it from an empty tensor)',
    "cause.one_hot_lookup/rejects_out_of_range_indices": 'check indices < 0 and >= V yourself: a one-hot of -1 silently picks the last row',
    "cause.one_hot_lookup/rejects_bad_index_dtypes": 'refuse every dtype but int64 and int32 before converting: .long() on a float or bool tensor hides the mistake',
    "cause.embedding_backward/padding_idx_zero": '`if padding_idx:` treats 0 as no padding: test `padding_idx is not None`',
    "cause.embedding_backward/negative_padding_idx_counts_from_the_end": 'a negative padding_idx counts from the end: padding_idx + num_embeddings',
    "cause.embedding_backward/padding_positions_are_skipped_not_zeroed": 'drop the padding positions before summing; zeroing the row afterwards (or multiplying by a mask) lets NaN through',
    "cause.embedding_backward/scale_grad_by_freq": "count each index over the whole indices tensor (torch.bincount with minlength=V) and divide each position's row by its index's count",
    "cause.embedding_backward/sums_repeated_rows": 'repeated indices must add up: index_add_ (or one_hotᵀ @ grad) sums them, `grad[idx] = rows` keeps only one',
    "cause.embedding_backward/padding_idx_must_be_in_range": 'padding_idx must lie in [-V, V): check it before normalising it',
    "cause.embedding_renorm/tiny_norms_need_the_epsilon": 'the scale is max_norm / (norm + 1e-7), the epsilon in the denominator',
    "cause.embedding_renorm/only_norms_strictly_above_max_norm": 'renorm only rows whose norm is strictly greater than max_norm (> not >=)',
    "cause.embedding_renorm/repeated_indices_renorm_once": 'take each row once (torch.unique) before scaling: a repeated index must not be scaled twice',
    "cause.embedding_renorm/works_on_a_leaf_that_requires_grad": 'change the weight under torch.no_grad(), in place, and return the same tensor object',
    "cause.embedding_renorm/bumps_the_version": 'write through weight itself (or weight.detach()), not weight.data: .data hides the change from autograd',
    "cause.embedding_renorm/norm_types": 'use torch.linalg.vector_norm(rows, ord=norm_type, dim=1): it handles p = inf and p < 1',
    "cause.embedding_module/init_is_standard_normal_with_zero_padding_row": 'nn.Embedding draws N(0, 1) (nn.init.normal_) and then zeroes the padding row, also for a negative padding_idx',
    "cause.embedding_module/reset_parameters": 'reset_parameters() must zero the padding row again after redrawing the weight',
    "cause.embedding_module/max_norm_renorms_before_the_lookup": "renorm the looked-up rows (in place, under no_grad) before the lookup, with the module's norm_type",
    "cause.embedding_module/from_pretrained": 'from_pretrained keeps the given tensor (no copy), keeps a non-zero padding row, and freezes by default',
    "cause.embedding_module/repr_matches": 'extra_repr prints num_embeddings, embedding_dim and then only the options that differ from the defaults, as nn.Embedding does',
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


def _catalogs() -> dict:
    from . import lang_zh
    return {"en": EN, "zh": lang_zh.MESSAGES}


def _questions(lang: str) -> dict:
    if lang == "zh":
        from . import lang_zh
        return lang_zh.QUESTIONS
    return {}


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


def _(key: str, **args) -> str:
    """The message `key` in the current language, formatted with args."""
    code = lang()
    catalog = EN if code == "en" else _catalogs().get(code, EN)
    return catalog.get(key, EN[key]).format(**args)


def cause(part: str, name: str) -> str:
    """The common cause of a failing hidden test, if the catalog has one ("" if not)."""
    key = f"cause.{part}/{name}"
    return _(key) if key in EN else ""


def question(part: str, name: str, english: str) -> str:
    """A check's question (its docstring in English) in the current language."""
    return _questions(lang()).get(f"{part}/{name}", english)
