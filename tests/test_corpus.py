"""The graders against the corpus: every correct style gets full marks, every wrong one loses points
on the parts it breaks and on no other. Each file is graded by the real sandboxed runner."""
from pathlib import Path

import pytest

from conftest import CORPUS, compose, declared

CORRECT = sorted((CORPUS / "correct").glob("*.py"))
WRONG = sorted((CORPUS / "wrong").glob("*.py"))
HIDDEN_CODE = ("lambda api", "make.", "observe(", "def ", "autograder/")


def test_corpus_is_big_enough():
    """Does the corpus hold at least 5 correct styles and 30 wrong submissions (issue 4)?"""
    assert len(CORRECT) >= 5 and len(WRONG) >= 30, (len(CORRECT), len(WRONG))


@pytest.mark.parametrize("path", CORRECT, ids=lambda p: p.stem)
def test_correct_style_gets_full_marks(grader, path: Path):
    """Does a correct implementation, in this style, get every point on every part?"""
    result = grader.grade(path)
    failures = {pid: [(t.name, t.message) for t in p.tests if not t.passed] for pid, p in result.parts.items()}
    assert result.score == result.max_score, (failures, result.notes)


@pytest.mark.parametrize("path", WRONG, ids=lambda p: p.stem)
def test_wrong_loses_points_only_where_broken(grader, path: Path, tmp_path):
    """Does this mistake cost points on the parts it breaks, and on no part that does not use it?"""
    breaks = set(declared(path, "BREAKS"))
    result = grader.grade(compose(path, tmp_path))
    for pid, part in result.parts.items():
        if pid in breaks:
            assert part.score < part.max_score, f"{pid} kept full marks despite the mistake"
            messages = [t.message for t in part.tests if not t.passed]
            assert all(m.strip() for m in messages), "a failed test without a message"
            assert not any(h in m for m in messages for h in HIDDEN_CODE), messages
        else:
            lost = [(t.name, t.message) for t in part.tests if not t.passed]
            assert part.score == part.max_score, f"{pid} lost points it should not: {lost}"


@pytest.mark.cuda
@pytest.mark.parametrize("path", CORRECT[:3], ids=lambda p: p.stem)
def test_correct_style_gets_full_marks_on_cuda(path: Path):
    """On a CUDA machine, do correct styles get full marks on the CUDA cases too (half precision included)?"""
    from autograder.grade import Grader, present_devices
    if "cuda" not in present_devices():
        pytest.skip("no CUDA device here: the CUDA cases run where one is present")
    with Grader(["cuda"]) as g:
        result = g.grade(path)
    assert result.score == result.max_score, result.to_json()


def test_vectorised_corpus_base_is_the_notebook_solution():
    """tests/corpus/correct/vectorised.py (the base every wrong mutation is appended to) repeats the
    notebook's solution cells: are its definitions and imports still the same (docstrings aside)?"""
    import ast
    from autograder.demo import solutions_by_cell
    from conftest import BASE

    def shape(src):
        defs, imports = [], set()
        for node in ast.parse(src).body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                imports.add(ast.dump(node))
            elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                for n in ast.walk(node):
                    body = getattr(n, "body", None)
                    if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and body and isinstance(body[0], ast.Expr) \
                            and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
                        n.body = body[1:] or [ast.Pass()]
                defs.append(ast.dump(node))
        return defs, imports
    assert shape("\n\n".join(solutions_by_cell().values())) == shape(BASE.read_text())


def test_a_forbidden_call_is_traced_to_the_students_function(grader, tmp_path):
    """Does the zero for calling F.embedding name the student's function (and cell line) that called it?"""
    result = grader.grade(compose(CORPUS / "wrong" / "oh_calls_F_embedding.py", tmp_path))
    rule = result.parts["one_hot_lookup"].tests[-1]
    assert not rule.passed and "one_hot_lookup (" in rule.message, rule.message
