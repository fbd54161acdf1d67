"""The batch's bookkeeping (batch.py), in process, without a pool or a gradebook: what it stores,
records and marks as each result arrives, what it tells, and what it leaves for a rerun.
(tests/test_batch.py runs the real batch, with its workers and nbgrader's gradebook.)"""
import json
import sys
import threading
from concurrent.futures import Future

import pytest

from autograder import batch
from autograder.batch import BatchIncomplete, _collect
from autograder.i18n import lang as current_lang
from autograder.result import PartResult, Result
from autograder.store import result_path


def result(score: float) -> Result:
    return Result(score, 100.0, {"one_hot_lookup": PartResult(score, 25.0)}, [], ["cpu"], [], "en")


def done(value=None, error=None) -> Future:
    f = Future()
    f.set_exception(error) if error is not None else f.set_result(value)
    return f


class Progress:
    def __init__(self):
        self.updates, self.printed = [], []
        self.console = self

    def update(self, task, advance, status):
        self.updates.append((task, advance, status))

    def print(self, text):
        self.printed.append(text)


class Recorder:
    def __init__(self, readable=True, fail=()):
        self.recorded, self.readable, self.fail = [], readable, set(fail)

    def record(self, student, res):
        if student in self.fail:
            raise RuntimeError("the gradebook said no")
        self.recorded.append((student, res.score))
        return self.readable


@pytest.fixture
def course(tmp_path):
    marks = tmp_path / "results" / "embedding" / ".recorded"
    marks.mkdir(parents=True)
    return tmp_path / "results", marks


def collect(futures, recorder, course, force=False, report=False):
    """_collect's results and progress (also kept as collect.results and collect.progress, for a
    test in which it raises)."""
    results_dir, marks = course
    results, progress = {}, Progress()
    try:
        _collect(futures, recorder, results, results_dir, marks, "embedding", force, progress, "task", report)
    finally:
        collect.results, collect.progress = results, progress
    return results, progress


def test_each_result_is_stored_recorded_and_marked(course):
    """A fresh result is stored under its student, recorded, and marked recorded with its digest; the
    progress line says the score; a result graded before is not stored again."""
    results_dir, marks = course
    futures = {done((result(80.0).to_json(), "key-a", False, "fp")): "alice",
               done((result(40.0).to_json(), "key-b", True, "fp")): "bob"}
    recorder = Recorder()
    results, progress = collect(futures, recorder, course)
    assert {s: r.score for s, r in results.items()} == {"alice": 80.0, "bob": 40.0}
    stored = json.loads(result_path(results_dir, "embedding", "alice").read_text())
    assert (stored["student"], stored["submission_key"], stored["grader"]) == ("alice", "key-a", "fp")
    assert stored["result"] == result(80.0).to_json()
    assert not result_path(results_dir, "embedding", "bob").exists()   # cached: stored before
    assert sorted(recorder.recorded) == [("alice", 80.0), ("bob", 40.0)]
    for s, score in (("alice", 80.0), ("bob", 40.0)):
        assert (marks / s).read_text() == json.dumps(result(score).to_json(), sort_keys=True)
    assert sorted(u[2] for u in progress.updates) == ["alice: 80.0", "bob: 40.0 (graded before)"]
    assert all(u[:2] == ("task", 1) for u in progress.updates) and progress.printed == []


def test_a_result_without_a_key_is_not_stored(course):
    results_dir, _marks = course
    collect({done((result(1.0).to_json(), None, False, "fp")): "carol"}, Recorder(), course)
    assert not (results_dir / "embedding" / "carol.json").exists() and collect.results["carol"].score == 1.0


def test_a_student_recorded_with_this_result_is_not_recorded_again(course):
    """Marked with this very result: not recorded again (unless forced); marked with another (a
    resubmission): recorded again."""
    _results_dir, marks = course
    (marks / "alice").write_text(json.dumps(result(80.0).to_json(), sort_keys=True))
    (marks / "bob").write_text(json.dumps(result(10.0).to_json(), sort_keys=True))
    futures = lambda: {done((result(80.0).to_json(), "k", True, "fp")): "alice",   # noqa: E731
                       done((result(40.0).to_json(), "k", True, "fp")): "bob"}
    recorder = Recorder()
    collect(futures(), recorder, course)
    assert recorder.recorded == [("bob", 40.0)]
    forced = Recorder()
    collect(futures(), forced, course, force=True)
    assert sorted(forced.recorded) == [("alice", 80.0), ("bob", 40.0)]


def test_without_a_recorder_nothing_is_marked(course):
    _results_dir, marks = course
    results, progress = collect({done((result(5.0).to_json(), "k", False, "fp")): "dave"}, None, course)
    assert results["dave"].score == 5.0 and not (marks / "dave").exists()
    assert progress.updates == [("task", 1, "dave: 5.0")]


def test_an_unreadable_notebook_is_recorded_with_its_scores_only(course):
    _results_dir, marks = course
    _r, progress = collect({done((result(0.0).to_json(), "k", False, "fp")): "erin"}, Recorder(readable=False), course)
    assert progress.updates[0][2] == "erin: 0.0, scores only: the notebook could not be read"
    assert (marks / "erin").exists()


@pytest.fixture
def in_order(monkeypatch):
    """Results arrive in the order the futures were submitted (as_completed's own order is a set's)."""
    monkeypatch.setattr(batch, "as_completed", lambda futures: iter(list(futures)))


def test_failures_are_told_and_left_for_a_rerun(course, monkeypatch, in_order):
    """A worker's exception (not graded), a result that cannot be stored and one the gradebook
    refuses each fail that student alone: the others are stored and recorded; each failed one is
    told in red with what to do, left unmarked, and BatchIncomplete names them."""
    results_dir, marks = course
    real_store = batch.store

    def store(path, key, fingerprint, res, student):
        if student == "frank":
            raise OSError("disk full")
        real_store(path, key, fingerprint, res, student)
    monkeypatch.setattr(batch, "store", store)
    futures = {done(error=ValueError("worker died")): "zoe",
               done((result(7.0).to_json(), "k", False, "fp")): "frank",
               done((result(9.0).to_json(), "k", False, "fp")): "gina",
               done((result(3.0).to_json(), "k", False, "fp")): "hal"}
    recorder = Recorder(fail={"gina"})
    with pytest.raises(BatchIncomplete) as info:
        collect(futures, recorder, course)
    failed = info.value.failed
    assert failed == {"zoe": "not graded: ValueError: worker died",
                      "frank": "graded, not stored: OSError: disk full",
                      "gina": "graded, not recorded: RuntimeError: the gradebook said no"}
    assert str(info.value) == "3 submission(s) not finished: frank, gina, zoe"
    assert sorted(recorder.recorded) == [("frank", 7.0), ("hal", 3.0)]   # frank: graded and recorded, not stored
    assert not (marks / "gina").exists() and (marks / "hal").exists() and (marks / "frank").exists()
    assert result_path(results_dir, "embedding", "hal").exists()
    assert "zoe" not in collect.results and collect.results["gina"].score == 9.0
    statuses = dict(u[2].split(": ", 1) for u in collect.progress.updates)
    assert statuses["zoe"] == "not graded: ValueError: worker died"
    assert statuses["gina"] == "9.0 (graded, not recorded: RuntimeError: the gradebook said no)"
    assert statuses["frank"] == "7.0" and statuses["hal"] == "3.0"
    assert len(collect.progress.updates) == 4 and all(u[:2] == ("task", 1) for u in collect.progress.updates)
    assert collect.progress.printed == [f"[bold red]{s}[/]: {failed[s]} — run the batch again to retry"
                                        for s in ("frank", "gina", "zoe")]


def test_status_lines_are_valid_utf8(course):
    futures = {done(error=ValueError("bad \udcff")): "zed", done((result(1.0).to_json(), "k", True, "fp")): "s\udcff"}
    with pytest.raises(BatchIncomplete):
        collect(futures, Recorder(fail={"s\udcff"}), course)
    for _t, _a, status in collect.progress.updates:
        status.encode("utf-8")
    for text in collect.progress.printed:
        text.encode("utf-8")
    assert any("\\udcff" in u[2] for u in collect.progress.updates)


def test_the_plotting_library_loads_once_after_the_first_result(course, monkeypatch):
    """With a class report to write, the first result starts loading the plotting library beside
    the graders (once, in a daemon thread: it never holds the batch's exit); without one, it is
    never loaded here."""
    calls = []

    def prepare():
        calls.append((threading.current_thread().name, threading.current_thread().daemon))
    monkeypatch.setattr(batch.class_report, "prepare", prepare)

    def started(futures, report):
        calls.clear()
        collect(futures, None, course, report=report)
        for t in threading.enumerate():
            if t.name == "kit-plotting":
                t.join(30)
        return list(calls)
    three = {done((result(1.0).to_json(), "k", True, "fp")): s for s in ("a", "b", "c")}
    assert started(three, True) == [("kit-plotting", True)]
    assert started({done((result(1.0).to_json(), "k", True, "fp")): "d"}, True) == [("kit-plotting", True)]
    assert started({done((result(1.0).to_json(), "k", True, "fp")): "d"}, False) == []


def test_grade_class_grades_in_the_assignments_language(monkeypatch, tmp_path):
    """grade_class passes its arguments on, the course's path resolved, default limits when none
    are given, with the messages in the edition's language."""
    from autograder.sandbox import Limits
    seen = []
    monkeypatch.setattr(batch, "_grade_class", lambda *a: seen.append((a, current_lang())) or {"x": 1})
    (tmp_path / "c").mkdir()
    assert batch.grade_class(tmp_path / "c" / ".." / "c", assignment="embedding-zh") == {"x": 1}
    (args, lang), = seen
    assert lang == "zh"
    assert args == ((tmp_path / "c").resolve(), None, False, None, True, False, "embedding-zh", Limits(), False)
    limits = Limits(wall_s=5)
    batch.grade_class(str(tmp_path), workers=3, force=True, devices=["cpu"], limits=limits, record=False,
                      quiet=True, report=True)
    args, lang = seen[1]
    assert lang == "en" and args == (tmp_path.resolve(), 3, True, ["cpu"], False, True, "embedding", limits, True)


def test_the_iri_parser_jsonschema_would_load_is_skipped(monkeypatch):
    monkeypatch.delitem(sys.modules, "jsonschema", raising=False)
    monkeypatch.delitem(sys.modules, "rfc3987_syntax", raising=False)
    batch._skip_unused_format_checker()
    assert "rfc3987_syntax" in sys.modules and sys.modules["rfc3987_syntax"] is None
    monkeypatch.setitem(sys.modules, "rfc3987_syntax", "the real one")
    batch._skip_unused_format_checker()
    assert sys.modules["rfc3987_syntax"] == "the real one"
    monkeypatch.delitem(sys.modules, "rfc3987_syntax")
    monkeypatch.setitem(sys.modules, "jsonschema", object())   # already loaded: too late to matter
    batch._skip_unused_format_checker()
    assert "rfc3987_syntax" not in sys.modules


def test_batch_incomplete_names_the_students():
    exc = BatchIncomplete({"b": "x", "a": "y"})
    assert str(exc) == "2 submission(s) not finished: a, b" and exc.failed == {"b": "x", "a": "y"}

