"""The kit's terms in English and Chinese: one list that the notebook's zh edition (its glossary table,
built from here by authoring/) and the grader's zh catalog (lang_zh.py) agree on.

TERMS maps an English term to its Chinese rendering. AVOID names renderings that must not appear in
Chinese text, with the reason (tests/test_editions.py checks the notebook and the catalog for them).
"""

TERMS = {
    "embedding": "嵌入",
    "embedding table (weight)": "嵌入表（权重）",
    "lookup": "查表",
    "token": "词元",
    "one-hot": "独热",
    "gradient": "梯度",
    "backward pass": "反向传播",
    "autograd": "自动求导",
    "padding": "填充",
    "padding index (padding_idx)": "填充索引",
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
}

AVOID = {
    "重新归一化": "max_norm rescales a row down to the cap; it does not normalise it (use 重新缩放)",
    "padding 行": "say 填充行",
    "padding行": "say 填充行",
    "课程套件": "a calque of 'course kit': say 评分程序 or 本作业",
    "簿记工作": "a calque of 'bookkeeping'",
}
