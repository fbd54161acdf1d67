"""The visible checks of the notebooks (issue 13): they run all, explain a failure with its common
cause, sum up, and warn about code the grader will not run -- in each edition's language."""
import contextlib
import io

import nbformat
import pytest

from conftest import ROOT

# A typical Part 2 mistake (tests/corpus/wrong/bwd_padding_zero_is_falsy.py), plus two top-level
# statements the grader skips: a debugging print and a setattr that should be an assignment.
MISTAKE = '''

_right_backward = embedding_backward


def embedding_backward(grad_output, indices, num_embeddings, padding_idx=None, scale_grad_by_freq=False):
    if not padding_idx:          # padding_idx=0 is taken for "no padding"
        padding_idx = None
    return _right_backward(grad_output, indices, num_embeddings, padding_idx, scale_grad_by_freq)


print("debugging")
setattr(embedding_backward, "note", "mine")
'''
WORDS = {"embedding": {"cause": "common cause: `if padding_idx:` treats 0 as no padding",
                       "skipped": 'line {line}: `print("debugging")` will not be run by the grader',
                       "instead": "write `embedding_backward.note = 'mine'` instead",
                       "summary": "embedding_backward: 1 of 14 visible checks fail:"},
         "embedding-zh": {"cause": "常见原因：`if padding_idx:` 把 0 当成了不填充",
                          "skipped": '第 {line} 行：评分程序不会运行 `print("debugging")`',
                          "instead": "请改写为 `embedding_backward.note = 'mine'`",
                          "summary": "embedding_backward：14 项可见检查中有 1 项未通过："}}


@pytest.fixture(autouse=True)
def _beside_the_notebook(monkeypatch):
    """Jupyter runs a notebook in its own folder, where the grader's rule files are released beside it."""
    monkeypatch.syspath_prepend(str(ROOT / "source" / "embedding"))


class _FakeShell:
    """What preview_grading reads of IPython: the executed cells' code, In."""

    def __init__(self, cells):
        self.user_ns = {"In": [""] + cells}


def _cells(edition):
    nb = nbformat.read(ROOT / "source" / edition / "embedding.ipynb", 4)
    return {c.metadata["nbgrader"]["grade_id"]: c.source for c in nb.cells if c.get("metadata", {}).get("nbgrader")}


@pytest.mark.parametrize("edition", WORDS)
def test_a_typical_mistake_gets_its_cause_a_summary_and_skipped_code_flagged(edition):
    """With `if padding_idx:` in Part 2 (and a print and a setattr at the top level), does the visible
    check cell run every check, name the cause under the failing one, sum up, raise, and warn that
    the print and the setattr will not be run (suggesting the assignment)?"""
    cells = _cells(edition)
    student = cells["embedding_backward_code"] + MISTAKE
    ns = {"__name__": "__main__"}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(cells["setup"], ns)
        exec(cells["one_hot_lookup_code"], ns)
        exec(student, ns)
        ns["get_ipython"] = lambda: _FakeShell([cells["setup"], cells["one_hot_lookup_code"], student])
        with pytest.raises(AssertionError):
            exec(cells["embedding_backward"], ns)
    text = out.getvalue()
    words = WORDS[edition]
    assert words["cause"] in text, text
    assert words["summary"] in text, text
    line = student.splitlines().index('print("debugging")') + 1
    assert words["skipped"].format(line=line) in text, text
    assert words["instead"] in text, text
    assert text.count(ns["MSG"]["ok"] + " ") == 13, text        # every other check still ran, and passed


def test_the_grader_rules_are_flagged_before_submitting():
    """Does start() warn about PyTorch's embedding, dynamic access and threads in a solution cell, but
    not about a type annotation naming nn.Embedding?"""
    cells = _cells("embedding")
    student = cells["one_hot_lookup_code"] + '''

import threading


from torch.nn.functional import *
ga = getattr


def one_hot_lookup(indices, weight: nn.Embedding = None):
    name = "one_hot"
    fn = getattr(F, name)
    match torch:
        case object(modules=m):
            pass
    return F.embedding(indices, weight)
'''
    ns = {"__name__": "__main__"}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(cells["setup"], ns)
        ns["get_ipython"] = lambda: _FakeShell([student])
        ns["preview_grading"]("one_hot_lookup")
    text = out.getvalue()
    assert "`import threading` breaks a rule for graded code (threads or processes)" in text, text
    assert "`getattr(F, name)` breaks a rule for graded code (dynamic attribute access" in text, text
    assert "`F.embedding` breaks a rule for graded code (PyTorch's own embedding)" in text, text
    assert "`from torch.nn.functional import *` breaks a rule for graded code (a star import)" in text, text
    assert "`getattr` breaks a rule for graded code (dynamic attribute access" in text, text   # ga = getattr
    assert "`object(modules=m)` breaks a rule for graded code (dynamic attribute access" in text, text
    assert "nn.Embedding`" not in text, text


def test_the_notebooks_rule_files_are_the_graders_own():
    """Are the rule files released beside each notebook (source, assignments, solutions) byte for byte
    the grader's own, so that the visible checks run the rules that grade?"""
    files = {"graded_code_rules.py": "autograder/rules.py", "one_hot_rule.py": "autograder/onehot.py"}
    for top in ("source", "assignments", "solutions"):
        for edition in ("embedding", "embedding-zh"):
            for name, rel in files.items():
                assert (ROOT / top / edition / name).read_bytes() == (ROOT / rel).read_bytes(), (top, edition, name)


def test_the_visible_one_hot_check_runs_the_graders_rule():
    """Does Part 1's last visible check pass a one-hot product and fail an indexing lookup dressed up
    with the product's symptoms, naming what it read?"""
    cells = _cells("embedding")
    dressed = '''

def one_hot_lookup(indices, weight):
    out = weight[indices] + 0.0                       # indexing; -0.0 becomes +0.0 like a product's
    bad = ~torch.isfinite(weight).all(0)               # and NaN copied down non-finite columns
    return torch.where(bad, torch.nan, out)
'''
    for code, fails in ((cells["one_hot_lookup_code"], False), (cells["one_hot_lookup_code"] + dressed, True)):
        ns = {"__name__": "__main__"}
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(cells["setup"], ns)
            exec(code, ns)
            ns["get_ipython"] = lambda: _FakeShell([cells["setup"], code])
            ns["_RESULTS"].clear()
            ns["check_one_hot_rule"](ns["one_hot_lookup"], [(ns["torch"].tensor([[1, 2], [0, 2]]), ns["torch"].randn(3, 4))])
        line = [l for l in out.getvalue().splitlines() if "one-hot product (the grader's rule" in l][0]
        assert line.startswith(ns["MSG"]["fail"] if fails else ns["MSG"]["ok"]), line
        if fails:
            assert "`index`" in line, line
