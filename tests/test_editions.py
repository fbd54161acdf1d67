"""The English and Chinese editions come from one source (issue 7): same code, same grade ids, same
graders; only the prose differs. And the grader speaks both languages."""
import ast
import json
import string

import nbformat
import pytest

from conftest import ROOT

EDITIONS = ("embedding", "embedding-zh")


def source(edition, where="source"):
    return nbformat.read(ROOT / where / edition / "embedding.ipynb", 4)


class _Prose(ast.NodeTransformer):
    """Blank what may differ by language inside code: docstrings and the visible checks' MSG texts."""

    def _strip_docstring(self, node):
        self.generic_visit(node)
        if node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant) \
                and isinstance(node.body[0].value.value, str):
            node.body[0] = ast.Expr(ast.Constant("<docstring>"))
        return node

    visit_FunctionDef = visit_ClassDef = visit_Module = _strip_docstring

    def visit_Assign(self, node):
        if any(isinstance(t, ast.Name) and t.id == "MSG" for t in node.targets) and isinstance(node.value, ast.Dict):
            node.value.values = [ast.Constant("<text>") for _ in node.value.values]
        return node


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
    from autograder.case import cases
    from autograder.lang_zh import QUESTIONS
    from autograder.parts import PARTS
    keys = {f"{c.part}/{c.name}" for p in PARTS for c in cases(p.id)}
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
    assert "未通过" in text and "用独热编码乘积实现查表" in text


def test_grading_json_is_the_same_in_both_languages_but_the_words(grader, tmp_path):
    """Are the scores identical whatever the language (only messages differ)?"""
    from conftest import BASE
    wrong = tmp_path / "indexing.py"
    wrong.write_text(BASE.read_text() + "\n\ndef one_hot_lookup(indices, weight):\n    return weight[indices]\n")
    en, zh = grader.grade(wrong, lang="en"), grader.grade(wrong, lang="zh")
    assert json.dumps({p: r.score for p, r in en.parts.items()}) == json.dumps({p: r.score for p, r in zh.parts.items()})
    assert en.parts["one_hot_lookup"].tests[-1].message != zh.parts["one_hot_lookup"].tests[-1].message


def test_the_notebook_says_its_language_and_the_grader_follows(grader):
    """Does a zh notebook get Chinese reports when no language is asked for, and the asked one otherwise?"""
    from autograder.report import to_text
    zh = ROOT / "assignments" / "embedding-zh" / "embedding.ipynb"
    assert source("embedding-zh", "assignments").metadata["embedding_kit"]["lang"] == "zh"
    assert grader.grade(zh).lang == "zh" and "未通过" in to_text(grader.grade(zh))
    assert grader.grade(zh, lang="en").lang == "en"
    assert grader.grade(ROOT / "assignments" / "embedding" / "embedding.ipynb").lang == "en"
