"""The embedding notebook as data: the one source of source/embedding/embedding.ipynb.

Markdown cells are dicts of language -> text (`md(en=...)`); code cells are text shared by every
language. The few strings inside code that a student reads as prose -- the stubs' docstrings and the
messages printed by the visible checks -- live in TEXT below, one dict per language, and are written
into the code where a token `@@key@@` stands (build.py does the substitution). A new language adds a
TEXT entry and a keyword to each md(...); nothing else changes.

Cell kinds and their nbgrader roles:
    md(en=...)                  markdown, no nbgrader metadata
    code(src)                   code the student may run and edit, no nbgrader metadata
    provided(grade_id, src)     locked, read-only code (the setup cell)
    solution(part, src)         the part's solution cell, grade_id "<part>_code"; bodies between
                                ### BEGIN SOLUTION / ### END SOLUTION become stubs for students
    graded(part, points, src)   the part's graded cell, grade_id "<part>": visible checks, then the
                                hidden-test marker lines (the hidden tests live in autograder/checks/)
"""

LANGUAGES = ("en",)
NOTEBOOK = "embedding.ipynb"   # written to source/embedding/
DATA = ("data/sonnets.txt",)   # copied from authoring/ to source/embedding/ (released to students)
PARTS = ("one_hot_lookup", "embedding_backward", "embedding_renorm", "embedding_module")

# --------------------------------------------------------------------------------------------------
# Prose inside code, per language. Docstrings are written as they appear (first line, blank line,
# body); build.py indents them to their `def`. MSG is written into the setup cell as a dict literal.
# --------------------------------------------------------------------------------------------------
TEXT = {
    "en": {
        "doc_check_indices": (
            "Raise unless indices is an int64/int32 tensor whose values all lie in [0, num_embeddings).\n"
            "\n"
            "indices (*) int64|int32, any shape (0-d and empty included); num_embeddings V.\n"
            "Any other dtype raises RuntimeError (bool too: it must never act as a mask). A value that is\n"
            "negative or >= V raises IndexError; -1 must not wrap around to the last row.\n"
        ),
        "doc_one_hot_lookup": (
            "Look rows of weight up as a product: one_hot(indices) @ weight.\n"
            "\n"
            "indices (*) int64|int32, values in [0, V); any shape, 0-d and empty included.\n"
            "weight  (V, D) floating point, on any device.\n"
            "returns (*, D) in weight's dtype, on weight's device: out[i...] = weight[indices[i...]].\n"
            "Compute it as one_hot(indices, V) (*, V), cast to weight's dtype, times weight (V, D);\n"
            "do not call PyTorch's embedding functions. Autograd differentiates the product.\n"
            "Raises RuntimeError for a weight that is not 2-D or a bad index dtype, IndexError for an\n"
            "index outside [0, V).\n"
        ),
        "doc_normalise_padding_idx": (
            "padding_idx None | int in [-V, V)  ->  None | int in [0, V); a negative value counts from the end.\n"
            "\n"
            "num_embeddings V. Outside [-V, V) raises\n"
            "AssertionError(\"Padding_idx must be within num_embeddings\"), as PyTorch does.\n"
        ),
        "doc_embedding_backward": (
            "The dense gradient of a lookup w.r.t. its table: row k sums grad_output where indices == k.\n"
            "\n"
            "grad_output (*, D) floating point: the gradient w.r.t. the lookup's output (* as indices).\n"
            "indices     (*) int64|int32, values in [0, V).\n"
            "num_embeddings      V, the number of rows of the table.\n"
            "padding_idx         None or an int in [-V, V); negative counts from the end. Positions\n"
            "                    holding it are skipped (never added, then zeroed): that row is exactly 0.\n"
            "scale_grad_by_freq  if True, each position's contribution is divided by how often its\n"
            "                    index occurs in the whole indices tensor.\n"
            "returns (V, D), dense, in grad_output's dtype, on grad_output's device.\n"
        ),
        "doc_embedding_renorm_": (
            "In place: scale down each distinct row of weight named in indices whose norm exceeds max_norm.\n"
            "\n"
            "weight   (V, D) floating point; modified in place and returned (the same tensor object).\n"
            "indices  (*) int64|int32, values in [0, V); each distinct row is handled once.\n"
            "max_norm  float; norm_type float p of the p-norm (2.0 Euclidean, 1.0, inf, ...).\n"
            "A row k with n = ||weight[k]||_p > max_norm becomes weight[k] * max_norm / (n + 1e-7); every\n"
            "other row is untouched. Records no autograd history (works on a leaf that requires grad).\n"
        ),
        "doc_function": (
            "Autograd glue: forward is one_hot_lookup, backward is embedding_backward.\n"
        ),
        "doc_function_forward": (
            "indices (*) int64|int32, weight (V, D)  ->  (*, D). Save what backward needs on ctx.\n"
        ),
        "doc_function_backward": (
            "grad_output (*, D)  ->  one gradient per forward input: (None, grad_weight (V, D), None, None).\n"
        ),
        "doc_module": (
            "A lookup table of num_embeddings vectors of size embedding_dim: a drop-in replacement for\n"
            "PyTorch's embedding module, built on one_hot_lookup, embedding_backward and embedding_renorm_.\n"
            "\n"
            "weight  Parameter (V, D), initialised from N(0, 1) with the padding row (if any) zeroed.\n"
            "forward input (*) int64|int32  ->  (*, D).\n"
        ),
        "doc_module_init": (
            "Same arguments as PyTorch's module, each stored as an attribute of the same name.\n"
            "\n"
            "padding_idx is stored normalised (-1 -> V - 1). _weight (V, D) becomes the Parameter itself\n"
            "(shared storage, padding row kept as given); _freeze=True: the weight does not require grad.\n"
            "sparse=True raises NotImplementedError: this module makes dense gradients only.\n"
        ),
        "doc_module_reset": (
            "Refill weight in place from N(0, 1) (nn.init.normal_), then zero the padding row, if any.\n"
        ),
        "doc_module_forward": (
            "input (*) int64|int32  ->  (*, D).\n"
            "\n"
            "With max_norm set, first renormalise the looked-up rows of weight in place (not recorded by\n"
            "autograd); then look up through the autograd Function above.\n"
        ),
        "doc_module_extra_repr": (
            "The text PyTorch's module shows inside Embedding(...), e.g. '10, 3, padding_idx=9, max_norm=1'.\n"
        ),
        "doc_module_from_pretrained": (
            "A module whose weight is embeddings (V, D) itself: shared storage, padding row kept as given.\n"
            "\n"
            "freeze=True (the default) makes the weight not require grad. Raises AssertionError\n"
            "(\"Embeddings parameter is expected to be 2-dimensional\") unless embeddings is 2-D.\n"
        ),
        "MSG": {
            "ok": "✓",
            "fail": "✗",
            "values": "exact: {exact!s:<5} | close: {close!s:<5} | max |diff|: {diff:.1e}{where}",
            "where": " at {pos}: got {got:.6g}, expected {expected:.6g}",
            "equal": "equal: {value!r}",
            "differs": "got {got!r}, expected {expected!r}",
            "not_tensor": "expected a tensor, got {type}",
            "shape": "shape: got {got}, expected {expected}",
            "dtype": "dtype: got {got}, expected {expected}",
            "device": "device: got {got}, expected {expected}",
            "raised": "raises {error}: {message}",
            "wrong_error": "raised {error}: {message}; expected {expected}",
            "not_raised": "did not raise; expected {expected}",
            "not_implemented": "not implemented yet (NotImplementedError)",
            "passed": "All visible checks of {part} pass. After you submit, the kit's grader runs more.",
        },
    },
}


# --------------------------------------------------------------------------------------------------
# Cell helpers
# --------------------------------------------------------------------------------------------------
def md(**text):
    """A markdown cell: language -> text."""
    return {"cell_type": "markdown", "text": {lang: t.strip("\n") for lang, t in text.items()}}


def code(src):
    """A code cell with no nbgrader role (demos, plots): students may run and change it."""
    return {"cell_type": "code", "source": src.strip("\n"), "nbgrader": None}


def provided(grade_id, src):
    """Locked, read-only code students should not edit (not graded)."""
    meta = {"grade": False, "solution": False, "locked": True, "grade_id": grade_id, "schema_version": 3}
    return {"cell_type": "code", "source": src.strip("\n"), "nbgrader": meta}


def solution(part, src):
    """The part's solution cell: nbgrader replaces each BEGIN/END SOLUTION region by a stub."""
    assert part in PARTS, part
    meta = {"grade": False, "solution": True, "locked": False, "grade_id": f"{part}_code",
            "schema_version": 3}
    return {"cell_type": "code", "source": src.strip("\n"), "nbgrader": meta}


def graded(part, points, src):
    """The part's graded cell: visible checks, then the hidden-test markers naming the real checks."""
    assert part in PARTS, part
    hidden = ("### BEGIN HIDDEN TESTS\n"
              "# Graded outside this notebook by the kit's isolated grader: "
              f"python -m autograder grade (autograder/checks/{part}.py).\n"
              "### END HIDDEN TESTS")
    meta = {"grade": True, "solution": False, "locked": True, "points": points, "grade_id": part,
            "schema_version": 3}
    return {"cell_type": "code", "source": src.strip("\n") + "\n\n" + hidden, "nbgrader": meta}


# --------------------------------------------------------------------------------------------------
# The cells
# --------------------------------------------------------------------------------------------------
