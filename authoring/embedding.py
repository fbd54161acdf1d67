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
    "zh": {
        "doc_check_indices": (
            "检查 indices：必须是 int64/int32 张量，且所有值都在 [0, num_embeddings) 内，否则抛出异常。\n"
            "\n"
            "indices (*) int64|int32，任意形状（包括 0 维和空张量）；num_embeddings 即 V。\n"
            "其他任何 dtype 都抛出 RuntimeError（bool 也一样：它绝不能被当作掩码）。值为负数\n"
            "或 >= V 时抛出 IndexError；-1 不能回绕成最后一行。\n"
        ),
        "doc_one_hot_lookup": (
            "以乘积 one_hot(indices) @ weight 的形式查出 weight 的行。\n"
            "\n"
            "indices (*) int64|int32，取值在 [0, V) 内；任意形状，包括 0 维和空张量。\n"
            "weight  (V, D) 浮点类型，可位于任意设备上。\n"
            "返回    (*, D)，dtype 与 weight 相同，位于 weight 的设备上：out[i...] = weight[indices[i...]]。\n"
            "计算方法：one_hot(indices, V) (*, V) 转换为 weight 的 dtype，再乘以 weight (V, D)；\n"
            "不要调用 PyTorch 的嵌入函数。乘积的梯度由自动求导负责。\n"
            "weight 不是二维或索引 dtype 不对时抛出 RuntimeError，索引超出 [0, V) 时抛出 IndexError。\n"
        ),
        "doc_normalise_padding_idx": (
            "padding_idx None | [-V, V) 内的 int  ->  None | [0, V) 内的 int；负值从末尾倒数。\n"
            "\n"
            "num_embeddings 即 V。超出 [-V, V) 时，与 PyTorch 一样抛出\n"
            "AssertionError(\"Padding_idx must be within num_embeddings\")。\n"
        ),
        "doc_embedding_backward": (
            "查表关于嵌入表的稠密梯度：第 k 行是 indices == k 处 grad_output 之和。\n"
            "\n"
            "grad_output (*, D) 浮点类型：查表输出的梯度（* 与 indices 的形状相同）。\n"
            "indices     (*) int64|int32，取值在 [0, V) 内。\n"
            "num_embeddings      V，即嵌入表的行数。\n"
            "padding_idx         None 或 [-V, V) 内的 int；负值从末尾倒数。取该值的位置\n"
            "                    会被跳过（绝不是先加上再清零）：这一行恰好为 0。\n"
            "scale_grad_by_freq  为 True 时，每个位置的贡献除以其索引在整个 indices 张量中\n"
            "                    出现的次数。\n"
            "返回 (V, D)，稠密，dtype 与 grad_output 相同，位于 grad_output 的设备上。\n"
        ),
        "doc_embedding_renorm_": (
            "原地操作：把 indices 中出现的、范数超过 max_norm 的每个不同行按比例缩小。\n"
            "\n"
            "weight   (V, D) 浮点类型；原地修改并返回（同一个张量对象）。\n"
            "indices  (*) int64|int32，取值在 [0, V) 内；每个不同的行只处理一次。\n"
            "max_norm  float；norm_type 为 p-范数的 float p（2.0 为欧氏范数，还有 1.0、inf 等）。\n"
            "满足 n = ||weight[k]||_p > max_norm 的行 k 变为 weight[k] * max_norm / (n + 1e-7)；\n"
            "其他行保持不变。不记录自动求导历史（可用于需要梯度的叶子张量）。\n"
        ),
        "doc_function": (
            "自动求导的粘合层：forward 是 one_hot_lookup，backward 是 embedding_backward。"
        ),
        "doc_function_forward": (
            "indices (*) int64|int32，weight (V, D)  ->  (*, D)。把 backward 需要的东西存到 ctx 上。"
        ),
        "doc_function_backward": (
            "grad_output (*, D)  ->  forward 的每个输入各一个梯度：(None, grad_weight (V, D), None, None)。"
        ),
        "doc_module": (
            "由 num_embeddings 个 embedding_dim 维向量组成的查找表，可直接替换 PyTorch 的嵌入模块。\n"
            "\n"
            "基于 one_hot_lookup、embedding_backward 和 embedding_renorm_ 实现。\n"
            "weight  Parameter (V, D)，从 N(0, 1) 初始化，填充行（如有）置零。\n"
            "forward 输入 (*) int64|int32  ->  (*, D)。\n"
        ),
        "doc_module_init": (
            "参数与 PyTorch 的模块相同，每个都保存为同名属性。\n"
            "\n"
            "padding_idx 以规范化后的形式保存（-1 -> V - 1）。_weight (V, D) 直接成为 Parameter 本身\n"
            "（共享存储，填充行保持原样）；_freeze=True：weight 不需要梯度。\n"
            "sparse=True 抛出 NotImplementedError：本模块只生成稠密梯度。\n"
        ),
        "doc_module_reset": (
            "从 N(0, 1) 原地重新填充 weight（nn.init.normal_），然后把填充行（如有）置零。"
        ),
        "doc_module_forward": (
            "input (*) int64|int32  ->  (*, D)。\n"
            "\n"
            "若设置了 max_norm，先原地重新缩放 weight 中被查到的行（不被自动求导记录）；\n"
            "然后通过上面的自动求导 Function 查表。\n"
        ),
        "doc_module_extra_repr": (
            "PyTorch 的模块在 Embedding(...) 括号内显示的文本，例如 '10, 3, padding_idx=9, max_norm=1'。"
        ),
        "doc_module_from_pretrained": (
            "返回一个以 embeddings (V, D) 本身为 weight 的模块：共享存储，填充行保持原样。\n"
            "\n"
            "freeze=True（默认）时 weight 不需要梯度。embeddings 不是二维时抛出 AssertionError\n"
            "(\"Embeddings parameter is expected to be 2-dimensional\")。\n"
        ),
        "MSG": {
            "ok": "✓",
            "fail": "✗",
            "values": "完全相等：{exact!s:<5} | 相近：{close!s:<5} | 最大|差|：{diff:.1e}{where}",
            "where": "（位置 {pos}：得到 {got!r}，应为 {expected!r}）",
            "equal": "相等：{value!r}",
            "differs": "得到 {got!r}，应为 {expected!r}",
            "not_tensor": "应为张量，得到的是 {type}",
            "shape": "形状：得到 {got}，应为 {expected}",
            "dtype": "dtype：得到 {got}，应为 {expected}",
            "device": "设备：得到 {got}，应为 {expected}",
            "raised": "抛出 {error}：{message}",
            "wrong_error": "抛出的是 {error}：{message}；应抛出 {expected}",
            "not_raised": "没有抛出异常；应抛出 {expected}",
            "not_implemented": "尚未实现（NotImplementedError）",
            "passed": "{part} 的可见检查全部通过。提交后，评分程序还会运行更多检查。",
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
""", zh=r"""
# 从零实现 `nn.Embedding`

> *“我一直对 Embedding 有一层抽象的模糊的认识。”* —— 本 notebook 所基于的讲义

嵌入层（embedding layer）就是一张可学习的向量表，每个词元（token）占一行；它的前向传播就是查表：给它一组词元 id，它返回对应的那些行。仅此而已——但 `torch.nn.Embedding` 有几个参数的行为常常出人意料（`padding_idx`、`max_norm`、`scale_grad_by_freq`），而我们所基于的那份讲义把其中一个留成了悬而未决的问题，又把另一个讲错了。在这个 notebook 里，你将分四个部分重新实现这一层，每一个结论都会把 PyTorch 和你的代码放在一起实际运行来验证。

| 部分 | 你要实现的 | 分值 |
|---|---|---|
| 1 | `one_hot_lookup(indices, weight)`：用独热矩阵乘法实现查表 | 25 |
| 2 | `embedding_backward(grad_output, indices, num_embeddings, padding_idx, scale_grad_by_freq)`：嵌入表的梯度 | 25 |
| 3 | `embedding_renorm_(weight, indices, max_norm, norm_type)`：`max_norm` 究竟做了什么 | 25 |
| 4 | `class Embedding(nn.Module)`：可直接替换 `nn.Embedding` 的模块；再用它训练一个小型字符级模型 | 25 |

**形状记号。** 全文使用同一套字母。嵌入表 `weight` 的形状是 `(V, D)`：共 V 行（`num_embeddings`，即词表大小），每行 D 个数（`embedding_dim`）。一批 id 的形状是 `(B, T)`：B 个序列，每个序列 T 个 id。`(*)` 表示任意形状，包括单个 id（0 维张量）和空张量。（讲义中把表记作 `(v, h)`，把一批输入记作 `(b, s)`。）

**评分方式。** 每个部分都有一个供你填写代码的单元格：替换其中的 `raise NotImplementedError()` 行，不要改动函数名和签名。紧随其后的单元格会运行快速的*可见检查*：把同样的小规模输入分别交给你的函数和 PyTorch，每项检查打印一行（✓ 或 ✗，结果是否完全相等、是否足够接近，以及最大差值出现在哪里）。单元格出现红色报错，就表示有检查没有通过。提交之后，课程套件的评分程序只针对你的解答单元格运行多得多的*隐藏*检查，分别在 float32 和 float64 下进行，有 GPU 时还会在 GPU 上运行。

**解答单元格的规则**
- 不要在解答单元格中调用 PyTorch 自带的嵌入实现：`F.embedding`、`torch.embedding`、`nn.Embedding`、`torch.embedding_renorm_`、`torch.ops.aten.embedding*`、`F.embedding_bag`。违反这条规则的部分记零分。（本 notebook 中的检查和演示代码会随意使用它们：我们正是靠它们来做对比的。）
- 不要把设备写死：新建的张量要放在输入所在的设备上（`device=weight.device`），这样同一份代码在 GPU 上也能运行。
- 每个部分需要的一切都要写在该部分的解答单元格里：评分程序只运行这些单元格，不会运行准备单元格和演示单元格。
- 索引的类型是 `int64` 或 `int32`。负数索引或 `>= V` 的索引必须抛出异常，绝不能悄悄地回绕（wrap around）。
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
""", zh=r"""
## 准备工作

请先运行这个单元格。它导入本 notebook 用到的库，并定义可见检查所用的两个辅助函数：

- `check(name, got, expected, exact=True, atol=0.0, rtol=0.0)` 分步骤比较——先看是不是张量，再依次比较形状、dtype、设备和数值——然后打印一行结果。`exact=True` 时数值必须完全相等（NaN 与 NaN 视为相等）；`exact=False` 时只需足够接近：`|got - expected| <= atol + rtol·|expected|`。遇到第一处不一致就抛出 `AssertionError`。对于不是张量的值，它要求二者 `==`。
- `check_raises(name, fn, *errors)` 调用 `fn()`，如果抛出的是 `errors` 中的某一种异常就算通过（默认是除 `NotImplementedError` 以外的任何异常——`NotImplementedError` 表示代码还没写）。和评分程序一样，大多数检查只要求你的代码*会*抛出异常；题目说明里会写明 PyTorch 抛出的是哪一种。
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
""", zh=r"""
---
## 第 1 部分 · `one_hot_lookup`：用独热向量乘法实现查表（25 分）

### 从 `(B, T)` 和 `(V, D)` 到 `(B, T, D)`

讲义提出的关键问题是：*一批形状为 `(B, T)` 的 id 和一张形状为 `(V, D)` 的表，是怎么变成一个 `(B, T, D)` 的张量的？* 答案是：每个 id 都被替换成表中对应的那一行：

$$\text{out}[b, t] = \text{weight}[\,\text{indices}[b, t]\,] \qquad (B, T) \text{ 和 } (V, D) \;\to\; (B, T, D).$$

下面就是讲义里的例子：一张 V = 10 行、每行 D = 3 个数的表，以及一批 B = 2 个序列、每个序列 T = 4 个 id。
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
""", zh=r"""
### 查表就是矩阵乘法

独热（one-hot）向量 $e_k$ 是由 V 个数组成的一行，除了第 $k$ 个位置是 1 以外全是 0。用它去乘嵌入表，就挑出了第 $k$ 行：$e_k \cdot W = W[k]$，因为其余各行都乘上了 0。为每个 id 各写一行独热向量，把它们堆叠起来，整个查表过程就成了一次矩阵乘法：

$$\underbrace{\text{one\_hot}(\text{indices}, V)}_{(B,\,T,\,V)} \;@\; \underbrace{\text{weight}}_{(V,\,D)} \;=\; \underbrace{\text{out}}_{(B,\,T,\,D)}$$

`F.one_hot` 负责构造独热张量（类型是 `int64`：相乘之前要先转换成权重的 dtype），而 `@` 会把前面的维度当作批次维度。下图依次是：这批数据中 8 个 id 构成的 8 × 10 独热矩阵、嵌入表，以及二者的乘积：乘积的各行正是嵌入表中的行，顺序与 id 一致。讲义就是这样计算查表的，这也正是你在本部分要实现的内容。
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
""", zh=r"""
### 易错点：PyTorch 怎么做，朴素实现又会错在哪里

下面每一条都由代码实际运行验证，而不是空口断言：

1. **`int32` 类型的 id。** `nn.Embedding` 接受 `int64` 和 `int32`（对大量的词元 id 来说，`int32` 能省一半内存，所以很常见）；而 `F.one_hot` 只接受 `int64`。用 `.long()` 转换即可。
2. **负数 id。** 普通索引 `W[idx]` 会像 Python 列表那样把负数 id 回绕：`W[-1]` 就是最后一行。PyTorch 的嵌入层则会抛出 `IndexError`，你的实现也必须如此：一批数据里出现 `-1` 说明有 bug（缺失的词元、未初始化的缓冲区），而不是想要最后一行。`F.one_hot` 也会报错，但抛出的只是一个关于 “class values” 的 `RuntimeError`；请自己检查取值范围，并像 PyTorch 一样抛出 `IndexError`。
3. **自动推断的 `num_classes`。** 不传 `num_classes` 时，`F.one_hot` 生成的独热向量宽度是 `ids.max() + 1`。只有当最后一行的 id V−1 恰好出现在这批数据中时，这个宽度才是对的：包含它的快速测试能通过，而第一批不含它的数据就会出错。一定要传入 `num_classes=weight.shape[0]`。
4. **0 维和空的 id 都是合法输入。** 单个 id 得到 `(D,)`；`(0,)` 得到 `(0, D)`；`(3, 0)` 得到 `(3, 0, D)`。（`F.one_hot` 无法从空张量推断出宽度——这又是一个必须显式传入宽度的理由。）
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
""", zh=r"""
### 你的任务

实现 `one_hot_lookup(indices, weight)` 及其辅助函数 `_check_indices(indices, num_embeddings)`（第 2、3 部分也可以调用它）。

- 先做校验：`weight` 必须是二维的（否则抛出 `RuntimeError`）；`indices` 必须是 `int64` 或 `int32`（否则抛出 `RuntimeError`——`bool` 和浮点类型的 id 也包括在内：`W[bool_tensor]` 会被当作掩码）；每个索引都必须落在 `[0, V)` 内（否则抛出 `IndexError`）。`indices.min()` 在空张量上会出错，所以要先用 `indices.numel()` 判断一下。
- 然后计算 `F.one_hot(indices.long(), V)`，转换为 `weight.dtype`，再 `@ weight`。结果的形状为 `(*indices.shape, D)`，dtype 与 `weight` 相同，并且位于 `weight` 所在的设备上。
- 不需要写反向传播：自动求导（autograd）会对这个乘积求导。对嵌入表的梯度是 $\text{one\_hot}^\top @ \text{grad\_output}$，检查会把它与 PyTorch 的结果进行比较。
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
""", zh=r"""
### 矩阵乘法如何对待 inf、NaN 和 −0.0

PyTorch 的查表是把行逐位（bit for bit）复制过来。而矩阵乘法中，每个输出数值都是对全部 V 行的求和：$\sum_k \text{one\_hot}[k] \cdot W[k, j]$。权重都是有限值时，除了一项以外，其余各项都是精确的零，所以求和结果是精确的：与查表逐位一致（CPU 上的 float32 和 float64 都是如此）。但是 $0 \cdot \infty = \text{NaN}$，$0 \cdot \text{NaN} = \text{NaN}$：表的第 $j$ 列中只要有一个非有限值，就会污染*每一个*输出行的第 $j$ 列，哪怕那一行查到的是有限值。另外 $(-0.0) + 0.0 = +0.0$，所以负零出来后就成了正零。

这些都是题目要求的这种写法本身带来的，所以评分程序不会因此扣分；但它们也是真正的嵌入层用索引而不用乘法的又一个原因。
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
""", zh=r"""
### 为什么 `nn.Embedding` 用索引实现

对于 $N = B \cdot T$ 个 id，矩阵乘法要做 $N \cdot V \cdot D$ 次乘加，其中几乎全是 $0 \cdot w$；而且它还要先生成一个 $N \times V$ 的独热张量（`F.one_hot` 给出 `int64` 版本，然后再复制一份浮点版本）。索引只需复制 $N \cdot D$ 个数。下面的单元格在 $N = 32 \times 64$ 个 id、$D = 64$ 的情况下，随着词表增大测量这两种方法：预热之后运行 5 次取最快的一次，总共只需几秒钟；你测得的数字会有所不同。内存图统计的是每种方法所分配张量的字节数。
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
""", zh=r"""
---
## 第 2 部分 · `embedding_backward`：梯度、`padding_idx` 与 `scale_grad_by_freq`（25 分）

### 填充是做什么用的

句子有长有短，但一批数据是一个规整的 `(B, T)` 矩形张量。所以较短的序列要用一个保留的 id——*填充*（padding）id——补齐到长度 T。这些补位的位置并不是数据。模型本应忽略它们（通过对损失或注意力做掩码），但嵌入层照样会去查它们：它输出的 `(B, T, D)` 张量在每个填充位置上也有一个向量。
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
""", zh=r"""
### 梯度在哪里不更新，又为什么不更新（讲义留下的问题）

讲义在讲 `padding_idx` 时写道：*“这个参数的作用是指定某个位置的梯度不进行更新，但是为什么不进行更新，以及在哪个位置不进行更新我还没搞明白……”* 下面就来回答。

**在哪里。** 只有一处：嵌入表梯度的第 `padding_idx` 行，即 `weight.grad[padding_idx]`，从这次查表中得不到任何梯度——无论填充 id 出现多少次、填充位置上传回来的是什么梯度，这一行都恰好为零。其他一切照旧：其余各行得到通常的梯度，前向传播不变，梯度也照常流经上面的各层。梯度为零时，优化器的一步更新（SGD、Adam）不会改变这一行——除非优化器也会改动没有梯度的行，比如权重衰减（weight decay）。

**为什么。** 填充向量的含义是“这里什么都没有”。如果它参与学习，它就会从模型碰巧传给补位位置的任何梯度中学习（比如一个没做掩码的平均值，或者一个 bug），于是填充就有了含义：一个句子的表示会取决于它在这批数据里被补了多少填充。如果让它保持不变——从初始化起就是零——填充就是一个模型无法利用的常量，而且在按位置求和时（比如词袋模型）它不贡献任何东西。

下面的单元格让*每一个*输出位置（包括填充位置）都传回梯度 1：于是梯度的第 k 行就统计了 id k 出现的次数——填充行除外。
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
""", zh=r"""
**`padding_idx` 并不会让输出变成零。** 前向传播原样返回填充行；`nn.Embedding` 只是把它*初始化*为零。讲义的第二个例子把这一行改成了全 1，而 `from_pretrained` 会保留你传入的任何行：查表会返回它，而它的梯度始终为零。

**它只作用于这一次查表。** 如果同一张表还用在别处——例如同时用作输出层（“权重共享”，tied embeddings）——填充行仍然会从那些用途中得到梯度。
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
""", zh=r"""
### 是哪一行

`padding_idx` 可以是负数：它像 Python 索引一样从末尾倒数，模块中保存的是规范化之后的值（`-1` 变成 `V - 1`）。超出 `[-V, V)` 的值会抛出 `AssertionError`。
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
""", zh=r"""
### 逐行来看梯度

把所有位置展平，编号为 $i = 1 \dots N$。前向传播把行 $W[k]$ 复制到每个满足 $\text{idx}[i] = k$ 的位置 $i$，因此第 $k$ 行的梯度就是这些位置上输出梯度之和：

$$\text{grad\_W}[k] \;=\; \sum_{i\,:\;\text{idx}[i] = k} s_k \cdot \text{grad\_out}[i], \qquad k \ne \text{padding\_idx}, \qquad \text{grad\_W}[\text{padding\_idx}] = 0.$$

- 值为 `padding_idx` 的位置会被**跳过**——而不是先加进去再清零。（为什么这一点很重要，会在检查之后演示。）
- 通常 $s_k = 1$。当 `scale_grad_by_freq=True` 时，$s_k = 1/\text{count}_k$，其中 $\text{count}_k$ 是 $k$ 在**整个** `indices` 张量中出现的次数（这一批中所有序列合起来算，而不是逐个序列算）。这样一行的梯度就是各项贡献的*平均值*而不是总和，像 “the” 这样的高频词元得到的梯度就不会比罕见词元大上几百倍。

举一个具体的例子：位置 $i$ 传回的梯度为 $i$（两列都是）；id 1 出现了三次，id 0 是填充。
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
""", zh=r"""
### 你的任务

实现 `embedding_backward(grad_output, indices, num_embeddings, padding_idx=None, scale_grad_by_freq=False)` 及其辅助函数 `_normalise_padding_idx(padding_idx, num_embeddings)`（第 4 部分的模块也会用到它）。

- 规范化 `padding_idx`：`None` 仍为 `None`；`[-V, V)` 内的值变为非负数（`+ V`）；其他值一律抛出 `AssertionError("Padding_idx must be within num_embeddings")`。校验索引（`_check_indices`）。
- 展平：id 变为 `(N,)`，梯度变为 `(N, D)`，其中 `D = grad_output.shape[-1]`（这样也就涵盖了 0 维 id 配 `(D,)` 梯度的情况，以及空 id 的情况）。
- 如果要求按频率缩放，就把每个位置的梯度乘以其 id 出现次数的倒数 `1 / count`——`torch.bincount(ids, minlength=V)` 统计的是整个张量中的次数。
- 用布尔掩码去掉填充位置，再用一次向量化调用把各行按 id 累加：`torch.zeros(V, D, ...).index_add_(0, ids, grads)`。不要对位置写 Python 循环。
- 返回 `(V, D)` 的稠密张量，dtype 和设备都与 `grad_output` 相同。对于 float16/bfloat16，先在 float32 下累加，最后再转换回去：这比 PyTorch 的 CPU 内核更精确，后者每加一次就舍入一次（评分程序接受更精确的结果）。
- 这里不要调用自动求导：这个函数*本身*就是反向传播。
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
""", zh=r"""
### 为什么要跳过，而不是全部加起来之后再把填充行清零

填充位置上的 NaN 梯度会从哪里来？比如来自一个把*所有*键都掩码掉的注意力行（在某些实现中，位于填充位置的查询就是这样）：对全是 $-\infty$ 的一行做 softmax，结果是 NaN。PyTorch 的嵌入层从不让它进入嵌入表，因为它根本不累加填充位置。

现在对比一下让自动求导直接对你的 `one_hot_lookup` 求导：它的反向传播是 $\text{one\_hot}^\top @ \text{grad\_out}$，对填充一无所知，而 $0 \cdot \text{NaN} = \text{NaN}$ 会把 NaN 带进*每一*行。事后把填充行清零也无济于事。这就是第 4 部分要把你的两个函数包装成一个 `torch.autograd.Function` 的原因：前向 = `one_hot_lookup`，反向 = `embedding_backward`——这样自动求导就会调用你写的反向传播，而不是对矩阵乘法求导（那样还会再花一次 $O(N \cdot V \cdot D)$ 的开销）。
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
""", zh=r"""
### 一批填充数据的梯度图示

六个序列，长度分别为 10、8、7、5、3 和 2，用 id 0 填充到 T = 10，并且*每个*位置（包括填充位置）都收到一个随机梯度。左图：普通的梯度——高频 id 对应的行数值更大；填充行（加框）恰好为零，尽管有 25 个位置向它传回了梯度。右图：`scale_grad_by_freq=True` 时，每一行是其各项贡献的平均值，因此所有行都处在同一量级。
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
""", zh=r"""
---
## 第 3 部分 · `embedding_renorm_`：`max_norm` 究竟做了什么（25 分）

讲义对 `max_norm` 的说法是：*“这个参数用于设置输出和权重参数是否经过了正则化。”* 它的作用并非如此。`max_norm` 不是正则化：它既不往损失里加任何项，也不改变梯度的计算方式。它实际做的是：

> **每次查表之前**，对于索引中出现的每个**不同的**行，如果它的 `norm_type` 范数超过 `max_norm`，就**在权重本身上原地**重新缩放：`row *= max_norm / (norm + 1e-7)`。然后在修改后的表上查表。

下面的代码逐条运行，展示由此带来的各个后果：

1. **原地修改参数。** 前向传播会顺带修改嵌入表，而且是永久性的（在 `torch.no_grad()` 下也一样）。任何与这个张量共享数据的东西都会看到这一修改——`from_pretrained` 就与你传入的张量共享存储。
2. **只改查到的行。** 不在这批数据中的行保持原有的范数。
3. **每个不同的行只处理一次**，无论它在这批数据中出现多少次。
4. **在查表之前。** 输出中是缩放后的行；梯度流向它们时，就好像缩放后的行只是一个普通的值——缩放因子不参与求导，所以它不是惩罚项。
5. **范数是 `p = norm_type` 的 p-范数**：默认为 2；1、∞ 等其他值也可以。
6. **那个 `1e-7`** 使新的范数略*低于* `max_norm`——当 `max_norm` 很小时，这一点就很明显。
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
""", zh=r"""
梯度把缩放后的行当作常量：查两次第 0 行（`[3, 4, 0]`，缩放为 `[0.6, 0.8, 0]`）、查一次第 1 行，`out.sum()` 的梯度只是在数查表的次数——既看不到因子 1/5 的痕迹，也没有把范数往小拉的作用。接下来演示 `norm_type` 和那个 `1e-7`。
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
""", zh=r"""
### 你的任务

实现 `embedding_renorm_(weight, indices, max_norm, norm_type=2.0)`。末尾的下划线是 PyTorch 表示“原地操作”的惯例。

- 在 `torch.no_grad()` 下进行：这样自动求导不会记录任何东西，而且在其中修改一个需要梯度的叶子张量（比如参数）也是允许的。
- 校验索引（`_check_indices`），然后每一行只取一次：对展平后的 id 用 `torch.unique`。
- 范数：`torch.linalg.vector_norm(weight[rows], ord=norm_type, dim=1)`。只有 `norm > max_norm`（严格大于）的行才会改变。
- 照 PyTorch 的做法来，才能与它逐位一致：范数在权重的 dtype 下计算，再转换为 float64；缩放因子 `max_norm / (norm + 1e-7)` 在 float64 下计算，舍入到权重的 dtype，再用一次乘法作用到行上。
- 用索引赋值写回（`weight[rows] = ...`），并返回 `weight` 本身。不要对行写 Python 循环。
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
""", zh=r"""
### PyTorch 文档中提到的自动求导隐患

`nn.Embedding` 的文档中有这样一条警告：

> 当 `max_norm` 不为 `None` 时，`Embedding` 的 forward 方法会原地修改 `weight` 张量。由于梯度计算所需的张量不能被原地修改，因此当 `max_norm` 不为 `None` 时，如果在调用 `Embedding` 的 forward 方法之前对 `Embedding.weight` 做了可微运算，就需要先克隆 `Embedding.weight`。

下面是文档中的例子，分别在不使用和使用 `.clone()` 的情况下运行。矩阵乘法为它的反向传播保存了 `weight`；随后查表又原地重新缩放了同一个张量的第 1、2 行；自动求导（通过张量的版本计数器）发现它保存的值被改动了，于是拒绝计算出一个错误的梯度。
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
""", zh=r"""
### 重新缩放前后的行范数

一张 40 行、范数在 1.6 左右的表，以及一批 24 个 id，使用你的 `embedding_renorm_`：被查到的行（彩色）被压到 `max_norm` = 1；其他行都保持原来的范数。
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
""", zh=r"""
---
## 第 4 部分 · `class Embedding`：模块（25 分）

在这三个函数之外，`nn.Embedding` 额外做的只是些簿记工作。你的 `Embedding` 必须能直接替换它：构造函数相同、属性相同、初始化相同、`repr` 相同，而且 `state_dict` 能加载进 `nn.Embedding`，反过来也一样。

| 成员 | 行为 |
|---|---|
| `Embedding(num_embeddings, embedding_dim, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False, sparse=False, _weight=None, _freeze=False, device=None, dtype=None)` | 把每个参数保存为同名属性；`padding_idx` 要经过规范化和检查（用第 2 部分的辅助函数） |
| `weight` | 一个 `(V, D)` 的 `nn.Parameter`，`requires_grad = not _freeze`。不传 `_weight` 时：用 `device=` 和 `dtype=` 创建一个空张量，然后调用 `reset_parameters()`。传入 `_weight` 时：它的形状必须是 `[V, D]`（否则抛出 `AssertionError("Shape of weight does not match num_embeddings and embedding_dim")`）；Parameter 与它共享存储，并且填充行*不*清零 |
| `reset_parameters()` | `nn.init.normal_(weight)`，即 N(0, 1)，然后在 `torch.no_grad()` 下把填充行置零。在相同的 `torch.manual_seed` 之后，结果与 `nn.Embedding` 的相同 |
| `forward(input)` | 如果设置了 `max_norm`：先 `input = input.contiguous()`，再 `embedding_renorm_(self.weight.detach(), input, max_norm, norm_type)`；然后调用下面的自动求导 Function |
| `extra_repr()` | `"{V}, {D}"`，然后依次是 `, padding_idx=…`（如果设置了）、`, max_norm=…`（如果设置了）、`, norm_type=…`（仅当 `!= 2` 时）、`, scale_grad_by_freq=…`（如果为真）、`, sparse=True`（如果设置了） |
| `from_pretrained(embeddings, freeze=True, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False, sparse=False)` | 一个类方法：`embeddings` 必须是二维的（否则抛出 `AssertionError("Embeddings parameter is expected to be 2-dimensional")`）；返回 `cls(V, D, _weight=embeddings, _freeze=freeze, ...)` |
| `state_dict()` | 只有 `{"weight": ...}`——只要 `weight` 是一个名为 `weight` 的 Parameter，这就会自动满足 |
| `sparse=True` | 抛出 `NotImplementedError`，并给出清楚的提示信息：稀疏梯度不在本作业范围内 |

下面是目标效果，由 PyTorch 自己打印出来：
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
""", zh=r"""
### 自动求导 Function

`torch.autograd.Function` 让你可以为自动求导提供自己写的反向传播。它的 `forward(ctx, ...)` 计算输出——自动求导不会记录其中发生的操作——并把反向传播需要的东西保存在 `ctx` 上（张量用 `ctx.save_for_backward` 保存，普通值存为属性）。它的 `backward(ctx, grad_output)` 为 `forward` 的每个输入各返回一个梯度，不需要梯度的输入（索引、`padding_idx`、`scale_grad_by_freq`）返回 `None`：

```python
class _EmbeddingFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, indices, weight, padding_idx, scale_grad_by_freq):
        ...   # 把 backward 需要的东西存到 ctx 上；返回 one_hot_lookup(indices, weight)

    @staticmethod
    def backward(ctx, grad_output):
        ...   # 返回 None, embedding_backward(grad_output, ...), None, None
```
调用方式是 `_EmbeddingFunction.apply(indices, weight, padding_idx, scale_grad_by_freq)`。

### 你的任务

按上面的规格实现 `_EmbeddingFunction` 和 `class Embedding`，用你写的三个函数来实现（不要使用 PyTorch 的嵌入实现）。保持方法名和签名不变。
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
""", zh=r"""
### 用你的 `Embedding` 训练一个字符级模型

真正的考验：用同一个随机种子把同一个小模型训练两次——一次用你的 `Embedding`，一次用 `nn.Embedding`——然后比较结果。训练文本是莎士比亚的七首十四行诗（`data/sonnets.txt`）。模型根据前三个字符预测下一个字符（即 Bengio 等人 2003 年提出的 MLP，和 Karpathy 的 *makemore* 中一样）：把三个字符做嵌入（`(B, 3)` → `(B, 3, D)`），拼接起来（`(B, 3·D)`），经过一个 `tanh` 层，再经过一个线性层得到 `V` 个 logits。

每一行都以三个填充 id 作为上下文开头，所以 `padding_idx=0` 在这里真正派上了用场：补位向量始终保持为零。`max_norm=2` 会在某个字符的向量被查到、且长度超过 2 时，把它缩放到长度 2。用同一个种子，两个模型从完全相同的数值出发；由于正确的查表和重新缩放与 PyTorch 逐位一致，梯度也只在舍入误差范围内有差别，两条损失曲线应该重合在一起。
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
""", zh=r"""
### 嵌入表发生了什么变化

表中有三类行，每一类都可以用本 notebook 的某个部分来解释：

- **填充行**恰好为零：`padding_idx` 让它的梯度始终为零（第 2 部分），所以 Adam 从未让它离开初始化时的零值；
- **被查到的行**范数不超过 `max_norm` = 2（第 3 部分）：每次查表都会把超长的行缩放回来；
- **行尾符 `\n`** 是预测目标，但从不出现在上下文中——每一行都从填充重新开始。所以它那一行从未被查到：既没有梯度，也没有被重新缩放，因为 `max_norm` 只作用于被查到的行。它仍然恰好是最初随机生成的那个向量，长度超过 `max_norm`。

然后让模型写几行诗。只有三个字符的上下文、训练 300 步，它能拼出一些有十四行诗味道的片段，但还写不出十四行诗。
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
""", zh=r"""
---
## 你完成了什么

- **查表就是独热向量乘法**——权重为有限值时结果精确，但计算量是 $O(N \cdot V \cdot D)$，还要生成一个 $N \times V$ 的张量，而且 inf/NaN 会在其中扩散。真正的嵌入层用索引实现；遇到超出 `[0, V)` 的 id 会报错，而不是回绕。
- **反向传播把**每个 id 对应的输出梯度**累加**到它那一行。`padding_idx` 会*跳过*填充位置，因此那一行的梯度恰好为零（前向传播照样返回这一行）；`scale_grad_by_freq` 则除以每个 id 在整批数据中出现的次数。
- **`max_norm` 在查表之前原地重新缩放**权重中被查到的行——这是前向传播的副作用，而不是正则化；如果权重在查表之前已经参与了别的可微运算，除非那里先克隆，否则会破坏自动求导。
- **模块**只是围绕一个自动求导 Function 的簿记工作，用它训练模型的结果和用 `nn.Embedding` 完全一样。

延伸阅读：`nn.EmbeddingBag`（对每个“袋”中查到的向量求和或取平均，无需生成 `(B, T, D)` 张量）、`sparse=True` 梯度（只包含被访问到的行，适用于超大词表），以及输入嵌入与输出层之间的权重共享（weight tying）。
"""),
]

CELLS = INTRO + PART1 + PART2 + PART3 + PART4
