"""The front matter and the setup: the title and introduction (what you will learn, the time and
points of each part, the notation, how grading works, further reading), the rules for graded code,
the glossary (Chinese edition), and the setup cell (collapsed, locked) that imports what the notebook
uses and defines the visible checks' helpers: check, check_raises, check_one_hot_rule, start,
summary, needs, preview_grading.

Its TEXT holds what every part's checks print: MSG (the visible checks' messages, written into the
setup cell as a dict literal) and FONTS (the figures' fonts). The likely causes (CAUSES) are not
here: build.py writes them in from the grader's catalog (autograder/i18n.py).
"""
from autograder.glossary import TERMS   # the zh glossary, shared with the grader's catalog
from authoring.cells import md, provided


def glossary_table(lang):
    """The shared glossary (autograder/glossary.py) as a markdown table."""
    if lang == "en":
        return ""
    rows = "\n".join(f"| {en} | {zh} |" for en, zh in TERMS.items())
    return "| English | 中文 |\n|---|---|\n" + rows


LINKS_EN = r"""
**Read further.** PyTorch's [`nn.Embedding`](https://pytorch.org/docs/stable/generated/torch.nn.Embedding.html)
and [`F.embedding`](https://pytorch.org/docs/stable/generated/torch.nn.functional.embedding.html) docs; the
module's source, [`torch/nn/modules/sparse.py`](https://github.com/pytorch/pytorch/blob/main/torch/nn/modules/sparse.py),
and the kernels in ATen's [`Embedding.cpp`](https://github.com/pytorch/pytorch/blob/main/aten/src/ATen/native/Embedding.cpp);
Bengio et al., [*A Neural Probabilistic Language Model*](https://www.jmlr.org/papers/volume3/bengio03a/bengio03a.pdf)
(2003), where the learned lookup table comes from; Press & Wolf, [*Using the Output Embedding to Improve
Language Models*](https://aclanthology.org/E17-2025/) (2017), on weight tying; and nanoGPT's
[`model.py`](https://github.com/karpathy/nanoGPT/blob/master/model.py) (`wte`, `wpe`, and `lm_head`
tied to `wte`).
"""
LINKS_ZH = r"""
**延伸阅读。** PyTorch 的 [`nn.Embedding`](https://pytorch.org/docs/stable/generated/torch.nn.Embedding.html) 和 [`F.embedding`](https://pytorch.org/docs/stable/generated/torch.nn.functional.embedding.html) 文档；模块的源代码 [`torch/nn/modules/sparse.py`](https://github.com/pytorch/pytorch/blob/main/torch/nn/modules/sparse.py)，以及 ATen 中的内核 [`Embedding.cpp`](https://github.com/pytorch/pytorch/blob/main/aten/src/ATen/native/Embedding.cpp)；Bengio 等人的 [*A Neural Probabilistic Language Model*](https://www.jmlr.org/papers/volume3/bengio03a/bengio03a.pdf)（2003），可学习的查找表正是从这里来的；Press 与 Wolf 的 [*Using the Output Embedding to Improve Language Models*](https://aclanthology.org/E17-2025/)（2017），讲权重共享；以及 nanoGPT 的 [`model.py`](https://github.com/karpathy/nanoGPT/blob/master/model.py)（`wte`、`wpe`，以及与 `wte` 共享权重的 `lm_head`）。
"""

# Prose inside the setup cell's code, per language, standing in it as @@key@@: MSG is written in as a
# dict literal, FONTS as a list.
TEXT = {
    "en": {
        "FONTS": [],
        "MSG": {
            "ok": "✓",
            "fail": "✗",
            "warn": "⚠",
            "true": "True",
            "false": "False",
            "or": " or ",
            "values": "exact: {exact} | close: {close} | max |diff|: {diff:.1e}{where}",
            "where": " at {pos}: got {got!r}, expected {expected!r}",
            "equal": "equal: {value}",
            "differs": "got {got}, expected {expected}",
            "not_tensor": "expected a tensor, got {type}",
            "shape": "shape: got {got}, expected {expected}",
            "dtype": "dtype: got {got}, expected {expected}",
            "device": "device: got {got}, expected {expected}",
            "raised": "raises {error}: {message}",
            "wrong_error": "raised {error}: {message}; expected {expected}",
            "not_raised": "did not raise; expected {expected}",
            "not_implemented": "not implemented yet (NotImplementedError)",
            "other_reason": "raised {error}: {message}; but the valid input beside it raises too ({valid}: "
                            "{valid_message}), so it raised for another reason",
            "cause": "likely cause: {cause}",
            "group": "{n} checks fail the same way; fix this first: {symptom}",
            "passed": "{part}: all {n} visible checks pass. After you submit, the grader runs many more.",
            "failed": "{part}: {bad} of {n} visible checks fail",
            "all_checks": "Every check:",
            "demo_not_written": "(This cell shows what your {names} does: it is not written yet. The notebook runs on.)",
            "demo_error": "(Your {names} raised the error above in this demo; the notebook runs on.)",
            "not_run": "line {line}: `{code}` will not be run by the grader (it runs only imports, definitions, "
                       "assignments, if and try blocks)",
            "write_instead": "; write `{code}` instead",
            "rule": "line {line}: `{code}` breaks a rule for graded code ({rule}): the grader would score this part zero",
            "rule_torch_embedding": "PyTorch's own embedding",
            "rule_dynamic": "dynamic attribute access or code generation",
            "rule_processes": "threads or processes",
            "rule_kit": "the grader's own code",
            "rule_import": "an import outside the allowed list",
            "rule_star": "a star import",
            "one_hot_rule": "the lookup is a one-hot product (the grader's rule, judged by what it computes)",
            "one_hot_judged": "{n} call(s) watched",
            "no_rules_file": "{name} (the grader's rules, released beside this notebook) is not in the folder "
                             "Jupyter runs this notebook in: open the notebook from its own folder",
            "one_hot_select": "it reads the table's rows by position (`{op}`) instead of multiplying a one-hot by the table",
            "one_hot_raw": "its result holds the table's values without a sum over the table's rows (rows copied or sliced)",
            "one_hot_unrelated": "its result does not come from a product with the table (values taken through Python lists or numpy?)",
            "no_font": "",
        },
    },
    "zh": {
        "FONTS": ["Noto Sans CJK SC", "Noto Sans CJK JP", "Source Han Sans SC", "WenQuanYi Zen Hei",
                  "Microsoft YaHei", "PingFang SC", "SimHei"],
        "MSG": {
            "ok": "✓",
            "fail": "✗",
            "warn": "⚠",
            "true": "是",
            "false": "否",
            "or": " 或 ",
            "values": "完全相等：{exact} | 足够接近：{close} | 最大|差|：{diff:.1e}{where}",
            "where": "（位置 {pos}：得到 {got!r}，应为 {expected!r}）",
            "equal": "相等：{value}",
            "differs": "得到 {got}，应为 {expected}",
            "not_tensor": "应为张量，得到的是 {type}",
            "shape": "形状：得到 {got}，应为 {expected}",
            "dtype": "dtype：得到 {got}，应为 {expected}",
            "device": "设备：得到 {got}，应为 {expected}",
            "raised": "抛出 {error}：{message}",
            "wrong_error": "抛出的是 {error}：{message}；应抛出 {expected}",
            "not_raised": "没有抛出异常；应抛出 {expected}",
            "not_implemented": "尚未实现（NotImplementedError）",
            "other_reason": "抛出了 {error}：{message}；但旁边的有效输入也抛出异常（{valid}：{valid_message}），"
                            "所以它是因为别的原因抛出的",
            "cause": "可能的原因：{cause}",
            "group": "{n} 项检查以同样的方式未通过，请先修好这一处：{symptom}",
            "passed": "{part}：全部 {n} 项可见检查通过。提交后，评分程序还会运行多得多的检查。",
            "failed": "{part}：{n} 项可见检查中有 {bad} 项未通过",
            "all_checks": "全部检查：",
            "demo_not_written": "（这个单元格演示你的 {names} 做了什么：它还没有实现。notebook 会继续运行。）",
            "demo_error": "（你的 {names} 在这个演示中抛出了上面的错误；notebook 会继续运行。）",
            "not_run": "第 {line} 行：评分程序不会运行 `{code}`（它只运行导入、定义、赋值以及 if 和 try 块）",
            "write_instead": "；请改写为 `{code}`",
            "rule": "第 {line} 行：`{code}` 违反了评分代码的规则（{rule}）：评分程序会给这一部分记零分",
            "rule_torch_embedding": "调用 PyTorch 自带的嵌入实现",
            "rule_dynamic": "动态属性访问或动态生成代码",
            "rule_processes": "线程或进程",
            "rule_kit": "评分器自身的代码",
            "rule_import": "不在允许列表中的导入",
            "rule_star": "星号导入",
            "one_hot_rule": "查表是独热乘积（评分程序的规则，按实际计算判断）",
            "one_hot_judged": "观察了 {n} 次调用",
            "no_rules_file": "在 Jupyter 运行本 notebook 的文件夹中找不到 {name}（评分程序的规则文件，与本 notebook 一起发布）：请在 notebook 所在的文件夹中打开它",
            "one_hot_select": "它按位置读取表中的行（`{op}`），而不是用独热矩阵乘以整张表",
            "one_hot_raw": "结果直接含有表中的值，没有对表的各行求和（行被复制或切片）",
            "one_hot_unrelated": "结果并非来自与表的乘积（是否经由 Python 列表或 numpy 取值？）",
            "no_font": "⚠ 没有找到中文字体，图中的中文会显示为方框。请安装 Noto Sans CJK（Debian/Ubuntu：apt-get install fonts-noto-cjk）后重启内核。",
        },
    },
}

CELLS = [
    md(en=r"""
# `nn.Embedding` from scratch

> *"I have always had only an abstract, blurry idea of what an embedding is."* — the lecture this notebook grows from

An embedding layer is a table of learnable vectors, one row per token, and its forward pass is a
lookup: give it token ids, get back their rows. That is all — but `torch.nn.Embedding` has options
whose behaviour surprises people (`padding_idx`, `max_norm`, `scale_grad_by_freq`), and the lecture we
start from left one of them as an open question and got another one wrong. In this notebook you
rebuild the layer in four parts, and every claim is checked by running PyTorch next to your code.

**After this notebook you can**
- explain why a lookup *is* a one-hot matrix product, and why real layers index instead;
- derive the gradient of a lookup (a scatter-add) and implement it with `padding_idx` and `scale_grad_by_freq`;
- say exactly what `max_norm` does to a model's weights — and when that surprises you;
- write a custom `torch.autograd.Function` and verify it with `gradcheck`;
- build a drop-in `nn.Module` and connect it to the embeddings of a GPT (`wte`, `wpe`, weight tying).

**You should already know** autograd (`requires_grad`, `.backward()`, `.grad`), `nn.Module` and
`nn.Parameter`, broadcasting and batched `@`, and what a `torch.autograd.Function` is (Part 4 explains
the rest).

**Time.** About 4–6 hours for a second-year student: Part 1 ≈ 45 min, Part 2 ≈ 1 h, Part 3 ≈ 45 min,
Part 4 ≈ 1.5–2 h (the bottleneck: many small details), written questions ≈ 45 min, bonus parts as
long as you like.

| part | you write | points |
|---|---|---|
| 1 | `one_hot_lookup(indices, weight)`: the lookup as a one-hot matrix product | 25 |
| 2 | `embedding_backward(grad_output, indices, num_embeddings, padding_idx, scale_grad_by_freq)`: the table's gradient | 25 |
| 3 | `embedding_renorm_(weight, indices, max_norm, norm_type)`: what `max_norm` really does | 25 |
| 4 | `class Embedding(nn.Module)`: a drop-in for `nn.Embedding`; then a small character model trained with it | 25 |
| Q1–Q5 | five written questions, graded by hand | 5 × 4 = 20 |
| bonus | sparse gradients, `EmbeddingBag`, weight tying | ungraded |

**Total: 120 points** — 100 graded automatically, 20 for the written answers.

**Shapes.** One alphabet throughout. The table `weight` is `(V, D)`: V rows (`num_embeddings`, the
vocabulary size) of D numbers each (`embedding_dim`). A batch of ids is `(B, T)`: B sequences of T
ids. `(*)` means any shape, including a single id (a 0-d tensor) and empty tensors. (The lecture
wrote `(v, h)` for the table and `(b, s)` for the batch.)

**How you are graded.** Each part has a cell for your code: replace its `raise NotImplementedError(...)`
lines and keep the names and signatures. The cell after it runs quick *visible checks* against
PyTorch and sums up what failed and why (see Setup). After you submit, the grader runs many more
*hidden* checks, in float32 and float64, and on a GPU where there is one; the folded list after each
part says what they ask. Each written question has an answer cell: write your answer in place of
"YOUR ANSWER HERE".

Hints are folded: open one only when you are stuck, and try the next step yourself first.
""" + LINKS_EN, zh=r"""
# 从零实现 `nn.Embedding`

> “我一直对 Embedding 有一层抽象的模糊的认识。”——本 notebook 所基于的讲义

嵌入层（embedding layer）就是一张可学习的向量表，每个词元（token）占一行；它的前向传播就是查表：给它一组词元 id，它返回对应的那些行。仅此而已——但 `torch.nn.Embedding` 有几个参数的行为常常出人意料（`padding_idx`、`max_norm`、`scale_grad_by_freq`），而我们所基于的那份讲义把其中一个留成了悬而未决的问题，又把另一个讲错了。在这个 notebook 里，你将分四个部分重新实现这一层，每一个结论都会把 PyTorch 和你的代码放在一起实际运行来验证。

**学完之后，你能够**
- 解释为什么查表*就是*独热乘积，以及真正的嵌入层为什么改用索引；
- 推导查表的梯度（一次“分散累加”，scatter-add），并实现带 `padding_idx` 和 `scale_grad_by_freq` 的版本；
- 准确说出 `max_norm` 对模型权重做了什么——以及它在什么时候会让人吃惊；
- 编写自定义的 `torch.autograd.Function`，并用 `gradcheck` 验证它；
- 搭建一个可直接替换的 `nn.Module`，并把它和 GPT 的嵌入（`wte`、`wpe`、权重共享）联系起来。

**预备知识：** 自动求导（`requires_grad`、`.backward()`、`.grad`）、`nn.Module` 与 `nn.Parameter`、广播和批量矩阵乘法 `@`，以及 `torch.autograd.Function` 是什么（其余内容第 4 部分会讲）。

**所需时间：** 对大二学生来说约 4–6 小时：第 1 部分约 45 分钟，第 2 部分约 1 小时，第 3 部分约 45 分钟，第 4 部分约 1.5–2 小时（细节最多，是最费时的一部分），简答题约 45 分钟，附加题随意。

| 部分 | 你要实现的 | 分值 |
|---|---|---|
| 1 | `one_hot_lookup(indices, weight)`：用独热乘积实现查表 | 25 |
| 2 | `embedding_backward(grad_output, indices, num_embeddings, padding_idx, scale_grad_by_freq)`：嵌入表的梯度 | 25 |
| 3 | `embedding_renorm_(weight, indices, max_norm, norm_type)`：`max_norm` 究竟做了什么 | 25 |
| 4 | `class Embedding(nn.Module)`：可直接替换 `nn.Embedding` 的模块；再用它训练一个小型字符级模型 | 25 |
| 问题 1–5 | 五道简答题，人工评分 | 5 × 4 = 20 |
| 附加题 | 稀疏梯度、`EmbeddingBag`、权重共享 | 不计分 |

**总分：120 分**——100 分自动评分，20 分为简答题。

**形状记号。** 全文使用同一套字母。嵌入表 `weight` 的形状是 `(V, D)`：共 V 行（`num_embeddings`，即词表大小），每行 D 个数（`embedding_dim`）。一批 id 的形状是 `(B, T)`：B 个序列，每个序列 T 个 id。`(*)` 表示任意形状，包括单个 id（0 维张量）和空张量。（讲义中把表记作 `(v, h)`，把一批输入记作 `(b, s)`。）

**评分方式。** 每个部分都有一个供你填写代码的单元格：替换其中的 `raise NotImplementedError(...)` 行，不要改动函数名和签名。紧随其后的单元格把你的代码与 PyTorch 做快速的**可见检查**，并汇总哪些未通过、原因可能是什么（见“准备工作”）。提交之后，评分程序会运行多得多的**隐藏检查**，分别在 float32 和 float64 下进行，有 GPU 时还会在 GPU 上运行；每个部分之后折叠起来的列表说明了它们问什么。每道简答题都有一个回答单元格：把 “YOUR ANSWER HERE” 换成你的回答。

提示都是折叠起来的：卡住时再打开，并且先试着自己走下一步。
""" + LINKS_ZH),
    md(en=r"""
## Rules for graded code

In short: the grader runs only the imports, definitions and assignments of your solution cells; your
code may not use PyTorch's own embedding; Part 1 must be a one-hot product; create tensors on your
inputs' device; an index outside `[0, V)` must raise. The visible checks warn (⚠) about anything the
grader would skip or refuse.

<details><summary>The rules in full</summary>

The grader does not run your notebook top to bottom. It reads your **solution cells** and runs only
what defines things:

- **What runs.** Imports, function and class definitions, assignments, and `if`/`try` blocks at the
  top level of a solution cell. Top-level calls, loops and prints are *not* run. So write
  `Embedding.extra_repr = my_repr`, not `setattr(Embedding, "extra_repr", my_repr)`. The visible
  checks warn you (⚠) about top-level statements the grader will skip.
- **Helpers.** A helper function may live in any solution cell (Part 2 may call `_check_indices` from
  Part 1's cell). But when Part k is graded, the *other* parts' API functions (`one_hot_lookup`,
  `embedding_backward`, `embedding_renorm_`, `Embedding`) are replaced by correct stand-ins (written
  without PyTorch's embedding): a bug in Part 1 costs only Part 1.
- **Not allowed in graded code** (a part whose code breaks a rule scores zero, and its score line says
  which rule and where; a break inside a function costs only the parts whose code reaches it, one at
  the top level of a cell costs every part). The rules are the grader's own file,
  `graded_code_rules.py` beside this notebook; the visible checks warn (⚠) about a break.
  - PyTorch's own embedding: `F.embedding`, `torch.embedding`, `nn.Embedding`, `torch.embedding_renorm_`,
    `torch.ops.aten.embedding*`, `F.embedding_bag` (a type annotation naming `nn.Embedding` is fine).
    While grading, these are switched off inside PyTorch itself: a call fails however it is spelled
    (an alias, a star import, `torch.ops`), and the part scores zero;
  - imports other than `torch` (and `torch.nn`, `torch.nn.functional`, `torch.nn.init`,
    `torch.autograd`, `torch.linalg`, `torch.sparse`, `torch.special`), `math`, `numpy`, `typing`,
    `functools`, `itertools`, `collections`, `dataclasses`, `numbers`, `warnings`, `time`, `pathlib`,
    `matplotlib`; and star imports (`from torch import *`);
  - dynamic attribute access or code generation: `getattr`/`setattr`/`hasattr`/`delattr` other than as a
    direct call with a literal name (`getattr(self, name)` inside a class is fine), any other use of
    them (an alias, an argument), `vars`, `globals`, `locals`, `eval`, `exec`, `compile`, `__import__`,
    `open` with a computed path; dunder attributes such as `__dict__`, `__class__.__mro__` or
    `__globals__` (on your own `self`, `self.__dict__` is fine), private attributes of a library
    (`torch._C`), keyword patterns of `match` that reach into objects, `__torch_function__`;
  - threads or processes: `threading`, `multiprocessing`, `subprocess`, `os`, `sys`, `concurrent.futures`.
- **Part 1 must be a one-hot product**, judged by what your code computes: every call of your
  `one_hot_lookup` while Part 1 is graded is watched (the grader's own `one_hot_rule.py`, beside this
  notebook), and the table's values must reach the result through a sum over its rows against a
  one-hot — a matrix product, `einsum`, `tensordot`, a sparse product, chunked or transposed as you
  like, or `eye(V)[ids] @ weight`. Reading the table by position (`weight[ids]`, `index_select`,
  `gather`, a loop of `weight[k]`, slices pasted together) breaks the rule, whatever the values look
  like. The last visible check of Part 1 runs this rule.
- **Devices.** Do not hard-code one: create new tensors on the device of your inputs
  (`device=weight.device`), so the same code runs on a GPU.
- **Indices** are `int64` or `int32`. An index that is negative or `>= V` must raise an exception; it
  must never silently wrap around.

The checks and demos in this notebook use PyTorch's embedding freely: that is how we compare.

</details>
""", zh=r"""
## 评分代码的规则

简而言之：评分程序只运行你的解答单元格中的导入、定义和赋值；你的代码不能使用 PyTorch 自带的嵌入实现；第 1 部分必须是独热乘积；新建的张量要放在输入所在的设备上；超出 `[0, V)` 的索引必须抛出异常。可见检查会用 ⚠ 提醒评分程序会跳过或拒绝的代码。

<details><summary>完整的规则</summary>

评分程序不会从头到尾运行你的 notebook。它读取你的**解答单元格**，并且只运行其中“定义东西”的代码：

- **会运行什么。** 解答单元格顶层的导入、函数和类的定义、赋值语句，以及 `if`/`try` 块。顶层的函数调用、循环和 print **不会**运行。所以请写 `Embedding.extra_repr = my_repr`，而不是 `setattr(Embedding, "extra_repr", my_repr)`。可见检查会提醒你（⚠）哪些顶层语句会被评分程序跳过。
- **辅助函数。** 辅助函数可以写在任何一个解答单元格里（第 2 部分可以调用第 1 部分单元格中的 `_check_indices`）。但在给第 k 部分评分时，**其他**部分的接口函数（`one_hot_lookup`、`embedding_backward`、`embedding_renorm_`、`Embedding`）会被正确的替身代替（替身本身不调用 PyTorch 的嵌入实现）：第 1 部分的 bug 只会让第 1 部分丢分。
- **评分代码中不允许出现**（违反规则的部分记零分，该部分的得分行会指出是哪条规则、在哪一行；函数内部的违规只影响代码会用到这个函数的部分，单元格顶层的违规影响所有部分）。这些规则就是评分程序自己的文件 `graded_code_rules.py`（与本 notebook 放在一起）；可见检查会用 ⚠ 提醒违规。
  - PyTorch 自带的嵌入实现：`F.embedding`、`torch.embedding`、`nn.Embedding`、`torch.embedding_renorm_`、`torch.ops.aten.embedding*`、`F.embedding_bag`（类型注解中写 `nn.Embedding` 没有问题）。评分时它们在 PyTorch 内部被关闭：无论以何种写法调用（别名、星号导入、`torch.ops`）都会失败，该部分记零分；
  - `torch`（以及 `torch.nn`、`torch.nn.functional`、`torch.nn.init`、`torch.autograd`、`torch.linalg`、`torch.sparse`、`torch.special`）、`math`、`numpy`、`typing`、`functools`、`itertools`、`collections`、`dataclasses`、`numbers`、`warnings`、`time`、`pathlib`、`matplotlib` 以外的导入，以及星号导入（`from torch import *`）；
  - 动态属性访问或动态生成代码：不是以字面属性名直接调用的 `getattr`/`setattr`/`hasattr`/`delattr`（类里的 `getattr(self, name)` 没有问题），对它们的其他用法（别名、作为参数传递），`vars`、`globals`、`locals`、`eval`、`exec`、`compile`、`__import__`，路径不是字面量的 `open`；`__dict__`、`__class__.__mro__`、`__globals__` 之类的双下划线属性（自己的 `self.__dict__` 没有问题）、库的私有属性（`torch._C`）、深入对象内部的 `match` 关键字模式、`__torch_function__`；
  - 线程或进程：`threading`、`multiprocessing`、`subprocess`、`os`、`sys`、`concurrent.futures`。
- **第 1 部分必须是独热乘积**，按你的代码实际计算了什么来判断：给第 1 部分评分时，`one_hot_lookup` 的每一次调用都会被观察（评分程序自己的 `one_hot_rule.py`，与本 notebook 放在一起），表中的值必须通过与独热矩阵对表的各行求和才能到达结果——矩阵乘法、`einsum`、`tensordot`、稀疏乘积，分块或转置都可以，`eye(V)[ids] @ weight` 也可以。按位置读取表（`weight[ids]`、`index_select`、`gather`、逐个 `weight[k]` 的循环、把切片拼接起来）就违反了规则，无论结果的值看起来怎样。第 1 部分的最后一项可见检查运行的就是这条规则。
- **设备。** 不要把设备写死：新建的张量要放在输入所在的设备上（`device=weight.device`），这样同一份代码在 GPU 上也能运行。
- **索引**的类型是 `int64` 或 `int32`。负数索引或 `>= V` 的索引必须抛出异常，绝不能悄悄地回绕（wrap around）。

本 notebook 中的检查和演示代码会随意使用 PyTorch 的嵌入实现：我们正是靠它们来做对比的。

</details>

**术语表。** 本 notebook 和评分程序的中文反馈使用同一套术语（`autograder/glossary.py`）。特别注意：`max_norm` 做的是**重新缩放**（把超长的行按比例缩短到上限），不是**归一化**（把向量缩放到长度 1）；讲义里说的“正则化”也常常被误当成“归一化”——这两个词只差一个字，意思却完全不同（见第 3 部分）。

""" + glossary_table("zh")),
    md(en=r"""
## Setup

Run the next cell first (it is folded: click it to unfold). It imports what the notebook uses and
defines the visible checks' helpers, which you only need to call:

- `check(name, got, expected, ...)` compares in steps — a tensor? shape, dtype, device, values — and
  `check_raises(name, fn, valid=...)` passes when `fn()` raises *and* the same call on valid input
  (`valid`) does not, so a crash does not count as a refusal.
- `summary(part)` ends a part's checks. When some fail it first says what they share (ten checks that
  raise the same error are one mistake: fix it first) and the likely cause of each failure — only a
  cause that matches how the check failed — in red; then every check's line. The notebook runs on
  to the next part either way, and demos that need code you have not written yet say so and go on.
""", zh=r"""
## 准备工作

请先运行下一个单元格（它是折叠的：点击即可展开）。它导入本 notebook 用到的库，并定义可见检查的辅助函数，你只需要调用它们：

- `check(name, got, expected, ...)` 分步骤比较——是不是张量？形状、dtype、设备、数值——而 `check_raises(name, fn, valid=...)` 要求 `fn()` 抛出异常，**并且**同样的调用换成有效输入（`valid`）时不抛出，这样程序崩溃就不会被当成“拒绝了无效输入”。
- `summary(part)` 结束一个部分的检查。有检查未通过时，它先用红色说明这些失败有什么共同点（十项检查抛出同一个错误，其实是同一个错误：先修好它），以及每个失败的可能原因——只给出与失败方式相符的原因；然后列出每一项检查。无论如何 notebook 都会继续运行到下一部分；需要你尚未写好的代码的演示会说明这一点，然后继续。
"""),
    provided("setup", collapsed=True, src=r'''
import ast
import time
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from matplotlib import font_manager
from torch import nn

torch.manual_seed(0)
torch.set_printoptions(precision=4, sci_mode=False)
torch.set_num_threads(1)   # the tensors here are small: one thread beats several contending for the cores

MSG = @@MSG@@
CAUSES = @@CAUSES@@   # likely causes, from the grader's catalog: key -> [kinds, exception types, words, text]
FONTS = @@FONTS@@   # the figures' text is drawn in the first of these that is installed


def _use_fonts(names):
    """Draw figure text in the first installed font of `names` (the zh edition needs a CJK font)."""
    if not names:
        return
    known = {f.name for f in font_manager.fontManager.ttflist}
    if not known & set(names):          # installed after matplotlib cached its font list: add the files
        for path in font_manager.findSystemFonts():
            if any(key in Path(path).name for key in ("CJK", "wqy", "SourceHan", "msyh", "simhei", "PingFang")):
                font_manager.fontManager.addfont(path)
        known = {f.name for f in font_manager.fontManager.ttflist}
    found = [name for name in names if name in known]
    if found:
        plt.rcParams["font.sans-serif"] = found[:1] + ["DejaVu Sans"]   # DejaVu for the odd symbol
        plt.rcParams["axes.unicode_minus"] = False
    else:                               # say so once, instead of a warning per missing glyph
        print(MSG["no_font"])
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")


_use_fonts(FONTS)
_RESULTS = []   # one dict per check since start(): name, ok, line, kind, error, message, key, part
_PART = [""]    # the part whose checks are running ("" outside start() ... summary())


class VisibleChecksFailed(AssertionError):
    """Shown, not raised, by summary(): the cell turns red and Run All goes on to the next part."""


def _shell():
    try:
        return get_ipython()  # noqa: F821 - IPython provides it; plain Python does not
    except NameError:
        return None


def _red(text, error=None):
    """Show text as an error (red in Jupyter) without stopping the notebook; plain Python prints it."""
    shell = _shell()
    if shell is None or not hasattr(shell, "showtraceback"):
        print(text or f"{type(error).__name__}: {error}")
        return
    if error is None:
        error = VisibleChecksFailed(text)
    shell.showtraceback((type(error), error, error.__traceback__))


def _show(value):
    """A value as the report shows it: True/False in the notebook's language."""
    if isinstance(value, bool):
        return MSG["true"] if value else MSG["false"]
    return repr(value)


def _first_line(error):
    return (str(error).splitlines() or [""])[0][:100]


def _compare(got, expected, exact, atol, rtol):
    """(kind, problem, detail): kind and problem are None when got passes; kind says how it differs."""
    if not isinstance(expected, torch.Tensor):
        if isinstance(got, torch.Tensor) or got != expected:
            return "values", MSG["differs"].format(got=_show(got), expected=_show(expected)), ""
        return None, None, MSG["equal"].format(value=_show(expected))
    if not isinstance(got, torch.Tensor):
        return "values", MSG["not_tensor"].format(type=type(got).__name__), ""
    got, expected = got.detach(), expected.detach()
    for step, g, e in (("shape", tuple(got.shape), tuple(expected.shape)),
                       ("dtype", got.dtype, expected.dtype),
                       ("device", got.device, expected.device)):
        if g != e:
            return step, MSG[step].format(got=g, expected=e), ""
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
    detail = MSG["values"].format(exact=_show(is_exact), close=_show(is_close), diff=worst, where=where)
    return (None, None, detail) if (is_exact if exact else is_close) else ("values", detail, detail)


def _cause(result, symptoms_only=False):
    """The likely cause of a failed check, if the catalog has one that matches how it failed: the
    check's own (by its key) when it asks for this exception, then the part's symptoms, then its own."""
    part = result["part"]
    own = [] if symptoms_only or not result["key"] else [k for k in (f"{part}/{result['key']}",) if k in CAUSES]
    symptoms = [k for k in CAUSES if k.startswith((f"{part}/*:", "*/*:"))]
    for key in [k for k in own if CAUSES[k][1] or CAUSES[k][2]] + symptoms + \
            [k for k in own if not (CAUSES[k][1] or CAUSES[k][2])]:
        kinds, errors, words, text = CAUSES[key]
        raised = result["kind"] in ("raised", "other_reason")
        if result["kind"] in kinds and (not errors or result["error"] in errors) and \
                (not words or not raised or any(w.lower() in result["message"].lower() for w in words)):
            return text
    return ""


def _record(name, kind, text, key="", ok=False, error="", message=""):
    mark = MSG["ok"] if ok else MSG["fail"]
    line = f"{mark} {name}  ·  {text}" if text else f"{mark} {name}"
    result = {"name": name, "ok": ok, "line": line, "kind": kind, "error": error, "message": message,
              "key": key, "part": _PART[0]}
    _RESULTS.append(result)
    if not _PART[0]:          # outside a part's checks: say it now
        print(line)
        if not ok and _cause(result):
            print("    " + MSG["cause"].format(cause=_cause(result)))


def check(name, got, expected, exact=True, atol=0.0, rtol=0.0, key=""):
    """Compare got (or what got() returns) with expected, in steps: a tensor? shape, dtype, device, values.
    key names the check in the catalog of likely causes."""
    if callable(got) and not isinstance(got, (torch.Tensor, nn.Module, type)):
        try:
            got = got()
        except NotImplementedError:
            return _record(name, "not_implemented", MSG["not_implemented"], key)
        except Exception as e:
            return _record(name, "raised", MSG["raised"].format(error=type(e).__name__, message=_first_line(e)), key,
                           error=type(e).__name__, message=str(e))
    kind, problem, detail = _compare(got, expected, exact, atol, rtol)
    _record(name, kind, problem or detail, key, ok=problem is None)


def check_raises(name, fn, *errors, valid=None, key=""):
    """Call fn(); pass if it raises one of errors (default: any exception but NotImplementedError) for the
    right reason: valid() -- the same call on the nearest valid input -- must not raise."""
    errors = errors or (Exception,)
    expected = MSG["or"].join(e.__name__ for e in errors)
    try:
        fn()
    except Exception as e:
        if isinstance(e, NotImplementedError) and NotImplementedError not in errors:
            return _record(name, "not_implemented", MSG["not_implemented"], key)
        try:
            if valid is not None:
                valid()
        except NotImplementedError:
            return _record(name, "not_implemented", MSG["not_implemented"], key)
        except Exception as v:   # the valid neighbour raises too: it raised for another reason
            problem = MSG["other_reason"].format(error=type(e).__name__, message=_first_line(e),
                                                 valid=type(v).__name__, valid_message=_first_line(v))
            return _record(name, "other_reason", problem, key, error=type(v).__name__, message=str(v))
        if not isinstance(e, errors):
            problem = MSG["wrong_error"].format(error=type(e).__name__, message=_first_line(e), expected=expected)
            return _record(name, "raised", problem, key, error=type(e).__name__, message=str(e))
        return _record(name, None, MSG["raised"].format(error=type(e).__name__, message=_first_line(e)), key, ok=True)
    _record(name, "not_raised", MSG["not_raised"].format(expected=expected), key)


def check_one_hot_rule(fn, calls):
    """The grader's one-hot rule (one_hot_rule.py beside this notebook is the grader's own file): each
    call is watched, and the table's values must reach the result through a sum over its rows."""
    try:
        from one_hot_rule import Judge
    except ImportError:
        return _record(MSG["one_hot_rule"], "values", MSG["no_rules_file"].format(name="one_hot_rule.py"))
    judge = Judge()
    watched = judge.wrap(fn)
    for indices, weight in calls:
        try:
            watched(indices, weight)
        except Exception:   # a call that raises is not judged (the checks above report it)
            pass
    seen = judge.verdict()
    if seen["broke"]:
        return _record(MSG["one_hot_rule"], "rule", MSG["one_hot_" + seen["broke"]].format(op=seen["op"]),
                       "is_a_one_hot_product")
    _record(MSG["one_hot_rule"], None, MSG["one_hot_judged"].format(n=seen["judged"]), ok=True)


def start(part):
    """Open a part's visible checks: forget earlier results, warn about code the grader skips or refuses."""
    _RESULTS.clear()
    _PART[0] = part
    if part in _API:
        preview_grading(part)


def _symptom(result):
    """What a failed check may share with others (the same exception, the same wrong dtype, a stub)."""
    if result["kind"] == "not_implemented":
        return ("not_implemented",), MSG["not_implemented"]
    if result["kind"] in ("raised", "other_reason") and result["error"]:   # other_reason: what valid input raised
        said = _first_line(result["message"])
        return ("raised", result["error"], said), MSG["raised"].format(error=result["error"], message=said)
    if result["kind"] == "dtype":
        return ("dtype", result["line"].split("  ·  ")[-1]), result["line"].split("  ·  ")[-1]
    return None, ""


def summary(part):
    """Close a part's visible checks. If any failed: first what they share and its likely cause, each
    other failure with its cause, shown red (Run All goes on); then every check's line."""
    results, _PART[0] = list(_RESULTS), ""
    failed = [r for r in results if not r["ok"]]
    if not failed:
        for r in results:
            print(r["line"])
        print()
        print(MSG["passed"].format(part=part, n=len(results)))
        return
    shared = {}
    for r in failed:
        key, text = _symptom(r)
        if key is not None:
            shared.setdefault(key, (text, []))[1].append(r)
    lines, told, causes = [MSG["failed"].format(part=part, bad=len(failed), n=len(results))], [], set()
    for text, rs in shared.values():
        if len(rs) > 1:
            lines.append(f"{MSG['fail']} " + MSG["group"].format(n=len(rs), symptom=text))
            cause = _cause(rs[0], symptoms_only=True) or _cause(rs[0])
            if cause:
                lines.append("    " + MSG["cause"].format(cause=cause))
                causes.add(cause)
            told += rs
    for r in failed:
        if not any(r is t for t in told):
            lines.append(r["line"])
            if _cause(r) and _cause(r) not in causes:      # each cause once, the first time
                lines.append("    " + MSG["cause"].format(cause=_cause(r)))
                causes.add(_cause(r))
    _red("\n".join(lines))
    print(MSG["all_checks"])
    for r in results:
        print(r["line"])


class needs:
    """with needs("one_hot_lookup"): a demo that runs your code. Not written yet, or raising: the demo
    says so (red for an error, with its traceback) and the notebook goes on, so Run All reaches the end."""

    def __init__(self, *names):
        self.names = ", ".join(names)

    def __enter__(self):
        return self

    def __exit__(self, kind, error, trace):
        if kind is None or not issubclass(kind, Exception):
            return False
        if issubclass(kind, NotImplementedError):
            print(MSG["demo_not_written"].format(names=self.names))
        else:
            _red("", error)
            print(MSG["demo_error"].format(names=self.names))
        return True


# What the grader runs of a solution cell, and what it refuses (see "Rules for graded code"): the rules
# themselves are the grader's own file, graded_code_rules.py beside this notebook.
_KEPT = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef,
         ast.Assign, ast.AnnAssign, ast.AugAssign, ast.If, ast.Try)
_API = {"one_hot_lookup": "one_hot_lookup", "embedding_backward": "embedding_backward",
        "embedding_renorm": "embedding_renorm_", "embedding_module": "Embedding"}
def _executed_cells():
    """The code of the cells run so far in this kernel, oldest first ([] outside IPython)."""
    shell = _shell()
    return [s for s in (shell.user_ns.get("In") or []) if s] if shell is not None else []


def preview_grading(part):
    """Warn about the cell that defines this part: statements the grader skips, rules it would break."""
    for source in reversed(_executed_cells()):
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        if any(isinstance(n, (ast.FunctionDef, ast.ClassDef)) and n.name == _API[part] for n in tree.body):
            break
    else:
        return
    lines, notes = source.splitlines(), []
    for node in tree.body:
        if not isinstance(node, _KEPT):
            note = MSG["not_run"].format(line=node.lineno, code=lines[node.lineno - 1].strip()[:60])
            call = node.value if isinstance(node, ast.Expr) else None
            if (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "setattr"
                    and len(call.args) == 3 and isinstance(call.args[1], ast.Constant)):
                target = f"{ast.unparse(call.args[0])}.{call.args[1].value} = {ast.unparse(call.args[2])}"
                note += MSG["write_instead"].format(code=target)
            notes.append(note)
    try:
        from graded_code_rules import breaks, imported_names   # the grader's own rules, released beside this notebook
    except ImportError:
        breaks, imported_names = (lambda node, modules: []), (lambda nodes: set())
        notes.append(MSG["no_rules_file"].format(name="graded_code_rules.py"))
    modules = imported_names(tree.body)
    for node in tree.body:
        for line, code, rule in breaks(node, modules):
            notes.append(MSG["rule"].format(line=line, code=code[:60], rule=MSG["rule_" + rule]))
    for note in notes:
        print(f"{MSG['warn']} {note}")
    if notes:
        print()
'''),
]
