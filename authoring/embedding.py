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
            "Autograd glue: forward is one_hot_lookup, backward is embedding_backward."
        ),
        "doc_function_forward": (
            "indices (*) int64|int32, weight (V, D)  ->  (*, D). Save what backward needs on ctx."
        ),
        "doc_function_backward": (
            "grad_output (*, D)  ->  one gradient per forward input: (None, grad_weight (V, D), None, None)."
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
            "Refill weight in place from N(0, 1) (nn.init.normal_), then zero the padding row, if any."
        ),
        "doc_module_forward": (
            "input (*) int64|int32  ->  (*, D).\n"
            "\n"
            "With max_norm set, first renormalise the looked-up rows of weight in place (not recorded by\n"
            "autograd); then look up through the autograd Function above.\n"
        ),
        "doc_module_extra_repr": (
            "The text PyTorch's module shows inside Embedding(...), e.g. '10, 3, padding_idx=9, max_norm=1'."
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
            "where": " at {pos}: got {got!r}, expected {expected!r}",
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
INTRO = [
    md(en=r"""
# `nn.Embedding` from scratch

> *"I have always had only an abstract, blurry idea of what an embedding is."* — the lecture this notebook grows from

An embedding layer is a table of learnable vectors, one row per token, and its forward pass is a
lookup: give it token ids, get back their rows. That is all — but `torch.nn.Embedding` has options
whose behaviour surprises people (`padding_idx`, `max_norm`, `scale_grad_by_freq`), and the lecture we
start from left one of them as an open question and got another one wrong. In this notebook you
rebuild the layer in four parts, and every claim is checked by running PyTorch next to your code.

| part | you write | points |
|---|---|---|
| 1 | `one_hot_lookup(indices, weight)`: the lookup as a one-hot matrix product | 25 |
| 2 | `embedding_backward(grad_output, indices, num_embeddings, padding_idx, scale_grad_by_freq)`: the table's gradient | 25 |
| 3 | `embedding_renorm_(weight, indices, max_norm, norm_type)`: what `max_norm` really does | 25 |
| 4 | `class Embedding(nn.Module)`: a drop-in for `nn.Embedding`; then a small character model trained with it | 25 |

**Shapes.** One alphabet throughout. The table `weight` is `(V, D)`: V rows (`num_embeddings`, the
vocabulary size) of D numbers each (`embedding_dim`). A batch of ids is `(B, T)`: B sequences of T
ids. `(*)` means any shape, including a single id (a 0-d tensor) and empty tensors. (The lecture
wrote `(v, h)` for the table and `(b, s)` for the batch.)

**How you are graded.** Each part has a cell marked for your code: replace its
`raise NotImplementedError()` lines and keep the names and signatures. The cell after it runs quick
*visible checks*: they give your function and PyTorch the same small inputs and print one line per
check (✓ or ✗, whether the results are exactly equal, close, and the largest difference and where).
A red cell means a check failed. After you submit, the kit's grader runs many more *hidden* checks on
your solution cells alone, in float32 and float64, and on a GPU where there is one.

**Rules for your solution cells**
- Do not call PyTorch's own embedding there: `F.embedding`, `torch.embedding`, `nn.Embedding`,
  `torch.embedding_renorm_`, `torch.ops.aten.embedding*`, `F.embedding_bag`. A part that does scores
  zero. (The checks and demos in this notebook use them freely: that is how we compare.)
- Do not hard-code a device: create new tensors on the device of your inputs (`device=weight.device`),
  so the same code runs on a GPU.
- Everything a part needs goes in its solution cells: the grader runs only those cells, not the
  setup or demo cells.
- Indices are `int64` or `int32`. An index that is negative or `>= V` must raise an exception; it must
  never silently wrap around.
"""),
    md(en=r"""
## Setup

Run this cell first. It imports what the notebook uses and defines the two helpers of the visible checks:

- `check(name, got, expected, exact=True, atol=0.0, rtol=0.0)` compares in steps — is it a tensor,
  then shape, dtype, device, values — and prints one line. With `exact=True` the values must be equal
  (NaN matching NaN); with `exact=False` they must be close: `|got - expected| <= atol + rtol·|expected|`.
  It raises `AssertionError` at the first mismatch. For values that are not tensors it asks for `==`.
- `check_raises(name, fn, *errors)` calls `fn()` and passes if it raises one of `errors` (by default any
  exception except `NotImplementedError`, which means the code is not written yet). Like the grader,
  most checks only ask *that* your code raises; the task texts say which exception PyTorch raises.
"""),
    provided("setup", r'''
import time
from pathlib import Path

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(0)
torch.set_printoptions(precision=4, sci_mode=False)

MSG = @@MSG@@


def _say(mark, name, detail):
    print(f"{MSG[mark]} {name:<50} {detail}")


def _compare(got, expected, exact, atol, rtol):
    """(problem, detail): problem is None when got passes."""
    if not isinstance(expected, torch.Tensor):
        if isinstance(got, torch.Tensor) or got != expected:
            return MSG["differs"].format(got=got, expected=expected), ""
        return None, MSG["equal"].format(value=expected)
    if not isinstance(got, torch.Tensor):
        return MSG["not_tensor"].format(type=type(got).__name__), ""
    got, expected = got.detach(), expected.detach()
    for step, g, e in (("shape", tuple(got.shape), tuple(expected.shape)),
                       ("dtype", got.dtype, expected.dtype),
                       ("device", got.device, expected.device)):
        if g != e:
            return MSG[step].format(got=g, expected=e), ""
    g64, e64 = got.double(), expected.double()
    same = (g64 == e64) | (g64.isnan() & e64.isnan())   # +0.0 == -0.0; NaN matches NaN
    diff = (g64 - e64).abs().masked_fill(same, 0.0).nan_to_num(nan=float("inf"))
    is_exact = bool(same.all())
    is_close = bool((same | (diff <= atol + rtol * e64.abs())).all())
    worst = diff.max().item() if diff.numel() else 0.0
    where = ""
    if worst > 0:
        k = int(diff.reshape(-1).argmax())
        pos = tuple(int(i) for i in torch.unravel_index(torch.tensor(k), diff.shape)) if diff.dim() else ()
        where = MSG["where"].format(pos=pos, got=got.reshape(-1)[k].item(),
                                    expected=expected.reshape(-1)[k].item())
    detail = MSG["values"].format(exact=is_exact, close=is_close, diff=worst, where=where)
    return (None if (is_exact if exact else is_close) else detail), detail


def check(name, got, expected, exact=True, atol=0.0, rtol=0.0):
    """Compare got with expected (type, shape, dtype, device, values); print one line; raise if they differ."""
    problem, detail = _compare(got, expected, exact, atol, rtol)
    if problem is not None:
        _say("fail", name, problem)
        raise AssertionError(f"{name}: {problem}")
    _say("ok", name, detail)


def check_raises(name, fn, *errors):
    """Call fn(); pass if it raises one of errors (default: any exception but NotImplementedError)."""
    errors = errors or (Exception,)
    expected = " or ".join(e.__name__ for e in errors)
    try:
        fn()
    except Exception as e:
        message = (str(e).splitlines() or [""])[0][:70]
        if isinstance(e, NotImplementedError) and NotImplementedError not in errors:
            _say("fail", name, MSG["not_implemented"])
            raise
        if not isinstance(e, errors):
            problem = MSG["wrong_error"].format(error=type(e).__name__, message=message, expected=expected)
            _say("fail", name, problem)
            raise AssertionError(f"{name}: {problem}") from e
        _say("ok", name, MSG["raised"].format(error=type(e).__name__, message=message))
        return
    problem = MSG["not_raised"].format(expected=expected)
    _say("fail", name, problem)
    raise AssertionError(f"{name}: {problem}")


def passed(part):
    """Print the line that ends a part's visible checks."""
    print(MSG["passed"].format(part=part))
'''),
]

PART1 = [
    md(en=r"""
---
## Part 1 · `one_hot_lookup`: the lookup as a one-hot product (25 points)

### From `(B, T)` and `(V, D)` to `(B, T, D)`

The lecture's key question was: *how do a `(B, T)` batch of ids and a `(V, D)` table become a
`(B, T, D)` tensor?* Every id is replaced by its row of the table:

$$\text{out}[b, t] = \text{weight}[\,\text{indices}[b, t]\,] \qquad (B, T) \text{ and } (V, D) \;\to\; (B, T, D).$$

Here is the lecture's own example: a table of V = 10 rows of D = 3 numbers, and a batch of B = 2
sequences of T = 4 ids.
"""),
    code(r'''
torch.manual_seed(0)
emb = nn.Embedding(10, 3)                      # weight (V, D) = (10, 3)
idx = torch.tensor([[1, 2, 4, 5],
                    [4, 3, 2, 9]])             # (B, T) = (2, 4), int64
out = emb(idx)                                 # (B, T, D) = (2, 4, 3)
print("weight", tuple(emb.weight.shape), "+ indices", tuple(idx.shape), "->", tuple(out.shape))
print("out[1, 2] is row", idx[1, 2].item(), "of the table:", torch.equal(out[1, 2], emb.weight[idx[1, 2]]))
print("the whole output is weight[idx]:", torch.equal(out, emb.weight[idx]))
'''),
    md(en=r"""
### A lookup is a matrix product

A one-hot vector $e_k$ is a row of V zeros with a single 1 at position $k$. Multiplying it by the
table picks row $k$: $e_k \cdot W = W[k]$, because every other row is multiplied by 0. Stack one
one-hot row per id and the whole lookup becomes a single product:

$$\underbrace{\text{one\_hot}(\text{indices}, V)}_{(B,\,T,\,V)} \;@\; \underbrace{\text{weight}}_{(V,\,D)} \;=\; \underbrace{\text{out}}_{(B,\,T,\,D)}$$

`F.one_hot` builds the one-hot tensor (as `int64`: cast it to the weight's dtype before multiplying),
and `@` treats the leading dimensions as a batch. Below, the 8 ids of the batch as an 8 × 10 one-hot
matrix, the table, and their product: the product's rows are the table's rows, in the order of the ids.
This is how the lecture computes the lookup, and it is what you implement in this part.
"""),
    code(r'''
flat = idx.reshape(-1)                            # (B*T,) = (8,)
one_hot = F.one_hot(flat, num_classes=10).float() # (B*T, V) = (8, 10): one 1 per row
W = emb.weight.detach()                           # (V, D) = (10, 3)
product = one_hot @ W                             # (8, 10) @ (10, 3) -> (8, 3)
print("one_hot @ W == W[ids], bit for bit:", torch.equal(product, W[flat]))

fig, axes = plt.subplots(1, 3, figsize=(11, 3.8), gridspec_kw={"width_ratios": [10, 3, 3]})
lim = W.abs().max().item()
panels = [(one_hot, "one_hot(ids)  (B·T, V)", "Greys", 0, 1),
          (W, "weight  (V, D)", "coolwarm", -lim, lim),
          (product, "one_hot @ weight  (B·T, D)", "coolwarm", -lim, lim)]
for ax, (m, title, cmap, lo, hi) in zip(axes, panels):
    ax.imshow(m, cmap=cmap, vmin=lo, vmax=hi)
    ax.set_title(title, fontsize=10)
    ax.set_xticks(range(m.shape[1]))
    ax.set_yticks(range(m.shape[0]))
    for (r, c), v in zip(torch.cartesian_prod(torch.arange(m.shape[0]), torch.arange(m.shape[1])).tolist(),
                         m.reshape(-1).tolist()):
        if cmap != "Greys":
            ax.text(c, r, f"{v:.1f}", ha="center", va="center", fontsize=7)
axes[0].set_yticklabels([f"id {i}" for i in flat.tolist()])
axes[0].set_xlabel("column = table row")
axes[1].set_ylabel("row")
axes[2].set_yticklabels([f"row {i}" for i in flat.tolist()])
plt.tight_layout()
plt.show()
'''),
    md(en=r"""
### Pitfalls: what PyTorch does and what a naive version gets wrong

Each line below is run, not claimed:

1. **`int32` ids.** `nn.Embedding` accepts `int64` and `int32` (`int32` halves the memory of a large
   array of token ids, so it is common); `F.one_hot` accepts only `int64`. Convert with `.long()`.
2. **Negative ids.** Plain indexing `W[idx]` wraps negative ids like a Python list: `W[-1]` is the last
   row. PyTorch's embedding raises `IndexError` instead, and so must yours: a `-1` in a batch is a bug
   (a missing token, an uninitialised buffer), not a request for the last row. `F.one_hot` raises too,
   but only with a `RuntimeError` about "class values"; check the range yourself and raise
   `IndexError` as PyTorch does.
3. **An inferred `num_classes`.** Without `num_classes`, `F.one_hot` makes the one-hot as wide as
   `ids.max() + 1`. That is right only when the last row's id V−1 happens to occur in the batch: a
   quick test that contains it passes, and the first batch without it fails. Always pass
   `num_classes=weight.shape[0]`.
4. **0-d and empty ids are legal.** A single id gives `(D,)`; `(0,)` gives `(0, D)`; `(3, 0)` gives
   `(3, 0, D)`. (`F.one_hot` can't infer a width from an empty tensor — one more reason to pass it.)
"""),
    code(r'''
W = torch.randn(10, 3)                          # (V, D)
ids = torch.tensor([[1, 2, 4, 5], [4, 3, 2, 9]])


def attempt(label, fn):
    """Run fn() and print the shape it returns or the exception it raises."""
    try:
        print(f"{label:<48} -> {tuple(fn().shape)}")
    except Exception as e:
        print(f"{label:<48} -> {type(e).__name__}: {e}")


attempt("F.embedding(ids.int(), W)", lambda: F.embedding(ids.int(), W))
attempt("F.one_hot(ids.int(), 10)", lambda: F.one_hot(ids.int(), 10))
attempt("W[tensor([-1])]  (plain indexing)", lambda: W[torch.tensor([-1])])
print("   ... and W[tensor([-1])] is the last row:", torch.equal(W[torch.tensor([-1])][0], W[9]))
attempt("F.embedding(tensor([-1]), W)", lambda: F.embedding(torch.tensor([-1]), W))
attempt("F.one_hot(tensor([-1]), 10)", lambda: F.one_hot(torch.tensor([-1]), 10))
attempt("F.one_hot(ids).float() @ W      (max id 9)", lambda: F.one_hot(ids).float() @ W)
attempt("F.one_hot(ids[:, :3]).float() @ W (max id 5)", lambda: F.one_hot(ids[:, :3]).float() @ W)
attempt("F.embedding(tensor(7), W)       (0-d id)", lambda: F.embedding(torch.tensor(7), W))
attempt("F.embedding(empty (3, 0), W)", lambda: F.embedding(torch.empty(3, 0, dtype=torch.long), W))
attempt("F.one_hot(empty (0,))", lambda: F.one_hot(torch.empty(0, dtype=torch.long)))
'''),
    md(en=r"""
### Your task

Implement `one_hot_lookup(indices, weight)` and its helper `_check_indices(indices, num_embeddings)`
(Parts 2 and 3 may call it too).

- Validate first: `weight` must be 2-D (else `RuntimeError`); `indices` must be `int64` or `int32`
  (else `RuntimeError` — `bool` and floating ids included: `W[bool_tensor]` would act as a mask);
  every index must lie in `[0, V)` (else `IndexError`). `indices.min()` fails on an empty tensor,
  so guard with `indices.numel()`.
- Then `F.one_hot(indices.long(), V)`, cast to `weight.dtype`, `@ weight`. The result has shape
  `(*indices.shape, D)`, `weight`'s dtype, and lives on `weight`'s device.
- No backward to write: autograd differentiates the product. The gradient w.r.t. the table is
  $\text{one\_hot}^\top @ \text{grad\_output}$, and the checks compare it with PyTorch's.
"""),
    solution("one_hot_lookup", r'''
import torch
import torch.nn.functional as F


def _check_indices(indices, num_embeddings):
    """@@doc_check_indices@@"""
    ### BEGIN SOLUTION
    if indices.dtype not in (torch.int64, torch.int32):
        raise RuntimeError(f"indices must be int64 or int32 (Long, Int), got {indices.dtype}")
    if indices.numel() and (indices.min() < 0 or indices.max() >= num_embeddings):
        raise IndexError(f"index out of range: indices must lie in [0, {num_embeddings})")
    ### END SOLUTION


def one_hot_lookup(indices, weight):
    """@@doc_one_hot_lookup@@"""
    ### BEGIN SOLUTION
    if weight.dim() != 2:
        raise RuntimeError(f"'weight' must be 2-D, got {weight.dim()}-D")
    V = weight.shape[0]
    _check_indices(indices, V)
    one_hot = F.one_hot(indices.long(), V).to(weight.dtype)  # (*, V), exactly one 1 per row
    return one_hot @ weight                                   # (*, V) @ (V, D) -> (*, D)
    ### END SOLUTION
'''),
    graded("one_hot_lookup", 25, r'''
torch.manual_seed(1)
W = torch.randn(10, 3)                                   # (V, D)
idx = torch.tensor([[1, 2, 4, 5], [4, 3, 2, 9]])         # (B, T)
check("forward, ids (2, 4) int64 -> (2, 4, 3)", one_hot_lookup(idx, W), F.embedding(idx, W))
check("forward, ids int32", one_hot_lookup(idx.int(), W), F.embedding(idx.int(), W))
check("forward, 0-d id -> (D,)", one_hot_lookup(torch.tensor(7), W), F.embedding(torch.tensor(7), W))
for shape in [(0,), (3, 0)]:
    empty = torch.zeros(shape, dtype=torch.long)
    check(f"forward, empty ids {shape}", one_hot_lookup(empty, W), F.embedding(empty, W))

W50 = torch.randn(50, 6, dtype=torch.float64)
ids = torch.randint(0, 40, (2, 3, 4, 5))                 # every id < 40 < V - 1: catches an inferred V
check("forward, float64, ids (2, 3, 4, 5) all < 40, V=50", one_hot_lookup(ids, W50), F.embedding(ids, W50))

mine, ref = W50.clone().requires_grad_(), W50.clone().requires_grad_()
g = torch.randn(2, 3, 4, 5, 6, dtype=torch.float64)     # grad_output (*, D)
one_hot_lookup(ids, mine).backward(g)
F.embedding(ids, ref).backward(g)
check("grad w.r.t. weight, float64 (autograd)", mine.grad, ref.grad, exact=False, atol=1e-12)

check_raises("id -1 raises (no wrap-around)", lambda: one_hot_lookup(torch.tensor([0, -1]), W))
check_raises("id V raises", lambda: one_hot_lookup(torch.tensor([0, 10]), W))
check_raises("float ids raise", lambda: one_hot_lookup(torch.tensor([0.0, 1.0]), W))
check_raises("bool ids raise (not a mask)", lambda: one_hot_lookup(torch.ones(10, dtype=torch.bool), W))
check_raises("1-D weight raises", lambda: one_hot_lookup(idx, torch.randn(10)))
passed("one_hot_lookup")
'''),
    md(en=r"""
### What the product does to inf, NaN and −0.0

PyTorch's lookup copies rows bit for bit. The product instead computes every output number as a sum
over all V rows, $\sum_k \text{one\_hot}[k] \cdot W[k, j]$. With finite weights every term but one is
an exact zero, so the sum is exact: bit for bit the lookup (float32 and float64 on a CPU). But
$0 \cdot \infty = \text{NaN}$ and $0 \cdot \text{NaN} = \text{NaN}$: one non-finite number in column
$j$ of the table poisons column $j$ of *every* output row, even rows that look up a finite value. And
$(-0.0) + 0.0 = +0.0$, so a negative zero comes out positive.

These follow from the formulation you were asked to use, so the grader does not penalise them; but
they are one more reason real embedding layers index instead of multiplying.
"""),
    code(r'''
inf, nan = float("inf"), float("nan")
W = torch.tensor([[inf, 1.0],
                  [2.0, nan],
                  [3.0, 4.0]])
ids = torch.tensor([2, 0])
print("torch's lookup:\n", F.embedding(ids, W))
print("your one-hot product:\n", one_hot_lookup(ids, W))

W = torch.tensor([[-0.0, 1.0],
                  [2.0, 3.0]])
z_torch, z_mine = F.embedding(torch.tensor(0), W)[0], one_hot_lookup(torch.tensor(0), W)[0]
print(f"-0.0 looked up: torch {z_torch.item()} (sign bit {torch.signbit(z_torch).item()}),",
      f"product {z_mine.item()} (sign bit {torch.signbit(z_mine).item()}); equal as numbers: {bool(z_torch == z_mine)}")
'''),
    md(en=r"""
### Why `nn.Embedding` indexes instead

The product does $N \cdot V \cdot D$ multiply-adds for $N = B \cdot T$ ids, almost all of them
$0 \cdot w$, and it materialises an $N \times V$ one-hot tensor first (`int64` from `F.one_hot`, then
a float copy). Indexing copies $N \cdot D$ numbers. The cell below measures both for a batch of
$N = 32 \times 64$ ids and $D = 64$ as the vocabulary grows: best of 5 runs after a warm-up, a few
seconds in all; your numbers will vary. The memory panel counts the bytes of the tensors each method
allocates.
"""),
    code(r'''
B, T, D = 32, 64, 64
sizes = [2 ** k for k in range(6, 14)]                 # V = 64 ... 8192
t_index, t_onehot, mb_index, mb_onehot = [], [], [], []


def best_time(fn, repeats=5):
    fn()                                               # warm-up: first calls pay one-off costs
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


torch.manual_seed(0)
for V in sizes:
    W = torch.randn(V, D)
    ids = torch.randint(0, V, (B, T))
    t_index.append(best_time(lambda: F.embedding(ids, W)))
    t_onehot.append(best_time(lambda: F.one_hot(ids, V).to(W.dtype) @ W))
    mb_index.append(B * T * D * 4 / 2**20)                   # the (B, T, D) float32 output
    mb_onehot.append(B * T * V * (8 + 4) / 2**20 + mb_index[-1])  # int64 one-hot + float copy + output

fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 3.8))
a1.loglog(sizes, [t * 1e3 for t in t_onehot], "o-", label="one_hot(ids) @ W")
a1.loglog(sizes, [t * 1e3 for t in t_index], "s-", label="F.embedding (indexing)")
a1.set(xlabel="V (rows in the table)", ylabel="time (ms)", title=f"lookup of {B}×{T} ids, D={D}")
a2.loglog(sizes, mb_onehot, "o-", label="one_hot(ids) @ W")
a2.loglog(sizes, mb_index, "s-", label="F.embedding (indexing)")
a2.set(xlabel="V (rows in the table)", ylabel="MiB allocated", title="memory of the tensors created")
for a in (a1, a2):
    a.legend()
    a.grid(True, which="major", alpha=0.3)
plt.tight_layout()
plt.show()
print(f"V={sizes[-1]}: one-hot {t_onehot[-1] / t_index[-1]:.0f}x slower, {mb_onehot[-1] / mb_index[-1]:.0f}x the memory")
'''),
]

PART2 = [
    md(en=r"""
---
## Part 2 · `embedding_backward`: the gradient, `padding_idx` and `scale_grad_by_freq` (25 points)

### What padding is for

Sentences have different lengths, but a batch is one rectangular `(B, T)` tensor. So the short
sequences are filled up to length T with a reserved id, the *padding* id. Those filler positions are
not data. The model is meant to ignore them (by masking its loss or its attention), but the embedding
layer still looks them up: its `(B, T, D)` output has a vector at every padding position, too.
"""),
    code(r'''
words = ["embedding", "row", "a", "lookup"]
PAD = 0                                                      # id 0 is reserved for padding
stoi = {c: i + 1 for i, c in enumerate(sorted(set("".join(words))))}
T = max(len(w) for w in words)
batch = torch.tensor([[stoi[c] for c in w] + [PAD] * (T - len(w)) for w in words])   # (B, T)
V = len(stoi) + 1
print(batch)
print(f"B={batch.shape[0]}, T={T}, V={V}; {(batch == PAD).sum().item()} of {batch.numel()} positions are padding")
'''),
    md(en=r"""
### Where the gradient is not updated, and why (the lecture's open question)

The lecture says of `padding_idx`: *"it makes the gradient at some position not be updated — but why
it is not updated, and at which position, I have not worked out yet."* Here is the answer.

**Where.** In exactly one place: row `padding_idx` of the table's gradient, `weight.grad[padding_idx]`,
gets nothing from this lookup — it is exactly zero, however often the padding id occurs and whatever
gradient arrives at the padding positions. Nothing else changes: every other row gets its usual
gradient, the forward pass is unchanged, and gradients still flow through the layers above as usual.
With a zero gradient, an optimiser step (SGD, Adam) leaves that row as it is — unless the
optimiser also moves rows without a gradient, as weight decay does.

**Why.** The padding vector means "nothing here". If it learned, it would learn from whatever
gradient the model happens to send to filler positions (an unmasked mean, a bug), and padding would
acquire a meaning: a sentence's representation would depend on how much padding it got in this batch.
Kept fixed — at zero, from initialisation — padding is a constant the model cannot exploit, and it
adds nothing to a sum over positions (as in a bag of words).

The cell below sends a gradient of 1 from *every* output position, padding included: row k of the
gradient then counts how often id k occurs — except the padding row.
"""),
    code(r'''
torch.manual_seed(0)
emb = nn.Embedding(V, 4, padding_idx=PAD)
out = emb(batch)                                  # (B, T, D)
out.backward(torch.ones_like(out))                # gradient 1 from every position, padding included
counts = torch.bincount(batch.reshape(-1), minlength=V)
for k in [PAD, stoi["o"], stoi["e"], stoi["a"]]:
    print(f"row {k:2d}: occurs ×{counts[k].item():<2d}  weight.grad[{k}] = {emb.weight.grad[k].tolist()}")
'''),
    md(en=r"""
**`padding_idx` does not make the output zero.** The forward pass returns the padding row as it is;
`nn.Embedding` only *initialises* it to zero. The lecture's second example changes that row to ones,
and `from_pretrained` keeps whatever row you give it: the lookup returns it, while its gradient stays
zero.

**It acts on this lookup only.** If the same table is used elsewhere — e.g. as the output layer too
("tied" embeddings) — the padding row still receives the gradient from those other uses.
"""),
    code(r'''
table = torch.arange(12.0).reshape(4, 3)          # (V, D); row 0 is NOT zero
emb = nn.Embedding.from_pretrained(table, freeze=False, padding_idx=0)
out = emb(torch.tensor([0, 2]))
print("forward returns the padding row as it is:", out[0].tolist())
out.sum().backward()
print("its gradient is still zero:", emb.weight.grad[0].tolist(), "| row 2:", emb.weight.grad[2].tolist())

torch.manual_seed(0)
emb = nn.Embedding(6, 4, padding_idx=0)
h = emb(torch.tensor([[3, 1, 0, 0]]))             # (B, T, D)
logits = h @ emb.weight.T                         # (B, T, V): the same table as the output layer
logits.logsumexp(-1).sum().backward()
print("tied weights: weight.grad[0] =", [round(v, 3) for v in emb.weight.grad[0].tolist()], "(from the output layer)")
'''),
    md(en=r"""
### Which row

`padding_idx` may be negative: it counts from the end, like a Python index, and the module stores the
normalised value (`-1` becomes `V - 1`). Values outside `[-V, V)` raise `AssertionError`.
"""),
    code(r'''
for p in [0, 3, -1, -2]:
    print(f"nn.Embedding(10, 4, padding_idx={p:2d}).padding_idx = {nn.Embedding(10, 4, padding_idx=p).padding_idx}")
for p in [10, -11]:
    try:
        nn.Embedding(10, 4, padding_idx=p)
    except AssertionError as e:
        print(f"nn.Embedding(10, 4, padding_idx={p}) -> AssertionError: {e}")
'''),
    md(en=r"""
### The gradient, row by row

Flatten the positions to $i = 1 \dots N$. The forward copies row $W[k]$ to every position $i$ with
$\text{idx}[i] = k$, so the gradient of row $k$ is the sum of the output gradients at those positions:

$$\text{grad\_W}[k] \;=\; \sum_{i\,:\;\text{idx}[i] = k} s_k \cdot \text{grad\_out}[i], \qquad k \ne \text{padding\_idx}, \qquad \text{grad\_W}[\text{padding\_idx}] = 0.$$

- Positions holding `padding_idx` are **skipped** — not added and then zeroed. (Why that matters is
  shown after the checks.)
- $s_k = 1$ normally. With `scale_grad_by_freq=True`, $s_k = 1/\text{count}_k$, where $\text{count}_k$
  is how often $k$ occurs in the **whole** `indices` tensor (all sequences of the batch together, not
  per sequence). A row's gradient becomes the *mean* of its contributions instead of their sum, so a
  frequent token such as "the" does not get a gradient hundreds of times larger than a rare one.

A worked example: position $i$ sends gradient $i$ (in both columns); id 1 occurs three times, id 0 is
padding.
"""),
    code(r'''
idx = torch.tensor([[1, 1, 2],
                    [3, 1, 0]])                                     # (B, T) = (2, 3)
g = torch.arange(1.0, 7.0).reshape(2, 3, 1).repeat(1, 1, 2)         # grad_out (B, T, D=2): position i sends i
for sgbf in (False, True):
    W = torch.zeros(4, 2, requires_grad=True)
    F.embedding(idx, W, padding_idx=0, scale_grad_by_freq=sgbf).backward(g)
    print(f"scale_grad_by_freq={sgbf!s:<5}: grad rows 0..3 (column 0) = {[round(v, 4) for v in W.grad[:, 0].tolist()]}")
print("row 1 = 1 + 2 + 5 = 8, or 8/3 scaled; row 0 would have got 6, but it is padding.")
'''),
    md(en=r"""
### Your task

Implement `embedding_backward(grad_output, indices, num_embeddings, padding_idx=None,
scale_grad_by_freq=False)` and its helper `_normalise_padding_idx(padding_idx, num_embeddings)`
(Part 4's module uses it too).

- Normalise `padding_idx`: `None` stays `None`; a value in `[-V, V)` is made non-negative (`+ V`);
  anything else raises `AssertionError("Padding_idx must be within num_embeddings")`. Validate the
  indices (`_check_indices`).
- Flatten: ids `(N,)`, gradients `(N, D)` with `D = grad_output.shape[-1]` (this also covers a 0-d id
  with a `(D,)` gradient, and empty ids).
- If asked, scale each position by `1 / count` of its id — `torch.bincount(ids, minlength=V)` counts
  over the whole tensor.
- Drop the padding positions with a boolean mask, then add the rows per id in one vectorised call:
  `torch.zeros(V, D, ...).index_add_(0, ids, grads)`. No Python loop over positions.
- Return `(V, D)`, dense, in `grad_output`'s dtype and on its device. For float16/bfloat16, add in
  float32 and cast at the end: more accurate than PyTorch's CPU kernel, which rounds after every add
  (the grader accepts the more accurate answer).
- Do not call autograd here: this function *is* the backward.
"""),
    solution("embedding_backward", r'''
import torch


def _normalise_padding_idx(padding_idx, num_embeddings):
    """@@doc_normalise_padding_idx@@"""
    ### BEGIN SOLUTION
    if padding_idx is None:
        return None
    if not -num_embeddings <= padding_idx < num_embeddings:
        raise AssertionError("Padding_idx must be within num_embeddings")
    return padding_idx + num_embeddings if padding_idx < 0 else padding_idx
    ### END SOLUTION


def embedding_backward(grad_output, indices, num_embeddings, padding_idx=None, scale_grad_by_freq=False):
    """@@doc_embedding_backward@@"""
    ### BEGIN SOLUTION
    padding_idx = _normalise_padding_idx(padding_idx, num_embeddings)
    _check_indices(indices, num_embeddings)
    D = grad_output.shape[-1]
    idx = indices.reshape(-1).long()           # (N,)
    grad = grad_output.reshape(-1, D)          # (N, D)
    if scale_grad_by_freq:
        counts = torch.bincount(idx, minlength=num_embeddings)       # (V,)
        grad = grad / counts[idx].unsqueeze(1).to(grad.dtype)
    if padding_idx is not None:
        keep = idx != padding_idx              # skip, never add-then-zero: NaNs at padding stay out
        idx, grad = idx[keep], grad[keep]
    acc = torch.float64 if grad.dtype == torch.float64 else torch.float32
    out = torch.zeros(num_embeddings, D, dtype=acc, device=grad_output.device)
    out.index_add_(0, idx, grad.to(acc))
    return out.to(grad_output.dtype)
    ### END SOLUTION
'''),
    graded("embedding_backward", 25, r'''
def torch_grad(g, idx, V, padding_idx=None, scale_grad_by_freq=False):
    """The gradient PyTorch's embedding gives a (V, D) table when its output receives g."""
    W = torch.zeros(V, g.shape[-1], dtype=g.dtype, requires_grad=True)
    F.embedding(idx, W, padding_idx=padding_idx, scale_grad_by_freq=scale_grad_by_freq).backward(g)
    return W.grad


torch.manual_seed(2)
idx = torch.randint(0, 10, (4, 25))                      # (B, T), many repeated ids
g = torch.randn(4, 25, 3, dtype=torch.float64)           # grad_output (B, T, D)
check("sums repeated ids, float64", embedding_backward(g, idx, 10), torch_grad(g, idx, 10), exact=False, atol=1e-12)
check("float32", embedding_backward(g.float(), idx, 10), torch_grad(g.float(), idx, 10), exact=False, atol=1e-5)
check("int32 ids", embedding_backward(g, idx.int(), 10), torch_grad(g, idx, 10), exact=False, atol=1e-12)
mine = embedding_backward(g, idx, 10, padding_idx=3)
check("padding_idx=3", mine, torch_grad(g, idx, 10, 3), exact=False, atol=1e-12)
check("padding_idx=3: row 3 is exactly 0", mine[3], torch.zeros(3, dtype=torch.float64))
check("padding_idx=-2 means row 8", embedding_backward(g, idx, 10, padding_idx=-2),
      torch_grad(g, idx, 10, -2), exact=False, atol=1e-12)
absent = idx.clamp(max=8)                                # row 9 never occurs
check("padding_idx=9 absent: same as no padding", embedding_backward(g, absent, 10, padding_idx=9),
      torch_grad(g, absent, 10), exact=False, atol=1e-12)
check("scale_grad_by_freq", embedding_backward(g, idx, 10, scale_grad_by_freq=True),
      torch_grad(g, idx, 10, scale_grad_by_freq=True), exact=False, atol=1e-12)
check("scale_grad_by_freq + padding_idx=0", embedding_backward(g, idx, 10, 0, True),
      torch_grad(g, idx, 10, 0, True), exact=False, atol=1e-12)
g0 = torch.randn(3, dtype=torch.float64)
check("0-d id, grad (D,)", embedding_backward(g0, torch.tensor(4), 10), torch_grad(g0, torch.tensor(4), 10))
empty = torch.zeros(0, dtype=torch.long)
check("empty ids -> zeros (V, D)", embedding_backward(torch.zeros(0, 3), empty, 10), torch.zeros(10, 3))
g_nan = g.clone()
g_nan[idx == 3] = float("nan")                           # NaN only where the padding id sits
check("NaN at padding positions stays out", embedding_backward(g_nan, idx, 10, padding_idx=3),
      torch_grad(g_nan, idx, 10, 3), exact=False, atol=1e-12)
check_raises("padding_idx=10 (V=10) raises", lambda: embedding_backward(g, idx, 10, padding_idx=10))
check_raises("padding_idx=-11 raises", lambda: embedding_backward(g, idx, 10, padding_idx=-11))
passed("embedding_backward")
'''),
    md(en=r"""
### Why skip, rather than add everything and zero the padding row afterwards

Where can a NaN gradient at padding positions come from? From an attention row that masks out
*every* key (a query at a padding position in some implementations): softmax over all $-\infty$
is NaN. PyTorch's embedding never lets it into the table, because it never adds padding positions.

Now compare with letting autograd differentiate your `one_hot_lookup`: its backward is
$\text{one\_hot}^\top @ \text{grad\_out}$, which knows nothing of padding, and
$0 \cdot \text{NaN} = \text{NaN}$ puts the NaN into *every* row. Zeroing the padding row afterwards
does not help. This is why Part 4 wraps your two functions into a `torch.autograd.Function`: forward =
`one_hot_lookup`, backward = `embedding_backward` — autograd then calls your backward instead of
differentiating the product (which would also cost $O(N \cdot V \cdot D)$ again).
"""),
    code(r'''
print("softmax over a fully masked row:", torch.softmax(torch.full((3,), float("-inf")), dim=0).tolist())
torch.manual_seed(0)
idx = torch.tensor([[5, 2, 7, 0, 0],
                    [3, 3, 1, 4, 0]])                 # (B, T); 0 is padding
g = torch.randn(2, 5, 4)                             # grad_out (B, T, D)
g[idx == 0] = float("nan")

W = torch.randn(8, 4, requires_grad=True)
one_hot_lookup(idx, W).backward(g)                   # autograd through the product: one_hot.T @ g
nan_rows = lambda grad: grad.isnan().any(dim=1).sum().item()
print("autograd through one_hot_lookup: rows with NaN:", nan_rows(W.grad), "of 8")
zeroed = W.grad.clone()
zeroed[0] = 0
print("... then padding row zeroed:      rows with NaN:", nan_rows(zeroed), "of 8")
mine = embedding_backward(g, idx, 8, padding_idx=0)
print("embedding_backward(padding_idx=0): rows with NaN:", nan_rows(mine), "of 8")
W2 = torch.randn(8, 4, requires_grad=True)
F.embedding(idx, W2, padding_idx=0).backward(g)
print("PyTorch:                           rows with NaN:", nan_rows(W2.grad), "of 8;",
      "equal to yours:", torch.allclose(mine, W2.grad))
'''),
    md(en=r"""
### The gradient of a padded batch, as a picture

Six sequences of lengths 10, 8, 7, 5, 3 and 2, padded with id 0 to T = 10, and a random gradient
arriving at *every* position, padding included. Left: the plain gradient — frequent ids get large
rows; the padding row (boxed) is exactly zero although 25 positions sent it a gradient. Right: with
`scale_grad_by_freq=True` each row is the mean of its contributions, so all rows are on one scale.
"""),
    code(r'''
torch.manual_seed(3)
V, D = 12, 8
lengths = [10, 8, 7, 5, 3, 2]
idx = torch.randint(1, V, (len(lengths), 10))        # (B, T)
for b, n in enumerate(lengths):
    idx[b, n:] = 0                                   # padding
g = torch.randn(len(lengths), 10, D)                 # gradient at every position, padding included
grads = [embedding_backward(g, idx, V, padding_idx=0),
         embedding_backward(g, idx, V, padding_idx=0, scale_grad_by_freq=True)]
counts = torch.bincount(idx.reshape(-1), minlength=V)

fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
for ax, grad, title in zip(axes, grads, ["grad_weight (V, D)", "grad_weight, scale_grad_by_freq=True"]):
    lim = grad.abs().max().item()
    im = ax.imshow(grad, cmap="coolwarm", vmin=-lim, vmax=lim, aspect="auto")
    ax.add_patch(plt.Rectangle((-0.5, -0.5), D, 1, fill=False, edgecolor="black", linewidth=2.5))
    ax.set_yticks(range(V))
    ax.set_yticklabels([f"{k}{' (pad)' if k == 0 else ''}  ×{counts[k].item()}" for k in range(V)])
    ax.set(title=title, xlabel="embedding dimension")
    fig.colorbar(im, ax=ax)
plt.tight_layout()
plt.show()
print("padding positions:", counts[0].item(), "| padding row of the gradient:", grads[0][0].tolist())
'''),
]

PART3 = [
    md(en=r"""
---
## Part 3 · `embedding_renorm_`: what `max_norm` really does (25 points)

The lecture says of `max_norm`: *"this parameter sets whether the output and the weight parameters
are regularised."* That is not what it does. `max_norm` is not a regulariser: it adds no term to the
loss and does not change how gradients are computed. What it does is this:

> **Before each lookup**, every **distinct** row named in the indices whose `norm_type`-norm exceeds
> `max_norm` is rescaled **in place, in the weight itself**: `row *= max_norm / (norm + 1e-7)`.
> Then the lookup runs on the modified table.

Each consequence is shown running below:

1. **In place, on the parameter.** The forward pass changes the table as a side effect, permanently
   (under `torch.no_grad()` too). Anything that shares the tensor sees the change —
   `from_pretrained` shares storage with the tensor you pass it.
2. **Only the looked-up rows.** Rows not in this batch keep whatever norm they have.
3. **Each distinct row once**, however often it occurs in the batch.
4. **Before the lookup.** The output holds the rescaled rows; the gradient flows to them as if the
   rescaled row were a plain value — the factor is not differentiated, so it is not a penalty.
5. **The norm is the p-norm with `p = norm_type`**: 2 by default; 1, ∞ and others work too.
6. **The `1e-7`** leaves the new norm slightly *below* `max_norm` — visibly so for tiny `max_norm`.
"""),
    code(r'''
W0 = torch.tensor([[3.0, 4.0, 0.0],     # norm 5
                   [0.3, 0.4, 0.0],     # 0.5: under max_norm
                   [0.0, 2.0, 0.0],     # 2
                   [1.0, 0.0, 0.0],     # exactly 1: not > max_norm, untouched
                   [0.0, 0.0, 9.0]])    # 9, but never looked up
table = W0.clone()
emb = nn.Embedding.from_pretrained(table, freeze=False, max_norm=1.0)
version = emb.weight._version                           # autograd's count of in-place changes
ids = torch.tensor([0, 2, 2, 3])
out = emb(ids)
print("norms before:", [round(v, 4) for v in W0.norm(dim=1).tolist()])
print("norms after: ", [round(v, 4) for v in emb.weight.detach().norm(dim=1).tolist()])
print("row 0 after: ", emb.weight[0].tolist())
print("in place: weight version +", emb.weight._version - version,
      "| the caller's tensor changed too:", not torch.equal(table, W0))
print("output == rescaled rows:", torch.equal(out, emb.weight[ids]))
with torch.no_grad():
    emb(torch.tensor([4]))                              # no_grad does not switch the renorm off
print("row 4 after its first lookup, under no_grad: norm", round(emb.weight[4].norm().item(), 4))
'''),
    md(en=r"""
The gradient sees the rescaled rows as constants: looking up row 0 (`[3, 4, 0]`, rescaled to
`[0.6, 0.8, 0]`) twice and row 1 once, the gradient of `out.sum()` just counts the lookups — there is
no trace of the factor 1/5 and no pull towards smaller norms. Then `norm_type`, and the `1e-7`.
"""),
    code(r'''
emb = nn.Embedding.from_pretrained(torch.tensor([[3.0, 4.0, 0.0], [0.1, 0.0, 0.0], [1.0, 1.0, 1.0]]),
                                   freeze=False, max_norm=1.0)
emb(torch.tensor([0, 1, 0])).sum().backward()
print("grad:", emb.weight.grad.tolist())

row = torch.tensor([[3.0, -4.0]])
for p in [1.0, 2.0, float("inf")]:
    W = row.clone()
    torch.embedding_renorm_(W, torch.tensor([0]), 1.0, p)
    print(f"norm_type={p}: ||[3, -4]||_p = {torch.linalg.vector_norm(row, p).item():.0f} -> row becomes",
          [round(v, 4) for v in W[0].tolist()])

W = torch.tensor([[2e-6, 0.0]], dtype=torch.float64)
torch.embedding_renorm_(W, torch.tensor([0]), 1e-6, 2.0)
print(f"max_norm=1e-6, row norm 2e-6 -> new norm {W.norm().item():.4e} = 1e-6 * 2e-6 / (2e-6 + 1e-7)")
'''),
    md(en=r"""
### Your task

Implement `embedding_renorm_(weight, indices, max_norm, norm_type=2.0)`. The trailing underscore is
PyTorch's convention for "in place".

- Work under `torch.no_grad()`: nothing is recorded by autograd, and modifying a leaf that requires
  grad (a parameter) is allowed there.
- Check the indices (`_check_indices`), then take each row once: `torch.unique` of the flattened ids.
- Norms: `torch.linalg.vector_norm(weight[rows], ord=norm_type, dim=1)`. Only rows with
  `norm > max_norm` (strictly) change.
- Do as PyTorch does, to match it to the last bit: the norm is computed in the weight's dtype, then
  converted to float64; the factor `max_norm / (norm + 1e-7)` is computed in float64, rounded to the
  weight's dtype, and applied with one multiplication.
- Write back with index assignment (`weight[rows] = ...`) and return `weight` itself. No Python loop over rows.
"""),
    solution("embedding_renorm", r'''
import torch


def embedding_renorm_(weight, indices, max_norm, norm_type=2.0):
    """@@doc_embedding_renorm_@@"""
    ### BEGIN SOLUTION
    with torch.no_grad():
        _check_indices(indices, weight.shape[0])
        rows = torch.unique(indices.reshape(-1).long())                        # each row once
        norms = torch.linalg.vector_norm(weight[rows], ord=norm_type, dim=1)  # in weight's dtype
        norms = norms.double()
        too_big = norms > max_norm
        rows, norms = rows[too_big], norms[too_big]
        scale = (max_norm / (norms + 1e-7)).to(weight.dtype)                  # scale rounded to dtype
        weight[rows] = weight[rows] * scale.unsqueeze(1)
    return weight
    ### END SOLUTION
'''),
    graded("embedding_renorm", 25, r'''
def torch_renorm(W, idx, max_norm, norm_type=2.0):
    """A renormed copy of W, by PyTorch."""
    W = W.clone()
    torch.embedding_renorm_(W, idx, max_norm, norm_type)
    return W


torch.manual_seed(4)
W = torch.randn(8, 5, dtype=torch.float64) * 2           # (V, D), norms around 4
idx = torch.tensor([[1, 3, 1], [5, 5, 0]])               # (B, T), with repeats
mine = W.clone()
returned = embedding_renorm_(mine, idx, 1.0)
check("returns the same tensor object", returned is mine, True)
check("float64, max_norm=1", mine, torch_renorm(W, idx, 1.0), exact=False, rtol=1e-14)
check("rows not looked up are untouched", mine[[2, 4, 6, 7]], W[[2, 4, 6, 7]])
check("int32 ids", embedding_renorm_(W.clone(), idx.int(), 1.0), torch_renorm(W, idx, 1.0), exact=False, rtol=1e-14)
for p in [1.0, 3.0, float("inf")]:
    check(f"norm_type={p}", embedding_renorm_(W.clone(), idx, 1.5, p), torch_renorm(W, idx, 1.5, p),
          exact=False, rtol=1e-14)
Wf = torch.randn(50, 16) * 3
ids = torch.randint(0, 50, (4, 30))
check("float32, (4, 30) ids with repeats", embedding_renorm_(Wf.clone(), ids, 1.0), torch_renorm(Wf, ids, 1.0),
      exact=False, rtol=1e-6)
tiny = torch.randn(50, 16, dtype=torch.float64) * 1e-6
check("tiny rows, max_norm=1e-6 (where the 1e-7 shows)", embedding_renorm_(tiny.clone(), ids, 1e-6),
      torch_renorm(tiny, ids, 1e-6), exact=False, rtol=1e-14)
edge = torch.tensor([[3.0, 4.0], [0.6, 0.8], [6.0, 8.0]], dtype=torch.float64)
check("norm == max_norm is untouched, 10 > 5 is scaled", embedding_renorm_(edge.clone(), torch.tensor([0, 1, 2]), 5.0),
      torch_renorm(edge, torch.tensor([0, 1, 2]), 5.0), exact=False, rtol=1e-14)
leaf = (torch.randn(6, 3) * 2).requires_grad_()         # a leaf that requires grad, like a parameter
returned = embedding_renorm_(leaf, torch.tensor([0, 1]), 0.5)
check("a leaf that requires grad: renormed in place", returned is leaf and leaf[:2].norm(dim=1).max().item() < 0.5 + 1e-6, True)
check("... recording no autograd history", leaf.grad_fn, None)
check_raises("id out of range raises", lambda: embedding_renorm_(W.clone(), torch.tensor([0, 8]), 1.0))
passed("embedding_renorm")
'''),
    md(en=r"""
### The autograd hazard in PyTorch's documentation

The documentation of `nn.Embedding` warns:

> When `max_norm` is not `None`, `Embedding`'s forward method will modify the `weight` tensor
> in-place. Since tensors needed for gradient computations cannot be modified in-place, performing a
> differentiable operation on `Embedding.weight` before calling `Embedding`'s forward method requires
> cloning `Embedding.weight` when `max_norm` is not `None`.

Here is its example, run without and with `.clone()`. The matrix product saves `weight` for its
backward; the lookup then renormalises rows 1 and 2 of that very tensor; autograd notices (by the
tensor's version counter) that a value it saved has changed, and refuses to compute a wrong gradient.
"""),
    code(r'''
n, d, m = 3, 5, 7
for clone in (False, True):
    torch.manual_seed(0)
    embedding = nn.Embedding(n, d, max_norm=1.0)
    W = torch.randn((m, d), requires_grad=True)
    idx = torch.tensor([1, 2])
    weight = embedding.weight.clone() if clone else embedding.weight
    a = weight @ W.t()                 # saves `weight` for the backward of W
    b = embedding(idx) @ W.t()         # max_norm: rescales rows 1 and 2 of embedding.weight in place
    out = a.unsqueeze(0) + b.unsqueeze(1)
    loss = out.sigmoid().prod()
    try:
        loss.backward()
        print("with .clone():    backward runs")
    except RuntimeError as e:
        print("without .clone(): RuntimeError:", str(e).split(" Hint:")[0])
'''),
    md(en=r"""
### Row norms before and after

A table of 40 rows with norms around 1.6, and one batch of 24 ids, with your `embedding_renorm_`:
the looked-up rows (coloured) are pulled down to `max_norm` = 1; all the others keep their norm.
"""),
    code(r'''
torch.manual_seed(5)
V, D = 40, 16
W = torch.randn(V, D) * 0.4                     # (V, D), norms around 1.6
before = W.norm(dim=1)
ids = torch.randint(0, V, (4, 6))               # (B, T)
embedding_renorm_(W, ids, max_norm=1.0)
after = W.norm(dim=1)
hit = torch.zeros(V, dtype=torch.bool)
hit[ids.reshape(-1)] = True

fig, ax = plt.subplots(figsize=(11, 3.6))
rows = torch.arange(V)
ax.bar(rows, before, color="lightgray", label="before")
ax.bar(rows[hit], after[hit], color="tab:blue", width=0.6, label="after (looked-up rows)")
ax.axhline(1.0, color="tab:red", linestyle="--", label="max_norm")
ax.set(xlabel="row", ylabel="2-norm of the row", title=f"embedding_renorm_: {hit.sum().item()} distinct rows looked up")
ax.legend(loc="upper right")
plt.tight_layout()
plt.show()
print("rows not looked up unchanged:", torch.equal(before[~hit], after[~hit]),
      f"| largest looked-up norm after: {after[hit].max().item():.7f}")
'''),
]

PART4 = [
    md(en=r"""
---
## Part 4 · `class Embedding`: the module (25 points)

What `nn.Embedding` adds to the three functions is bookkeeping. Your `Embedding` must be a drop-in
replacement: same constructor, same attributes, same initialisation, same `repr`, and a `state_dict`
that loads into `nn.Embedding` and back.

| member | behaviour |
|---|---|
| `Embedding(num_embeddings, embedding_dim, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False, sparse=False, _weight=None, _freeze=False, device=None, dtype=None)` | stores each argument as an attribute of the same name; `padding_idx` normalised and checked (Part 2's helper) |
| `weight` | an `nn.Parameter` `(V, D)`, `requires_grad = not _freeze`. Without `_weight`: an empty tensor made with `device=` and `dtype=`, then `reset_parameters()`. With `_weight`: its shape must be `[V, D]` (else `AssertionError("Shape of weight does not match num_embeddings and embedding_dim")`); the Parameter shares its storage, and the padding row is *not* zeroed |
| `reset_parameters()` | `nn.init.normal_(weight)`, i.e. N(0, 1), then the padding row set to zero under `torch.no_grad()`. After the same `torch.manual_seed`, equal to `nn.Embedding`'s |
| `forward(input)` | if `max_norm` is set: `input = input.contiguous()` and `embedding_renorm_(self.weight.detach(), input, max_norm, norm_type)`; then the autograd Function below |
| `extra_repr()` | `"{V}, {D}"`, then `, padding_idx=…` (if set), `, max_norm=…` (if set), `, norm_type=…` (only if `!= 2`), `, scale_grad_by_freq=…` (if true), `, sparse=True` (if set) |
| `from_pretrained(embeddings, freeze=True, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False, sparse=False)` | a classmethod: `embeddings` must be 2-D (else `AssertionError("Embeddings parameter is expected to be 2-dimensional")`); returns `cls(V, D, _weight=embeddings, _freeze=freeze, ...)` |
| `state_dict()` | just `{"weight": ...}` — automatic once `weight` is a Parameter named `weight` |
| `sparse=True` | raise `NotImplementedError` with a clear message: sparse gradients are out of scope |

Here is the target, printed by PyTorch itself:
"""),
    code(r'''
print(nn.Embedding(10, 3))
print(nn.Embedding(10, 3, padding_idx=-1, max_norm=1, norm_type=1.0, scale_grad_by_freq=True))
print(nn.Embedding(10, 3, norm_type=2.0, sparse=True), "  <- norm_type 2 is not shown")
print("state_dict keys:", list(nn.Embedding(10, 3).state_dict()))
torch.manual_seed(0)
w = nn.Embedding(4, 3, padding_idx=1).weight
torch.manual_seed(0)
r = torch.randn(4, 3)
print("init = randn(V, D) with the padding row zeroed:", torch.equal(w[[0, 2, 3]], r[[0, 2, 3]]), w[1].tolist())
'''),
    md(en=r"""
### The autograd Function

`torch.autograd.Function` lets you give autograd a backward of your own. Its `forward(ctx, ...)`
computes the output — autograd does not record what happens inside — and saves what the backward needs
on `ctx` (tensors with `ctx.save_for_backward`, plain values as attributes). Its
`backward(ctx, grad_output)` returns one gradient per input of `forward`, `None` for inputs that need
none (the indices, `padding_idx`, `scale_grad_by_freq`):

```python
class _EmbeddingFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, indices, weight, padding_idx, scale_grad_by_freq):
        ...   # save what backward needs on ctx; return one_hot_lookup(indices, weight)

    @staticmethod
    def backward(ctx, grad_output):
        ...   # return None, embedding_backward(grad_output, ...), None, None
```
You call it as `_EmbeddingFunction.apply(indices, weight, padding_idx, scale_grad_by_freq)`.

### Your task

Implement `_EmbeddingFunction` and `class Embedding` as specified above, using your three functions
(and no PyTorch embedding). Keep the method names and signatures.
"""),
    solution("embedding_module", r'''
import torch
from torch import nn


class _EmbeddingFunction(torch.autograd.Function):
    """@@doc_function@@"""

    @staticmethod
    def forward(ctx, indices, weight, padding_idx, scale_grad_by_freq):
        """@@doc_function_forward@@"""
        ### BEGIN SOLUTION
        ctx.save_for_backward(indices)
        ctx.num_embeddings = weight.shape[0]
        ctx.padding_idx, ctx.scale_grad_by_freq = padding_idx, scale_grad_by_freq
        return one_hot_lookup(indices, weight)
        ### END SOLUTION

    @staticmethod
    def backward(ctx, grad_output):
        """@@doc_function_backward@@"""
        ### BEGIN SOLUTION
        (indices,) = ctx.saved_tensors
        grad_weight = embedding_backward(grad_output, indices, ctx.num_embeddings,
                                         ctx.padding_idx, ctx.scale_grad_by_freq)
        return None, grad_weight, None, None
        ### END SOLUTION


class Embedding(nn.Module):
    """@@doc_module@@"""

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, max_norm=None, norm_type=2.0,
                 scale_grad_by_freq=False, sparse=False, _weight=None, _freeze=False,
                 device=None, dtype=None):
        """@@doc_module_init@@"""
        ### BEGIN SOLUTION
        super().__init__()
        if sparse:
            raise NotImplementedError("Embedding(sparse=True): this implementation only makes dense gradients")
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.padding_idx = _normalise_padding_idx(padding_idx, num_embeddings)
        self.max_norm, self.norm_type = max_norm, norm_type
        self.scale_grad_by_freq, self.sparse = scale_grad_by_freq, sparse
        if _weight is None:
            self.weight = nn.Parameter(torch.empty(num_embeddings, embedding_dim, device=device, dtype=dtype),
                                       requires_grad=not _freeze)
            self.reset_parameters()
        else:
            if list(_weight.shape) != [num_embeddings, embedding_dim]:
                raise AssertionError("Shape of weight does not match num_embeddings and embedding_dim")
            self.weight = nn.Parameter(_weight, requires_grad=not _freeze)
        ### END SOLUTION

    def reset_parameters(self):
        """@@doc_module_reset@@"""
        ### BEGIN SOLUTION
        nn.init.normal_(self.weight)
        if self.padding_idx is not None:
            with torch.no_grad():
                self.weight[self.padding_idx].fill_(0)
        ### END SOLUTION

    def forward(self, input):
        """@@doc_module_forward@@"""
        ### BEGIN SOLUTION
        if self.max_norm is not None:
            input = input.contiguous()
            embedding_renorm_(self.weight.detach(), input, self.max_norm, self.norm_type)
        return _EmbeddingFunction.apply(input, self.weight, self.padding_idx, self.scale_grad_by_freq)
        ### END SOLUTION

    def extra_repr(self):
        """@@doc_module_extra_repr@@"""
        ### BEGIN SOLUTION
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq is not False:
            s += f", scale_grad_by_freq={self.scale_grad_by_freq}"
        if self.sparse is not False:
            s += ", sparse=True"
        return s
        ### END SOLUTION

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None, max_norm=None, norm_type=2.0,
                        scale_grad_by_freq=False, sparse=False):
        """@@doc_module_from_pretrained@@"""
        ### BEGIN SOLUTION
        if embeddings.dim() != 2:
            raise AssertionError("Embeddings parameter is expected to be 2-dimensional")
        rows, cols = embeddings.shape
        return cls(rows, cols, _weight=embeddings, _freeze=freeze, padding_idx=padding_idx,
                   max_norm=max_norm, norm_type=norm_type, scale_grad_by_freq=scale_grad_by_freq,
                   sparse=sparse)
        ### END SOLUTION
'''),
    graded("embedding_module", 25, r'''
torch.manual_seed(0)
mine = Embedding(10, 4, padding_idx=-2)
torch.manual_seed(0)
ref = nn.Embedding(10, 4, padding_idx=-2)
check("padding_idx=-2 is stored as 8", mine.padding_idx, ref.padding_idx)
check("weight is an nn.Parameter", isinstance(mine.weight, nn.Parameter), True)
check("same init as nn.Embedding after the same seed", mine.weight, ref.weight)
check("dtype=torch.float64", Embedding(4, 2, dtype=torch.float64).weight.dtype, torch.float64)
for kwargs in [{}, {"padding_idx": -1, "max_norm": 1, "norm_type": 1.0, "scale_grad_by_freq": True},
               {"max_norm": 0.5, "norm_type": 2.0}]:
    check(f"repr, {kwargs}", repr(Embedding(10, 3, **kwargs)), repr(nn.Embedding(10, 3, **kwargs)))

idx = torch.tensor([[1, 8, 8, 3], [8, 2, 2, 2]])          # (B, T)
g = torch.randn(2, 4, 4)                                  # grad_output (B, T, D)
mine = Embedding(10, 4, padding_idx=8, scale_grad_by_freq=True)
ref = nn.Embedding(10, 4, padding_idx=8, scale_grad_by_freq=True)
mine.load_state_dict(ref.state_dict())
out_mine, out_ref = mine(idx), ref(idx)
check("forward (padding_idx=8, scale_grad_by_freq)", out_mine, out_ref)
out_mine.backward(g)
out_ref.backward(g)
check("weight.grad (padding_idx=8, scale_grad_by_freq)", mine.weight.grad, ref.weight.grad, exact=False, atol=1e-6)

W = torch.randn(10, 4) * 2
mine = Embedding.from_pretrained(W.clone(), freeze=False, max_norm=1.0)
ref = nn.Embedding.from_pretrained(W.clone(), freeze=False, max_norm=1.0)
check("max_norm=1: forward", mine(idx), ref(idx), exact=False, rtol=1e-6)
check("max_norm=1: weight renormed in place", mine.weight, ref.weight, exact=False, rtol=1e-6)

P = torch.randn(5, 3)
pre = Embedding.from_pretrained(P, padding_idx=2)
check("from_pretrained: frozen by default", pre.weight.requires_grad, False)
check("from_pretrained: shares storage with its argument", pre.weight.data_ptr() == P.data_ptr(), True)
check("from_pretrained: padding row kept, forward returns it", pre(torch.tensor([2, 0])), P[[2, 0]])

a, b = Embedding(6, 3), nn.Embedding(6, 3)
b.load_state_dict(a.state_dict())
check("state_dict loads into nn.Embedding", b.weight, a.weight)
a.load_state_dict(nn.Embedding(6, 3, _weight=torch.ones(6, 3)).state_dict())
check("nn.Embedding's state_dict loads into yours", a.weight, torch.ones(6, 3))

check_raises("sparse=True raises NotImplementedError", lambda: Embedding(4, 2, sparse=True), NotImplementedError)
check_raises("_weight of the wrong shape raises", lambda: Embedding(4, 2, _weight=torch.randn(4, 3)))
check_raises("from_pretrained of a 1-D tensor raises", lambda: Embedding.from_pretrained(torch.randn(4)))


def docs_example(embedding_cls, clone=False):
    """PyTorch's docs example: without .clone() it must raise, as with nn.Embedding; with it, run."""
    embedding = embedding_cls(3, 5, max_norm=1.0)
    W = torch.randn(7, 5, requires_grad=True)
    a = (embedding.weight.clone() if clone else embedding.weight) @ W.t()
    b = embedding(torch.tensor([1, 2])) @ W.t()
    (a.unsqueeze(0) + b.unsqueeze(1)).sigmoid().prod().backward()


check_raises("docs example without .clone() raises", lambda: docs_example(Embedding))
check("docs example with .clone() runs", docs_example(Embedding, clone=True), None)
passed("embedding_module")
'''),
    md(en=r"""
### Train a character model with your `Embedding`

The real test: train the same small model twice from the same seed — once with your `Embedding`,
once with `nn.Embedding` — and compare. The text is seven of Shakespeare's sonnets (`data/sonnets.txt`).
The model predicts the next character from the three before it (the MLP of Bengio et al., 2003, as in
Karpathy's *makemore*): embed the three characters (`(B, 3)` → `(B, 3, D)`), concatenate (`(B, 3·D)`),
one `tanh` layer, and a linear layer to `V` logits.

Every line starts with three padding ids as context, so `padding_idx=0` is doing real work here: the
filler vector stays at zero. `max_norm=2` rescales a character's vector to length 2 whenever it is
looked up with a longer one. With the same seed, both models start from the same numbers; since a
correct lookup and renorm match PyTorch's bit for bit, and the gradient matches up to rounding, the two
loss curves should lie on top of each other.
"""),
    code(r'''
text = Path("data/sonnets.txt").read_text(encoding="utf-8")
BLOCK, PAD = 3, 0
vocab = ["<pad>"] + sorted(set(text))                 # id 0 is padding; "\n" ends a line
stoi = {ch: i for i, ch in enumerate(vocab)}
X, Y = [], []
for line in text.splitlines():
    if not line.strip():
        continue
    context = [PAD] * BLOCK                           # every line starts from padding
    for ch in line + "\n":
        X.append(context)
        Y.append(stoi[ch])
        context = context[1:] + [stoi[ch]]
X, Y = torch.tensor(X), torch.tensor(Y)               # (N, BLOCK) int64, (N,)
print(f"{len(text)} characters, V = {len(vocab)} (with padding), {len(X)} training examples")


class CharMLP(nn.Module):
    """Next character from the previous BLOCK ones: embed, concatenate, one tanh layer."""

    def __init__(self, embedding_cls, V, dim=12, hidden=128):
        super().__init__()
        self.emb = embedding_cls(V, dim, padding_idx=PAD, max_norm=2.0)
        self.hidden = nn.Linear(BLOCK * dim, hidden)
        self.out = nn.Linear(hidden, V)

    def forward(self, x):                                 # x (B, BLOCK)
        e = self.emb(x)                                   # (B, BLOCK, D)
        h = torch.tanh(self.hidden(e.flatten(1)))         # (B, BLOCK*D) -> (B, hidden)
        return self.out(h)                                # (B, V) logits


def train(embedding_cls, steps=300, batch=128, seed=1234):
    torch.manual_seed(seed)                               # same initial weights for both runs
    model = CharMLP(embedding_cls, len(vocab))
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    gen = torch.Generator().manual_seed(seed)             # same minibatches for both runs
    losses = []
    for _ in range(steps):
        ix = torch.randint(0, len(X), (batch,), generator=gen)
        loss = F.cross_entropy(model(X[ix]), Y[ix])
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return model, losses


start = time.perf_counter()
mine, loss_mine = train(Embedding)
ref, loss_ref = train(nn.Embedding)
print(f"trained twice in {time.perf_counter() - start:.1f} s")
with torch.no_grad():
    full = [F.cross_entropy(model(X), Y).item() for model in (mine, ref)]
print(f"loss on all examples: yours {full[0]:.4f}, nn.Embedding {full[1]:.4f}")
print("largest difference between the loss curves:", max(abs(a - b) for a, b in zip(loss_mine, loss_ref)))

fig, ax = plt.subplots(figsize=(9, 3.8))
ax.plot(loss_ref, color="tab:orange", linewidth=4, alpha=0.5, label="nn.Embedding")
ax.plot(loss_mine, color="tab:blue", linewidth=1, label="your Embedding")
ax.set(xlabel="step", ylabel="cross-entropy (minibatch)", title="same seed, same batches: the curves overlap")
ax.legend()
plt.tight_layout()
plt.show()
'''),
    md(en=r"""
### What happened to the table

Three kinds of rows, each explained by a part of this notebook:

- **the padding row** is exactly zero: `padding_idx` kept its gradient at zero (Part 2), so Adam never
  moved it from its zero initialisation;
- **the rows looked up** have norm at most `max_norm` = 2 (Part 3): each lookup rescaled the longer ones;
- **the line end `\n`** is a target, but never part of a context — every line starts afresh from
  padding. So its row was never looked up: no gradient, and no renorm either, since `max_norm` acts
  only on looked-up rows. It is still exactly its random initial vector, longer than `max_norm`.

Then the model writes a few lines. With three characters of context and 300 steps, it spells
sonnet-like fragments, not sonnets.
"""),
    code(r'''
W_final = mine.emb.weight.detach()                      # (V, D)
torch.manual_seed(1234)
W_init = torch.randn(len(vocab), W_final.shape[1])      # what reset_parameters drew for this seed
NL = stoi["\n"]
used = torch.zeros(len(vocab), dtype=torch.bool)
used[X.unique()] = True                                 # rows that appear in some context
norms = W_final.norm(dim=1)
print("padding row exactly zero:", bool((W_final[PAD] == 0).all()))
print(f"largest norm of a looked-up row: {norms[used].max().item():.6f} (max_norm = 2)")
print(f"'\\n' looked up: {used[NL].item()} | its norm {norms[NL].item():.4f} | still its initial vector:",
      torch.equal(W_final[NL], W_init[NL]))

order = torch.argsort(torch.bincount(X.reshape(-1), minlength=len(vocab)), descending=True)
colours = ["tab:gray" if i == PAD else "tab:orange" if i == NL else "tab:blue" for i in order.tolist()]
labels = [{"<pad>": "pad", "\n": "\\n", " ": "␣"}.get(vocab[i], vocab[i]) for i in order.tolist()]
fig, ax = plt.subplots(figsize=(12, 3.6))
ax.bar(range(len(vocab)), norms[order], color=colours)
ax.axhline(2.0, color="tab:red", linestyle="--", label="max_norm")
ax.set_xticks(range(len(vocab)))
ax.set_xticklabels(labels, fontsize=8)
ax.set(ylabel="row norm after training", title="rows of your Embedding, most frequent in contexts first",
       ylim=(0, 3.4))
ax.legend(loc="upper center")
plt.tight_layout()
plt.show()
'''),
    code(r'''
gen = torch.Generator().manual_seed(7)
context, lines, line = [PAD] * BLOCK, [], ""
with torch.no_grad():
    while len(lines) < 4:
        probs = F.softmax(mine(torch.tensor([context])), dim=-1)[0]   # (V,)
        probs[PAD] = 0                                                # never write padding
        ix = torch.multinomial(probs, 1, generator=gen).item()
        if vocab[ix] == "\n" or len(line) > 60:
            lines.append(line)
            context, line = [PAD] * BLOCK, ""
        else:
            line += vocab[ix]
            context = context[1:] + [ix]
print("\n".join(lines))
'''),
    md(en=r"""
---
## What you built

- **A lookup is a one-hot product** — exact for finite weights, but $O(N \cdot V \cdot D)$ work and an
  $N \times V$ tensor, and inf/NaN spread across it. Real layers index; they raise for ids outside
  `[0, V)` instead of wrapping.
- **The backward sums** the output gradients of each id into its row. `padding_idx` *skips* the
  padding positions, so that one row's gradient is exactly zero (the forward still returns the row);
  `scale_grad_by_freq` divides by each id's count in the whole batch.
- **`max_norm` rescales** the looked-up rows of the weight in place, before the lookup — a side effect
  of the forward, not a regulariser; it can break autograd for other uses of the weight unless they
  clone it.
- **The module** is bookkeeping around an autograd Function, and it trains a model exactly like
  `nn.Embedding` does.

Further: `nn.EmbeddingBag` (lookups summed or averaged per bag, without the `(B, T, D)` tensor),
`sparse=True` gradients (only the touched rows, for huge vocabularies), and weight tying between the
input embedding and the output layer.
"""),
]

CELLS = INTRO + PART1 + PART2 + PART3 + PART4
