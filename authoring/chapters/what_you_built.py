"""The closing summary, "What you built": what each part showed, a bullet each."""
from authoring.cells import md


# No @@key@@ tokens in this chapter: it is markdown only.
TEXT = {"en": {}, "zh": {}}

CELLS = [
    md(en=r"""
---
## What you built

- **A lookup is a one-hot product** — exact for finite weights, but $O(N \cdot V \cdot D)$ work and an
  $N \times V$ tensor, and inf/NaN spread across it. Real layers index; they raise for ids outside
  `[0, V)` instead of wrapping.
- **The backward is a scatter-add**: the output gradients of each id are summed into its row.
  `padding_idx` *skips* the padding positions, so that one row's gradient is exactly zero (the forward
  still returns the row); `scale_grad_by_freq` divides by each id's count in the whole batch. Both make
  the backward differ from the true derivative on purpose — `gradcheck` says so.
- **`max_norm` rescales** the looked-up rows of the weight in place, before the lookup — a constraint
  enforced by projection, not a penalty and not a normalisation. It is a side effect of *every*
  forward, evaluation included, and it can break autograd for other uses of the weight unless they
  clone it.
- **The module** keeps the options and wires an autograd Function around your functions, and it trains
  a model exactly like `nn.Embedding` does — the first layer of a GPT, whose output layer can share it.
""", zh=r"""
---
## 你完成了什么

- **查表就是独热乘积**——权重为有限值时结果精确，但计算量是 $O(N \cdot V \cdot D)$，还要生成一个 $N \times V$ 的张量，而且 inf/NaN 会在其中扩散。真正的嵌入层用索引实现；遇到超出 `[0, V)` 的 id 会报错，而不是回绕。
- **反向传播是分散累加**：每个 id 对应的输出梯度被累加到它那一行。`padding_idx` 会**跳过**填充位置，因此那一行的梯度恰好为零（前向传播照样返回这一行）；`scale_grad_by_freq` 则除以每个 id 在整批数据中出现的次数。两者都有意让反向传播与真正的导数不同——`gradcheck` 证实了这一点。
- **`max_norm` 在查表之前原地重新缩放**权重中被查到的行——这是通过投影执行的约束，既不是惩罚项，也不是归一化。它是**每一次**前向传播（包括评估）的副作用；如果权重在查表之前已经参与了别的可微运算，除非那里先克隆，否则会破坏自动求导。
- **模块**保存各个选项，并用一个自动求导 Function 把你的函数连接起来；用它训练模型的结果和用 `nn.Embedding` 完全一样——它就是 GPT 的第一层，输出层还可以与它共享权重。
"""),
]
