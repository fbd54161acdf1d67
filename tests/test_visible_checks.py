"""The visible checks of the notebooks (issues 13, 24): they run all, sum up what failures share and
name a cause only where it matches how a check failed, show the summary red without stopping the
notebook, and warn about code the grader will not run -- in each edition's language."""
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
WORDS = {"embedding": {"cause": "likely cause: `if padding_idx:` treats 0 as no padding",
                       "skipped": 'line {line}: `print("debugging")` will not be run by the grader',
                       "instead": "write `embedding_backward.note = 'mine'` instead",
                       "summary": "embedding_backward: 1 of 14 visible checks fail"},
         "embedding-zh": {"cause": "可能的原因：`if padding_idx:` 会把 0 当成没有填充",
                          "skipped": '第 {line} 行：评分程序不会运行 `print("debugging")`',
                          "instead": "请改写为 `embedding_backward.note = 'mine'`",
                          "summary": "embedding_backward：14 项可见检查中有 1 项未通过"}}


@pytest.fixture(autouse=True)
def _beside_the_notebook(monkeypatch):
    """Jupyter runs a notebook in its own folder, where the grader's rule files are released beside it."""
    monkeypatch.syspath_prepend(str(ROOT / "source" / "embedding"))


class _FakeShell:
    """What the checks use of IPython: the executed cells' code (In), and showtraceback, which shows
    an error (red) without stopping the notebook; here it prints "<red> Name: message"."""

    def __init__(self, cells):
        self.user_ns = {"In": [""] + cells}

    def showtraceback(self, exc_tuple):
        print(f"<red> {exc_tuple[0].__name__}: {exc_tuple[1]}")


def _cells(edition):
    nb = nbformat.read(ROOT / "source" / edition / "embedding.ipynb", 4)
    return {c.metadata["nbgrader"]["grade_id"]: c.source for c in nb.cells if c.get("metadata", {}).get("nbgrader")}


@pytest.mark.parametrize("edition", WORDS)
def test_a_typical_mistake_gets_its_cause_a_summary_and_skipped_code_flagged(edition):
    """With `if padding_idx:` in Part 2 (and a print and a setattr at the top level), does the visible
    check cell run every check, name the cause under the failing one, sum up, raise, and warn that
    the print and the setattr will not be run (suggesting the assignment)?"""
    text, ns = _run_part(edition, "embedding_backward", MISTAKE)
    words = WORDS[edition]
    assert words["cause"] in text, text
    assert "<red> VisibleChecksFailed: " + words["summary"] in text, text   # red, and the cell ran to its end
    line = (_cells(edition)["embedding_backward_code"] + MISTAKE).splitlines().index('print("debugging")') + 1
    assert words["skipped"].format(line=line) in text, text
    assert words["instead"] in text, text
    assert text.count(ns["MSG"]["ok"] + " ") == 13, text        # every other check still ran, and passed


def _run_part(edition, part, mistake):
    """Run Part 1's solution, then `part`'s solution followed by `mistake` (its definitions win), then
    the part's check cell: (what it printed, the namespace)."""
    cells = _cells(edition)
    earlier = [cells["one_hot_lookup_code"]] if part != "one_hot_lookup" else []
    student = cells[f"{part}_code"] + mistake
    ns = {"__name__": "__main__"}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(cells["setup"], ns)
        for code in earlier:
            exec(code, ns)
        exec(student, ns)
        ns["get_ipython"] = lambda: _FakeShell([cells["setup"], *earlier, student])
        exec(cells[part], ns)      # never raises: a failure is shown red and the notebook goes on
    return out.getvalue(), ns


# A missing dtype= (issue 24): every check that reaches index_add_ raises the same error
NO_DTYPE = '''

def embedding_backward(grad_output, indices, num_embeddings, padding_idx=None, scale_grad_by_freq=False):
    padding_idx = _normalise_padding_idx(padding_idx, num_embeddings)
    _check_indices(indices, num_embeddings)
    D = grad_output.shape[-1]
    idx, grad = indices.reshape(-1).long(), grad_output.reshape(indices.numel(), D)
    if padding_idx is not None:
        keep = idx != padding_idx
        idx, grad = idx[keep], grad[keep]
    return torch.zeros(num_embeddings, D).index_add_(0, idx, grad)      # float32, whatever grad_output is
'''


@pytest.mark.parametrize("edition", WORDS)
def test_failures_that_share_an_exception_are_told_once_first_with_one_cause(edition):
    """With `torch.zeros(V, D)` and no dtype= (float64 checks raise in index_add_), does the summary
    say first that those checks fail the same way, with the dtype cause once and no other cause for
    them, and list each such check (the must-raise ones too: their valid input raises the same)?"""
    text, ns = _run_part(edition, "embedding_backward", NO_DTYPE)
    msg = ns["MSG"]
    red = text[text.index("<red>"):text.index(msg["all_checks"])]
    cause = ns["CAUSES"]["embedding_backward/*:mixed_dtypes"][3]
    assert red.count(msg["cause"].format(cause=cause)) == 1, red
    assert red.index(msg["fail"]) < red.index(cause), red                     # the group, then its cause
    assert red.count(msg["cause"].split("{", 1)[0]) == 1, red                   # no other cause printed
    assert "12" in red.splitlines()[1] and "index_add_" in red.splitlines()[1], red
    assert ns["MSG"]["other_reason"].split("{", 1)[0] in text, text           # the must-raise checks say why


BROKEN_LOOKUP = '''

def one_hot_lookup(indices, weight):
    _check_indices(indices, weight.shape[0])
    return (F.one_hot(indices.long(), weight.shape[0]) @ weight).reshape(-1)   # int64 @ float: raises
'''


def test_a_must_raise_check_that_raised_for_another_reason_fails():
    """Does `id -1 raises` fail when the lookup raises for the valid neighbour too (a crash, not a
    refusal), saying so, while `id V raises` for a lookup that refuses it properly passes?"""
    text, ns = _run_part("embedding", "one_hot_lookup", BROKEN_LOOKUP)
    line = next(l for l in text.splitlines()[::-1] if "id -1 raises" in l)
    assert line.startswith(ns["MSG"]["fail"]) and "raised for another reason" in line, line
    good, _ = _run_part("embedding", "one_hot_lookup", "")
    assert next(l for l in good.splitlines()[::-1] if "id -1 raises" in l).startswith(ns["MSG"]["ok"]), good


def test_a_cause_is_printed_only_when_it_matches_the_failure():
    """Is a check's cause left out when it failed some other way than the cause explains (a value
    cause for a raised error, an exception's cause for a wrong value), and is a passing check silent?"""
    cells = _cells("embedding")
    ns = {"__name__": "__main__"}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(cells["setup"], ns)
        ns["start"]("embedding_backward")
        ns["check"]("a", lambda: 1, 2, key="padding_idx_zero")                         # a wrong value
        ns["check"]("b", lambda: (_ for _ in ()).throw(ValueError("odd")), 2, key="padding_idx_zero")
        ns["check"]("c", lambda: 2, 2, key="padding_idx_zero")
        ns["summary"]("embedding_backward")
    text = out.getvalue()
    cause = ns["CAUSES"]["embedding_backward/padding_idx_zero"][3]
    assert text.count(cause) == 1, text                     # under a, not under b (ValueError), not c
    assert text.index(cause) < text.index("✗ b"), text


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
