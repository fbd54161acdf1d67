"""Part 2 · `embedding_backward` (25 points): the gradient, `padding_idx` and `scale_grad_by_freq`.
What padding is for, where the gradient is not updated (the lecture's open question), the gradient
row by row, the task, its solution cell (_normalise_padding_idx, embedding_backward) and graded cell
(the visible checks), the gradient check students write (a required, ungraded step: numerical_gradient,
checked by the cell after it), why skip rather than zero afterwards, Question 2, and the gradient of
a padded batch as a picture.
"""
from authoring.cells import md, code, solution, graded, answer, step, predict


# Prose inside this chapter's code, per language: the stubs' docstrings, standing in the cells as
# @@key@@. Written as they appear (first line, blank line, body); build.py indents them to their `def`.
TEXT = {
    "en": {
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
    },
    "zh": {
        "doc_normalise_padding_idx": (
            "padding_idx None | [-V, V) 内的 int  ->  None | [0, V) 内的 int；负值从末尾倒数。\n"
            "\n"
            "num_embeddings 即 V。超出 [-V, V) 时，与 PyTorch 一样抛出\n"
            "AssertionError(\"Padding_idx must be within num_embeddings\")。\n"
        ),
        "doc_embedding_backward": (
            "嵌入表的稠密梯度：第 k 行是所有 indices == k 的位置上 grad_output 之和。\n"
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
    },
}

CELLS = [
    md(en=r"""
---
## Part 2 · `embedding_backward`: the gradient, `padding_idx` and `scale_grad_by_freq` (25 points, ≈ 1 h)

### What padding is for

Sentences have different lengths, but a batch is one rectangular `(B, T)` tensor. So the short
sequences are filled up to length T with a reserved id, the *padding* id. Those filler positions are
not data. The model is meant to ignore them (by masking its loss or its attention), but the embedding
layer still looks them up: its `(B, T, D)` output has a vector at every padding position, too.
""", zh=r"""
---
## 第 2 部分 · `embedding_backward`：梯度、`padding_idx` 与 `scale_grad_by_freq`（25 分，约 1 小时）

### 填充是做什么用的

句子有长有短，但一批数据是一个规整的 `(B, T)` 矩形张量。所以较短的序列要用一个保留的 id——**填充**（padding）id——补齐到长度 T。这些补位的位置并不是数据。模型本应忽略它们（通过对损失或注意力做掩码），但嵌入层照样会去查它们：它输出的 `(B, T, D)` 张量在每个填充位置上也有一个向量。
"""),
    code(r'''
words = ["embedding", "row", "a", "lookup"]
PAD = 0                                                      # id 0 is reserved for padding
stoi = {c: i + 1 for i, c in enumerate(sorted(set("".join(words))))}
T = max(len(w) for w in words)
batch = torch.tensor([[stoi[c] for c in w] + [PAD] * (T - len(w)) for w in words])   # (B, T)
V = len(stoi) + 1
print(f"B={batch.shape[0]}, T={T}, V={V}; ⟦{(batch == PAD).sum().item()} of {batch.numel()} positions are padding‖{batch.numel()} 个位置中有 {(batch == PAD).sum().item()} 个是填充⟧")

fig, ax = plt.subplots(figsize=(8, 2.6))
ax.imshow((batch == PAD).float(), cmap="Greys", vmin=0, vmax=2.5, aspect="auto")
itos = {i: c for c, i in stoi.items()}
for (b, t), k in zip(torch.cartesian_prod(torch.arange(batch.shape[0]), torch.arange(T)).tolist(), batch.reshape(-1).tolist()):
    ax.text(t, b, f"{itos[k]}\n{k}" if k != PAD else f"⟦pad‖填充⟧\n{k}", ha="center", va="center", fontsize=8)
ax.set_yticks(range(len(words)))
ax.set_yticklabels([f"⟦sequence {b}‖序列 {b}⟧" for b in range(len(words))])
ax.set_xticks(range(T))
ax.set(xlabel="⟦position t‖位置 t⟧", title="⟦a padded batch (B, T): character and id; grey = padding id 0‖一批填充后的数据 (B, T)：字符和 id；灰色 = 填充 id 0⟧")
plt.tight_layout()
plt.show()
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

**Predict first.** The cell below sends a gradient of 1 from *every* output position, padding
included. What will row k of `weight.grad` hold — and the padding row?
""", zh=r"""
### 梯度在哪里不更新，又为什么不更新（讲义留下的问题）

讲义在讲 `padding_idx` 时写道：**“这个参数的作用是指定某个位置的梯度不进行更新，但是为什么不进行更新，以及在哪个位置不进行更新我还没搞明白……”** 下面就来回答。

**在哪里。** 只有一处：嵌入表梯度的第 `padding_idx` 行，即 `weight.grad[padding_idx]`，从这次查表中得不到任何梯度——无论填充 id 出现多少次、填充位置上传回来的是什么梯度，这一行都恰好为零。其他一切照旧：其余各行得到通常的梯度，前向传播不变，梯度也照常流经上面的各层。梯度为零时，优化器的一步更新（SGD、Adam）不会改变这一行——除非优化器也会改动没有梯度的行，比如权重衰减（weight decay）。

**为什么。** 填充向量的含义是“这里什么都没有”。如果它参与学习，它就会从模型碰巧传给补位位置的任何梯度中学习（比如一个没做掩码的平均值，或者一个 bug），于是填充就有了含义：一个句子的表示会取决于它在这批数据里被补了多少填充。如果让它保持不变——从初始化起就是零——填充就是一个模型无法利用的常量，而且在按位置求和时（比如词袋模型）它不贡献任何东西。

**先预测。** 下面的单元格让**每一个**输出位置（包括填充位置）都传回梯度 1。`weight.grad` 的第 k 行会是什么？填充行呢？
"""),
    predict(),
    code(r'''
torch.manual_seed(0)
emb = nn.Embedding(V, 4, padding_idx=PAD)
out = emb(batch)                                  # (B, T, D)
out.backward(torch.ones_like(out))                # gradient 1 from every position, padding included
counts = torch.bincount(batch.reshape(-1), minlength=V)
for k in [PAD, stoi["o"], stoi["e"], stoi["a"]]:
    print(f"⟦row {k:2d}: occurs ×{counts[k].item():<2d}‖第 {k:2d} 行：出现 {counts[k].item():<2d} 次⟧  weight.grad[{k}] = {emb.weight.grad[k].tolist()}")
'''),
    md(en=r"""
**`padding_idx` does not make the output zero.** The forward pass returns the padding row as it is;
`nn.Embedding` only *initialises* it to zero. The lecture's second example changes that row to ones,
and `from_pretrained` keeps whatever row you give it: the lookup returns it, while its gradient stays
zero.

**It acts on this lookup only.** If the same table is used elsewhere — e.g. as the output layer too
("tied" embeddings, as GPT-2 and nanoGPT do) — the padding row still receives the gradient from those
other uses.
""", zh=r"""
**`padding_idx` 并不会让输出变成零。** 前向传播原样返回填充行；`nn.Embedding` 只是把它**初始化**为零。讲义的第二个例子把这一行改成了全 1，而 `from_pretrained` 会保留你传入的任何行：查表会返回它，而它的梯度始终为零。

**它只作用于这一次查表。** 如果同一张表还用在别处——例如同时用作输出层（“权重共享”，GPT-2 和 nanoGPT 都这样做）——填充行仍然会从那些用途中得到梯度。
"""),
    code(r'''
table = torch.arange(12.0).reshape(4, 3)          # (V, D); row 0 is NOT zero
emb = nn.Embedding.from_pretrained(table, freeze=False, padding_idx=0)
out = emb(torch.tensor([0, 2]))
print("⟦forward returns the padding row as it is‖前向传播原样返回填充行⟧:", out[0].tolist())
out.sum().backward()
print("⟦its gradient is still zero‖它的梯度仍然为零⟧:", emb.weight.grad[0].tolist(), "| ⟦row 2‖第 2 行⟧:", emb.weight.grad[2].tolist())

torch.manual_seed(0)
emb = nn.Embedding(6, 4, padding_idx=0)
h = emb(torch.tensor([[3, 1, 0, 0]]))             # (B, T, D)
logits = h @ emb.weight.T                         # (B, T, V): the same table as the output layer
logits.logsumexp(-1).sum().backward()
print("⟦tied weights: weight.grad[0] =‖权重共享：weight.grad[0] =⟧", [round(v, 3) for v in emb.weight.grad[0].tolist()],
      "⟦(from the output layer)‖（来自输出层）⟧")
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

The picture is Part 1's forward picture transposed: the one-hot matrix, turned on its side, gathers
the gradients of the positions into the rows they looked up; the padding row (grey) gathers nothing.
Position $i$ sends gradient $i$; id 1 occurs three times, id 0 is padding.
""", zh=r"""
### 逐行来看梯度

把所有位置展平，编号为 $i = 1 \dots N$。前向传播把行 $W[k]$ 复制到每个满足 $\text{idx}[i] = k$ 的位置 $i$，因此第 $k$ 行的梯度就是这些位置上输出梯度之和：

$$\text{grad\_W}[k] \;=\; \sum_{i\,:\;\text{idx}[i] = k} s_k \cdot \text{grad\_out}[i], \qquad k \ne \text{padding\_idx}, \qquad \text{grad\_W}[\text{padding\_idx}] = 0.$$

- 值为 `padding_idx` 的位置会被**跳过**——而不是先加进去再清零。（为什么这一点很重要，会在检查之后演示。）
- 通常 $s_k = 1$。当 `scale_grad_by_freq=True` 时，$s_k = 1/\text{count}_k$，其中 $\text{count}_k$ 是 $k$ 在**整个** `indices` 张量中出现的次数（这一批中所有序列合起来算，而不是逐个序列算）。这样一行的梯度就是各项贡献的**平均值**而不是总和，像 “the” 这样的高频词元得到的梯度就不会比罕见词元大上几百倍。

下图就是第 1 部分前向传播那张图的转置：把独热矩阵横过来，它就把各个位置的梯度收集到它们查过的那些行上；填充行（灰色）什么也收不到。位置 $i$ 传回的梯度为 $i$；id 1 出现了三次，id 0 是填充。
"""),
    code(r'''
idx = torch.tensor([[1, 1, 2],
                    [3, 1, 0]])                                     # (B, T) = (2, 3)
g = torch.arange(1.0, 7.0).reshape(2, 3, 1).repeat(1, 1, 2)         # grad_out (B, T, D=2): position i sends i
for sgbf in (False, True):
    W = torch.zeros(4, 2, requires_grad=True)
    F.embedding(idx, W, padding_idx=0, scale_grad_by_freq=sgbf).backward(g)
    print(f"scale_grad_by_freq={sgbf!s:<5}: ⟦gradient rows 0..3 (column 0)‖梯度第 0..3 行（第 0 列）⟧ = {[round(v, 4) for v in W.grad[:, 0].tolist()]}")
print("⟦row 1 = 1 + 2 + 5 = 8, or 8/3 scaled; row 0 would have got 6, but it is padding.‖第 1 行 = 1 + 2 + 5 = 8，缩放后为 8/3；第 0 行本该得到 6，但它是填充行。⟧")

flat, G = idx.reshape(-1), g.reshape(-1, 2)                         # (N,), (N, D)
H_T = F.one_hot(flat, 4).float().T                                  # (V, N): the forward's one-hot, transposed
fig, axes = plt.subplots(1, 3, figsize=(11, 3.4), gridspec_kw={"width_ratios": [6, 2, 2], "wspace": 0.5})
grad_W = H_T @ G
grad_W[0] = 0                                                       # what padding_idx=0 gives
for ax, (m, title) in zip(axes, [(H_T, "⟦one_hotᵀ  (V, N)‖独热矩阵的转置  (V, N)⟧"), (G, "⟦grad_out  (N, D)‖输出梯度  (N, D)⟧"),
                                (grad_W, "⟦grad_W  (V, D)‖嵌入表的梯度  (V, D)⟧")]):
    ax.imshow(m, cmap="Blues", vmin=0, vmax=max(m.max().item(), 1))
    ax.set_title(title, fontsize=10)
    ax.set_xticks(range(m.shape[1]))
    ax.set_yticks(range(m.shape[0]))
    for (r, c), v in zip(torch.cartesian_prod(torch.arange(m.shape[0]), torch.arange(m.shape[1])).tolist(), m.reshape(-1).tolist()):
        ax.text(c, r, f"{v:g}", ha="center", va="center", fontsize=8)
for ax in (axes[0], axes[2]):                                       # the padding row, greyed
    ax.add_patch(plt.Rectangle((-0.5, -0.5), ax.get_xlim()[1] + 0.5, 1, color="grey", alpha=0.5))
    ax.set_yticklabels([f"⟦row {k}‖第 {k} 行⟧" + (" ⟦(pad)‖（填充）⟧" if k == 0 else "") for k in range(4)])
axes[0].set_xticklabels([f"i={i}\nid {k}" for i, k in enumerate(flat.tolist(), 1)], fontsize=8)
axes[0].set_xlabel("⟦position‖位置⟧")
axes[1].set_yticklabels([f"i={i}" for i in range(1, len(flat) + 1)])
plt.show()
'''),
    md(en=r"""
### Your task

Implement `embedding_backward(grad_output, indices, num_embeddings, padding_idx=None,
scale_grad_by_freq=False)` as its docstring specifies, and its helper `_normalise_padding_idx` (Part 4's
module needs it too): `None` stays `None`, a value in `[-V, V)` becomes the row it names, anything else
raises `AssertionError("Padding_idx must be within num_embeddings")`. The result is `(V, D)`, dense, in
`grad_output`'s dtype and on its device; invalid ids raise as in Part 1. Do not call autograd here:
this function *is* the backward. No Python loop over positions.

<details><summary>Hint 1 — shapes first</summary>

Whatever the shape of `indices` — `(B, T)`, 0-d, empty — you can bring the ids to `(N,)` and the
gradients to `(N, D)`. Where does D come from when `indices` is empty?
</details>

<details><summary>Hint 2 — the sum per row</summary>

Question 1 answered it: row k is a sum over the positions holding k. Which PyTorch operation adds many
rows into a table *at given row numbers*, accumulating repeats? (Assignment `out[ids] = grads` keeps
only one of the repeated ids — why?) For `scale_grad_by_freq`: which function counts how often each
value occurs, over the whole tensor?
</details>

<details><summary>Hint 3 — padding and dtypes</summary>

`if padding_idx:` looks innocent: what does it do when `padding_idx` is 0? To skip positions, select
the ones you keep (a boolean mask); multiplying by zero is not skipping (what is 0 · NaN?). For float16
and bfloat16, accumulating in float32 and casting at the end is more accurate than PyTorch's CPU
kernel, and the grader accepts it.
</details>

<details><summary>Show the idea</summary>

Normalise `padding_idx`, check the ids, flatten; divide each position by its id's count if asked;
drop the padding positions; add the remaining rows into a zero `(V, D)` table at their ids in one
vectorised call; return it in `grad_output`'s dtype.
</details>
""", zh=r"""
### 你的任务

按文档字符串的规定实现 `embedding_backward(grad_output, indices, num_embeddings, padding_idx=None, scale_grad_by_freq=False)`，以及它的辅助函数 `_normalise_padding_idx`（第 4 部分的模块也要用）：`None` 仍为 `None`，`[-V, V)` 内的值变成它所指的那一行，其他值一律抛出 `AssertionError("Padding_idx must be within num_embeddings")`。结果是 `(V, D)` 的稠密张量，dtype 和设备都与 `grad_output` 相同；无效的 id 和第 1 部分一样要抛出异常。这里不要调用自动求导：这个函数**本身**就是反向传播。不要对位置写 Python 循环。

<details><summary>提示 1——先看形状</summary>

无论 `indices` 是什么形状——`(B, T)`、0 维还是空张量——都可以把 id 变成 `(N,)`，把梯度变成 `(N, D)`。`indices` 为空时，D 从哪里来？
</details>

<details><summary>提示 2——按行求和</summary>

问题 1 已经回答了：第 k 行是所有取值为 k 的位置之和。PyTorch 中哪个操作能把许多行**按给定的行号**加进一张表里，并且把重复的行号累加起来？（赋值 `out[ids] = grads` 对重复的 id 只保留一个——为什么？）对于 `scale_grad_by_freq`：哪个函数能统计每个值在整个张量中出现的次数？
</details>

<details><summary>提示 3——填充与 dtype</summary>

`if padding_idx:` 看起来没问题：`padding_idx` 为 0 时它会怎样？要跳过某些位置，就选出要保留的那些（布尔掩码）；乘以零不是跳过（0 · NaN 等于多少？）。对于 float16 和 bfloat16，先在 float32 下累加、最后再转换回去，比 PyTorch 的 CPU 内核更精确，评分程序接受这种结果。
</details>

<details><summary>查看思路</summary>

规范化 `padding_idx`，检查 id，展平；如果要求，就把每个位置除以其 id 出现的次数；去掉填充位置；用一次向量化调用把剩下的行按 id 加进一张全零的 `(V, D)` 表；以 `grad_output` 的 dtype 返回。
</details>
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
    grad = grad_output.reshape(idx.numel(), D)   # (N, D); not -1: with D = 0 that is ambiguous
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
start("embedding_backward")


def torch_grad(g, idx, V, padding_idx=None, scale_grad_by_freq=False):
    """⟦The gradient PyTorch's embedding gives a (V, D) table when its output receives g.‖输出收到梯度 g 时，PyTorch 的嵌入给 (V, D) 表的梯度。⟧"""
    W = torch.zeros(V, g.shape[-1], dtype=g.dtype, requires_grad=True)
    F.embedding(idx, W, padding_idx=padding_idx, scale_grad_by_freq=scale_grad_by_freq).backward(g)
    return W.grad


torch.manual_seed(2)
idx = torch.randint(0, 10, (4, 25))                      # (B, T), many repeated ids
g = torch.randn(4, 25, 3, dtype=torch.float64)           # grad_output (B, T, D)
check("⟦sums repeated ids, float64‖对重复的 id 求和，float64⟧", lambda: embedding_backward(g, idx, 10), torch_grad(g, idx, 10), exact=False, atol=1e-12, key="sums_repeated_rows")
check("float32", lambda: embedding_backward(g.float(), idx, 10), torch_grad(g.float(), idx, 10), exact=False, atol=1e-5, key="sums_repeated_rows")
check("⟦int32 ids‖int32 的 id⟧", lambda: embedding_backward(g, idx.int(), 10), torch_grad(g, idx, 10), exact=False, atol=1e-12, key="any_index_shape")
check("padding_idx=3", lambda: embedding_backward(g, idx, 10, padding_idx=3), torch_grad(g, idx, 10, 3), exact=False, atol=1e-12, key="padding_row_is_zero_when_hit")
check("⟦padding_idx=3: row 3 is exactly 0‖padding_idx=3：第 3 行恰好为 0⟧", lambda: embedding_backward(g, idx, 10, padding_idx=3)[3],
      torch.zeros(3, dtype=torch.float64), key="padding_row_is_zero_when_hit:row")
check("⟦padding_idx=-2 means row 8‖padding_idx=-2 指第 8 行⟧", lambda: embedding_backward(g, idx, 10, padding_idx=-2),
      torch_grad(g, idx, 10, -2), exact=False, atol=1e-12, key="negative_padding_idx_counts_from_the_end")
absent = idx.clamp(max=8)                                # row 9 never occurs
check("⟦padding_idx=9 absent: same as no padding‖padding_idx=9 未出现：与不填充相同⟧", lambda: embedding_backward(g, absent, 10, padding_idx=9),
      torch_grad(g, absent, 10), exact=False, atol=1e-12, key="padding_idx_never_hit")
check("scale_grad_by_freq", lambda: embedding_backward(g, idx, 10, scale_grad_by_freq=True),
      torch_grad(g, idx, 10, scale_grad_by_freq=True), exact=False, atol=1e-12, key="scale_grad_by_freq")
check("scale_grad_by_freq + padding_idx=0", lambda: embedding_backward(g, idx, 10, 0, True),
      torch_grad(g, idx, 10, 0, True), exact=False, atol=1e-12, key="padding_idx_zero")
g0 = torch.randn(3, dtype=torch.float64)
check("⟦0-d id, grad (D,)‖0 维 id，梯度 (D,)⟧", lambda: embedding_backward(g0, torch.tensor(4), 10), torch_grad(g0, torch.tensor(4), 10), key="any_index_shape")
empty = torch.zeros(0, dtype=torch.long)
check("⟦empty ids -> zeros (V, D)‖空的 id -> 全零 (V, D)⟧", lambda: embedding_backward(torch.zeros(0, 3), empty, 10), torch.zeros(10, 3), key="any_index_shape")
g_nan = g.clone()
g_nan[idx == 3] = float("nan")                           # NaN only where the padding id sits
check("⟦NaN at padding positions stays out‖填充位置上的 NaN 不会进来⟧", lambda: embedding_backward(g_nan, idx, 10, padding_idx=3),
      torch_grad(g_nan, idx, 10, 3), exact=False, atol=1e-12, key="padding_positions_are_skipped_not_zeroed")
check_raises("⟦padding_idx=10 (V=10) raises‖padding_idx=10（V=10）抛出异常⟧", lambda: embedding_backward(g, idx, 10, padding_idx=10),
             valid=lambda: embedding_backward(g, idx, 10, padding_idx=9), key="padding_idx_must_be_in_range")
check_raises("⟦padding_idx=-11 raises‖padding_idx=-11 抛出异常⟧", lambda: embedding_backward(g, idx, 10, padding_idx=-11),
             valid=lambda: embedding_backward(g, idx, 10, padding_idx=-10), key="padding_idx_must_be_in_range")
summary("embedding_backward")
'''),
    md(en=r"""
### A gradient check you write (required, not graded, ≈ 15 min)

The checks above compare your backward with PyTorch's. Without PyTorch to compare with, you would
check it against the *definition* of a derivative. For a scalar loss $L(W)$ and a small $h$, the
central difference

$$\frac{\partial L}{\partial W[k, j]} \;\approx\; \frac{L(W + h\,E_{kj}) - L(W - h\,E_{kj})}{2h}$$

($E_{kj}$ is 1 at $[k, j]$ and 0 elsewhere) has an error of order $h^2$; in float64 with $h = 10^{-6}$ it
agrees with the true derivative to about $10^{-9}$. Take $L(W) = \sum \text{one\_hot\_lookup}(\text{idx}, W)
\odot g$: its gradient with respect to the lookup's output is exactly $g$, so $\partial L / \partial W$ is
what `embedding_backward(g, idx, V)` must return.

Write `numerical_gradient(f, W, h)`: one central difference per entry of a small `(V, D)` table (a
Python loop over the entries is fine here: 15 of them), leaving `W` as it was. The cell after it
compares your `embedding_backward` with it, then runs `torch.autograd.gradcheck` — PyTorch's own
version of the same test — on a `torch.autograd.Function` whose forward is your `one_hot_lookup` and
whose backward is your `embedding_backward` (Part 4 builds the same Function into the module).
""", zh=r"""
### 你自己写的梯度检查（必做，不计分，约 15 分钟）

上面的检查把你的反向传播与 PyTorch 的相比较。如果没有 PyTorch 可比，你就要拿导数的**定义**来检验它。对于标量损失 $L(W)$ 和一个小的 $h$，中心差分

$$\frac{\partial L}{\partial W[k, j]} \;\approx\; \frac{L(W + h\,E_{kj}) - L(W - h\,E_{kj})}{2h}$$

（$E_{kj}$ 在 $[k, j]$ 处为 1，其余为 0）的误差是 $h^2$ 量级；在 float64 下取 $h = 10^{-6}$，它与真正的导数相差大约 $10^{-9}$。取 $L(W) = \sum \text{one\_hot\_lookup}(\text{idx}, W) \odot g$：它对查表输出的梯度恰好是 $g$，所以 $\partial L / \partial W$ 正是 `embedding_backward(g, idx, V)` 应该返回的结果。

请写出 `numerical_gradient(f, W, h)`：对一张小的 `(V, D)` 表的每个元素做一次中心差分（这里对元素写 Python 循环没有问题：一共 15 个），并让 `W` 保持原样。下一个单元格把你的 `embedding_backward` 与它比较，然后运行 `torch.autograd.gradcheck`——PyTorch 自己的同类检验——检验对象是一个 `torch.autograd.Function`，它的前向是你的 `one_hot_lookup`，反向是你的 `embedding_backward`（第 4 部分会把同样的 Function 装进模块）。
"""),
    step("numerical_gradient", r'''
import torch


def numerical_gradient(f, W, h=1e-6):
    """⟦The gradient of a scalar function f at W (V, D), by central differences.‖标量函数 f 在 W (V, D) 处的梯度，用中心差分计算。⟧

    ⟦Entry [k, j] is (f(W + h·E) - f(W - h·E)) / (2h), E being 1 at [k, j] and 0 elsewhere; f(W) returns a
    Python float. W (float64) is changed in place while measuring and left as it was.‖元素 [k, j] 为 (f(W + h·E) - f(W - h·E)) / (2h)，其中 E 在 [k, j] 处为 1、其余为 0；f(W) 返回
    Python 浮点数。测量时原地修改 W（float64），结束后让它保持原样。⟧
    """
    ### BEGIN SOLUTION
    grad = torch.zeros_like(W)
    with torch.no_grad():
        for k in range(W.shape[0]):
            for j in range(W.shape[1]):
                old = W[k, j].item()
                W[k, j] = old + h
                plus = f(W)
                W[k, j] = old - h
                minus = f(W)
                W[k, j] = old
                grad[k, j] = (plus - minus) / (2 * h)
    return grad
    ### END SOLUTION
'''),
    code(r'''
start("numerical_gradient")
torch.manual_seed(0)
V, D = 5, 3
idx = torch.tensor([[0, 2, 2], [4, 1, 0]])                  # (B, T); id 0 is padding below
g = torch.randn(2, 3, D, dtype=torch.float64)              # the gradient at the lookup's output (B, T, D)
W = torch.randn(V, D, dtype=torch.float64)
c = torch.randn(V, D, dtype=torch.float64)
loss = lambda w: (one_hot_lookup(idx, w) * g).sum().item()  # L(W): dL/d(output) is g


def rows_that_differ(a, b):
    """⟦The rows where two (V, D) gradients differ by more than 1e-6.‖两个 (V, D) 梯度相差超过 1e-6 的行。⟧"""
    return [k for k in range(a.shape[0]) if (a[k] - b[k]).abs().max().item() > 1e-6]


class Lookup(torch.autograd.Function):
    """⟦forward: your one_hot_lookup; backward: your embedding_backward (Part 4's Function, early).‖前向：你的 one_hot_lookup；反向：你的 embedding_backward（提前用上第 4 部分的 Function）。⟧"""

    @staticmethod
    def forward(ctx, w, padding_idx):
        ctx.padding_idx = padding_idx
        return one_hot_lookup(idx, w)

    @staticmethod
    def backward(ctx, grad_output):
        return embedding_backward(grad_output, idx, V, padding_idx=ctx.padding_idx), None


def gradcheck(padding_idx):
    w = W.clone().requires_grad_()
    return torch.autograd.gradcheck(lambda w: Lookup.apply(w, padding_idx), (w,), raise_exception=False)


check("⟦numerical_gradient of w ↦ sum(w·c) is c‖w ↦ sum(w·c) 的 numerical_gradient 是 c⟧",
      lambda: numerical_gradient(lambda w: (w * c).sum().item(), W.clone()), c, exact=False, atol=1e-6, key="linear")
def measured():
    w = W.clone()
    numerical_gradient(loss, w)
    return w


check("⟦numerical_gradient leaves W as it was‖numerical_gradient 让 W 保持原样⟧", measured, W, key="linear")
check("⟦embedding_backward(g, idx, V) ≈ numerical gradient of L‖embedding_backward(g, idx, V) ≈ L 的数值梯度⟧",
      lambda: embedding_backward(g, idx, V) - numerical_gradient(loss, W.clone()), torch.zeros(V, D, dtype=torch.float64),
      exact=False, atol=1e-6, key="backward")
check("⟦padding_idx=0: they differ in row 0 only‖padding_idx=0：二者只在第 0 行不同⟧",
      lambda: rows_that_differ(embedding_backward(g, idx, V, padding_idx=0), numerical_gradient(loss, W.clone())), [0],
      key="padding")
check("⟦gradcheck, no padding: passes‖gradcheck，不填充：通过⟧", lambda: gradcheck(None), True, key="backward")
check("⟦gradcheck, padding_idx=0: fails, as it must‖gradcheck，padding_idx=0：不通过，本该如此⟧", lambda: gradcheck(0), False,
      key="padding")
summary("numerical_gradient")
'''),
    md(en=r"""
**What a passing `padding_idx=0` would mean.** The forward does not depend on `padding_idx` at all, so
the true derivative gives row 0 its full gradient; your backward must throw exactly that row away. So
with padding the two *must* differ, in row 0 and nowhere else, and `gradcheck` *must* fail. Had the
`padding_idx=0` comparison passed — or `gradcheck` with `padding_idx=0` said "passes" — your backward
would be ignoring the padding row (`if padding_idx:` is the usual culprit). `scale_grad_by_freq=True`
fails `gradcheck` too, for the same reason; `nn.Embedding` fails it in exactly these two cases. A
backward is a design decision, not always a derivative.
""", zh=r"""
**`padding_idx=0` 的检查如果“通过”了，意味着什么。** 前向传播根本不依赖于 `padding_idx`，所以真正的导数会给第 0 行完整的梯度；而你的反向传播必须把这一行的梯度恰好丢掉。因此有填充时，二者**必须**不同，而且只在第 0 行不同，`gradcheck` 也**必须**不通过。如果 `padding_idx=0` 的比较通过了——或者 `gradcheck` 在 `padding_idx=0` 时说“通过”——说明你的反向传播忽略了填充行（通常是 `if padding_idx:` 惹的祸）。`scale_grad_by_freq=True` 同样通不过 `gradcheck`，原因相同；`nn.Embedding` 恰好也在这两种情况下通不过。反向传播是一种设计选择，并不总是导数。
"""),
    md(en=r"""
### Why skip, rather than add everything and zero the padding row afterwards

Padding positions carry no data, so their gradient should not matter. In practice it is sometimes not
finite, in two everyday ways:

- **Mixed precision.** Training in float16 multiplies the loss by a large scale (PyTorch's `GradScaler`
  starts at $2^{16}$) so that small gradients do not underflow; now and then one overflows to `inf`,
  and an overflow at a padding position is as likely as anywhere else.
- **A sequence that is all padding** (an empty line, an empty document in the batch): its attention
  mask hides every key, softmax over a row of $-\infty$ is NaN (the cell prints it), and that NaN flows
  back to every position of the sequence, all of them padding.

A backward that skips the padding positions keeps such a value out of every row of the table;
PyTorch's embedding never adds them. (Keeping padding out of the *loss* is another tool,
`ignore_index`, shown with the training below.)

**Predict first.** The batch below has NaN gradients at its padding positions. How many of the 8 rows
of the gradient will hold a NaN (a) when autograd differentiates your `one_hot_lookup`, (b) when the
padding row of that gradient is zeroed afterwards, (c) with your `embedding_backward`?

<details><summary>Why — open it after running the cell below</summary>

Autograd's backward of the product is $\text{one\_hot}^\top @ \text{grad\_out}$, which knows nothing of
padding, and $0 \cdot \text{NaN} = \text{NaN}$ puts the NaN into *every* row. Zeroing the padding row
afterwards does not help. This is why Part 4 wraps your two functions into a
`torch.autograd.Function`: forward = `one_hot_lookup`, backward = `embedding_backward` — autograd then
calls your backward instead of differentiating the product (which would also cost $O(N \cdot V \cdot D)$
again).

</details>
""", zh=r"""
### 为什么要跳过，而不是全部加起来之后再把填充行清零

填充位置不携带数据，所以它们的梯度本不应该有影响。但实际中它有时不是有限值，常见的有两种情形：

- **混合精度。** 用 float16 训练时，损失会乘上一个很大的系数（PyTorch 的 `GradScaler` 从 $2^{16}$ 开始），以免小梯度下溢；时不时就有梯度上溢成 `inf`，而上溢发生在填充位置的可能性和别处一样大。
- **整个序列都是填充**（这批数据里有一个空行、一篇空文档）：它的注意力掩码遮住了所有的键，对一整行 $-\infty$ 做 softmax 得到 NaN（单元格会打印出来），这个 NaN 再反向流回这个序列的每个位置，而它们全是填充。

跳过填充位置的反向传播，能让这样的值进不了嵌入表的任何一行；PyTorch 的嵌入层从不累加它们。（把填充挡在**损失**之外是另一个工具 `ignore_index`，在后面的训练部分演示。）

**先预测。** 下面这批数据在填充位置上的梯度是 NaN。梯度的 8 行中，有几行会含有 NaN：(a) 让自动求导对你的 `one_hot_lookup` 求导时；(b) 之后再把那份梯度的填充行清零时；(c) 用你的 `embedding_backward` 时？

<details><summary>为什么——运行下面的单元格之后再打开</summary>

自动求导对乘积的反向传播是 $\text{one\_hot}^\top @ \text{grad\_out}$，它对填充一无所知，而 $0 \cdot \text{NaN} = \text{NaN}$ 会把 NaN 带进**每一**行。事后把填充行清零也无济于事。这就是第 4 部分要把你的两个函数包装成一个 `torch.autograd.Function` 的原因：前向 = `one_hot_lookup`，反向 = `embedding_backward`——这样自动求导就会调用你写的反向传播，而不是对矩阵乘法求导（那样还会再花一次 $O(N \cdot V \cdot D)$ 的开销）。

</details>
"""),
    predict(),
    code(r'''
print("⟦softmax over a fully masked row‖对完全被掩码的一行做 softmax⟧:", torch.softmax(torch.full((3,), float("-inf")), dim=0).tolist())
torch.manual_seed(0)
idx = torch.tensor([[5, 2, 7, 0, 0],
                    [3, 3, 1, 4, 0]])                 # (B, T); 0 is padding
g = torch.randn(2, 5, 4)                             # grad_out (B, T, D)
g[idx == 0] = float("nan")

nan_rows = lambda grad: grad.isnan().any(dim=1).sum().item()
W2 = torch.randn(8, 4, requires_grad=True)
F.embedding(idx, W2, padding_idx=0).backward(g)
print("⟦PyTorch: rows with NaN:‖PyTorch：含 NaN 的行数：⟧", nan_rows(W2.grad), "/ 8")
with needs("one_hot_lookup"):
    W = torch.randn(8, 4, requires_grad=True)
    one_hot_lookup(idx, W).backward(g)               # autograd through the product: one_hot.T @ g
    print("⟦(a) autograd through one_hot_lookup: rows with NaN:‖(a) 对 one_hot_lookup 自动求导：含 NaN 的行数：⟧", nan_rows(W.grad), "/ 8")
    zeroed = W.grad.clone()
    zeroed[0] = 0
    print("⟦(b) ... then the padding row zeroed: rows with NaN:‖(b) ……再把填充行清零：含 NaN 的行数：⟧", nan_rows(zeroed), "/ 8")
with needs("embedding_backward"):
    mine = embedding_backward(g, idx, 8, padding_idx=0)
    print("⟦(c) embedding_backward(padding_idx=0): rows with NaN:‖(c) embedding_backward(padding_idx=0)：含 NaN 的行数：⟧", nan_rows(mine), "/ 8;",
          "⟦equal to PyTorch's‖与 PyTorch 的结果相等⟧:", torch.allclose(mine, W2.grad))
'''),
    md(en=r"""
#### Question 2 (4 points): skipping, and when the padding row moves anyway

(a) Explain why adding a padding position's gradient into the table and zeroing the padding row
afterwards is *not* the same as skipping the position, for the one-hot formulation and for masking by
multiplying with 0. (b) Name one realistic way a NaN or inf can reach a padding position's gradient.
(c) Name two ways the padding row of an `nn.Embedding(..., padding_idx=0)` can still change during
training.
""", zh=r"""
#### 问题 2（4 分）：跳过，以及填充行在什么情况下仍然会变

(a) 对于独热矩阵的写法，以及“乘以 0 来掩码”的写法，解释为什么把填充位置的梯度加进表里、事后再把填充行清零，**不**等于跳过这些位置。(b) 举出一种 NaN 或 inf 实际可能出现在填充位置梯度上的情形。(c) 举出两种情形：在训练中，`nn.Embedding(..., padding_idx=0)` 的填充行仍然会改变。
"""),
    answer("q_padding_skip", 4, model={
        "en": r"""
(a) In $\text{one\_hot}^\top @ G$ every row $k$ receives $\sum_i H[i,k]\,G[i]$, including the terms with
$H[i,k] = 0$ for the padding positions; $0 \cdot \text{NaN} = \text{NaN}$, so every row becomes NaN, and
zeroing one row afterwards repairs only that row. Multiplying $G$ by a 0/1 mask fails the same way.
Skipping never touches those numbers. (b) A softmax over an attention row that masks every key
(all $-\infty$), a log of 0 in a loss left unmasked at padding positions, or an overflow in float16.
(c) Weight decay (e.g. AdamW decays every row, gradient or not); the table used elsewhere, e.g. tied
to the output layer; writing to it directly (`from_pretrained`, loading a checkpoint); not max_norm
(a zero row is never longer than the cap).
""", "zh": r"""
(a) 在 $\text{one\_hot}^\top @ G$ 中，每一行 $k$ 得到 $\sum_i H[i,k]\,G[i]$，其中也包括填充位置上 $H[i,k] = 0$ 的那些项；$0 \cdot \text{NaN} = \text{NaN}$，所以每一行都变成 NaN，事后清零一行只修好了那一行。用 0/1 掩码去乘 $G$ 也是一样。跳过则根本不碰这些数。(b) 对一行所有键都被掩码的注意力做 softmax（全是 $-\infty$）；损失里的 log 0 在填充位置上没被掩码；float16 溢出。(c) 权重衰减（例如 AdamW 会衰减每一行，无论有没有梯度）；这张表还用在别处，例如与输出层共享权重；直接写入（`from_pretrained`、加载检查点）。max_norm 不会（零向量的长度永远不会超过上限）。
"""}, rubric={
        "en": r"""
- 2 points (a): 0 · NaN = NaN reaches every row in the product (or through the 0-mask); zeroing afterwards fixes one row only; skipping never multiplies.
- 1 point (b): any realistic source (fully masked softmax, log 0, float16 overflow, a bug in the loss mask).
- 1 point (c): two of weight decay, weight tying / another use of the table, direct writes; half a point for one.
""", "zh": r"""
- 2 分 (a)：0 · NaN = NaN 通过乘积（或 0 掩码）进入每一行；事后清零只修好一行；跳过则从不相乘。
- 1 分 (b)：任何一种实际的来源（完全被掩码的 softmax、log 0、float16 溢出、损失掩码的 bug）。
- 1 分 (c)：权重衰减、权重共享或表的其他用途、直接写入，答出两种；只答出一种给 0.5 分。
"""}),
    md(en=r"""
### The gradient of a padded batch, as a picture

Six sequences of lengths 10, 8, 7, 5, 3 and 2, padded with id 0 to T = 10, and a random gradient
arriving at *every* position, padding included. Left: the plain gradient — frequent ids get large
rows; the padding row (boxed) is exactly zero although 25 positions sent it a gradient. Right: with
`scale_grad_by_freq=True` each row is the mean of its contributions, so all rows are on one scale.
""", zh=r"""
### 一批填充数据的梯度图示

六个序列，长度分别为 10、8、7、5、3 和 2，用 id 0 填充到 T = 10，并且**每个**位置（包括填充位置）都收到一个随机梯度。左图：普通的梯度——高频 id 对应的行数值更大；填充行（加框）恰好为零，尽管有 25 个位置向它传回了梯度。右图：`scale_grad_by_freq=True` 时，每一行是其各项贡献的平均值，因此所有行都处在同一量级。
"""),
    code(r'''
torch.manual_seed(3)
V, D = 12, 8
lengths = [10, 8, 7, 5, 3, 2]
idx = torch.randint(1, V, (len(lengths), 10))        # (B, T)
for b, n in enumerate(lengths):
    idx[b, n:] = 0                                   # padding
g = torch.randn(len(lengths), 10, D)                 # gradient at every position, padding included
grads = [torch.zeros(V, D), torch.zeros(V, D)]       # yours, once embedding_backward is written
with needs("embedding_backward"):
    grads = [embedding_backward(g, idx, V, padding_idx=0),
             embedding_backward(g, idx, V, padding_idx=0, scale_grad_by_freq=True)]
counts = torch.bincount(idx.reshape(-1), minlength=V)

fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
for ax, grad, title in zip(axes, grads, ["⟦grad_weight (V, D)‖嵌入表的梯度 (V, D)⟧", "⟦grad_weight, scale_grad_by_freq=True‖嵌入表的梯度，scale_grad_by_freq=True⟧"]):
    lim = grad.abs().max().item()
    im = ax.imshow(grad, cmap="coolwarm", vmin=-lim, vmax=lim, aspect="auto")
    ax.add_patch(plt.Rectangle((-0.5, -0.5), D, 1, fill=False, edgecolor="black", linewidth=2.5))
    ax.set_yticks(range(V))
    ax.set_yticklabels([f"{k}{' ⟦(pad)‖（填充）⟧' if k == 0 else ''}  ×{counts[k].item()}" for k in range(V)])
    ax.set(title=title, xlabel="⟦embedding dimension‖嵌入维度⟧")
    fig.colorbar(im, ax=ax)
plt.tight_layout()
plt.show()
print("⟦padding positions:‖填充位置数：⟧", counts[0].item(), "| ⟦padding row of the gradient:‖梯度的填充行：⟧", grads[0][0].tolist())
'''),
]
