"""Shared fixtures: one warm grader per test session (as in class-scale grading), corpus helpers."""
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).resolve().parent / "corpus"
BASE = CORPUS / "correct" / "vectorised.py"


@pytest.fixture(autouse=True)
def _fresh_report_lines():
    """Each test wraps its reports' lines itself: the process-wide cache of wrapped lines
    (report._wrapped) would otherwise hand one test (or one mutant, make mutation) another's lines."""
    from autograder import report
    report._wrapped.cache_clear()


@pytest.fixture(scope="session")
def grader():
    from autograder.grade import Grader, present_devices
    with Grader(present_devices()) as g:
        yield g


def compose(mutation: Path, tmp_path: Path) -> Path:
    """A full submission: the reference solution with the mutation's definitions appended (they win)."""
    out = tmp_path / f"{mutation.stem}.py"
    out.write_text(BASE.read_text() + "\n\n# ---- mutation: " + mutation.name + "\n" + mutation.read_text())
    return out


def declared(path: Path, name: str, default=None):
    """A module-level literal the corpus file declares (BREAKS = (...), MAX = {...}), read without running it."""
    import ast
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return ast.literal_eval(node.value)
    if default is not None:
        return default
    raise AssertionError(f"{path.name} declares no {name}")
