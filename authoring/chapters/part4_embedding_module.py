"""Part 4 · `class Embedding` (25 points): the module. The autograd Function and the task, its
solution cell (_EmbeddingFunction, Embedding) and graded cell (the visible checks); then training a
character model with it (its curve checked against nn.Embedding's), padding in the loss
(ignore_index), evaluation that changes the model, Question 4, what the table learned (what happened
to it, a 2-D picture, nearest neighbours) and two ungraded experiments.
"""
from authoring.cells import md, code, solution, graded, answer, predict


# Prose inside this chapter's code, per language: the stubs' docstrings, standing in the cells as
# @@key@@. Written as they appear (first line, blank line, body); build.py indents them to their `def`.
TEXT = {
    "en": {
        "doc_function": (
            "One lookup as autograd sees it: forward looks rows up, backward returns the table's gradient."
        ),
        "doc_function_forward": (
            "indices (*) int64|int32, weight (V, D)  ->  (*, D)."
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
            "sparse=True: raise NotImplementedError with a clear message, or make sparse gradients.\n"
        ),
        "doc_module_reset": (
            "Refill weight in place from N(0, 1) (nn.init.normal_), then zero the padding row, if any."
        ),
        "doc_module_forward": (
            "input (*) int64|int32  ->  (*, D).\n"
            "\n"
            "With max_norm set, the looked-up rows of weight are first rescaled in place (not recorded by\n"
            "autograd, but visible to its version counter); then the lookup runs through the Function above.\n"
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
    },
    "zh": {
        "doc_function": (
            "自动求导眼中的一次查表：forward 查出各行，backward 返回嵌入表的梯度。"
        ),
        "doc_function_forward": (
            "indices (*) int64|int32，weight (V, D)  ->  (*, D)。"
        ),
        "doc_function_backward": (
            "grad_output (*, D)  ->  forward 的每个输入各一个梯度：(None, grad_weight (V, D), None, None)。"
        ),
        "doc_module": (
            "由 num_embeddings 个 embedding_dim 维向量组成的嵌入表，可直接替换 PyTorch 的嵌入模块。\n"
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
            "sparse=True：抛出带有清楚说明的 NotImplementedError，或者生成稀疏梯度。\n"
        ),
        "doc_module_reset": (
            "从 N(0, 1) 原地重新填充 weight（nn.init.normal_），然后把填充行（如有）置零。"
        ),
        "doc_module_forward": (
            "input (*) int64|int32  ->  (*, D)。\n"
            "\n"
            "若设置了 max_norm，先原地重新缩放 weight 中被查到的行（不被自动求导记录，但版本计数器\n"
            "看得到这次修改）；然后通过上面的自动求导 Function 查表。\n"
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
    },
}

CELLS = [
    md(en=r"""
---
## Part 4 · `class Embedding`: the module (25 points, ≈ 1.5–2 h)

Around the three functions, `nn.Embedding` keeps its options, creates and initialises the table,
and wires the renorm, the lookup and the backward together. Your `Embedding` must be a drop-in
replacement: same constructor, same attributes, same initialisation, same `repr`, and a `state_dict`
that loads into `nn.Embedding` and back. The contract:

| member | behaviour |
|---|---|
| `Embedding(num_embeddings, embedding_dim, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False, sparse=False, _weight=None, _freeze=False, device=None, dtype=None)` | stores each argument as an attribute of the same name; `padding_idx` normalised and range-checked as in Part 2 |
| `weight` | an `nn.Parameter` `(V, D)`, `requires_grad = not _freeze`, on `device` in `dtype`. Given `_weight`: its shape must be `[V, D]` (else `AssertionError("Shape of weight does not match num_embeddings and embedding_dim")`), the Parameter shares its storage, and the padding row is *not* zeroed |
| `reset_parameters()` | refills the weight from N(0, 1) and zeroes the padding row; after the same `torch.manual_seed`, equal to `nn.Embedding`'s |
| `forward(input)` | `(*)` ids → `(*, D)`; with `max_norm` set, first rescales the looked-up rows in place, so that autograd's version counter sees the change (see the hazard above); gradients flow through your `embedding_backward` |
| `extra_repr()` | the text `nn.Embedding` shows inside `Embedding(...)` (printed below) |
| `from_pretrained(embeddings, freeze=True, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False, sparse=False)` | a classmethod; `embeddings` must be 2-D (else `AssertionError("Embeddings parameter is expected to be 2-dimensional")`); shares its storage |
| `state_dict()` | just `{"weight": ...}` |
| `sparse=True` | either raise `NotImplementedError` with a clear message, or produce the correct sparse gradient (the bonus part shows how) |

Here is the target, printed by PyTorch itself:
""", zh=r"""
---
## 第 4 部分 · `class Embedding`：模块（25 分，约 1.5–2 小时）

在这三个函数之外，`nn.Embedding` 负责保存各个选项、创建并初始化嵌入表，再把重新缩放、查表和反向传播连接起来。你的 `Embedding` 必须能直接替换它：构造函数相同、属性相同、初始化相同、`repr` 相同，而且 `state_dict` 能加载进 `nn.Embedding`，反过来也一样。规格如下：

| 成员 | 行为 |
|---|---|
| `Embedding(num_embeddings, embedding_dim, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False, sparse=False, _weight=None, _freeze=False, device=None, dtype=None)` | 把每个参数保存为同名属性；`padding_idx` 要像第 2 部分那样规范化并检查范围 |
| `weight` | 一个 `(V, D)` 的 `nn.Parameter`，`requires_grad = not _freeze`，位于 `device` 上，dtype 为 `dtype`。传入 `_weight` 时：它的形状必须是 `[V, D]`（否则抛出 `AssertionError("Shape of weight does not match num_embeddings and embedding_dim")`），Parameter 与它共享存储，并且填充行**不**清零 |
| `reset_parameters()` | 从 N(0, 1) 重新填充权重，并把填充行置零；在相同的 `torch.manual_seed` 之后，结果与 `nn.Embedding` 的相同 |
| `forward(input)` | `(*)` 的 id → `(*, D)`；设置了 `max_norm` 时，先原地重新缩放被查到的行，并且要让自动求导的版本计数器看到这次修改（见上文的隐患）；梯度经由你的 `embedding_backward` 流动 |
| `extra_repr()` | `nn.Embedding` 在 `Embedding(...)` 括号内显示的文本（见下面的输出） |
| `from_pretrained(embeddings, freeze=True, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False, sparse=False)` | 一个类方法；`embeddings` 必须是二维的（否则抛出 `AssertionError("Embeddings parameter is expected to be 2-dimensional")`）；与它共享存储 |
| `state_dict()` | 只有 `{"weight": ...}` |
| `sparse=True` | 要么抛出带有清楚说明的 `NotImplementedError`，要么给出正确的稀疏梯度（附加题演示了怎么做） |

下面是目标效果，由 PyTorch 自己打印出来：
"""),
    code(r'''
print(nn.Embedding(10, 3))
print(nn.Embedding(10, 3, padding_idx=-1, max_norm=1, norm_type=1.0, scale_grad_by_freq=True))
print(nn.Embedding(10, 3, norm_type=2.0, sparse=True), " ⟦<- norm_type 2 is not shown‖<- norm_type 为 2 时不显示⟧")
print("⟦state_dict keys:‖state_dict 的键：⟧", list(nn.Embedding(10, 3).state_dict()))
torch.manual_seed(0)
w = nn.Embedding(4, 3, padding_idx=1).weight
torch.manual_seed(0)
r = torch.randn(4, 3)
print("⟦init = randn(V, D) with the padding row zeroed:‖初始化 = randn(V, D)，并把填充行置零：⟧", torch.equal(w[[0, 2, 3]], r[[0, 2, 3]]), w[1].tolist())
'''),
    md(en=r"""
### The autograd Function

`torch.autograd.Function` lets you give autograd a backward of your own. Its `forward(ctx, ...)`
computes the output — autograd does not record what happens inside — and can save what the backward
needs on `ctx` (tensors with `ctx.save_for_backward`, plain values as attributes). Its
`backward(ctx, grad_output)` returns one gradient per input of `forward`, `None` for inputs that need
none. You call it as `_EmbeddingFunction.apply(indices, weight, padding_idx, scale_grad_by_freq)`.

### Your task

Implement `_EmbeddingFunction` and `class Embedding` to the contract above, on top of your three
functions (and no PyTorch embedding). Keep the method names and signatures.

<details><summary>Hint 1 — the Function</summary>

Which of the four inputs of `forward` can have a gradient? What does `embedding_backward` need that
`grad_output` does not carry — and which of those things are tensors, which plain values?
</details>

<details><summary>Hint 2 — the constructor and initialisation</summary>

Which `nn.init` function draws from N(0, 1) *in place*? Zeroing the padding row writes into a
parameter: in which context is that allowed? `if self.padding_idx:` — careful with row 0. With
`_weight`, wrap the given tensor itself (no copy): what does that mean for `from_pretrained`, and
for a `max_norm` forward on it?
</details>

<details><summary>Hint 3 — forward with max_norm</summary>

The rescale must happen *before* the lookup, on the same storage as `self.weight`, without being
recorded by autograd, and with autograd's version counter bumped (the documentation's hazard must
still raise). Which of `self.weight.detach()` and `self.weight.data` does that — and why not the
other? (PyTorch also makes the ids contiguous first, because its C++ kernel walks their raw memory;
a `reshape(-1)` in your own code copes with any layout, so that step is optional here.)
</details>

<details><summary>Hint 4 — `repr`</summary>

Print `nn.Embedding` with different options (above) and compare character by character: which options
are shown only when they differ from the default, and how is `max_norm=1` printed?
</details>

<details><summary>Show the idea</summary>

`forward` of the Function saves the ids and the options and returns `one_hot_lookup(...)`; its
`backward` returns `None` for the ids and the options and `embedding_backward(...)` for the weight. The
module stores its options, builds or wraps the Parameter, initialises it, and in `forward` rescales
(if asked) through a detached view, then calls the Function. `from_pretrained` checks the shape and
calls the constructor with `_weight=` and `_freeze=`.
</details>
""", zh=r"""
### 自动求导 Function

`torch.autograd.Function` 让你可以为自动求导提供自己写的反向传播。它的 `forward(ctx, ...)` 计算输出——自动求导不会记录其中发生的操作——并且可以把反向传播需要的东西保存在 `ctx` 上（张量用 `ctx.save_for_backward` 保存，普通值存为属性）。它的 `backward(ctx, grad_output)` 为 `forward` 的每个输入各返回一个梯度，不需要梯度的输入返回 `None`。调用方式是 `_EmbeddingFunction.apply(indices, weight, padding_idx, scale_grad_by_freq)`。

### 你的任务

按上面的规格实现 `_EmbeddingFunction` 和 `class Embedding`，建立在你写的三个函数之上（不要使用 PyTorch 的嵌入实现）。保持方法名和签名不变。

<details><summary>提示 1——Function</summary>

`forward` 的四个输入中，哪些可能有梯度？`embedding_backward` 需要哪些 `grad_output` 里没有的东西——其中哪些是张量，哪些是普通值？
</details>

<details><summary>提示 2——构造函数与初始化</summary>

`nn.init` 中哪个函数能**原地**从 N(0, 1) 抽样？把填充行置零是在往参数里写数：在什么上下文中才允许这样做？`if self.padding_idx:`——小心第 0 行。传入 `_weight` 时，要包装传入的张量本身（不复制）：这对 `from_pretrained`、对在它上面以 `max_norm` 做前向传播意味着什么？
</details>

<details><summary>提示 3——带 max_norm 的 forward</summary>

重新缩放必须发生在查表**之前**，作用在与 `self.weight` 相同的存储上，不被自动求导记录，同时要让自动求导的版本计数器加一（文档中的隐患必须仍然报错）。`self.weight.detach()` 和 `self.weight.data` 哪一个能做到——另一个为什么不行？（PyTorch 还会先把 id 变成连续存储（contiguous），因为它的 C++ 内核直接遍历 id 的原始内存；你自己的代码里 `reshape(-1)` 能处理任何内存布局，所以这一步在这里可有可无。）
</details>

<details><summary>提示 4——`repr`</summary>

用不同的选项打印 `nn.Embedding`（见上面的输出），逐字符比较：哪些选项只有在不同于默认值时才显示？`max_norm=1` 是怎么打印的？
</details>

<details><summary>查看思路</summary>

Function 的 `forward` 保存 id 和各个选项，返回 `one_hot_lookup(...)`；它的 `backward` 对 id 和选项返回 `None`，对权重返回 `embedding_backward(...)`。模块保存各个选项，创建或包装 Parameter 并初始化；在 `forward` 中（如有需要）通过 detach 得到的视图重新缩放，然后调用 Function。`from_pretrained` 检查形状，再以 `_weight=` 和 `_freeze=` 调用构造函数。
</details>
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
start("embedding_module")


def seeded(cls, *args, **kwargs):
    torch.manual_seed(0)
    return cls(*args, **kwargs)


ref = seeded(nn.Embedding, 10, 4, padding_idx=-2)
check("⟦padding_idx=-2 is stored as 8‖padding_idx=-2 保存为 8⟧", lambda: Embedding(10, 4, padding_idx=-2).padding_idx, ref.padding_idx, key="constructor_attributes")
check("⟦weight is an nn.Parameter‖weight 是 nn.Parameter⟧", lambda: isinstance(Embedding(10, 4).weight, nn.Parameter), True, key="constructor_attributes:parameter")
check("⟦same init as nn.Embedding after the same seed‖相同种子下初始化与 nn.Embedding 相同⟧", lambda: seeded(Embedding, 10, 4, padding_idx=-2).weight, ref.weight, key="init_is_standard_normal_with_zero_padding_row")
check("⟦padding_idx=0: the padding row is zeroed‖padding_idx=0：填充行被置零⟧", lambda: Embedding(5, 2, padding_idx=0).weight[0], torch.zeros(2), key="init_is_standard_normal_with_zero_padding_row:padding")
check("dtype=torch.float64", lambda: Embedding(4, 2, dtype=torch.float64).weight.dtype, torch.float64, key="dtype_and_device_arguments")
for kwargs in [{}, {"padding_idx": -1, "max_norm": 1, "norm_type": 1.0, "scale_grad_by_freq": True},
               {"max_norm": 0.5, "norm_type": 2.0}]:
    check(f"repr, {kwargs}", lambda: repr(Embedding(10, 3, **kwargs)), repr(nn.Embedding(10, 3, **kwargs)), key="repr_matches")

idx = torch.tensor([[1, 8, 8, 3], [8, 2, 2, 2]])          # (B, T)
g = torch.randn(2, 4, 4)                                  # grad_output (B, T, D)
ref = nn.Embedding(10, 4, padding_idx=8, scale_grad_by_freq=True)
out_ref = ref(idx)
out_ref.backward(g)


def forward_and_grad():
    mine = Embedding(10, 4, padding_idx=8, scale_grad_by_freq=True)
    mine.load_state_dict(ref.state_dict())
    out = mine(idx)
    out.backward(g)
    return out, mine.weight.grad


check("⟦forward (padding_idx=8, scale_grad_by_freq)‖前向（padding_idx=8，scale_grad_by_freq）⟧", lambda: forward_and_grad()[0], out_ref, key="forward_matches")
check("⟦weight.grad (padding_idx=8, scale_grad_by_freq)‖weight.grad（padding_idx=8，scale_grad_by_freq）⟧", lambda: forward_and_grad()[1], ref.weight.grad, exact=False, atol=1e-6, key="backward_matches")

W = torch.randn(10, 4) * 2
ref = nn.Embedding.from_pretrained(W.clone(), freeze=False, max_norm=1.0)
out_ref = ref(idx)


def max_norm_forward():
    mine = Embedding.from_pretrained(W.clone(), freeze=False, max_norm=1.0)
    return mine(idx), mine.weight


check("⟦max_norm=1: forward‖max_norm=1：前向⟧", lambda: max_norm_forward()[0], out_ref, exact=False, rtol=1e-6, key="max_norm_renorms_before_the_lookup")
check("⟦max_norm=1: weight renormed in place‖max_norm=1：权重被原地重新缩放⟧", lambda: max_norm_forward()[1], ref.weight, exact=False, rtol=1e-6, key="max_norm_renorms_before_the_lookup:copy")

P = torch.randn(5, 3)
check("⟦from_pretrained: frozen by default‖from_pretrained：默认冻结⟧", lambda: Embedding.from_pretrained(P, padding_idx=2).weight.requires_grad, False, key="from_pretrained:frozen")
check("⟦from_pretrained: shares storage with its argument‖from_pretrained：与参数共享存储⟧", lambda: Embedding.from_pretrained(P).weight.data_ptr() == P.data_ptr(), True, key="from_pretrained:shared")
check("⟦from_pretrained: padding row kept, forward returns it‖from_pretrained：保留填充行，前向返回它⟧", lambda: Embedding.from_pretrained(P, padding_idx=2)(torch.tensor([2, 0])), P[[2, 0]], key="from_pretrained:padding")


def state_dict_to_torch():
    a, b = Embedding(6, 3), nn.Embedding(6, 3)
    b.load_state_dict(a.state_dict())
    return torch.equal(b.weight, a.weight)


def state_dict_from_torch():
    a = Embedding(6, 3)
    a.load_state_dict(nn.Embedding(6, 3, _weight=torch.ones(6, 3)).state_dict())
    return a.weight


check("⟦state_dict loads into nn.Embedding‖state_dict 能加载进 nn.Embedding⟧", state_dict_to_torch, True, key="state_dict_both_ways")
check("⟦nn.Embedding's state_dict loads into yours‖nn.Embedding 的 state_dict 能加载进你的模块⟧", state_dict_from_torch, torch.ones(6, 3), key="state_dict_both_ways")


def sparse_accepted():
    """⟦sparse=True: a NotImplementedError, or a correct sparse gradient (the grader accepts either).‖sparse=True：NotImplementedError，或正确的稀疏梯度（评分程序两者都接受）。⟧"""
    try:
        mine = seeded(Embedding, 6, 3, sparse=True)
    except NotImplementedError:
        return True
    ref = seeded(nn.Embedding, 6, 3, sparse=True)
    ids = torch.tensor([[1, 4, 4]])
    mine(ids).sum().backward()
    ref(ids).sum().backward()
    grad = mine.weight.grad
    return grad is not None and grad.is_sparse and torch.equal(grad.to_dense(), ref.weight.grad.to_dense())


check("⟦sparse=True: NotImplementedError or a correct sparse gradient‖sparse=True：NotImplementedError 或正确的稀疏梯度⟧", sparse_accepted, True, key="sparse_is_refused_or_right")
check_raises("⟦_weight of the wrong shape raises‖形状不对的 _weight 抛出异常⟧", lambda: Embedding(4, 2, _weight=torch.randn(4, 3)),
             valid=lambda: Embedding(4, 2, _weight=torch.randn(4, 2)), key="private_weight_and_freeze:shape")
check_raises("⟦from_pretrained of a 1-D tensor raises‖from_pretrained 传入一维张量时抛出异常⟧", lambda: Embedding.from_pretrained(torch.randn(4)),
             valid=lambda: Embedding.from_pretrained(torch.randn(4, 2)), key="from_pretrained:not_2d")


def docs_example(embedding_cls, clone=False):
    """⟦PyTorch's docs example: without .clone() it must raise, as with nn.Embedding; with it, run.‖PyTorch 文档中的例子：不用 .clone() 时必须像 nn.Embedding 一样报错；用了就应正常运行。⟧"""
    embedding = embedding_cls(3, 5, max_norm=1.0)
    W = torch.randn(7, 5, requires_grad=True)
    a = (embedding.weight.clone() if clone else embedding.weight) @ W.t()
    b = embedding(torch.tensor([1, 2])) @ W.t()
    (a.unsqueeze(0) + b.unsqueeze(1)).sigmoid().prod().backward()


check_raises("⟦docs example without .clone() raises‖文档示例不使用 .clone() 时抛出异常⟧", lambda: docs_example(Embedding),
             valid=lambda: docs_example(Embedding, clone=True), key="max_norm_bumps_the_version")
check("⟦docs example with .clone() runs‖文档示例使用 .clone() 时正常运行⟧", lambda: docs_example(Embedding, clone=True), None, key="max_norm_bumps_the_version:clone")
summary("embedding_module")
'''),
    md(en=r"""
### Train a character model with your `Embedding`

The real test: train the same small model twice from the same seed, once with your `Embedding` and once
with `nn.Embedding`, and compare. The text is seven of Shakespeare's sonnets (`data/sonnets.txt`); every
tenth line is held out as a validation set. The model predicts the next character from the three
before it (the MLP of Bengio et al., 2003, as in Karpathy's *makemore*): embed the three characters
(`(B, 3)` → `(B, 3, D)`), concatenate (`(B, 3·D)`), one `tanh` layer, and a linear layer to `V` logits.
nanoGPT's `wte` is such a table.

Every line starts with three padding ids as context, so `padding_idx=0` does real work: the filler
vector stays at zero. `max_norm=2` rescales a character's vector to length 2 whenever it is looked up
longer. Same seed, same batches: a correct `Embedding` gives the same numbers up to rounding, so the
loss curves may differ by float32 rounding only. **The test:** the largest difference between the two
minibatch losses over the 300 steps must stay below $10^{-4}$ (rounding differences grow slowly under
Adam; a real bug shows up as $10^{-2}$ or more, often from the first steps).
""", zh=r"""
### 用你的 `Embedding` 训练一个字符级模型

真正的考验：用同一个随机种子把同一个小模型训练两次——一次用你的 `Embedding`，一次用 `nn.Embedding`——然后比较。训练文本是莎士比亚的七首十四行诗（`data/sonnets.txt`）；每十行留出一行作为验证集。模型根据前三个字符预测下一个字符（即 Bengio 等人 2003 年提出的 MLP，和 Karpathy 的 *makemore* 中一样）：把三个字符做嵌入（`(B, 3)` → `(B, 3, D)`），拼接起来（`(B, 3·D)`），经过一个 `tanh` 层，再经过一个线性层得到 `V` 个 logits。nanoGPT 的 `wte` 就是这样一张表。

每一行都以三个填充 id 作为上下文开头，所以 `padding_idx=0` 在这里真正派上用场：补位向量始终为零。`max_norm=2` 会在某个字符的向量被查到、且长度超过 2 时，把它缩放到长度 2。相同的种子、相同的批次：正确的 `Embedding` 给出的数值只差舍入误差，所以两条损失曲线只能相差 float32 的舍入误差。**检验标准：** 300 步中两次小批量损失的最大差值必须小于 $10^{-4}$（在 Adam 下舍入误差增长得很慢；真正的 bug 会表现为 $10^{-2}$ 或更大，而且往往从最初几步就出现）。
"""),
    code(r'''
text = Path("data/sonnets.txt").read_text(encoding="utf-8")
BLOCK, PAD, TOL = 3, 0, 1e-4
vocab = ["<pad>"] + sorted(set(text))                 # id 0 is padding; "\n" ends a line
stoi = {ch: i for i, ch in enumerate(vocab)}


def examples(lines):
    """⟦(contexts (N, BLOCK), next characters (N,)) of some lines, each line starting from padding.‖若干行的（上下文 (N, BLOCK)，下一个字符 (N,)），每行都从填充开始。⟧"""
    X, Y = [], []
    for line in lines:
        context = [PAD] * BLOCK
        for ch in line + "\n":
            X.append(context)
            Y.append(stoi[ch])
            context = context[1:] + [stoi[ch]]
    return torch.tensor(X), torch.tensor(Y)


lines = [line for line in text.splitlines() if line.strip()]
X, Y = examples([line for i, line in enumerate(lines) if i % 10 != 9])          # training set
X_val, Y_val = examples([line for i, line in enumerate(lines) if i % 10 == 9])  # every tenth line: validation
print(f"⟦V = {len(vocab)} (with padding); {len(X)} training and {len(X_val)} validation examples‖V = {len(vocab)}（含填充）；{len(X)} 个训练样本，{len(X_val)} 个验证样本⟧")


class CharMLP(nn.Module):
    """⟦Next character from the previous BLOCK ones: embed, concatenate, one tanh layer.‖由前 BLOCK 个字符预测下一个字符：嵌入、拼接、一个 tanh 层。⟧"""

    def __init__(self, embedding_cls, V, dim=12, hidden=128, **options):
        super().__init__()
        self.emb = embedding_cls(V, dim, **{"padding_idx": PAD, "max_norm": 2.0, **options})
        self.hidden = nn.Linear(BLOCK * dim, hidden)
        self.out = nn.Linear(hidden, V)

    def forward(self, x):                                 # x (B, BLOCK)
        e = self.emb(x)                                   # (B, BLOCK, D)
        h = torch.tanh(self.hidden(e.flatten(1)))         # (B, BLOCK*D) -> (B, hidden)
        return self.out(h)                                # (B, V) logits


def train(make_model, steps=300, batch=128, seed=1234, optimizer=torch.optim.Adam, lr=1e-2):
    torch.manual_seed(seed)                               # same initial weights for both runs
    model = make_model()
    opt = optimizer(model.parameters(), lr=lr)
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


began = time.perf_counter()
ref, loss_ref = train(lambda: CharMLP(nn.Embedding, len(vocab)))
mine, loss_mine = None, []
with needs("Embedding"):
    mine, loss_mine = train(lambda: CharMLP(Embedding, len(vocab)))
print(f"⟦trained in {time.perf_counter() - began:.1f} s‖训练用时 {time.perf_counter() - began:.1f} 秒⟧")
diffs = [abs(a - b) for a, b in zip(loss_mine, loss_ref)]
if diffs:
    print(f"⟦largest |Δloss| between the curves: {max(diffs):.1e} (the test: < {TOL:g})‖两条曲线之间最大的 |Δ损失|：{max(diffs):.1e}（检验标准：< {TOL:g}）⟧")


def curves_agree():
    if not loss_mine:
        raise NotImplementedError
    return max(diffs) < TOL


start("training")
check(f"⟦your Embedding trains like nn.Embedding: max |Δloss| over {len(loss_ref)} steps < {TOL:g}‖你的 Embedding 与 nn.Embedding 训练结果一致：{len(loss_ref)} 步中最大 |Δ损失| < {TOL:g}⟧",
      curves_agree, True, key="curves")
summary("⟦the training comparison‖训练对比⟧")

fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, 3.8))
a1.plot(loss_ref, color="tab:orange", linewidth=1.5, label="⟦nn.Embedding (the target)‖nn.Embedding（目标）⟧")
if loss_mine:
    a1.plot(loss_mine, color="tab:blue", linewidth=1, linestyle="--", label="⟦your Embedding‖你的 Embedding⟧")
    a2.semilogy([max(d, 1e-12) for d in diffs], color="tab:blue", linewidth=1)
a2.axhline(TOL, color="tab:red", linestyle="--", label=f"⟦the test: < {TOL:g}‖检验标准：< {TOL:g}⟧")
a1.set(xlabel="⟦step‖步数⟧", ylabel="⟦cross-entropy (minibatch)‖交叉熵（小批量）⟧", title="⟦the two loss curves‖两条损失曲线⟧")
a2.set(xlabel="⟦step‖步数⟧", ylabel="|Δ⟦loss‖损失⟧|", ylim=(1e-13, 10), title="⟦their difference (0 drawn at 1e-12)‖二者之差（0 画在 1e-12 处）⟧")
for a in (a1, a2):
    a.legend(loc="upper right")
plt.tight_layout()
plt.show()
'''),
    md(en=r"""
**Reading a ✗.** A curve that differs from the first steps usually means the model starts elsewhere
(the weight not drawn like `nn.Embedding`'s) or a wrong gradient; the usual causes are printed above.
A buggy model can even reach a *lower* training loss: if the padding row gets a gradient, it stops
being a constant zero and becomes one more learned vector — a "start of line" marker the model can use
— which helps fit the training data while breaking what `padding_idx` promises.
""", zh=r"""
**看懂 ✗。** 如果曲线从最初几步就不同，通常是模型的起点不同（权重的抽样方式与 `nn.Embedding` 不一样），或者梯度错了；常见原因已打印在上面。有 bug 的模型甚至可能得到**更低**的训练损失：如果填充行得到了梯度，它就不再是恒为零的常量，而成了又一个可学习的向量——一个模型可以利用的“行首”标记——这有助于拟合训练数据，却违背了 `padding_idx` 的承诺。
"""),
    md(en=r"""
### Padding in the loss: `ignore_index`

`padding_idx` keeps padding out of the *table's update*. When padding sits among the *targets* (a
batch of padded sequences, each position predicting the next id), the loss must ignore it too, or the
model is trained to predict filler: `F.cross_entropy(logits, targets, ignore_index=PAD)` leaves those
positions out of the mean and gives their logits exactly zero gradient. The two work side by side:
`ignore_index` for the outputs, `padding_idx` for the inputs.
""", zh=r"""
### 损失中的填充：`ignore_index`

`padding_idx` 把填充挡在**嵌入表的更新**之外。如果填充出现在**预测目标**中（一批填充过的序列，每个位置预测下一个 id），损失也必须忽略它，否则模型会被训练去预测补位符：`F.cross_entropy(logits, targets, ignore_index=PAD)` 在求平均时不计这些位置，并让它们的 logits 梯度恰好为零。两者配合使用：`ignore_index` 管输出，`padding_idx` 管输入。
"""),
    code(r'''
torch.manual_seed(0)
targets = torch.tensor([[5, 3, 8, PAD, PAD],
                        [2, 7, 7, 4, PAD]])                       # (B, T), padded at the end
logits = torch.randn(2, 5, 10, requires_grad=True)                # (B, T, V)
for ignore in (None, PAD):
    logits.grad = None
    loss = F.cross_entropy(logits.reshape(-1, 10), targets.reshape(-1), **({} if ignore is None else {"ignore_index": ignore}))
    loss.backward()
    at_pad = logits.grad[targets == PAD].abs().max().item()
    print(f"ignore_index={ignore!s:<4}: ⟦loss‖损失⟧ {loss.item():.4f}, ⟦largest |gradient| at a padding position‖填充位置上最大的 |梯度|⟧ {at_pad:.4f}")
'''),
    md(en=r"""
### Evaluating a model changes it

After training we measure the loss on the training and validation sets, in evaluation mode and without
gradients — the standard way to evaluate. **Predict first:** can this change the model's weights? How
many rows of the table?
""", zh=r"""
### 评估模型会改变模型

训练之后，我们在评估模式下、不计算梯度，测量训练集和验证集上的损失——这是评估模型的标准做法。**先预测：** 这会改变模型的权重吗？嵌入表会有多少行改变？
"""),
    predict(),
    code(r'''
model = mine if mine is not None else ref
before_eval = model.emb.weight.detach().clone()
model.eval()                                            # switches dropout/batch-norm behaviour; not max_norm
with torch.no_grad():
    train_loss, val_loss = F.cross_entropy(model(X), Y).item(), F.cross_entropy(model(X_val), Y_val).item()
after_eval = model.emb.weight.detach()
changed = (after_eval != before_eval).any(dim=1)
print(f"⟦loss: training {train_loss:.4f}, validation {val_loss:.4f}‖损失：训练集 {train_loss:.4f}，验证集 {val_loss:.4f}⟧")
print(f"⟦rows longer than max_norm = 2 after training: {(before_eval.norm(dim=1) > 2.0 + 1e-6).sum().item()}; after the evaluation: {(after_eval.norm(dim=1) > 2.0 + 1e-6).sum().item()}‖训练后长度超过 max_norm = 2 的行数：{(before_eval.norm(dim=1) > 2.0 + 1e-6).sum().item()}；评估后：{(after_eval.norm(dim=1) > 2.0 + 1e-6).sum().item()}⟧")
print(f"⟦rows of the table changed by evaluating (model.eval(), torch.no_grad()): {changed.sum().item()} of {len(vocab)}‖评估（model.eval()、torch.no_grad()）改变了嵌入表 {len(vocab)} 行中的 {changed.sum().item()} 行⟧")
'''),
    md(en=r"""
This is the most useful lesson about `max_norm`: a forward pass is not read-only. `model.eval()` only
changes modules that look at `self.training` (dropout, batch norm); `torch.no_grad()` only stops
recording. So the "evaluation" rescaled every row it looked up — and since it looked up every
character, the claim "every looked-up row has norm ≤ `max_norm`" is true *now* only because we
evaluated.

#### Question 4 (4 points): evaluation with side effects

Explain why the evaluation above changed the weights although it ran under `model.eval()` and
`torch.no_grad()`. Give two concrete ways this can bite you (think of checkpoints, comparing two
evaluations, a table shared with another model), and propose a fix that makes evaluation side-effect
free without changing what the model learns.
""", zh=r"""
这是关于 `max_norm` 最有用的一课：前向传播并不是只读的。`model.eval()` 只改变那些会查看 `self.training` 的模块（dropout、批归一化）；`torch.no_grad()` 只是停止记录。所以这次“评估”把它查到的每一行都重新缩放了——而它查到了每一个字符，所以“每个被查到的行的范数都 ≤ `max_norm`”这句话**现在**成立，只是因为我们做了评估。

#### 问题 4（4 分）：有副作用的评估

解释为什么上面的评估在 `model.eval()` 和 `torch.no_grad()` 下仍然改变了权重。举出两个具体的情形说明这会怎样坑你（想想检查点、比较两次评估、与另一个模型共享的嵌入表），并提出一种修正方法，让评估没有副作用，同时不改变模型学到的东西。
"""),
    answer("q_max_norm_eval", 4, model={
        "en": r"""
The renorm is part of the forward: before every lookup it rescales the looked-up rows in place. Neither
switch turns it off: `eval()` only flips `self.training`, which `nn.Embedding` does not read, and
`no_grad()` only stops autograd from recording. Ways it bites: a checkpoint saved after evaluation differs
from the one saved before; evaluating on the validation set changes the rows of characters that training
had not rescaled yet, so a second evaluation or a resumed training sees different weights than the first;
a table shared with another model (tied, or `from_pretrained` storage) changes under the other model;
results depend on the order of evaluations. Fix: apply the cap as a projection right after each optimiser
step to *all* rows (`with torch.no_grad(): torch.embedding_renorm_(w, torch.arange(V), max_norm, p)` or
your own renorm) and run without `max_norm` in the module — then every row always satisfies the cap and a
forward changes nothing; or evaluate a deep copy of the model.
""", "zh": r"""
重新缩放是前向传播的一部分：每次查表之前，它都原地缩放被查到的行。这两个开关都关不掉它：`eval()` 只翻转 `self.training`，而 `nn.Embedding` 不读它；`no_grad()` 只是让自动求导停止记录。会怎样坑你：评估之后保存的检查点与评估之前的不同；在验证集上评估会改变训练中还没被缩放过的字符的行，所以第二次评估、或者接着训练时，看到的权重与第一次不同；与另一个模型共享的嵌入表（权重共享，或 `from_pretrained` 的共享存储）会在另一个模型底下改变；结果取决于评估的顺序。修正：在每一步优化之后，对**所有**行做一次投影（`with torch.no_grad(): torch.embedding_renorm_(w, torch.arange(V), max_norm, p)`，或用你自己的重新缩放），模块里不再设 `max_norm`——这样每一行始终满足上限，前向传播什么也不改；或者对模型的深拷贝做评估。
"""}, rubric={
        "en": r"""
- 1 point: the renorm runs inside every forward, in place; `eval()` does not affect it (only `self.training` users) and `no_grad()` only stops recording.
- 2 points: two concrete consequences (checkpoint differs, non-reproducible / order-dependent evaluations, shared or tied tables change, validation data leaks into the weights); one point each.
- 1 point: a fix that keeps the learned model — project all rows after each step and drop `max_norm` from the forward, or evaluate a copy.
""", "zh": r"""
- 1 分：重新缩放在每次前向传播中原地执行；`eval()` 不影响它（只影响读取 `self.training` 的模块），`no_grad()` 只停止记录。
- 2 分：两个具体后果（检查点不同、评估不可复现或依赖顺序、共享或权重共享的表被改变、验证数据渗入权重），每个 1 分。
- 1 分：一种不改变所学模型的修正——每步之后投影所有行并从前向传播中去掉 `max_norm`，或对副本做评估。
"""}),
    md(en=r"""
### What happened to the table

Three kinds of rows, each explained by a part of this notebook:

- **the padding row** is exactly zero: `padding_idx` kept its gradient at zero (Part 2), so Adam never
  moved it from its zero initialisation;
- **the rows looked up** have norm at most `max_norm` = 2 (Part 3) — now, after the evaluation pass;
- **the line end `\n`** is a target, but never part of a context — every line starts afresh from
  padding. So its row was never looked up: no gradient, and no renorm either, since `max_norm` acts
  only on looked-up rows. It is still exactly its random initial vector, and may be longer than
  `max_norm`.
""", zh=r"""
### 嵌入表发生了什么变化

表中有三类行，每一类都可以用本 notebook 的某个部分来解释：

- **填充行**恰好为零：`padding_idx` 让它的梯度始终为零（第 2 部分），所以 Adam 从未让它离开初始化时的零值；
- **被查到的行**范数不超过 `max_norm` = 2（第 3 部分）——这是在做了评估之后的现在；
- **行尾符 `\n`** 是预测目标，但从不出现在上下文中——每一行都从填充重新开始。所以它那一行从未被查到：既没有梯度，也没有被重新缩放，因为 `max_norm` 只作用于被查到的行。它仍然恰好是最初随机生成的那个向量，长度可能超过 `max_norm`。
"""),
    code(r'''
W_final = model.emb.weight.detach()                     # (V, D)
torch.manual_seed(1234)
W_init = torch.randn(len(vocab), W_final.shape[1])      # what reset_parameters drew for this seed
NL = stoi["\n"]
used = torch.zeros(len(vocab), dtype=torch.bool)
used[X.unique()] = True                                 # rows that appear in some context
norms = W_final.norm(dim=1)
print("⟦padding row exactly zero:‖填充行恰好为零：⟧", bool((W_final[PAD] == 0).all()))
print(f"⟦largest norm of a looked-up row: {norms[used].max().item():.6f} (max_norm = 2)‖被查到的行的最大范数：{norms[used].max().item():.6f}（max_norm = 2）⟧")
print(f"⟦'\\n' looked up: {used[NL].item()} | its norm {norms[NL].item():.4f} | still its initial vector: {torch.equal(W_final[NL], W_init[NL])}‖'\\n' 被查到过：{used[NL].item()} | 它的范数 {norms[NL].item():.4f} | 仍是初始向量：{torch.equal(W_final[NL], W_init[NL])}⟧")

order = torch.argsort(torch.bincount(X.reshape(-1), minlength=len(vocab)), descending=True)
colours = ["tab:gray" if i == PAD else "tab:orange" if i == NL else "tab:blue" for i in order.tolist()]
labels = [{"<pad>": "⟦pad‖填充⟧", "\n": "\\n", " ": "␣"}.get(vocab[i], vocab[i]) for i in order.tolist()]
fig, ax = plt.subplots(figsize=(12, 4))
ax.bar(range(len(vocab)), norms[order], color=colours)
pad_at = order.tolist().index(PAD)
ax.plot([pad_at], [0.04], marker="v", color="tab:gray", markersize=9)          # the zero-height padding bar
ax.annotate("⟦padding row: norm 0‖填充行：范数为 0⟧", (pad_at, 0.1), xytext=(pad_at + 2, 0.9),
            arrowprops=dict(arrowstyle="->", color="tab:gray"), fontsize=9)
ax.axhline(2.0, color="tab:red", linestyle="--", label="max_norm")
ax.set_xticks(range(len(vocab)))
ax.set_xticklabels(labels, fontsize=8)
ax.set(ylabel="⟦row norm after training‖训练后的行范数⟧", title="⟦rows of the table, most frequent in contexts first‖嵌入表的各行，按在上下文中出现的频率从高到低排列⟧",
       ylim=(0, max(3.4, norms.max().item() * 1.15)))
ax.legend(loc="upper right")
plt.tight_layout()
plt.show()
'''),
    md(en=r"""
### What the table learned, in two dimensions

Each character's row is a point in D = 12 dimensions. Projecting the rows onto their two principal
directions (PCA) shows which characters the model treats alike: often the vowels gather, as do the
capitals and the punctuation. (A projection loses most of the 12 dimensions: read it as a hint, not a
proof.)
""", zh=r"""
### 嵌入表学到了什么（二维图示）

每个字符的那一行都是 D = 12 维空间中的一个点。把这些行投影到它们的两个主方向上（主成分分析，PCA），就能看出模型把哪些字符当作相似的：元音往往聚在一起，大写字母和标点也是如此。（投影丢掉了 12 维中的大部分信息：把它当作线索，而不是证明。）
"""),
    code(r'''
rows = [i for i in range(len(vocab)) if i not in (PAD, NL)]
P = W_final[rows] - W_final[rows].mean(dim=0)            # centred rows (V', D)
_, _, Vt = torch.linalg.svd(P, full_matrices=False)
xy = P @ Vt[:2].T                                        # (V', 2): the two principal directions
kind = ["⟦vowel‖元音⟧" if vocab[i].lower() in "aeiou" else "⟦capital‖大写字母⟧" if vocab[i].isupper() else
        "⟦letter‖字母⟧" if vocab[i].isalpha() else "⟦other‖其他⟧" for i in rows]
fig, ax = plt.subplots(figsize=(7, 6))
for name, colour in [("⟦vowel‖元音⟧", "tab:red"), ("⟦letter‖字母⟧", "tab:blue"), ("⟦capital‖大写字母⟧", "tab:green"), ("⟦other‖其他⟧", "tab:gray")]:
    pick = [j for j, k in enumerate(kind) if k == name]
    ax.scatter(xy[pick, 0], xy[pick, 1], color=colour, label=name, s=20)
for j, i in enumerate(rows):
    ax.annotate({" ": "␣"}.get(vocab[i], vocab[i]), xy[j].tolist(), fontsize=10, xytext=(3, 3), textcoords="offset points")
ax.set(title="⟦character embeddings after training (PCA to 2-D)‖训练后的字符嵌入（PCA 投影到二维）⟧", xlabel="⟦1st principal direction‖第一主方向⟧",
       ylabel="⟦2nd principal direction‖第二主方向⟧")
ax.legend(loc="best", fontsize=8)
plt.tight_layout()
plt.show()
'''),
    md(en=r"""
### Nearest neighbours

Closer than a picture: for a few characters, the three whose rows point most nearly the same way
(cosine similarity, the cosine of the angle between two rows; a row's length says little here, and
`max_norm` caps it anyway).
""", zh=r"""
### 最近邻

比图更直接：对几个字符，找出与它的行方向最接近的三个字符（余弦相似度，即两行夹角的余弦；这里行的长度说明不了什么，况且 `max_norm` 还给它设了上限）。
"""),
    code(r'''
unit = W_final[rows] / W_final[rows].norm(dim=1, keepdim=True)   # (V', D): each row at length 1
cos = unit @ unit.T                                              # (V', V') cosine similarities
cos.fill_diagonal_(-2.0)                                         # a character is not its own neighbour
show = lambda i: {" ": "␣"}.get(vocab[i], vocab[i])
print("⟦character -> its three nearest (cosine similarity)‖字符 -> 最近的三个（余弦相似度）⟧")
for ch in ["a", "e", "o", "t", "s", "T", ",", " "]:
    best = cos[rows.index(stoi[ch])].topk(3)
    print(f"  {show(stoi[ch])}  ->  " + "   ".join(f"{show(rows[k])} {v:+.2f}" for v, k in zip(best.values.tolist(), best.indices.tolist())))
'''),
    md(en=r"""
**Why are those close?** The model only sees a character as context for the next one, so two rows
end up alike when the two characters predict alike: what tends to follow them, not how they look.
Which pairs in the table make sense that way, and which look like noise from 300 steps on a few
thousand characters?
""", zh=r"""
**它们为什么接近？** 模型只把字符当作预测下一个字符的上下文来看，所以两个字符的行变得相似，是因为它们的预测作用相似：看的是后面常跟什么，而不是长得像不像。表中哪些配对能这样解释？哪些看起来只是在几千个字符上训练 300 步留下的噪声？
"""),
    predict(),
    md(en=r"""
Then the model writes a few lines. With three characters of context and 300 steps, it spells
sonnet-like fragments, not sonnets.
""", zh=r"""
然后让模型写几行诗。只有三个字符的上下文、训练 300 步，它能拼出一些有十四行诗味道的片段，但还写不出十四行诗。
"""),
    code(r'''
gen = torch.Generator().manual_seed(7)
context, lines, line = [PAD] * BLOCK, [], ""
with torch.no_grad():
    while len(lines) < 4:
        probs = F.softmax(model(torch.tensor([context])), dim=-1)[0]  # (V,)
        probs[PAD] = 0                                                # never write padding
        ix = torch.multinomial(probs, 1, generator=gen).item()
        if vocab[ix] == "\n" or len(line) > 60:
            lines.append(line)
            context, line = [PAD] * BLOCK, ""
        else:
            line += vocab[ix]
            context = context[1:] + [ix]
print("⟦The model writes:‖模型写道：⟧")
print("\n".join(f"  「{line}」" for line in lines))
'''),
    md(en=r"""
### Two experiments (ungraded)

1. **Without `max_norm`.** Train the same model with `max_norm=None`. Predict first: do the training
   and the validation loss go up or down, and what happens to the rows' norms?
2. **`scale_grad_by_freq` under SGD and under Adam.** Train with and without it, once with plain SGD
   and once with Adam. Under SGD it changes the result visibly; under Adam hardly at all. Why does Adam
   nearly cancel it? (What does Adam divide each parameter's step by, and what happens to that when a
   row's gradient is divided by its count in every batch?)

The cell runs both with `nn.Embedding` (about ten seconds); change it and run your own.
""", zh=r"""
### 两个实验（不计分）

1. **去掉 `max_norm`。** 用 `max_norm=None` 训练同一个模型。先预测：训练损失和验证损失会上升还是下降？各行的范数会怎样？
2. **SGD 与 Adam 下的 `scale_grad_by_freq`。** 分别用普通的 SGD 和 Adam，在开启和不开启它的情况下训练。在 SGD 下它明显改变结果；在 Adam 下几乎没有影响。为什么 Adam 几乎抵消了它？（Adam 把每个参数的步长除以什么？当一行的梯度在每一批中都除以它出现的次数时，这个量会怎样？）

下面的单元格用 `nn.Embedding` 运行这两个实验（大约十秒）；你可以修改它，运行你自己的实验。
"""),
    code(r'''
def losses_of(model):
    """⟦(training loss, validation loss) of a trained model.‖训练好的模型的（训练损失，验证损失）。⟧"""
    with torch.no_grad():
        return F.cross_entropy(model(X), Y).item(), F.cross_entropy(model(X_val), Y_val).item()


runs = {"max_norm=2": dict(), "max_norm=None": dict(options={"max_norm": None})}
for name in ("SGD", "Adam"):
    for sgbf in (False, True):
        runs[f"{name}, scale_grad_by_freq={sgbf}"] = dict(options={"scale_grad_by_freq": sgbf},
                                                            optimizer=torch.optim.SGD if name == "SGD" else torch.optim.Adam,
                                                            lr=0.2 if name == "SGD" else 1e-2)
print(f"{'':<38}{'⟦training‖训练⟧':>10}{'⟦validation‖验证⟧':>12}{'⟦largest row norm‖最大行范数⟧':>18}")
for label, run in runs.items():
    options = run.pop("options", {})
    model_x, _ = train(lambda: CharMLP(nn.Embedding, len(vocab), **options), **run)
    tr, va = losses_of(model_x)
    print(f"{label:<38}{tr:>10.4f}{va:>12.4f}{model_x.emb.weight.detach().norm(dim=1).max().item():>18.2f}")
'''),
    predict(),
]
