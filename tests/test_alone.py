"""Cases that run in a sandboxed job of their own (Case.alone): on CUDA, out-of-range indices hit a
device-side assert that poisons the whole CUDA context, so those checks must not share a process
with the others. The mechanism is device-agnostic; here it is exercised on the CPU by marking the
CPU out-of-range check of part 1 as running alone."""
import dataclasses

import pytest

from conftest import BASE

KEY = "one_hot_lookup/rejects_out_of_range_indices[f32-cpu]"
CRASH_ON_BAD_INDEX = '''

import os as _os
_good_lookup = one_hot_lookup


def one_hot_lookup(indices, weight):
    if indices.numel() and (int(indices.min()) < 0 or int(indices.max()) >= weight.shape[0]):
        _os._exit(3)   # dies the way a device-side assert kills a CUDA context
    return _good_lookup(indices, weight)
'''


@pytest.fixture(scope="module")
def alone_grader():
    from autograder import case
    from autograder.grade import Grader
    case.cases("one_hot_lookup")   # fill the registry
    registry = case.REGISTRY["one_hot_lookup"]
    original = list(registry)
    registry[:] = [dataclasses.replace(c, alone=("cpu",)) if c.key == KEY else c for c in registry]
    try:
        with Grader(["cpu"]) as g:   # its zygote forks now, with the registry as changed
            yield g
    finally:
        registry[:] = original


def test_a_case_that_runs_alone_still_counts(alone_grader, monkeypatch):
    """Does the marked case run in a job of its own (and only there), and does the correct solution
    keep full marks?"""
    jobs, real = [], alone_grader.sandbox.run
    monkeypatch.setattr(alone_grader.sandbox, "run", lambda job: jobs.append(job) or real(job))
    result = alone_grader.grade(BASE)
    assert result.score == 100
    assert [j.get("only") for j in jobs] == [None, [KEY]]


def test_a_crash_in_a_lone_case_costs_that_case_only(alone_grader, tmp_path):
    """If the code dies on out-of-range indices (as a CUDA device assert would), does only that
    check fail, with the reason, while every other check of the part still passes?"""
    path = tmp_path / "crashes.py"
    path.write_text(BASE.read_text() + CRASH_ON_BAD_INDEX)
    part = alone_grader.grade(path).parts["one_hot_lookup"]
    failed = [t for t in part.tests if not t.passed]
    assert [t.name for t in failed] == ["rejects_out_of_range_indices"], [(t.name, t.message) for t in failed]
    assert "exited with status 3" in failed[0].message
    assert 0 < part.score < part.max_score
