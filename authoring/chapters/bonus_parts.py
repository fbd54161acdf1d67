"""The bonus parts (ungraded): A · sparse gradients (sparse_embedding_backward, trained with SparseAdam),
B · EmbeddingBag as a counts matrix (bag_lookup), C · weight tying as nanoGPT does it, with
Question 5 (tying wte and lm_head, graded by hand).
"""
from authoring.cells import md, code, answer, bonus, predict


# No @@key@@ tokens in this chapter: its prose inside code is written in place, as ⟦English‖中文⟧.
TEXT = {"en": {}, "zh": {}}

CELLS = [
    md(en=r"""
---
## Bonus parts (ungraded)

Three extensions, each a few minutes of compute. Nothing here is graded; the cells after each stub
compare your code with PyTorch, as the checks do.

### Bonus A · sparse gradients

With a vocabulary of 50 000 tokens and a batch that touches a few hundred of them, the dense `(V, D)`
gradient is almost all zeros — and an optimiser such as Adam then updates every row's moments anyway.
`nn.Embedding(sparse=True)` returns the gradient as a sparse COO tensor instead: the list of rows that
were looked up, and their gradient rows. Write `sparse_embedding_backward`, the sparse twin of Part 2
(duplicate ids may stay as separate entries: `.coalesce()` adds them up).

<details><summary>Hint</summary>

A COO tensor is built from indices `(1, nnz)` (here: the row numbers) and values `(nnz, D)` (the
gradient rows), with the full size `(V, D)`: `torch.sparse_coo_tensor`. Which positions must not become
entries?
</details>
""", zh=r"""
---
## 附加题（不计分）

三个扩展，每个只需几分钟的计算。这里的内容都不计分；每个代码框架之后的单元格会像检查那样，把你的代码与 PyTorch 比较。

### 附加题 A · 稀疏梯度

当词表有 50 000 个词元，而一批数据只用到其中几百个时，稠密的 `(V, D)` 梯度几乎全是零——而像 Adam 这样的优化器照样会更新每一行的动量。`nn.Embedding(sparse=True)` 则把梯度作为稀疏 COO 张量返回：被查到的行号列表，以及它们的梯度行。请写出 `sparse_embedding_backward`，即第 2 部分的稀疏版本（重复的 id 可以作为单独的条目保留：`.coalesce()` 会把它们加起来）。

<details><summary>提示</summary>

COO 张量由索引 `(1, nnz)`（这里是行号）和值 `(nnz, D)`（梯度行）以及完整的大小 `(V, D)` 构成：`torch.sparse_coo_tensor`。哪些位置不能成为条目？
</details>
"""),
    bonus("sparse", r'''
import torch


def sparse_embedding_backward(grad_output, indices, num_embeddings, padding_idx=None):
    """⟦grad_output (*, D), indices (*) -> a sparse COO (V, D) gradient: one entry per non-padding position.‖grad_output (*, D)，indices (*) -> 稀疏 COO 格式的 (V, D) 梯度：每个非填充位置一个条目。⟧"""
    ### BEGIN SOLUTION
    D = grad_output.shape[-1]
    idx = indices.reshape(-1).long()
    grad = grad_output.reshape(-1, D)
    if padding_idx is not None:
        keep = idx != padding_idx
        idx, grad = idx[keep], grad[keep]
    return torch.sparse_coo_tensor(idx.unsqueeze(0), grad, (num_embeddings, D), check_invariants=True)
    ### END SOLUTION
'''),
    code(r'''
class SparseLookup(torch.autograd.Function):
    """⟦forward: your one-hot lookup; backward: your sparse gradient (only the rows looked up).‖前向：你的独热查表；反向：你的稀疏梯度（只含被查到的行）。⟧"""

    @staticmethod
    def forward(ctx, indices, weight):
        ctx.save_for_backward(indices)
        ctx.num_embeddings = weight.shape[0]
        return one_hot_lookup(indices, weight)

    @staticmethod
    def backward(ctx, grad_output):
        (indices,) = ctx.saved_tensors
        return None, sparse_embedding_backward(grad_output, indices, ctx.num_embeddings)


def fit_rows(lookup, steps=40, V=5000, D=16, seed=0):
    """⟦Pull the looked-up rows of a (V, D) table towards fixed targets with SparseAdam; the losses.‖用 SparseAdam 把 (V, D) 表中被查到的行拉向固定的目标；返回各步损失。⟧"""
    torch.manual_seed(seed)
    table = nn.Parameter(torch.randn(V, D))
    targets = torch.randn(V, D)
    opt = torch.optim.SparseAdam([table], lr=0.1)
    gen = torch.Generator().manual_seed(seed)
    losses = []
    for _ in range(steps):
        ids = torch.randint(0, V, (8, 16), generator=gen)          # 128 of 5000 rows per step
        loss = ((lookup(ids, table) - targets[ids]) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses, table.grad


with needs("sparse_embedding_backward"):
    torch.manual_seed(0)
    ids, g = torch.randint(0, 50, (4, 6)), torch.randn(4, 6, 3)
    sparse = sparse_embedding_backward(g, ids, 50, padding_idx=0)
    check("⟦sparse gradient == dense gradient (Part 2)‖稀疏梯度 == 稠密梯度（第 2 部分）⟧", sparse.to_dense(), embedding_backward(g, ids, 50, padding_idx=0),
          exact=False, atol=1e-6)
    yours, grad = fit_rows(lambda i, w: SparseLookup.apply(i, w))
    torchs, _ = fit_rows(lambda i, w: F.embedding(i, w, sparse=True))
    print(f"⟦layout of the gradient: {grad.layout}; {grad.coalesce().indices().shape[1]} of 5000 rows stored‖梯度的布局：{grad.layout}；5000 行中存储了 {grad.coalesce().indices().shape[1]} 行⟧")
    print(f"⟦SparseAdam, 40 steps: loss {yours[0]:.3f} -> {yours[-1]:.3f} (yours), {torchs[0]:.3f} -> {torchs[-1]:.3f} (nn.Embedding(sparse=True))‖SparseAdam 训练 40 步：损失 {yours[0]:.3f} -> {yours[-1]:.3f}（你的），{torchs[0]:.3f} -> {torchs[-1]:.3f}（nn.Embedding(sparse=True)）⟧")
'''),
    md(en=r"""
### Bonus B · `EmbeddingBag` as a counts matrix

`nn.EmbeddingBag(mode="sum")` looks up *bags* of ids (say, the words of one document) and returns one
vector per bag, the sum of its rows, without ever building the `(N, D)` tensor of single lookups;
`mode="mean"` averages. Bags are given as one flat `indices` tensor and `offsets`, where each bag
starts. In the one-hot picture of Part 1, a bag is a row of *counts*: row b of a `(num_bags, V)`
matrix $C$ says how often each id occurs in bag b, and the result is $C @ W$. Write `bag_lookup`.

<details><summary>Hint</summary>

Give every position its bag number (how many offsets are ≤ its position, minus one —
`torch.bucketize` counts that). Then add a 1 at `(bag, id)` for every position: which call adds into a
tensor at index pairs, accumulating repeats? For "mean", divide each row of $C$ by its bag's size
(an empty bag gives a zero vector, as in PyTorch).
</details>
""", zh=r"""
### 附加题 B · 用计数矩阵实现 `EmbeddingBag`

`nn.EmbeddingBag(mode="sum")` 查的是一“袋”一“袋”的 id（比如一篇文档中的词），每袋返回一个向量，即袋中各行之和，而且从不构造逐个查表得到的 `(N, D)` 张量；`mode="mean"` 则取平均。各袋由一个展平的 `indices` 张量和 `offsets`（每袋的起始位置）给出。在第 1 部分的独热图景中，一袋就是一行**计数**：`(num_bags, V)` 矩阵 $C$ 的第 b 行记录每个 id 在第 b 袋中出现了几次，结果就是 $C @ W$。请写出 `bag_lookup`。

<details><summary>提示</summary>

给每个位置算出它属于第几袋（有多少个 offset ≤ 它的位置，再减一——`torch.bucketize` 能数这个）。然后对每个位置在 `(袋, id)` 处加 1：哪个调用能按下标对往张量里累加，并且把重复的累加起来？对于 “mean”，把 $C$ 的每一行除以该袋的大小（空袋得到零向量，与 PyTorch 相同）。
</details>
"""),
    bonus("bag", r'''
import torch


def bag_lookup(indices, offsets, weight, mode="sum"):
    """⟦indices (N,), offsets (num_bags,) starts of the bags, weight (V, D) -> (num_bags, D): counts @ weight.‖indices (N,)，offsets (num_bags,) 为各袋的起始位置，weight (V, D) -> (num_bags, D)：计数矩阵 @ weight。⟧"""
    ### BEGIN SOLUTION
    V, N = weight.shape[0], indices.numel()
    positions = torch.arange(N, device=indices.device)
    bag = torch.bucketize(positions, offsets, right=True) - 1                # (N,) bag of each position
    counts = torch.zeros(len(offsets), V, dtype=weight.dtype, device=weight.device)
    counts.index_put_((bag, indices.long()), torch.ones(N, dtype=weight.dtype, device=weight.device),
                      accumulate=True)                                        # (num_bags, V)
    if mode == "mean":
        counts = counts / counts.sum(dim=1, keepdim=True).clamp(min=1)
    return counts @ weight
    ### END SOLUTION
'''),
    code(r'''
torch.manual_seed(0)
W = torch.randn(10, 4)
ids = torch.tensor([1, 2, 2, 7, 3, 3, 3, 9])            # three bags: [1, 2, 2], [], [7, 3, 3, 3, 9]
offsets = torch.tensor([0, 3, 3])
for mode in ("sum", "mean"):
    check(f"⟦bag_lookup, mode={mode!r} (with an empty bag)‖bag_lookup，mode={mode!r}（含一个空袋）⟧", lambda: bag_lookup(ids, offsets, W, mode),
          F.embedding_bag(ids, W, offsets, mode=mode), exact=False, atol=1e-6)
'''),
    md(en=r"""
### Bonus C · weight tying, as nanoGPT does it

nanoGPT's `GPT.__init__` ends its embedding setup with `self.transformer.wte.weight = self.lm_head.weight`:
the token embedding `wte` `(V, D)` and the output layer `lm_head` (which maps a D-vector to V logits)
are *one* tensor. Press & Wolf (2017) showed this loses nothing and often helps: both matrices relate
tokens to vectors, and the output layer receives a gradient for every token at every step, while a
token's input row learns only when the token occurs. The cell below ties the character model's table
to its output layer (logits = `h @ emb.weight.T`), compares it with the untied model trained
above, and counts parameters. (`max_norm` is left out: rescaling the output layer's rows at every lookup would change
the logits too.)

**Predict first:** after training the tied model, is its padding row still zero?
""", zh=r"""
### 附加题 C · 像 nanoGPT 那样共享权重

nanoGPT 的 `GPT.__init__` 在设置嵌入时写道 `self.transformer.wte.weight = self.lm_head.weight`：词元嵌入 `wte` `(V, D)` 和输出层 `lm_head`（把 D 维向量映射为 V 个 logits）是**同一个**张量。Press 与 Wolf（2017）表明这样做没有损失，而且常常有益：两个矩阵都把词元和向量联系起来，而输出层每一步都为每个词元得到梯度，词元的输入行却只有在该词元出现时才会学习。下面的单元格把字符模型的嵌入表与它的输出层绑定（logits = `h @ emb.weight.T`），与上面训练好的不共享权重的模型比较，并统计参数数量。（这里不用 `max_norm`：每次查表都重新缩放输出层的行，也会改变 logits。）

**先预测：** 共享权重的模型训练之后，它的填充行还是零吗？
"""),
    predict(),
    code(r'''
class TiedCharMLP(nn.Module):
    """⟦CharMLP whose output layer is its embedding table (logits = h @ emb.weight.T), as nanoGPT ties wte and lm_head.‖输出层就是嵌入表的 CharMLP（logits = h @ emb.weight.T），与 nanoGPT 共享 wte 和 lm_head 一样。⟧"""

    def __init__(self, embedding_cls, V, dim=12, hidden=128):
        super().__init__()
        self.emb = embedding_cls(V, dim, padding_idx=PAD)
        self.hidden = nn.Linear(BLOCK * dim, hidden)
        self.proj = nn.Linear(hidden, dim)                   # back to D, to meet the table

    def forward(self, x):                                    # x (B, BLOCK)
        h = torch.tanh(self.hidden(self.emb(x).flatten(1)))  # (B, hidden)
        return self.proj(h) @ self.emb.weight.T              # (B, D) @ (D, V) -> (B, V) logits


emb_cls = Embedding if mine is not None else nn.Embedding   # yours once it trains (above), else torch's
tied, loss_tied = train(lambda: TiedCharMLP(emb_cls, len(vocab)))
untied = model                                          # the model trained above (with max_norm)
count = lambda m: sum(p.numel() for p in m.parameters())
tied.eval()
(tied_train, tied_val), (untied_train, untied_val) = losses_of(tied), (train_loss, val_loss)
print(f"⟦parameters: tied {count(tied)}, untied {count(untied)}‖参数数量：共享 {count(tied)}，不共享 {count(untied)}⟧")
print(f"⟦loss, training / validation: tied {tied_train:.4f} / {tied_val:.4f}, untied {untied_train:.4f} / {untied_val:.4f}‖损失（训练集 / 验证集）：共享 {tied_train:.4f} / {tied_val:.4f}，不共享 {untied_train:.4f} / {untied_val:.4f}⟧")
print(f"⟦norm of the padding row of the tied model: {tied.emb.weight[PAD].norm().item():.4f}‖共享权重模型的填充行范数：{tied.emb.weight[PAD].norm().item():.4f}⟧")
'''),
    md(en=r"""
#### Question 5 (4 points): tying `wte` and `lm_head`

(Graded, although it sits among the bonus parts: the cell above runs whether or not you did them.)

For GPT-2 small (V = 50257, D = 768), how many parameters does tying save? Explain in your own words
why tying is reasonable (Press & Wolf, 2017), and why the tied model's padding row is no longer zero
although `padding_idx` is set. What would go wrong if the tied table also had `max_norm`?
""", zh=r"""
#### 问题 5（4 分）：`wte` 与 `lm_head` 共享权重

（这道题计分，虽然它位于附加题之中：无论你是否做了附加题，上面的单元格都能运行。）

对 GPT-2 small（V = 50257，D = 768）来说，共享权重省下了多少参数？用你自己的话解释为什么共享权重是合理的（Press 与 Wolf，2017），以及为什么设置了 `padding_idx`，共享权重的模型的填充行却不再为零。如果共享的嵌入表还设置了 `max_norm`，会出什么问题？
"""),
    answer("q_weight_tying", 4, model={
        "en": r"""
It saves V·D = 50257 · 768 ≈ 38.6 M parameters (about a third of GPT-2 small's 124 M). Both matrices map
between tokens and D-vectors: the input embedding places a token's vector where the model reads it, the
output embedding scores each D-vector against every token; sharing them lets the output layer — which gets
a gradient for every token at every step — train the input rows of rare tokens as well, and acts as a
regulariser (Press & Wolf report equal or lower perplexity). `padding_idx` only drops the lookup's gradient
for the padding row; the output layer's gradient ($h^\top$ times the softmax error, nonzero for every
token, padding included) still reaches that row, so it moves. With `max_norm`, every lookup would rescale
rows of the output layer too, changing the logits as a side effect of reading the input, and the cap
would also constrain the output scores.
""", "zh": r"""
省下 V·D = 50257 · 768 ≈ 3860 万个参数（约为 GPT-2 small 1.24 亿参数的三分之一）。两个矩阵都在词元和 D 维向量之间建立对应：输入嵌入给出模型读到的词元向量，输出嵌入拿每个 D 维向量与所有词元打分；共享之后，每一步都为每个词元得到梯度的输出层也在训练罕见词元的输入行，而且起到正则化的作用（Press 与 Wolf 报告困惑度相同或更低）。`padding_idx` 只去掉了查表给填充行的梯度；输出层的梯度（$h^\top$ 乘以 softmax 误差，对每个词元、包括填充都不为零）仍然会到达这一行，所以它会变。若再设置 `max_norm`，每次查表都会顺带重新缩放输出层的行，读取输入的副作用会改变 logits，上限也会约束输出的分数。
"""}, rubric={
        "en": r"""
- 1 point: V·D ≈ 38.6 M parameters saved (any correct arithmetic).
- 1 point: why it is reasonable — both map tokens and vectors; the output layer trains all rows every step; equal or better results (Press & Wolf).
- 1 point: the padding row gets the output layer's gradient; `padding_idx` acts on the lookup only.
- 1 point: max_norm would rescale output-layer rows at each lookup (side effect on the logits / constrains output scores).
""", "zh": r"""
- 1 分：省下 V·D ≈ 3860 万个参数（算对即可）。
- 1 分：为什么合理——两者都在词元和向量之间建立对应；输出层每一步训练所有行；结果相同或更好（Press 与 Wolf）。
- 1 分：填充行得到输出层的梯度；`padding_idx` 只作用于查表。
- 1 分：max_norm 会在每次查表时重新缩放输出层的行（对 logits 的副作用 / 约束输出分数）。
"""}),
]
