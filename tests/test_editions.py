"""The English and Chinese editions come from one source (issue 7): same code, same grade ids, same
graders; only the prose differs. And the grader speaks both languages, with the same terms (issue 13)."""
import ast
import json
import re
import string

import nbformat
import pytest

from conftest import ROOT

EDITIONS = ("embedding", "embedding-zh")


def source(edition, where="source"):
    return nbformat.read(ROOT / where / edition / "embedding.ipynb", 4)


class _Prose(ast.NodeTransformer):
    """Blank what may differ by language inside code: every string (docstrings, the visible checks'
    names, messages and causes, printed labels, figure text are all written per language)."""

    def visit_Constant(self, node):
        return ast.Constant("<text>") if isinstance(node.value, str) else node

    def visit_JoinedStr(self, node):
        return ast.Constant("<text>")

    def visit_Assign(self, node):   # the messages, causes and fonts (a CJK font for zh) are per language
        if any(isinstance(t, ast.Name) and t.id in ("MSG", "FONTS", "CAUSES") for t in node.targets):
            node.value = ast.Constant("<text>")
        return self.generic_visit(node)


def code_shape(nb):
    out = []
    for cell in nb.cells:
        meta = {k: v for k, v in (cell.get("metadata", {}).get("nbgrader") or {}).items()
                if k != "checksum"}   # a checksum hashes the cell's text, prose included
        code = ast.dump(_Prose().visit(ast.parse(cell.source))) if cell.cell_type == "code" else None
        out.append((cell.cell_type, code, meta, cell.get("metadata", {}).get("tags")))
    return out


@pytest.mark.parametrize("where", ["source", "assignments", "solutions"])
def test_both_editions_have_the_same_code_cells_and_grade_ids(where):
    """Cell for cell: same kinds, same code (docstrings and messages aside), same nbgrader metadata?"""
    en, zh = (code_shape(source(e, where)) for e in EDITIONS)
    assert len(en) == len(zh)
    for i, (a, b) in enumerate(zip(en, zh)):
        assert a == b, f"{where}: cell {i} differs between the editions"


def test_the_chinese_edition_is_in_chinese():
    """Is every markdown cell of the zh source mostly Chinese text, and none of it the English text?"""
    en, zh = source("embedding"), source("embedding-zh")
    for a, b in zip(en.cells, zh.cells):
        if a.cell_type == "markdown":
            assert a.source != b.source
            assert sum("\u4e00" <= ch <= "\u9fff" for ch in b.source) > 5, b.source[:80]


def test_zh_source_is_built_from_authoring(tmp_path):
    """Is source/embedding-zh what authoring/build.py --lang zh makes today?"""
    import subprocess
    import sys
    out = tmp_path / "embedding.ipynb"
    subprocess.run([sys.executable, str(ROOT / "authoring" / "build.py"), "--lang", "zh", "--out", str(out)],
                   check=True, capture_output=True)
    assert out.read_bytes() == (ROOT / "source" / "embedding-zh" / "embedding.ipynb").read_bytes()


def test_message_catalogs_match():
    """Does the zh catalog have every English message, with the same placeholders?"""
    from autograder.i18n import EN
    from autograder.lang_zh import MESSAGES

    def fields(t):
        return sorted((f, spec) for _, f, spec, _ in string.Formatter().parse(t) if f is not None)
    assert set(MESSAGES) == set(EN)
    for key in EN:
        assert fields(MESSAGES[key]) == fields(EN[key]), key


def test_every_check_has_a_chinese_question():
    """Does every hidden check have its question in Chinese (keyed part/name)?"""
    from autograder.lang_zh import QUESTIONS
    from autograder.items import questions
    keys = set(questions())
    assert keys == set(QUESTIONS)


@pytest.mark.slow
def test_zh_solutions_get_full_marks_and_the_zh_release_zero(grader):
    """Do the Chinese solutions get every point and the Chinese stubs none, with Chinese reports?"""
    from autograder.report import to_text
    full = grader.grade(ROOT / "solutions" / "embedding-zh" / "embedding.ipynb", lang="zh")
    assert full.score == full.max_score
    empty = grader.grade(ROOT / "assignments" / "embedding-zh" / "embedding.ipynb", lang="zh")
    assert empty.score == 0
    text = to_text(empty)
    assert "未通过" in text and "用独热乘积实现查表" in text


def test_grading_json_is_the_same_in_both_languages_but_the_words(grader, tmp_path):
    """Are the scores identical whatever the language (only messages differ)?"""
    from conftest import BASE
    wrong = tmp_path / "indexing.py"
    wrong.write_text(BASE.read_text() + "\n\ndef one_hot_lookup(indices, weight):\n    return weight[indices]\n")
    en, zh = grader.grade(wrong, lang="en"), grader.grade(wrong, lang="zh")
    assert json.dumps({p: r.score for p, r in en.parts.items()}) == json.dumps({p: r.score for p, r in zh.parts.items()})
    rule = {r.name: r for r in en.parts["one_hot_lookup"].tests}["is_a_one_hot_product"]
    rule_zh = {r.name: r for r in zh.parts["one_hot_lookup"].tests}["is_a_one_hot_product"]
    assert not rule.passed and rule.message and rule.message != rule_zh.message


def test_the_notebook_says_its_language_and_the_grader_follows(grader):
    """Does a zh notebook get Chinese reports when no language is asked for, and the asked one otherwise?"""
    from autograder.report import to_text
    zh = ROOT / "assignments" / "embedding-zh" / "embedding.ipynb"
    assert source("embedding-zh", "assignments").metadata["embedding_kit"]["lang"] == "zh"
    assert grader.grade(zh).lang == "zh" and "未通过" in to_text(grader.grade(zh))
    assert grader.grade(zh, lang="en").lang == "en"
    assert grader.grade(ROOT / "assignments" / "embedding" / "embedding.ipynb").lang == "en"


# ---- issue 13: the Chinese edition is Chinese throughout -------------------------------------------
CJK = re.compile(r"[\u4e00-\u9fff]")
# Words that are code or data, not prose, when they stand in a label (exception and tool names, ...).
CODE_WORDS = {"tensor", "dtype", "float", "int", "id", "ids", "repr", "gradcheck", "softmax", "eval", "torch",
              "True", "False", "None", "inf", "nan", "NaN", "RuntimeError", "IndexError", "AssertionError",
              "NotImplementedError", "MiB", "PCA", "SparseAdam", "Adam", "SGD", "bool"}
PLOT_CALLS = {"set_title", "set_xlabel", "set_ylabel", "suptitle", "text", "annotate", "set_xticklabels",
              "set_yticklabels"}
PLOT_KEYWORDS = {"title", "xlabel", "ylabel", "label"}
LABEL_CALLS = {"print", "check", "check_raises", "attempt"}   # their strings are printed


def _texts(node):
    """The literal text an expression prints: its strings and f-strings' constant parts (not dict keys,
    not arguments of calls other than str.join)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.JoinedStr):
        yield "".join(v.value for v in node.values if isinstance(v, ast.Constant))
    elif isinstance(node, ast.BinOp):
        yield from _texts(node.left)
        yield from _texts(node.right)
    elif isinstance(node, (ast.List, ast.Tuple)):
        for elt in node.elts:
            yield from _texts(elt)
    elif isinstance(node, (ast.ListComp, ast.GeneratorExp)):
        yield from _texts(node.elt)
    elif isinstance(node, ast.IfExp):
        yield from _texts(node.body)
        yield from _texts(node.orelse)
    elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "join":
        for arg in node.args:
            yield from _texts(arg)


def _labels(tree):
    """(kind, text) of every label, check name, cause and figure text in a cell's code."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "MSG" for t in node.targets):
            for value in node.value.values:
                yield "message", value.value
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "CAUSES" for t in node.targets):
            for value in node.value.values:      # [kinds, exception types, words, text]
                yield "cause", value.elts[-1].value
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        if name in LABEL_CALLS:
            args = node.args if name == "print" else node.args[:1]
            for arg in args:
                if not isinstance(arg, ast.Lambda):
                    yield from ((f"{name}()", t) for t in _texts(arg))
        if name in PLOT_CALLS:
            for arg in node.args:
                yield from ((f"{name}()", t) for t in _texts(arg))
        for kw in node.keywords:
            if kw.arg in PLOT_KEYWORDS or kw.arg == "cause":
                yield from ((f"{kw.arg}=", t) for t in _texts(kw.value))


def _is_chinese(text):
    """Chinese, or nothing but identifiers, numbers and symbols."""
    if CJK.search(text):
        return True
    words = re.findall(r"[A-Za-z][A-Za-z_.]*", re.sub(r"`[^`]*`", "", text))
    return not [w for w in words if len(w) > 1 and "_" not in w and "." not in w and w not in CODE_WORDS]


def test_the_zh_solution_notebook_labels_checks_and_figures_in_chinese():
    """Is every visible check name, printed label, common cause, message and figure text of the zh
    solution notebook Chinese (identifiers and numbers aside)?"""
    nb = source("embedding-zh", "solutions")
    found, bad = 0, []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for kind, text in _labels(ast.parse(cell.source)):
            found += 1
            if not _is_chinese(text):
                bad.append((i, kind, text))
    assert found > 150, found       # the scan sees the labels at all
    assert not bad, bad


@pytest.mark.parametrize("edition", EDITIONS)
def test_the_solution_notebooks_ran_clean_with_their_figures(edition):
    """Does each executed solution notebook hold its figures, and no error or stderr output?"""
    nb = source(edition, "solutions")
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert not [o for o in outputs if o.get("output_type") == "stream" and o.get("name") == "stderr"]
    assert sum("image/png" in o.get("data", {}) for o in outputs) >= 10


def test_one_glossary_for_the_notebook_and_the_grader():
    """Do the zh notebook and the grader's zh messages avoid the renderings the glossary rules out
    (重新归一化, "padding 行", "padding 位置", the one-hot product's other names, calques), does the
    grader's catalog also avoid 归一化 and leave no glossary term in English (autograd, padding, ...),
    and does the notebook show the glossary's terms?"""
    from autograder.glossary import AVOID, AVOID_IN_GRADER, TERMS, untranslated
    from autograder.lang_zh import MESSAGES, QUESTIONS
    nb = source("embedding-zh")
    text = "\n".join(c.source for c in nb.cells)
    catalog = {**MESSAGES, **{f"question {k}": v for k, v in QUESTIONS.items()}}
    for word, why in AVOID.items():
        if word == "重新归一化":   # named once, on purpose: the notebook says why it does not use the word
            assert text.count(word) <= 1, why
        else:
            assert word not in text, (word, why)
        assert not [k for k, v in catalog.items() if word in v], (word, why)
    for word, why in AVOID_IN_GRADER.items():
        assert not [k for k, v in catalog.items() if word in v], (word, why)
    assert not {k: untranslated(v) for k, v in catalog.items() if untranslated(v)}
    assert all(zh in text for zh in TERMS.values())


def test_the_glossary_check_catches_english_left_in_chinese():
    """Does the check flag "padding 位置" and "autograd 历史" but not identifiers (padding_idx,
    F.embedding, nn.Embedding, code in backticks)?"""
    from autograder.glossary import untranslated
    assert untranslated("在 padding 位置上，不留下 autograd 历史") == ["padding", "autograd"]
    assert untranslated("padding_idx、F.embedding、`padding`、nn.Embedding(10, 3) 和 Embedding 模块") == []


def test_written_questions_are_graded_by_hand_with_the_rubric_only_in_source():
    """Are the written questions manually graded answer cells with points, their rubric in source/
    and in neither the release nor the solutions; and are the bonus exercises stubs for students?"""
    for edition in EDITIONS:
        cells = {where: [c for c in source(edition, where).cells
                         if c.get("metadata", {}).get("nbgrader", {}).get("grade_id", "").startswith("q_")]
                 for where in ("source", "assignments", "solutions")}
        assert len(cells["source"]) == 5
        for where, answers in cells.items():
            assert len(answers) == 5, where
            for c in answers:
                meta = c.metadata.nbgrader
                assert c.cell_type == "markdown" and meta["grade"] and meta["solution"] and meta["points"] == 4
                assert ("BEGIN HIDDEN TESTS" in c.source) == (where == "source"), (where, meta["grade_id"])
        assert all("YOUR ANSWER HERE" in c.source for c in cells["assignments"])
        released = source(edition, "assignments")
        bonus = [c for c in released.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id", "").startswith("bonus_")]
        assert len(bonus) == 2 and all("raise NotImplementedError" in c.source for c in bonus)
        assert "<details>" in "\n".join(c.source for c in released.cells if c.cell_type == "markdown")
