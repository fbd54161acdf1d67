"""Part 1 · `one_hot_lookup` (25 points): the lookup as a one-hot product. From (B, T) and (V, D) to
(B, T, D), a lookup as a matrix product, the pitfalls (what PyTorch does and what a naive version
gets wrong), the task, its solution cell (_check_indices, one_hot_lookup) and graded cell (the
visible checks), Question 1 (the backward of a lookup), inf/NaN/-0.0 through the product, and why
nn.Embedding indexes instead (time and memory measured).
"""
from authoring.cells import md, code, solution, graded, answer, predict


# Prose inside this chapter's code, per language: the stubs' docstrings, standing in the cells as
# @@key@@. Written as they appear (first line, blank line, body); build.py indents them to their `def`.
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
            "returns (*, D) in weight's dtype, on weight's device: out[i...] = weight[indices[i...]],\n"
            "computed as a one-hot matrix (*, V) times weight (V, D), without PyTorch's embedding\n"
            "functions; autograd differentiates the product.\n"
            "Raises RuntimeError for a weight that is not 2-D or a bad index dtype, IndexError for an\n"
            "index outside [0, V).\n"
        ),
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
            "返回    (*, D)，dtype 与 weight 相同，位于 weight 的设备上：out[i...] = weight[indices[i...]]，\n"
            "以独热矩阵 (*, V) 乘以 weight (V, D) 的方式计算，不调用 PyTorch 的嵌入函数；\n"
            "乘积的梯度由自动求导负责。\n"
            "weight 不是二维或索引 dtype 不对时抛出 RuntimeError，索引超出 [0, V) 时抛出 IndexError。\n"
        ),
    },
}

CELLS = [
    md(en=r"""
---
## Part 1 · `one_hot_lookup`: the lookup as a one-hot product (25 points, ≈ 45 min)

### From `(B, T)` and `(V, D)` to `(B, T, D)`

The lecture's key question was: *how do a `(B, T)` batch of ids and a `(V, D)` table become a
`(B, T, D)` tensor?* Every id is replaced by its row of the table:

$$\text{out}[b, t] = \text{weight}[\,\text{indices}[b, t]\,] \qquad (B, T) \text{ and } (V, D) \;\to\; (B, T, D).$$

(The lecture writes the product's result as `[b,s,v]`: a typo. Multiplying `[b,s,v]` by `[v,h]`
gives `[b,s,h]` — in our letters `(B, T, D)`.) Here is the lecture's own example: a table of V = 10
rows of D = 3 numbers, and a batch of B = 2 sequences of T = 4 ids.
""", zh=r"""
---
## 第 1 部分 · `one_hot_lookup`：用独热乘积实现查表（25 分，约 45 分钟）

### 从 `(B, T)` 和 `(V, D)` 到 `(B, T, D)`

讲义提出的关键问题是：**一批形状为 `(B, T)` 的 id 和一张形状为 `(V, D)` 的表，是怎么变成一个 `(B, T, D)` 的张量的？** 答案是：每个 id 都被替换成表中对应的那一行：

$$\text{out}[b, t] = \text{weight}[\,\text{indices}[b, t]\,] \qquad (B, T) \text{ 和 } (V, D) \;\to\; (B, T, D).$$

（讲义把乘积的结果写成了 `[b,s,v]`，这是笔误：`[b,s,v]` 乘以 `[v,h]` 得到的是 `[b,s,h]`，用我们的记号就是 `(B, T, D)`。）下面就是讲义里的例子：一张 V = 10 行、每行 D = 3 个数的表，以及一批 B = 2 个序列、每个序列 T = 4 个 id。
"""),
    code(r'''
torch.manual_seed(0)
emb = nn.Embedding(10, 3)                      # weight (V, D) = (10, 3)
idx = torch.tensor([[1, 2, 4, 5],
                    [4, 3, 2, 9]])             # (B, T) = (2, 4), int64
out = emb(idx)                                 # (B, T, D) = (2, 4, 3)
print(f"⟦weight {tuple(emb.weight.shape)} + indices {tuple(idx.shape)} -> output {tuple(out.shape)}‖权重 {tuple(emb.weight.shape)} + 索引 {tuple(idx.shape)} -> 输出 {tuple(out.shape)}⟧")
print(f"⟦out[1, 2] is row {idx[1, 2].item()} of the table‖out[1, 2] 就是表的第 {idx[1, 2].item()} 行⟧:",
      torch.equal(out[1, 2], emb.weight[idx[1, 2]]))
print("⟦the whole output is weight[idx]‖整个输出就是 weight[idx]⟧:", torch.equal(out, emb.weight[idx]))
'''),
    md(en=r"""
### A lookup is a matrix product

A one-hot vector $e_k$ is a row of V zeros with a single 1 at position $k$. Multiplying it by the
table picks row $k$: $e_k \cdot W = W[k]$, because every other row is multiplied by 0. Stack one
one-hot row per id and the whole lookup becomes a single product:

$$\underbrace{\text{one\_hot}(\text{indices}, V)}_{(B,\,T,\,V)} \;@\; \underbrace{\text{weight}}_{(V,\,D)} \;=\; \underbrace{\text{out}}_{(B,\,T,\,D)}$$

Below, the 8 ids of the batch as an 8 × 10 one-hot matrix, the table, and their product: the
product's rows are the table's rows, in the order of the ids. This is how the lecture *describes* the
lookup, and it is what you implement in this part. (It is not how `nn.Embedding` computes it: see
"Why `nn.Embedding` indexes instead" below.)
""", zh=r"""
### 查表就是矩阵乘法

独热（one-hot）向量 $e_k$ 是由 V 个数组成的一行，除了第 $k$ 个位置是 1 以外全是 0。用它去乘嵌入表，就挑出了第 $k$ 行：$e_k \cdot W = W[k]$，因为其余各行都乘上了 0。为每个 id 各写一行独热向量，把它们堆叠起来，整个查表过程就成了一次矩阵乘法：

$$\underbrace{\text{one\_hot}(\text{indices}, V)}_{(B,\,T,\,V)} \;@\; \underbrace{\text{weight}}_{(V,\,D)} \;=\; \underbrace{\text{out}}_{(B,\,T,\,D)}$$

下图依次是：这批数据中 8 个 id 构成的 8 × 10 独热矩阵、嵌入表，以及二者的乘积：乘积的各行正是嵌入表中的行，顺序与 id 一致。讲义就是这样**描述**查表的，这也正是你在本部分要实现的内容。（但 `nn.Embedding` 并不是这样计算的：见下文“为什么 `nn.Embedding` 用索引实现”。）
"""),
    code(r'''
flat = idx.reshape(-1)                            # (B*T,) = (8,)
one_hot = F.one_hot(flat, num_classes=10).float() # (B*T, V) = (8, 10): one 1 per row
W = emb.weight.detach()                           # (V, D) = (10, 3)
product = one_hot @ W                             # (8, 10) @ (10, 3) -> (8, 3)
print("⟦one_hot @ W equals W[ids] (torch.equal: as numbers)‖one_hot @ W 等于 W[ids]（torch.equal：按数值比较）⟧:",
      torch.equal(product, W[flat]))

fig, axes = plt.subplots(1, 3, figsize=(12, 4), gridspec_kw={"width_ratios": [10, 3, 3], "wspace": 0.6})
lim = W.abs().max().item()
panels = [(one_hot, "⟦one_hot(ids)  (B·T, V)‖独热矩阵 one_hot(ids)  (B·T, V)⟧", "Greys", 0, 1),
          (W, "⟦weight  (V, D)‖嵌入表 weight  (V, D)⟧", "coolwarm", -lim, lim),
          (product, "⟦one_hot @ weight  (B·T, D)‖乘积  (B·T, D)⟧", "coolwarm", -lim, lim)]
for ax, (m, title, cmap, lo, hi) in zip(axes, panels):
    ax.imshow(m, cmap=cmap, vmin=lo, vmax=hi)
    ax.set_title(title, fontsize=10)
    ax.set_xticks(range(m.shape[1]))
    ax.set_yticks(range(m.shape[0]))
    for (r, c), v in zip(torch.cartesian_prod(torch.arange(m.shape[0]), torch.arange(m.shape[1])).tolist(),
                         m.reshape(-1).tolist()):
        if cmap != "Greys":
            ax.text(c, r, f"{v:.1f}", ha="center", va="center", fontsize=7)
axes[0].set_yticklabels([f"⟦id {i}‖id {i}⟧" for i in flat.tolist()])
axes[0].set_xlabel("⟦column = table row‖列 = 表中的行⟧")
axes[1].set_yticklabels([f"⟦row {i}‖第 {i} 行⟧" for i in range(10)], fontsize=8)
axes[2].set_yticklabels([f"⟦row {i}‖第 {i} 行⟧" for i in flat.tolist()], fontsize=8)
plt.show()
'''),
    md(en=r"""
### Pitfalls: what PyTorch does and what a naive version gets wrong

Each line below is run, not claimed:

1. **`int32` ids.** `nn.Embedding` accepts `int64` and `int32` (`int32` halves the memory of a large
   array of token ids, so it is common); `F.one_hot` accepts only `int64`.
2. **Negative ids.** Plain indexing `W[idx]` wraps negative ids like a Python list: `W[-1]` is the last
   row. PyTorch's embedding raises `IndexError` instead, and so must yours: a `-1` in a batch is a bug
   (a missing token, an uninitialised buffer), not a request for the last row. `F.one_hot` raises too,
   but only with a `RuntimeError` about "class values".
3. **An inferred `num_classes`.** Without `num_classes`, `F.one_hot` makes the one-hot as wide as
   `ids.max() + 1`. That is right only when the last row's id V−1 happens to occur in the batch: a
   quick test that contains it passes, and the first batch without it fails.
4. **0-d and empty ids are legal.** A single id gives `(D,)`; `(0,)` gives `(0, D)`; `(3, 0)` gives
   `(3, 0, D)`. (`F.one_hot` can't infer a width from an empty tensor.)
""", zh=r"""
### 易错点：PyTorch 怎么做，朴素实现又会错在哪里

下面每一条都由代码实际运行验证，而不是空口断言：

1. **`int32` 类型的 id。** `nn.Embedding` 接受 `int64` 和 `int32`（对大量的词元 id 来说，`int32` 能省一半内存，所以很常见）；而 `F.one_hot` 只接受 `int64`。
2. **负数 id。** 普通索引 `W[idx]` 会像 Python 列表那样把负数 id 回绕：`W[-1]` 就是最后一行。PyTorch 的嵌入层则会抛出 `IndexError`，你的实现也必须如此：一批数据里出现 `-1` 说明有 bug（缺失的词元、未初始化的缓冲区），而不是想要最后一行。`F.one_hot` 也会报错，但抛出的只是一个关于 “class values” 的 `RuntimeError`。
3. **自动推断的 `num_classes`。** 不传 `num_classes` 时，`F.one_hot` 生成的独热向量宽度是 `ids.max() + 1`。只有当最后一行的 id V−1 恰好出现在这批数据中时，这个宽度才是对的：包含它的快速测试能通过，而第一批不含它的数据就会出错。
4. **0 维和空的 id 都是合法输入。** 单个 id 得到 `(D,)`；`(0,)` 得到 `(0, D)`；`(3, 0)` 得到 `(3, 0, D)`。（`F.one_hot` 无法从空张量推断出宽度。）
"""),
    code(r'''
W = torch.randn(10, 3)                          # (V, D)
ids = torch.tensor([[1, 2, 4, 5], [4, 3, 2, 9]])


def attempt(label, fn):
    """⟦Run fn() and print the shape it returns or the exception it raises.‖运行 fn()，打印它返回的形状或抛出的异常。⟧"""
    try:
        print(f"{label:<48} -> {tuple(fn().shape)}")
    except Exception as e:
        print(f"{label:<48} -> {type(e).__name__}: {e}")


attempt("F.embedding(ids.int(), W)", lambda: F.embedding(ids.int(), W))
attempt("F.one_hot(ids.int(), 10)", lambda: F.one_hot(ids.int(), 10))
attempt("W[tensor([-1])]  ⟦(plain indexing)‖（普通索引）⟧", lambda: W[torch.tensor([-1])])
print("   ⟦... and W[tensor([-1])] is the last row‖……而且 W[tensor([-1])] 就是最后一行⟧:",
      torch.equal(W[torch.tensor([-1])][0], W[9]))
attempt("F.embedding(tensor([-1]), W)", lambda: F.embedding(torch.tensor([-1]), W))
attempt("F.one_hot(tensor([-1]), 10)", lambda: F.one_hot(torch.tensor([-1]), 10))
attempt("F.one_hot(ids).float() @ W      ⟦(max id 9)‖（最大 id 为 9）⟧", lambda: F.one_hot(ids).float() @ W)
attempt("F.one_hot(ids[:, :3]).float() @ W ⟦(max id 5)‖（最大 id 为 5）⟧", lambda: F.one_hot(ids[:, :3]).float() @ W)
attempt("F.embedding(tensor(7), W)       ⟦(0-d id)‖（0 维 id）⟧", lambda: F.embedding(torch.tensor(7), W))
attempt("F.embedding(⟦empty‖空张量⟧ (3, 0), W)", lambda: F.embedding(torch.empty(3, 0, dtype=torch.long), W))
attempt("F.one_hot(⟦empty‖空张量⟧ (0,))", lambda: F.one_hot(torch.empty(0, dtype=torch.long)))
'''),
    md(en=r"""
### Your task

Implement `one_hot_lookup(indices, weight)` as its docstring specifies: the lookup computed as a
one-hot matrix times `weight`, returning `(*indices.shape, D)` in `weight`'s dtype and on its device,
and raising for a `weight` that is not 2-D (`RuntimeError`), for ids that are not `int64`/`int32`
(`RuntimeError`, `bool` included) and for ids outside `[0, V)` (`IndexError`). The stub also holds a
helper, `_check_indices`, for the index checks: Parts 2 and 3 need the same checks, and may call it.

<details><summary>Hint 1 — where to start</summary>

Write the happy path first, for a `(B, T)` batch of `int64` ids, and run the checks: several pass.
Then take the failing checks one at a time; each failure line says what differs, and the line under it
names the usual cause. Every pitfall in the cell above is one check.
</details>

<details><summary>Hint 2 — the one-hot matrix</summary>

Which tool makes a one-hot matrix, which dtype does it return, and which dtypes does it accept as
input? How wide must each one-hot row be — and where does that number come from, if not from the ids?
What does `@` do with the leading dimensions of a `(*, V)` tensor?
</details>

<details><summary>Hint 3 — the checks before the product</summary>

Why must a `bool` tensor be refused before anything else? (What would `W[mask]` do with it?) Which
call fails on an empty tensor, and how can you skip the range check when there is nothing to check?
</details>

<details><summary>Show the idea</summary>

Validate (shape of `weight`, dtype of `indices`, range of the values), build the one-hot rows with
the table's height as their width, bring them to the table's dtype, and multiply. No backward to
write: autograd differentiates the product — the written question after the checks asks you what it
computes.
</details>
""", zh=r"""
### 你的任务

按文档字符串的规定实现 `one_hot_lookup(indices, weight)`：以独热矩阵乘以 `weight` 的方式计算查表，返回形状为 `(*indices.shape, D)`、dtype 与 `weight` 相同、位于其设备上的张量；`weight` 不是二维时抛出 `RuntimeError`，id 不是 `int64`/`int32` 时（包括 `bool`）抛出 `RuntimeError`，id 超出 `[0, V)` 时抛出 `IndexError`。代码框架里还有一个辅助函数 `_check_indices`，专门负责检查索引：第 2、3 部分需要同样的检查，可以直接调用它。

<details><summary>提示 1——从哪里下手</summary>

先写最常见的情形：一批 `(B, T)` 的 `int64` id，然后运行检查：会有好几项通过。再逐个处理未通过的检查；每条失败信息都会说明哪里不同，下面一行还会指出常见原因。上面单元格里的每个易错点都对应一项检查。
</details>

<details><summary>提示 2——独热矩阵</summary>

用什么工具构造独热矩阵？它返回什么 dtype、接受什么 dtype 的输入？每一行独热向量应该有多宽——如果不是从 id 里推断，这个数从哪里来？`@` 会怎样对待 `(*, V)` 张量前面的那些维度？
</details>

<details><summary>提示 3——乘法之前的检查</summary>

为什么必须最先拒绝 `bool` 张量？（`W[mask]` 会拿它做什么？）哪个调用在空张量上会出错？没有东西可检查的时候，怎样跳过范围检查？
</details>

<details><summary>查看思路</summary>

先校验（`weight` 的形状、`indices` 的 dtype、取值的范围），再以表的行数为宽度构造独热行，转换成表的 dtype，然后相乘。不需要写反向传播：自动求导会对乘积求导——检查之后的简答题会问你它算的是什么。
</details>
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
start("one_hot_lookup")
torch.manual_seed(1)
W = torch.randn(10, 3)                                   # (V, D)
idx = torch.tensor([[1, 2, 4, 5], [4, 3, 2, 9]])         # (B, T)
check("⟦forward, ids (2, 4) int64 -> (2, 4, 3)‖前向：id (2, 4) int64 -> (2, 4, 3)⟧", lambda: one_hot_lookup(idx, W), F.embedding(idx, W), key="lecture_example")
check("⟦forward, ids int32‖前向：int32 的 id⟧", lambda: one_hot_lookup(idx.int(), W), F.embedding(idx.int(), W), key="int32_indices")
check("⟦forward, 0-d id -> (D,)‖前向：0 维 id -> (D,)⟧", lambda: one_hot_lookup(torch.tensor(7), W), F.embedding(torch.tensor(7), W), key="scalar_index")
for shape in [(0,), (3, 0)]:
    empty = torch.zeros(shape, dtype=torch.long)
    check(f"⟦forward, empty ids {shape}‖前向：空的 id {shape}⟧", lambda: one_hot_lookup(empty, W), F.embedding(empty, W), key="empty_indices")

W50 = torch.randn(50, 6, dtype=torch.float64)
ids = torch.randint(0, 40, (2, 3, 4, 5))                 # every id < 40 < V - 1: catches an inferred V
check("⟦forward, float64, ids (2, 3, 4, 5) all < 40, V=50‖前向：float64，id (2, 3, 4, 5) 全部 < 40，V=50⟧", lambda: one_hot_lookup(ids, W50), F.embedding(ids, W50), key="largest_index_below_V")

mine, ref = W50.clone().requires_grad_(), W50.clone().requires_grad_()
g = torch.randn(2, 3, 4, 5, 6, dtype=torch.float64)     # grad_output (*, D)
F.embedding(ids, ref).backward(g)


def grad_through_yours():
    one_hot_lookup(ids, mine).backward(g)
    return mine.grad


check("⟦grad w.r.t. weight, float64 (autograd)‖对 weight 的梯度，float64（自动求导）⟧", grad_through_yours, ref.grad, exact=False, atol=1e-12, key="lecture_example:grad")

check_raises("⟦id -1 raises (no wrap-around)‖id -1 抛出异常（不回绕）⟧", lambda: one_hot_lookup(torch.tensor([0, -1]), W),
             valid=lambda: one_hot_lookup(torch.tensor([0, 0]), W), key="rejects_out_of_range_indices")
check_raises("⟦id V raises‖id V 抛出异常⟧", lambda: one_hot_lookup(torch.tensor([0, 10]), W),
             valid=lambda: one_hot_lookup(torch.tensor([0, 9]), W), key="rejects_out_of_range_indices")
check_raises("⟦float ids raise‖浮点 id 抛出异常⟧", lambda: one_hot_lookup(torch.tensor([0.0, 1.0]), W),
             valid=lambda: one_hot_lookup(torch.tensor([0, 1]), W), key="rejects_bad_index_dtypes")
check_raises("⟦bool ids raise (not a mask)‖bool id 抛出异常（不是掩码）⟧", lambda: one_hot_lookup(torch.ones(10, dtype=torch.bool), W),
             valid=lambda: one_hot_lookup(torch.ones(10, dtype=torch.long), W), key="rejects_bad_index_dtypes")
check_raises("⟦1-D weight raises‖一维 weight 抛出异常⟧", lambda: one_hot_lookup(idx, torch.randn(10)),
             valid=lambda: one_hot_lookup(idx, W), key="rejects_a_table_that_is_not_2d")
check_one_hot_rule(one_hot_lookup, [(idx, W), (ids, W50), (torch.tensor(7), W)])
summary("one_hot_lookup")
'''),
    md(en=r"""
#### Question 1 (4 points): the backward of a lookup

You did not write a backward: autograd differentiates `one_hot(indices) @ weight`. Derive what it
computes. For the flattened positions $i = 1 \dots N$, write the gradient of the loss with respect to
`weight` in terms of the one-hot matrix $H$ `(N, V)` and `grad_output` $G$ `(N, D)`. Say in words what
row $k$ of it holds, why this operation is called a *scatter-add*, and what it costs compared with
adding the rows of $G$ directly into the rows they belong to.
""", zh=r"""
#### 问题 1（4 分）：查表的反向传播

你没有写反向传播：自动求导对 `one_hot(indices) @ weight` 求导。请推导它算的是什么。把位置展平为 $i = 1 \dots N$，用独热矩阵 $H$ `(N, V)` 和 `grad_output` $G$ `(N, D)` 写出损失对 `weight` 的梯度。用文字说明它的第 $k$ 行是什么，为什么这种运算叫做**分散累加**（scatter-add），以及与直接把 $G$ 的各行加到它们所属的行上相比，它的计算代价如何。
"""),
    answer("q_one_hot_backward", 4, model={
        "en": r"""
$\text{out} = H W$, so $\partial L / \partial W = H^\top G$, of shape `(V, N) @ (N, D) = (V, D)`. Row $k$ is
$\sum_{i:\,\text{idx}[i]=k} G[i]$: the sum of the output gradients at every position that looked up row
$k$ (zero for rows never looked up). It is a scatter-add: each position's gradient row is added
("scattered") into the row its id names — `zeros(V, D).index_add_(0, idx, G)`. The product spends
$N \cdot V \cdot D$ multiply-adds (almost all of them $0 \cdot g$) and needs the $N \times V$ one-hot
matrix; the scatter-add does $N \cdot D$ additions.
""", "zh": r"""
$\text{out} = H W$，所以 $\partial L / \partial W = H^\top G$，形状为 `(V, N) @ (N, D) = (V, D)`。第 $k$ 行是 $\sum_{i:\,\text{idx}[i]=k} G[i]$：所有查过第 $k$ 行的位置上输出梯度之和（从未被查到的行为零）。这就是分散累加：每个位置的梯度行被加到（“分散”到）它的 id 所指的那一行上——`zeros(V, D).index_add_(0, idx, G)`。矩阵乘法要做 $N \cdot V \cdot D$ 次乘加（几乎全是 $0 \cdot g$），还需要 $N \times V$ 的独热矩阵；分散累加只做 $N \cdot D$ 次加法。
"""}, rubric={
        "en": r"""
- 1 point: $\partial L/\partial W = H^\top G$ (or the index form), with the shape `(V, D)`.
- 1 point: row $k$ = sum of $G$ over the positions holding $k$; rows never looked up are zero.
- 1 point: scatter-add explained (each position adds its gradient into the row its id names; `index_add_`).
- 1 point: cost — $O(N V D)$ and an $N \times V$ matrix against $O(N D)$ for the direct sum.
""", "zh": r"""
- 1 分：$\partial L/\partial W = H^\top G$（或写成下标形式），形状为 `(V, D)`。
- 1 分：第 $k$ 行 = 所有取值为 $k$ 的位置上 $G$ 之和；从未被查到的行为零。
- 1 分：解释了分散累加（每个位置把自己的梯度加到其 id 所指的行上；`index_add_`）。
- 1 分：代价——$O(N V D)$ 外加一个 $N \times V$ 矩阵，直接求和只需 $O(N D)$。
"""}),
    md(en=r"""
### What the product does to inf, NaN and −0.0

**Predict first.** Row 0 of the table below holds `inf`, row 1 holds `NaN`. You look up rows 2 and 0.
Which numbers of your output can be NaN — only those of row 0, or more? Write your guess down, then run.

<details><summary>Why — open it after running the cell below</summary>

PyTorch's lookup copies rows bit for bit. The product instead computes every output number as a sum
over all V rows, $\sum_k \text{one\_hot}[k] \cdot W[k, j]$. With finite weights every term but one is
an exact zero, so the sum equals the looked-up number (float32 and float64 on a CPU) — equal as a
number, but not always bit for bit: $(-0.0) + 0.0 = +0.0$, so a negative zero comes out positive. And
$0 \cdot \infty = \text{NaN}$, $0 \cdot \text{NaN} = \text{NaN}$: one non-finite number in column $j$
of the table poisons column $j$ of *every* output row, even rows that look up a finite value.

These follow from the formulation you were asked to use, so the grader does not penalise them (a
sparse product shows neither, and is a one-hot product all the same); nor does it judge the one-hot
rule by them: it watches what your code computes (see the rules). They are one more reason real
embedding layers index instead of multiplying.

</details>
""", zh=r"""
### 矩阵乘法如何对待 inf、NaN 和 −0.0

**先预测。** 下面这张表的第 0 行有一个 `inf`，第 1 行有一个 `NaN`。你查第 2 行和第 0 行。输出里哪些数可能是 NaN——只有第 0 行的那些，还是更多？先写下你的猜测，再运行。

<details><summary>为什么——运行下面的单元格之后再打开</summary>

PyTorch 的查表是把行逐位复制过来。而矩阵乘法中，每个输出数值都是对全部 V 行的求和：$\sum_k \text{one\_hot}[k] \cdot W[k, j]$。权重都是有限值时，除了一项以外，其余各项都是精确的零，所以求和结果在数值上等于查到的那个数（CPU 上的 float32 和 float64 都是如此）——数值相等，但并不总是逐位相同：$(-0.0) + 0.0 = +0.0$，所以负零出来后就成了正零。另外 $0 \cdot \infty = \text{NaN}$，$0 \cdot \text{NaN} = \text{NaN}$：表的第 $j$ 列中只要有一个非有限值，就会污染**每一个**输出行的第 $j$ 列，哪怕那一行查到的是有限值。

这些都是题目要求的这种写法本身带来的，所以评分程序不会因此扣分（稀疏乘积两者都不会出现，但它同样是独热乘积）；评分程序也不靠它们来判断独热乘积规则：它观察的是你的代码实际计算了什么（见规则）。它们也是真正的嵌入层用索引而不用乘法的又一个原因。

</details>
"""),
    predict(),
    code(r'''
inf, nan = float("inf"), float("nan")
W = torch.tensor([[inf, 1.0],
                  [2.0, nan],
                  [3.0, 4.0]])
ids = torch.tensor([2, 0])
print("⟦torch's lookup‖torch 的查表⟧:\n", F.embedding(ids, W))
with needs("one_hot_lookup"):
    print("⟦your one-hot product‖你的独热乘积⟧:\n", one_hot_lookup(ids, W))
    W = torch.tensor([[-0.0, 1.0],
                      [2.0, 3.0]])
    z_torch, z_mine = F.embedding(torch.tensor(0), W)[0], one_hot_lookup(torch.tensor(0), W)[0]
    print(f"⟦-0.0 looked up: torch gives‖查 -0.0：torch 给出⟧ {z_torch.item()} (⟦sign bit‖符号位⟧ {torch.signbit(z_torch).item()}),",
          f"⟦the product‖乘积给出⟧ {z_mine.item()} (⟦sign bit‖符号位⟧ {torch.signbit(z_mine).item()});",
          f"⟦equal as numbers‖数值上相等⟧: {bool(z_torch == z_mine)}")
'''),
    md(en=r"""
### Why `nn.Embedding` indexes instead

The lecture presents the one-hot product as what `nn.Embedding` computes. It is an equivalent
*description* of the forward pass, not the implementation: `F.embedding` calls ATen's `embedding`
(in [`Embedding.cpp`](https://github.com/pytorch/pytorch/blob/main/aten/src/ATen/native/Embedding.cpp)),
which is an `index_select` of the rows, and its backward is a scatter-add, never a one-hot matrix.

The product does $N \cdot V \cdot D$ multiply-adds for $N = B \cdot T$ ids, almost all of them
$0 \cdot w$, and it materialises an $N \times V$ one-hot tensor first (`int64` from `F.one_hot`, then
a float copy). Indexing copies $N \cdot D$ numbers. The cell below measures both for a batch of
$N = 32 \times 64$ ids and $D = 64$ as the vocabulary grows: best of 5 runs after a warm-up, a few
seconds in all; your numbers will vary. The memory panel counts the bytes of the tensors each method
allocates. (GPT-2's vocabulary has V = 50257 rows: read the right end of the plot and extrapolate.)
""", zh=r"""
### 为什么 `nn.Embedding` 用索引实现

讲义把独热乘积当作 `nn.Embedding` 实际做的计算。它只是前向传播的一种等价**描述**，而不是实现：`F.embedding` 调用的是 ATen 的 `embedding`（在 [`Embedding.cpp`](https://github.com/pytorch/pytorch/blob/main/aten/src/ATen/native/Embedding.cpp) 中），它对行做 `index_select`，其反向传播是分散累加，从不构造独热矩阵。

对于 $N = B \cdot T$ 个 id，矩阵乘法要做 $N \cdot V \cdot D$ 次乘加，其中几乎全是 $0 \cdot w$；而且它还要先生成一个 $N \times V$ 的独热张量（`F.one_hot` 给出 `int64` 版本，然后再复制一份浮点版本）。索引只需复制 $N \cdot D$ 个数。下面的单元格在 $N = 32 \times 64$ 个 id、$D = 64$ 的情况下，随着词表增大测量这两种方法：预热之后运行 5 次取最快的一次，总共只需几秒钟；你测得的数字会有所不同。内存图统计的是每种方法所分配张量的字节数。（GPT-2 的词表有 V = 50257 行：看看图的最右端，再往外推一推。）
"""),
    code(r'''
B, T, D = 32, 64, 64
sizes = [2 ** k for k in range(6, 14)]                 # V = 64 ... 8192
t_index, t_onehot, mb_index, mb_onehot = [], [], [], []


def best_time(fn, repeats=5):
    fn()                                               # warm-up: first calls pay one-off costs
    best = float("inf")
    for _ in range(repeats):
        start_time = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start_time)
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
a1.loglog(sizes, [t * 1e3 for t in t_onehot], "o-", label="⟦one_hot(ids) @ W‖独热乘积 one_hot(ids) @ W⟧")
a1.loglog(sizes, [t * 1e3 for t in t_index], "s-", label="⟦F.embedding (indexing)‖F.embedding（索引）⟧")
a1.set(xlabel="⟦V (rows in the table)‖V（表的行数）⟧", ylabel="⟦time (ms)‖时间（毫秒）⟧", title=f"⟦lookup of {B}×{T} ids, D={D}‖查 {B}×{T} 个 id，D={D}⟧")
a2.loglog(sizes, mb_onehot, "o-", label="⟦one_hot(ids) @ W‖独热乘积 one_hot(ids) @ W⟧")
a2.loglog(sizes, mb_index, "s-", label="⟦F.embedding (indexing)‖F.embedding（索引）⟧")
a2.set(xlabel="⟦V (rows in the table)‖V（表的行数）⟧", ylabel="⟦MiB allocated‖分配的内存（MiB）⟧", title="⟦memory of the tensors created‖所创建张量占用的内存⟧")
for a in (a1, a2):
    a.legend()
    a.grid(True, which="major", alpha=0.3)
plt.tight_layout()
plt.show()
slower, more = t_onehot[-1] / t_index[-1], mb_onehot[-1] / mb_index[-1]
print(f"⟦V={sizes[-1]}: the one-hot product is {slower:.0f}x slower and uses {more:.0f}x the memory‖V={sizes[-1]}：独热乘积慢 {slower:.0f} 倍，占用的内存是索引的 {more:.0f} 倍⟧")
'''),
]
