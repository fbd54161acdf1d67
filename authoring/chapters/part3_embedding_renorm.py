"""Part 3 · `embedding_renorm_` (25 points): what `max_norm` really does. The in-place rescaling of
the looked-up rows, max_norm in two dimensions, the task, its solution cell (embedding_renorm_) and
graded cell (the visible checks), Question 3 (a cap, not a penalty), the autograd hazard in
PyTorch's documentation, and row norms before and after.
"""
from authoring.cells import md, code, solution, graded, answer, predict


# Prose inside this chapter's code, per language: the stubs' docstrings, standing in the cells as
# @@key@@. Written as they appear (first line, blank line, body); build.py indents them to their `def`.
TEXT = {
    "en": {
        "doc_embedding_renorm_": (
            "In place: scale down each distinct row of weight named in indices whose norm exceeds max_norm.\n"
            "\n"
            "weight   (V, D) floating point; modified in place and returned (the same tensor object).\n"
            "indices  (*) int64|int32, values in [0, V); each distinct row is handled once.\n"
            "max_norm  float; norm_type float p of the p-norm (2.0 Euclidean, 1.0, inf, ...).\n"
            "A row k with n = ||weight[k]||_p > max_norm becomes weight[k] * max_norm / (n + 1e-7); every\n"
            "other row is untouched. Records no autograd history (works on a leaf that requires grad).\n"
        ),
    },
    "zh": {
        "doc_embedding_renorm_": (
            "原地操作：把 indices 中出现的、范数超过 max_norm 的每个不同行按比例缩小。\n"
            "\n"
            "weight   (V, D) 浮点类型；原地修改并返回（同一个张量对象）。\n"
            "indices  (*) int64|int32，取值在 [0, V) 内；每个不同的行只处理一次。\n"
            "max_norm  float；norm_type 为 p-范数的 float p（2.0 为欧氏范数，还有 1.0、inf 等）。\n"
            "满足 n = ||weight[k]||_p > max_norm 的行 k 变为 weight[k] * max_norm / (n + 1e-7)；\n"
            "其他行保持不变。不记录自动求导历史（可用于需要梯度的叶子张量）。\n"
        ),
    },
}

CELLS = [
    md(en=r"""
---
## Part 3 · `embedding_renorm_`: what `max_norm` really does (25 points, ≈ 45 min)

The lecture says of `max_norm`: *"this parameter sets whether the output and the weight parameters
are regularised."* That is misleading. `max_norm` adds no penalty to the loss and does not change how
gradients are computed. It is a *constraint* — a hard cap on the length of a row — enforced by
*projection*: rows that are too long are shortened back onto the cap. (The literature does call such
a cap "max-norm regularisation", e.g. Srivastava et al., 2014, on dropout: a regulariser in the broad
sense of restricting the weights, but not a penalty term.) What it does is this:

> **Before each lookup**, every **distinct** row named in the indices whose `norm_type`-norm exceeds
> `max_norm` is rescaled **in place, in the weight itself**: `row *= max_norm / (norm + 1e-7)`.
> Then the lookup runs on the modified table.

Each consequence is shown running below:

1. **In place, on the parameter.** The forward pass changes the table as a side effect, permanently
   (under `torch.no_grad()` and in `model.eval()` mode too). Anything that shares the tensor sees the
   change — `from_pretrained` shares storage with the tensor you pass it.
2. **Only the looked-up rows.** Rows not in this batch keep whatever norm they have.
3. **Each distinct row once**, however often it occurs in the batch.
4. **Before the lookup.** The output holds the rescaled rows; the gradient flows to them as if the
   rescaled row were a plain value — the factor is not differentiated, so it is not a penalty.
5. **The norm is the p-norm with `p = norm_type`**: 2 by default; 1, ∞ and others work too.
6. **The `1e-7`** aims the new norm slightly *below* `max_norm` — visibly so for tiny `max_norm`. In
   float32, rounding can also leave it a rounding error *above*: "at most `max_norm`" holds only up to
   float32's precision.

**Predict first.** In the cell below, rows 0, 2, 2 and 3 are looked up with `max_norm = 1`. Which rows
of the table change, what is row 0 afterwards, and does the tensor `table` you passed in change too?
""", zh=r"""
---
## 第 3 部分 · `embedding_renorm_`：`max_norm` 究竟做了什么（25 分，约 45 分钟）

讲义对 `max_norm` 的说法是：**“这个参数用于设置输出和权重参数是否经过了正则化。”** 这种说法容易误导。`max_norm` 既不往损失里加惩罚项，也不改变梯度的计算方式。它是一个**约束**——给每一行的长度设一个硬性上限——并通过**投影**来执行：太长的行被按比例缩短到上限上。（文献中确实把这种上限称为“最大范数正则化”（max-norm regularisation），例如 Srivastava 等人 2014 年关于 dropout 的论文：广义上它限制了权重，算是一种正则化，但它不是惩罚项。）

**注意措辞：正则化 ≠ 归一化。** 中文里这两个词只差一个字，常被混用。**正则化**（regularisation）泛指限制模型、防止过拟合的手段，例如在损失里加上权重衰减项；**归一化**（normalisation）是把向量缩放到长度 1（或把数据变到统一的尺度）。`max_norm` 两者都不是：它只把**超过上限**的行**重新缩放**到上限，其余行原封不动，也不会把行拉长到 1。所以本 notebook 和评分程序都说“重新缩放”，而不说“重新归一化”。

它实际做的是：

> **每次查表之前**，对于索引中出现的每个**不同的**行，如果它的 `norm_type` 范数超过 `max_norm`，就**在权重本身上原地**重新缩放：`row *= max_norm / (norm + 1e-7)`。然后在修改后的表上查表。

下面的代码逐条运行，展示由此带来的各个后果：

1. **原地修改参数。** 前向传播会顺带修改嵌入表，而且是永久性的（在 `torch.no_grad()` 下、在 `model.eval()` 模式下也一样）。任何与这个张量共享数据的东西都会看到这一修改——`from_pretrained` 就与你传入的张量共享存储。
2. **只改查到的行。** 不在这批数据中的行保持原有的范数。
3. **每个不同的行只处理一次**，无论它在这批数据中出现多少次。
4. **在查表之前。** 输出中是缩放后的行；梯度流向它们时，就好像缩放后的行只是一个普通的值——缩放因子不参与求导，所以它不是惩罚项。
5. **范数是 `p = norm_type` 的 p-范数**：默认为 2；1、∞ 等其他值也可以。
6. **那个 `1e-7`** 让新的范数略**低于** `max_norm`——当 `max_norm` 很小时，这一点就很明显。而在 float32 下，舍入误差也可能让它**高出**一点点：“不超过 `max_norm`”只在 float32 的精度范围内成立。

**先预测。** 下面的单元格以 `max_norm = 1` 查第 0、2、2、3 行。表中哪些行会改变？第 0 行之后是什么？你传入的张量 `table` 也会变吗？
"""),
    predict(),
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
print("⟦norms before:‖之前的范数：⟧", [round(v, 4) for v in W0.norm(dim=1).tolist()])
print("⟦norms after: ‖之后的范数：⟧", [round(v, 4) for v in emb.weight.detach().norm(dim=1).tolist()])
print("⟦row 0 after: ‖之后的第 0 行：⟧", emb.weight[0].tolist())
print("⟦in place: weight version +‖原地修改：权重的版本号 +⟧", emb.weight._version - version,
      "| ⟦the caller's tensor changed too:‖调用方的张量也变了：⟧", not torch.equal(table, W0))
print("⟦output == rescaled rows:‖输出 == 缩放后的行：⟧", torch.equal(out, emb.weight[ids]))
emb.eval()
with torch.no_grad():
    emb(torch.tensor([4]))                              # neither no_grad nor eval() switches the renorm off
print("⟦row 4 after its first lookup, in eval() mode under no_grad: norm‖第 4 行在 eval() 模式、no_grad 下第一次被查到之后的范数：⟧", round(emb.weight[4].norm().item(), 4))
'''),
    md(en=r"""
The gradient sees the rescaled rows as constants: looking up row 0 (`[3, 4, 0]`, rescaled to
`[0.6, 0.8, 0]`) twice and row 1 once, the gradient of `out.sum()` just counts the lookups — there is
no trace of the factor 1/5 and no pull towards smaller norms. Then `norm_type`, the `1e-7`, and float32
rounding.
""", zh=r"""
梯度把缩放后的行当作常量：查两次第 0 行（`[3, 4, 0]`，缩放为 `[0.6, 0.8, 0]`）、查一次第 1 行，`out.sum()` 的梯度只是在数查表的次数——既看不到因子 1/5 的痕迹，也没有把范数往小拉的作用。接下来演示 `norm_type`、那个 `1e-7`，以及 float32 的舍入。
"""),
    code(r'''
emb = nn.Embedding.from_pretrained(torch.tensor([[3.0, 4.0, 0.0], [0.1, 0.0, 0.0], [1.0, 1.0, 1.0]]),
                                   freeze=False, max_norm=1.0)
emb(torch.tensor([0, 1, 0])).sum().backward()
print("⟦gradient:‖梯度：⟧", emb.weight.grad.tolist())

row = torch.tensor([[3.0, -4.0]])
for p in [1.0, 2.0, float("inf")]:
    W = row.clone()
    torch.embedding_renorm_(W, torch.tensor([0]), 1.0, p)
    print(f"norm_type={p}: ||[3, -4]||_p = {torch.linalg.vector_norm(row, p).item():.0f} -> ⟦the row becomes‖该行变为⟧",
          [round(v, 4) for v in W[0].tolist()])

W = torch.tensor([[2e-6, 0.0]], dtype=torch.float64)
torch.embedding_renorm_(W, torch.tensor([0]), 1e-6, 2.0)
print(f"max_norm=1e-6, ⟦row norm 2e-6 -> new norm‖行范数 2e-6 -> 新范数⟧ {W.norm().item():.4e} = 1e-6 * 2e-6 / (2e-6 + 1e-7)")

torch.manual_seed(0)
W = torch.randn(100_000, 16) * 3                        # float32 rows, norms around 12
torch.embedding_renorm_(W, torch.arange(100_000), 1.0, 2.0)
after = W.norm(dim=1)
print(f"float32: ⟦{(after > 1.0).float().mean().item():.1%} of the renormed rows end above max_norm = 1, by at most {(after.max() - 1).item():.1e} (float32's eps is {torch.finfo(torch.float32).eps:.1e})‖重新缩放后有 {(after > 1.0).float().mean().item():.1%} 的行高于 max_norm = 1，最多高出 {(after.max() - 1).item():.1e}（float32 的 eps 是 {torch.finfo(torch.float32).eps:.1e}）⟧")
'''),
    md(en=r"""
### `max_norm` in two dimensions

Rows of a 2-D table as arrows: grey before, coloured after a lookup with `max_norm = 1`. The boundary
of the set of rows that are short enough is the circle for `norm_type = 2`, the diamond for 1 and the
square for ∞. A row outside is shrunk *along its own direction* until it reaches the boundary; rows
inside, and rows that were not looked up (dashed), do not move. So `norm_type` decides which rows
count as too long, and how far they move — never their direction.
""", zh=r"""
### 二维中的 `max_norm`

把一张二维表的各行画成箭头：灰色是查表之前，彩色是以 `max_norm = 1` 查表之后。“足够短”的行所构成的集合，其边界在 `norm_type = 2` 时是圆，为 1 时是菱形，为 ∞ 时是正方形。落在外面的行**沿着它自己的方向**缩短，直到碰到边界；里面的行和没有被查到的行（虚线）都不动。所以 `norm_type` 决定了哪些行算太长、它们移动多远——但从不改变它们的方向。
"""),
    code(r'''
torch.manual_seed(6)
rows = torch.tensor([[1.6, 0.5], [0.3, 1.3], [-1.2, 1.1], [-0.5, -0.4], [0.9, -0.9], [-1.4, -1.0]])
looked_up = torch.tensor([0, 1, 2, 3, 4])               # row 5 is not looked up
boundaries = {2.0: ("⟦circle‖圆⟧", torch.stack([torch.cos(torch.linspace(0, 6.2832, 200)), torch.sin(torch.linspace(0, 6.2832, 200))], 1)),
              1.0: ("⟦diamond‖菱形⟧", torch.tensor([[1.0, 0], [0, 1], [-1, 0], [0, -1], [1, 0]])),
              float("inf"): ("⟦square‖正方形⟧", torch.tensor([[1.0, 1], [-1, 1], [-1, -1], [1, -1], [1, 1]]))}
fig, axes = plt.subplots(1, 3, figsize=(12, 4.2))
for ax, (p, (shape, boundary)) in zip(axes, boundaries.items()):
    after = rows.clone()
    torch.embedding_renorm_(after, looked_up, 1.0, p)          # PyTorch's: your own comes next
    ax.plot(boundary[:, 0], boundary[:, 1], color="tab:red", linewidth=1.5)
    for k in range(len(rows)):
        style = dict(color="lightgray", linestyle="--" if k not in looked_up else "-")
        ax.annotate("", xy=rows[k].tolist(), xytext=(0, 0), arrowprops=dict(arrowstyle="->", **style))
        if k in looked_up:
            ax.annotate("", xy=after[k].tolist(), xytext=(0, 0), arrowprops=dict(arrowstyle="->", color="tab:blue", linewidth=2))
        ax.text(*(rows[k] * 1.08).tolist(), f"{k}", fontsize=9)
    ax.set(xlim=(-1.8, 1.8), ylim=(-1.5, 1.5), aspect="equal", title=f"norm_type = {p}\n⟦a {shape} of radius max_norm = 1‖半径 max_norm = 1 的{shape}⟧")
    ax.axhline(0, color="black", linewidth=0.3)
    ax.axvline(0, color="black", linewidth=0.3)
axes[0].plot([], [], color="lightgray", label="⟦before‖之前⟧")
axes[0].plot([], [], color="tab:blue", label="⟦after (looked up)‖之后（被查到的行）⟧")
axes[0].plot([], [], color="lightgray", linestyle="--", label="⟦not looked up‖未被查到⟧")
fig.legend(loc="lower center", ncol=3, frameon=False)       # below the panels, clear of the arrows
plt.tight_layout(rect=(0, 0.07, 1, 1))
plt.show()
'''),
    md(en=r"""
### Your task

Implement `embedding_renorm_(weight, indices, max_norm, norm_type=2.0)` as its docstring specifies (the
trailing underscore is PyTorch's convention for "in place"): it changes `weight` itself and returns
that very tensor, records no autograd history, works on a leaf that requires grad, handles each
distinct row once, changes only rows whose norm is *strictly* above `max_norm`, and raises for invalid
ids as in Part 1. No Python loop over rows.

<details><summary>Hint 1 — which rows</summary>

How do you get each looked-up row exactly once, whatever shape and repeats `indices` has? Which
PyTorch function computes a p-norm per row, for any p including ∞ — and why is writing
$(\sum |x|^p)^{1/p}$ yourself a trap?
</details>

<details><summary>Hint 2 — in place without autograd</summary>

Modifying a parameter in place is an error for autograd — except in one context. Which one, and what
else does it buy you (think of `grad_fn`)? Returning a new tensor is not "in place": what must the
function return?
</details>

<details><summary>Hint 3 — matching PyTorch to the last bit</summary>

PyTorch computes the norm in the weight's dtype, then converts it to float64; the factor
`max_norm / (norm + 1e-7)` is computed in float64, rounded to the weight's dtype, and applied with one
multiplication. Where does the `1e-7` go — and what happens to a row whose norm equals `max_norm`?
</details>

<details><summary>Show the idea</summary>

In a no-grad context: check the ids, take the distinct rows, measure their norms, keep the rows above
the cap, compute one factor per row, write the scaled rows back into `weight` by index, return
`weight`.
</details>
""", zh=r"""
### 你的任务

按文档字符串的规定实现 `embedding_renorm_(weight, indices, max_norm, norm_type=2.0)`（末尾的下划线是 PyTorch 表示“原地操作”的惯例）：它修改 `weight` 本身并返回这个张量，不记录自动求导历史，可用于需要梯度的叶子张量，每个不同的行只处理一次，只改变范数**严格**大于 `max_norm` 的行，遇到无效的 id 与第 1 部分一样抛出异常。不要对行写 Python 循环。

<details><summary>提示 1——哪些行</summary>

无论 `indices` 是什么形状、有多少重复，怎样让每个被查到的行恰好出现一次？PyTorch 中哪个函数能按行计算 p-范数，包括 p = ∞——为什么自己写 $(\sum |x|^p)^{1/p}$ 是个陷阱？
</details>

<details><summary>提示 2——原地修改而不经过自动求导</summary>

对自动求导来说，原地修改参数是错误的——只有在一种上下文里例外。是哪一种？它还能带来什么（想想 `grad_fn`）？返回一个新张量不叫“原地”：这个函数必须返回什么？
</details>

<details><summary>提示 3——与 PyTorch 逐位一致</summary>

PyTorch 在权重的 dtype 下计算范数，再转换为 float64；缩放因子 `max_norm / (norm + 1e-7)` 在 float64 下计算，舍入到权重的 dtype，再用一次乘法作用到行上。`1e-7` 加在哪里？范数恰好等于 `max_norm` 的行会怎样？
</details>

<details><summary>查看思路</summary>

在不求梯度的上下文中：检查 id，取出不同的行，计算它们的范数，留下超过上限的行，为每一行算出一个因子，按索引把缩放后的行写回 `weight`，返回 `weight`。
</details>
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
start("embedding_renorm")


def torch_renorm(W, idx, max_norm, norm_type=2.0):
    """⟦A renormed copy of W, by PyTorch.‖W 的副本，由 PyTorch 重新缩放。⟧"""
    W = W.clone()
    torch.embedding_renorm_(W, idx, max_norm, norm_type)
    return W


def renormed(W, *args):
    """⟦A copy of W after your embedding_renorm_(copy, *args): what it did in place.‖W 的副本在你的 embedding_renorm_(副本, *args) 之后的样子：它原地做了什么。⟧"""
    W = W.clone()
    embedding_renorm_(W, *args)
    return W


torch.manual_seed(4)
W = torch.randn(8, 5, dtype=torch.float64) * 2           # (V, D), norms around 4
idx = torch.tensor([[1, 3, 1], [5, 5, 0]])               # (B, T), with repeats
mine = W.clone()
check("⟦returns the same tensor object‖返回同一个张量对象⟧", lambda: embedding_renorm_(mine, idx, 1.0) is mine, True, key="works_on_a_leaf_that_requires_grad:same_object")
check("⟦float64, max_norm=1, in place‖float64，max_norm=1，原地⟧", lambda: renormed(W, idx, 1.0), torch_renorm(W, idx, 1.0), exact=False, rtol=1e-14, key="renorms_only_the_indexed_rows")
check("⟦rows not looked up are untouched‖未被查到的行保持不变⟧", lambda: renormed(W, idx, 1.0)[[2, 4, 6, 7]], W[[2, 4, 6, 7]], key="renorms_only_the_indexed_rows")
check("⟦int32 ids‖int32 的 id⟧", lambda: embedding_renorm_(W.clone(), idx.int(), 1.0), torch_renorm(W, idx, 1.0), exact=False, rtol=1e-14, key="int32_indices")
for p in [1.0, 3.0, float("inf")]:
    check(f"norm_type={p}", lambda: embedding_renorm_(W.clone(), idx, 1.5, p), torch_renorm(W, idx, 1.5, p),
          exact=False, rtol=1e-14, key="norm_types")
Wf = torch.randn(50, 16) * 3
ids = torch.randint(0, 50, (4, 30))
check("⟦float32, (4, 30) ids with repeats‖float32，(4, 30) 的 id，有重复⟧", lambda: embedding_renorm_(Wf.clone(), ids, 1.0), torch_renorm(Wf, ids, 1.0),
      exact=False, rtol=1e-6, key="repeated_indices_renorm_once")
tiny = torch.randn(50, 16, dtype=torch.float64) * 1e-6
check("⟦tiny rows, max_norm=1e-6 (where the 1e-7 shows)‖很小的行，max_norm=1e-6（1e-7 在这里显现）⟧", lambda: embedding_renorm_(tiny.clone(), ids, 1e-6),
      torch_renorm(tiny, ids, 1e-6), exact=False, rtol=1e-14, key="tiny_norms_need_the_epsilon")
edge = torch.tensor([[3.0, 4.0], [0.6, 0.8], [6.0, 8.0]], dtype=torch.float64)
check("⟦norm == max_norm is untouched, 10 > 5 is scaled‖范数 == max_norm 的行不变，10 > 5 的行被缩放⟧", lambda: embedding_renorm_(edge.clone(), torch.tensor([0, 1, 2]), 5.0),
      torch_renorm(edge, torch.tensor([0, 1, 2]), 5.0), exact=False, rtol=1e-14, key="only_norms_strictly_above_max_norm")
leaf = (torch.randn(6, 3) * 2).requires_grad_()         # a leaf that requires grad, like a parameter
check("⟦a leaf that requires grad: renormed in place‖需要梯度的叶子张量：被原地重新缩放⟧",
      lambda: embedding_renorm_(leaf, torch.tensor([0, 1]), 0.5) is leaf and leaf[:2].norm(dim=1).max().item() < 0.5 + 1e-6, True, key="works_on_a_leaf_that_requires_grad")
check("⟦... recording no autograd history‖……并且不记录自动求导历史⟧", leaf.grad_fn, None, key="works_on_a_leaf_that_requires_grad")
check_raises("⟦id out of range raises‖超出范围的 id 抛出异常⟧", lambda: embedding_renorm_(W.clone(), torch.tensor([0, 8]), 1.0),
             valid=lambda: embedding_renorm_(W.clone(), torch.tensor([0, 7]), 1.0), key="rejects_out_of_range_indices")
summary("embedding_renorm")
'''),
    md(en=r"""
#### Question 3 (4 points): a cap, not a penalty

Compare `max_norm=1` with adding $\lambda \sum_k \lVert W[k] \rVert^2$ (weight decay) to the loss.
For each: (a) does it change the gradient, (b) which rows does it affect, and when, and (c) can a
looked-up row ever be longer than 1 right after the lookup? Then explain in one or two sentences why
`max_norm` is called a *constraint enforced by projection*.
""", zh=r"""
#### 问题 3（4 分）：是上限，不是惩罚

把 `max_norm=1` 与在损失上加 $\lambda \sum_k \lVert W[k] \rVert^2$（权重衰减）作比较。对每一种：(a) 它会改变梯度吗？(b) 它影响哪些行、在什么时候？(c) 查表刚结束时，被查到的行的长度可能超过 1 吗？然后用一两句话解释，为什么 `max_norm` 被称为**通过投影执行的约束**。（可以顺带说说，为什么说它既不是“正则化”意义上的惩罚项，也不是“归一化”。）
"""),
    answer("q_max_norm_cap", 4, model={
        "en": r"""
Weight decay: (a) adds $2\lambda W[k]$ to every row's gradient; (b) every row with a gradient step (all
rows, for decoupled decay), at every optimiser step; (c) it only pulls rows towards zero, so a row can
be arbitrarily long. `max_norm`: (a) leaves the gradient formula untouched (the factor is not
differentiated); (b) only the rows looked up, at the moment they are looked up (before the lookup,
in place); (c) no (up to float rounding): a looked-up row is at most `max_norm` long. Projection: the
feasible set is the ball $\lVert w \rVert_p \le 1$; a point outside is mapped onto the ball by
shrinking it along its direction — the nearest point of the ball for p = 2 — instead of being
penalised for being outside.
""", "zh": r"""
权重衰减：(a) 给每一行的梯度加上 $2\lambda W[k]$；(b) 在每一步优化时作用于每个有梯度的行（解耦的衰减则是所有行）；(c) 它只是把行往零拉，行可以任意长。`max_norm`：(a) 不改变梯度的公式（因子不参与求导）；(b) 只作用于被查到的行，在它们被查到的那一刻（查表之前，原地）；(c) 不会（浮点舍入误差除外）：被查到的行长度至多为 `max_norm`。投影：可行集是球 $\lVert w \rVert_p \le 1$；落在外面的点沿其方向缩短、被映射到球上——对 p = 2 就是球上最近的点——而不是因为在球外而受到惩罚。它不是惩罚项，也不是把向量缩放到长度 1 的归一化。
"""}, rubric={
        "en": r"""
- 1 point: weight decay changes the gradient (adds a term), max_norm does not (factor not differentiated).
- 1 point: which rows and when — weight decay at each optimiser step on (all) rows; max_norm on looked-up rows only, before each lookup.
- 1 point: the cap holds right after a lookup (up to rounding) for max_norm; no hard bound for weight decay.
- 1 point: projection explained (rows outside the norm ball shrunk back onto it along their direction; a constraint, not a penalty).
""", "zh": r"""
- 1 分：权重衰减改变梯度（加上一项），max_norm 不改变（因子不参与求导）。
- 1 分：哪些行、何时——权重衰减在每一步优化时作用于（所有）行；max_norm 只在每次查表前作用于被查到的行。
- 1 分：对 max_norm，查表之后上限成立（舍入误差除外）；权重衰减没有硬性上界。
- 1 分：解释了投影（范数球外的行沿自身方向缩回球面上；是约束，不是惩罚）。
"""}),
    md(en=r"""
### The autograd hazard in PyTorch's documentation

The documentation of `nn.Embedding` warns:

> When `max_norm` is not `None`, `Embedding`'s forward method will modify the `weight` tensor
> in-place. Since tensors needed for gradient computations cannot be modified in-place, performing a
> differentiable operation on `Embedding.weight` before calling `Embedding`'s forward method requires
> cloning `Embedding.weight` when `max_norm` is not `None`.

**Predict first.** The matrix product below saves `weight` for its backward; then the lookup rescales
rows 1 and 2 of that very tensor. Will `loss.backward()` run, and compute the right gradient, with and
without `.clone()`?

<details><summary>Why — open it after running the cell below</summary>

Autograd notices (by the tensor's *version counter*, bumped by every in-place change) that a value it
saved has changed, and refuses to compute a wrong gradient. Your module in Part 4 must keep this
safety net: it must rescale through `weight.detach()` — a view that shares the storage *and* the
version counter — not through `weight.data`, which shares the storage but hides the change from the
counter, so the backward would silently use the modified weight.

</details>
""", zh=r"""
### PyTorch 文档中提到的自动求导隐患

`nn.Embedding` 的文档中有这样一条警告：

> 当 `max_norm` 不为 `None` 时，`Embedding` 的 forward 方法会原地修改 `weight` 张量。由于梯度计算所需的张量不能被原地修改，因此当 `max_norm` 不为 `None` 时，如果在调用 `Embedding` 的 forward 方法之前对 `Embedding.weight` 做了可微运算，就需要先克隆 `Embedding.weight`。

**先预测。** 下面的矩阵乘法为它的反向传播保存了 `weight`；随后查表又重新缩放了同一个张量的第 1、2 行。不用 `.clone()` 和用 `.clone()` 时，`loss.backward()` 能运行吗？算出的梯度对吗？

<details><summary>为什么——运行下面的单元格之后再打开</summary>

自动求导（通过张量的**版本计数器**，每次原地修改都会让它加一）发现它保存的值被改动了，于是拒绝计算出一个错误的梯度。你在第 4 部分写的模块必须保住这张安全网：它必须通过 `weight.detach()` 来重新缩放——这是一个既共享存储、**也**共享版本计数器的视图——而不是通过 `weight.data`：后者共享存储，却对计数器隐瞒了这次修改，于是反向传播会悄无声息地用上被改过的权重。

</details>
"""),
    predict(),
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
        print("⟦with .clone():    backward runs‖使用 .clone()：反向传播正常运行⟧")
    except RuntimeError as e:
        print("⟦without .clone(): RuntimeError:‖不使用 .clone()：RuntimeError：⟧", str(e).split(" Hint:")[0][:120], "…")
'''),
    md(en=r"""
### Row norms before and after

A table of 40 rows with norms around 1.6, and one batch of 24 ids, with your `embedding_renorm_`:
the looked-up rows (blue) are pulled down to `max_norm` = 1; all the others keep their norm.
""", zh=r"""
### 重新缩放前后的行范数

一张 40 行、范数在 1.6 左右的表，以及一批 24 个 id，使用你的 `embedding_renorm_`：被查到的行（蓝色）被压到 `max_norm` = 1；其他行都保持原来的范数。
"""),
    code(r'''
torch.manual_seed(5)
V, D = 40, 16
W = torch.randn(V, D) * 0.4                     # (V, D), norms around 1.6
before = W.norm(dim=1)
ids = torch.randint(0, V, (4, 6))               # (B, T)
with needs("embedding_renorm_"):
    embedding_renorm_(W, ids, max_norm=1.0)
after = W.norm(dim=1)
hit = torch.zeros(V, dtype=torch.bool)
hit[ids.reshape(-1)] = True

fig, ax = plt.subplots(figsize=(11, 3.8))
rows = torch.arange(V)
ax.bar(rows, before, color="lightgray", label="⟦before‖之前⟧")
ax.bar(rows[hit], after[hit], color="tab:blue", width=0.6, label="⟦after (looked-up rows)‖之后（被查到的行）⟧")
ax.axhline(1.0, color="tab:red", linestyle="--", label="max_norm")
ax.set(xlabel="⟦row‖行⟧", ylabel="⟦2-norm of the row‖行的 2-范数⟧", ylim=(0, before.max().item() * 1.35),
       title=f"⟦embedding_renorm_: {hit.sum().item()} distinct rows looked up‖embedding_renorm_：查到了 {hit.sum().item()} 个不同的行⟧")
ax.legend(loc="upper center", ncol=3, frameon=False)     # above the bars, not over them
plt.tight_layout()
plt.show()
print("⟦rows not looked up unchanged:‖未被查到的行保持不变：⟧", torch.equal(before[~hit], after[~hit]),
      f"| ⟦largest looked-up norm after:‖被查到的行之后的最大范数：⟧ {after[hit].max().item():.7f}")
'''),
]
