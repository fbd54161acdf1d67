"""The kit's terms in English and Chinese: one list that the notebook's zh edition (its glossary table,
built from here by authoring/) and the grader's zh catalog (lang_zh.py) agree on.

TERMS maps an English term to its Chinese rendering. AVOID names renderings that must not appear in
Chinese text, with the reason; AVOID_IN_GRADER those the grader's catalog must not use although the
notebook may (it names them to warn against them). `untranslated` finds English terms left standing in
Chinese prose. tests/test_editions.py checks the notebook and the catalog with all three.
"""
import re

TERMS = {
    "embedding": "嵌入",
    "embedding table (weight)": "嵌入表（权重）",
    "lookup": "查表",
    "token": "词元",
    "one-hot": "独热",
    "one-hot product": "独热乘积",
    "gradient": "梯度",
    "backward pass": "反向传播",
    "autograd": "自动求导",
    "padding": "填充",
    "padding index (padding_idx)": "填充索引",
    "padding position": "填充位置",
    "padding row": "填充行",
    "renormalise (max_norm)": "重新缩放",
    "norm": "范数",
    "max-norm constraint": "最大范数约束",
    "regularisation": "正则化",
    "normalisation": "归一化",
    "in place": "原地",
    "leaf tensor": "叶子张量",
    "sparse gradient": "稀疏梯度",
    "weight tying": "权重共享",
    "visible check": "可见检查",
    "hidden check": "隐藏检查",
    "solution cell": "解答单元格",
    "nearest neighbour": "最近邻",
    "validation set": "验证集",
}

AVOID = {
    "重新归一化": "max_norm rescales a row down to the cap; it does not normalise it (use 重新缩放)",
    "padding 行": "say 填充行",
    "padding行": "say 填充行",
    "padding 位置": "say 填充位置",
    "课程套件": "a calque of 'course kit': say 评分程序 or 本作业",
    "簿记工作": "a calque of 'bookkeeping'",
    "独热编码乘积": "one name for the one-hot product: 独热乘积",
    "独热向量乘法": "one name for the one-hot product: 独热乘积",
    "独热矩阵乘法": "one name for the one-hot product: 独热乘积",
}

AVOID_IN_GRADER = {
    "归一化": "the grader's words never say normalise: max_norm rescales (重新缩放); the notebook names 归一化 "
             "only to warn against it",
}

# English terms that a Chinese sentence must not leave untranslated (identifiers aside: in backticks, or
# joined to a name by _ . ( such as padding_idx, F.embedding, nn.Embedding(...))
UNTRANSLATED = {"autograd": "自动求导", "padding": "填充", "one-hot": "独热", "renorm": "重新缩放",
                "renormed": "重新缩放", "renormalisation": "重新缩放", "lookup": "查表", "embedding": "嵌入",
                "gradient": "梯度", "normalise": "规范化", "normalised": "规范化"}
_WORD = re.compile(r"(?<![\w.`/-])(" + "|".join(sorted(map(re.escape, UNTRANSLATED), key=len, reverse=True))
                   + r")(?![\w.(`/-])")
_CODE = re.compile(r"`[^`]*`")


def untranslated(text: str) -> list[str]:
    """The English terms left standing as words in a Chinese text (code in backticks aside)."""
    return [m.group(1) for m in _WORD.finditer(_CODE.sub("", text))]
