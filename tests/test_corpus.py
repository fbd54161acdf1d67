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
