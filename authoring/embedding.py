"""The embedding notebook as data: the one source of source/embedding/embedding.ipynb (English) and
source/embedding-zh/embedding.ipynb (Chinese).

Markdown cells are dicts of language -> text (`md(en=..., zh=...)`); code cells are text shared by
every language. Prose inside code is written where it is used, as ⟦English‖中文⟧ (check names, printed
labels, figure text, common causes); the longer pieces -- the stubs' docstrings and the messages of
the visible checks -- live in TEXT below and stand in the code as a token `@@key@@`. build.py keeps
the edition's side of each. A new language adds a TEXT entry, a keyword to each md(...) and a side to
⟦…‖…⟧ (build.INLINE_LANGS).

Cell kinds and their nbgrader roles:
    md(en=..., zh=...)          markdown, no nbgrader metadata
    code(src)                   code the student may run and edit, no nbgrader metadata
    provided(grade_id, src)     locked, read-only code (the setup cell)
    solution(part, src)         the part's solution cell, grade_id "<part>_code"; bodies between
                                ### BEGIN SOLUTION / ### END SOLUTION become stubs for students
    graded(part, points, src)   the part's graded cell, grade_id "<part>": visible checks, then the
                                hidden-test marker lines (the hidden tests live in autograder/graders/)
    answer(grade_id, points, model, rubric)
                                a written question's answer cell, graded by hand (grade_id "q_*"):
                                the model answer becomes "YOUR ANSWER HERE"; the rubric, in a
                                hidden-tests region, stays in source/ only
    bonus(name, src)            an ungraded exercise: a solution cell "bonus_<name>" that no part grades
    step(name, src)             a required, ungraded step: a solution cell "step_<name>", checked by the
                                code cell after it (visible checks only)
    predict()                   a one-line answer cell for a "Predict first" (markdown, not graded)

The setup cell (collapsed) holds the visible checks' helpers; their likely causes come from the
grader's catalog (autograder/i18n.py CAUSES), written in as CAUSES for the keys the checks name.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))   # the repository root
from autograder.glossary import TERMS  # noqa: E402 - the zh glossary, shared with the grader's catalog

NOTEBOOK = "embedding.ipynb"   # written to source/<assignment>/
DATA = ("data/sonnets.txt",)   # copied from authoring/ to source/<assignment>/ (released to students)
PARTS = ("one_hot_lookup", "embedding_backward", "embedding_renorm", "embedding_module")
WRITTEN_POINTS = 20            # the written questions' points, graded by hand, on top of the parts' 100

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
            "returns (*, D) in weight's dtype, on weight's device: out[i...] = weight[indices[i...]],\n"
            "computed as a one-hot matrix (*, V) times weight (V, D), without PyTorch's embedding\n"
            "functions; autograd differentiates the product.\n"
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


# --------------------------------------------------------------------------------------------------
# Cell helpers
# --------------------------------------------------------------------------------------------------
def md(**text):
    """A markdown cell: language -> text."""
    return {"cell_type": "markdown", "text": {lang: t.strip("\n") for lang, t in text.items()}}


def code(src):
    """A code cell with no nbgrader role (demos, plots): students may run and change it."""
    return {"cell_type": "code", "source": src.strip("\n"), "nbgrader": None}


def provided(grade_id, src, collapsed=False):
    """Locked, read-only code students should not edit (not graded); collapsed: shown folded."""
    meta = {"grade": False, "solution": False, "locked": True, "grade_id": grade_id, "schema_version": 3}
    return {"cell_type": "code", "source": src.strip("\n"), "nbgrader": meta, "collapsed": collapsed}


def solution(part, src):
    """The part's solution cell: nbgrader replaces each BEGIN/END SOLUTION region by a stub."""
    assert part in PARTS, part
    meta = {"grade": False, "solution": True, "locked": False, "grade_id": f"{part}_code",
            "schema_version": 3}
    return {"cell_type": "code", "source": src.strip("\n"), "nbgrader": meta}


def bonus(name, src):
    """An ungraded bonus exercise: a solution cell (stubbed for students) that no part grades."""
    meta = {"grade": False, "solution": True, "locked": False, "grade_id": f"bonus_{name}",
            "schema_version": 3}
    return {"cell_type": "code", "source": src.strip("\n"), "nbgrader": meta}


def step(name, src):
    """A required but ungraded step: a solution cell "step_<name>" (stubbed for students) that no part
    grades; the code cell after it checks it."""
    meta = {"grade": False, "solution": True, "locked": False, "grade_id": f"step_{name}",
            "schema_version": 3}
    return {"cell_type": "code", "source": src.strip("\n"), "nbgrader": meta}


def predict():
    """An ungraded one-line answer cell under a "Predict first": write the guess down before running."""
    return md(en="*Your prediction* (one line, not graded): …", zh="*你的预测*（一行，不计分）：……")


def graded(part, points, src):
    """The part's graded cell: visible checks, then the hidden-test markers naming the real checks."""
    assert part in PARTS, part
    hidden = ("### BEGIN HIDDEN TESTS\n"
              "# Graded outside this notebook by the kit's isolated grader: "
              f"python -m autograder grade (autograder/graders/test_{part}.py).\n"
              "### END HIDDEN TESTS")
    meta = {"grade": True, "solution": False, "locked": True, "points": points, "grade_id": part,
            "schema_version": 3}
    return {"cell_type": "code", "source": src.strip("\n") + "\n\n" + hidden, "nbgrader": meta}


def answer(grade_id, points, model, rubric):
    """A written answer, graded by hand: nbgrader's "manually graded answer" markdown cell.

    model and rubric are dicts language -> text. Students get the stub in place of the model answer;
    the rubric sits in a hidden-tests region, so it stays in source/ (for graders) and is removed
    from both the release and the solutions."""
    assert grade_id.startswith("q_"), grade_id
    meta = {"grade": True, "solution": True, "locked": False, "points": points, "grade_id": grade_id,
            "schema_version": 3}
    head = {"en": f"**Your answer** ({points} points):", "zh": f"**你的回答**（{points} 分）："}
    rubric_head = {"en": f"Rubric for graders ({points} points):", "zh": f"评分细则（{points} 分）："}
    text = {lang: (f"{head[lang]}\n\n### BEGIN SOLUTION\n{model[lang].strip()}\n### END SOLUTION\n"
                   f"### BEGIN HIDDEN TESTS\n{rubric_head[lang]}\n\n{rubric[lang].strip()}\n### END HIDDEN TESTS")
            for lang in model}
    return {"cell_type": "markdown", "text": text, "nbgrader": meta}


def glossary_table(lang):
    """The shared glossary (autograder/glossary.py) as a markdown table."""
    if lang == "en":
        return ""
    rows = "\n".join(f"| {en} | {zh} |" for en, zh in TERMS.items())
    return "| English | 中文 |\n|---|---|\n" + rows


# --------------------------------------------------------------------------------------------------
# The cells
# --------------------------------------------------------------------------------------------------
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

INTRO = [
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

PART1 = [
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

PART2 = [
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

PART3 = [
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

PART4 = [
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

BONUS = [
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

CELLS = INTRO + PART1 + PART2 + PART3 + PART4 + BONUS
