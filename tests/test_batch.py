"""Class-scale grading: a batch killed half-way and run again ends exactly where an uninterrupted
batch ends (issue 6), in the grading phase and in the recording phase; a student whose recording
fails partway keeps nothing of it, and a rerun records exactly the students whose result changed
(issue 26)."""
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow
N = 10


def make_course(root):
    from autograder import bench, course
    root.mkdir(parents=True)
    course.copy_source(root)
    cfg = course.load_config(root)
    course._check(course.api(cfg).generate_assignment(course.ASSIGNMENT, force=True), "generate_assignment")
    bench.make_class(root, N)
    return cfg


def batch_cmd(root):
    return [sys.executable, "-m", "autograder", "batch", str(root), "--workers", "2"]


def results(root):
    folder = root / "autograder_results" / "embedding"
    return {p.stem: json.loads(p.read_text())["result"] for p in sorted(folder.glob("*.json"))}


@pytest.fixture(scope="module")
def whole(tmp_path_factory):
    """A class graded and recorded by one uninterrupted batch (its folder), and beside it, as
    `unrecorded`, the same course before the batch: nothing graded, nothing in the gradebook."""
    root = tmp_path_factory.mktemp("whole") / "course"
    make_course(root)
    shutil.copytree(root, root.with_name("unrecorded"), symlinks=True)
    subprocess.run(batch_cmd(root), cwd=ROOT, check=True, capture_output=True, timeout=600)
    return root


@pytest.fixture(scope="module")
def uninterrupted(whole):
    from autograder import course
    return course.gradebook_state(course.load_config(whole)), results(whole)


def test_killed_while_grading_then_rerun_equals_uninterrupted(uninterrupted, tmp_path):
    """SIGKILL the batch (its whole process group) once some results are stored; does a rerun finish
    with the same gradebook and results, regrading only what had not finished?"""
    from autograder import course
    root = tmp_path / "course"
    cfg = make_course(root)
    proc = subprocess.Popen(batch_cmd(root), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    folder = root / "autograder_results" / "embedding"
    deadline = time.monotonic() + 300
    while len(list(folder.glob("*.json"))) < 3 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    finished = {p.stem: p.stat().st_mtime_ns for p in folder.glob("*.json")}
    assert 0 < len(finished) < N, f"the kill came too late or too early to test anything: {len(finished)}"
    subprocess.run(batch_cmd(root), cwd=ROOT, check=True, capture_output=True, timeout=600)
    assert {p.stem: p.stat().st_mtime_ns for p in folder.glob("*.json") if p.stem in finished} == finished
    assert (course.gradebook_state(cfg), results(root)) == uninterrupted


def test_interrupted_while_recording_then_rerun_equals_uninterrupted(uninterrupted, tmp_path, monkeypatch):
    """Interrupt the gradebook phase after a few students; does a rerun record the rest, with the
    same gradebook as an uninterrupted batch?"""
    from autograder import batch, course
    from autograder.record import Recorder
    root = tmp_path / "course"
    cfg = make_course(root)
    real, calls = Recorder.record, []

    def record_then_stop(self, student, result):
        if len(calls) == 4:
            raise KeyboardInterrupt("stopped by the test")
        calls.append(student)
        return real(self, student, result)
    monkeypatch.setattr(Recorder, "record", record_then_stop)
    with pytest.raises(KeyboardInterrupt):
        batch.grade_class(root, workers=2, quiet=True)
    monkeypatch.setattr(Recorder, "record", real)
    assert len(course.gradebook_state(cfg)) == 4
    batch.grade_class(root, workers=2, quiet=True)
    assert (course.gradebook_state(cfg), results(root)) == uninterrupted


def test_a_student_the_gradebook_refuses_does_not_stop_the_class(uninterrupted, tmp_path, monkeypatch):
    """If recording one student fails (a database error, say), are all the others still graded and
    recorded, that student's result kept, and a rerun records them?"""
    from autograder import batch, course
    from autograder.record import Recorder
    root = tmp_path / "course"
    cfg = make_course(root)
    real = Recorder.record

    def refuse_s003(self, student, result):
        if student == "s003":
            raise OSError("disk full")
        return real(self, student, result)
    monkeypatch.setattr(Recorder, "record", refuse_s003)
    with pytest.raises(batch.BatchIncomplete) as info:
        batch.grade_class(root, workers=2, quiet=True)
    assert set(info.value.failed) == {"s003"}
    assert set(course.gradebook_state(cfg)) == {f"s{i:03d}" for i in range(N)} - {"s003"}
    monkeypatch.setattr(Recorder, "record", real)
    batch.grade_class(root, workers=2, quiet=True)
    assert (course.gradebook_state(cfg), results(root)) == uninterrupted


def spy_on_recording(monkeypatch) -> list:
    """The students the batch records (Recorder.record: its one way to write a student's rows and
    autograded notebook), in order."""
    from autograder.record import Recorder
    real, calls = Recorder.record, []

    def record(self, student, result, *args, **kwargs):
        calls.append(student)
        return real(self, student, result, *args, **kwargs)
    monkeypatch.setattr(Recorder, "record", record)
    return calls


def fail_partway(monkeypatch, calls: list, point: str, among) -> dict:
    """Make recording the first student of `among` that the batch records raise partway, at `point`:
    "grades": at the second graded part's score (the first grade row has its new score, the others
    not yet); "notebook": while the autograded notebook is made (every score, comment and penalty
    flushed to the database, the student's and the source's files copied into the new autograded
    folder, the notebook not yet written). Once: returns {"victim": student} when it has raised."""
    from autograder import record
    target = {"grades": "cell_score", "notebook": "clean_tree"}[point]
    real, seen, failed = getattr(record, target), [], {}

    def partway(*args, **kwargs):
        student = calls[-1]   # the one being recorded (one thread records, one student at a time)
        if "victim" not in failed and student in among:
            seen.append(student)
            if point == "notebook" or seen.count(student) == 2:
                failed["victim"] = student
                raise OSError("disk full (raised by the test)")
        return real(*args, **kwargs)
    monkeypatch.setattr(record, target, partway)
    return failed


def autograded_notebook(root, student):
    return root / "autograded" / student / "embedding" / "embedding.ipynb"


def autograded_written(root) -> dict:
    """{student: when their autograded notebook was written}"""
    return {p.name: autograded_notebook(root, p.name).stat().st_mtime_ns for p in (root / "autograded").iterdir()}


def resubmit(root, changes: dict):
    """Each student named submits again, what the other student named submitted."""
    for student, like in changes.items():
        shutil.copyfile(root / "submitted" / like / "embedding" / "embedding.ipynb",
                        root / "submitted" / student / "embedding" / "embedding.ipynb")


@pytest.mark.parametrize("point", ["grades", "notebook"])
def test_a_failure_partway_through_recording_a_student_commits_nothing_of_them(whole, uninterrupted, tmp_path,
                                                                              monkeypatch, point):
    """Recording the first student fails partway, after some of their rows are written and before
    their commit: is nothing of it committed, then or by the next students' commits (their rows as
    before the batch: blank), and no autograded folder of theirs left half made? Are all the others
    recorded, and does a rerun record that student, and only them?"""
    from autograder import batch, course
    root = tmp_path / "course"
    shutil.copytree(whole.with_name("unrecorded"), root, symlinks=True)
    # the uninterrupted batch's stored results, reused: this batch only records
    shutil.copytree(whole / "autograder_results" / "embedding", root / "autograder_results" / "embedding",
                    ignore=shutil.ignore_patterns(".recorded"))
    cfg = course.load_config(root)
    everyone, students = uninterrupted[0], sorted(uninterrupted[0])
    calls = spy_on_recording(monkeypatch)
    failed = fail_partway(monkeypatch, calls, point, among=students)
    with pytest.raises(batch.BatchIncomplete) as info:
        batch.grade_class(root, workers=2, quiet=True)
    victim = failed["victim"]
    assert calls[0] == victim and sorted(calls) == students
    assert set(info.value.failed) == {victim}
    state = course.gradebook_state(cfg)
    assert {s: v for s, v in state.items() if s != victim} == {s: v for s, v in everyone.items() if s != victim}
    # nbgrader's update_or_create_student/_submission commit the submission's row by themselves, blank:
    # no score, no comment, no penalty
    assert all(v in (None, (None, None, True)) for k, v in state.get(victim, {}).items() if k != "timestamp"), \
        state[victim]
    folder = root / "autograded" / victim
    assert (sorted(p.name for p in folder.iterdir()) if folder.exists() else []) == []
    assert all(autograded_notebook(root, s).is_file() for s in students if s != victim)
    assert not (root / "autograder_results" / "embedding" / ".recorded" / victim).exists()
    assert results(root) == uninterrupted[1]   # graded and stored: kept
    monkeypatch.undo()
    calls = spy_on_recording(monkeypatch)
    batch.grade_class(root, workers=2, quiet=True)
    assert calls == [victim]
    assert (course.gradebook_state(cfg), results(root)) == uninterrupted


def test_a_failure_partway_through_recording_a_student_again_leaves_them_as_they_were(whole, uninterrupted,
                                                                                      tmp_path, monkeypatch):
    """A recorded class; two students resubmit, and recording the first of them fails partway (their
    new scores and comments flushed, their new autograded folder half made): do they keep exactly
    their previous gradebook rows and autograded notebook, nothing half made beside it, while the
    other is recorded anew? Does a rerun record them, and only them?"""
    from autograder import batch, course
    root = tmp_path / "course"
    shutil.copytree(whole, root, symlinks=True)
    cfg = course.load_config(root)
    before = uninterrupted[0]
    resubmit(root, {"s000": "s001", "s003": "s004"})   # correct answers replaced by wrong ones
    expected = dict(before, s000=before["s001"], s003=before["s004"])
    assert expected["s000"] != before["s000"] and expected["s003"] != before["s003"]
    old = {s: autograded_notebook(root, s).read_bytes() for s in ("s000", "s003")}
    calls = spy_on_recording(monkeypatch)
    failed = fail_partway(monkeypatch, calls, "notebook", among={"s000", "s003"})
    with pytest.raises(batch.BatchIncomplete) as info:
        batch.grade_class(root, workers=2, quiet=True)
    victim = failed["victim"]
    other = ({"s000", "s003"} - {victim}).pop()
    assert calls == [victim, other]
    assert set(info.value.failed) == {victim}
    assert course.gradebook_state(cfg) == dict(expected, **{victim: before[victim]})
    assert autograded_notebook(root, victim).read_bytes() == old[victim]
    assert sorted(p.name for p in (root / "autograded" / victim).iterdir()) == ["embedding"]
    assert autograded_notebook(root, other).read_bytes() != old[other]
    monkeypatch.undo()
    calls = spy_on_recording(monkeypatch)
    batch.grade_class(root, workers=2, quiet=True)
    assert calls == [victim]
    assert course.gradebook_state(cfg) == expected
    assert autograded_notebook(root, victim).read_bytes() != old[victim]


def test_a_rerun_records_only_the_student_whose_result_changed(whole, uninterrupted, tmp_path, monkeypatch):
    """A recorded class; one student resubmits, and grades differently: does a rerun without --force
    record that student, with their new result, and no one else (no one's rows or autograded notebook
    written again)? Does the next rerun record no one?"""
    from autograder import batch, course
    root = tmp_path / "course"
    shutil.copytree(whole, root, symlinks=True)
    cfg = course.load_config(root)
    before = uninterrupted[0]
    resubmit(root, {"s000": "s001"})   # correct answers replaced by wrong ones
    expected = dict(before, s000=before["s001"])
    assert expected != before
    written = autograded_written(root)
    calls = spy_on_recording(monkeypatch)
    batch.grade_class(root, workers=2, quiet=True)
    assert calls == ["s000"]
    assert course.gradebook_state(cfg) == expected
    assert results(root) == dict(uninterrupted[1], s000=uninterrupted[1]["s001"])
    now = autograded_written(root)
    assert now["s000"] != written["s000"]
    assert {s: t for s, t in now.items() if s != "s000"} == {s: t for s, t in written.items() if s != "s000"}
    calls.clear()
    batch.grade_class(root, workers=2, quiet=True)
    assert calls == []
    assert course.gradebook_state(cfg) == expected and autograded_written(root) == now


def test_batch_process_imports_no_grader():
    """The batch's own process grades nothing, so it never imports the grading core: reading the
    course's config (which names the kit's nbgrader preprocessors), opening the gradebook and
    writing the class report leave torch, pytest and jsonschema's optional IRI parser unimported
    (seconds of CPU each, spent before the first worker could start)."""
    code = ("import sys; from pathlib import Path; from autograder import batch, class_report, course; "
            "batch._skip_unused_format_checker(); course.load_config(Path('.')); "
            "from autograder.record import Recorder; "
            "print(sorted(m for m in ('torch', 'pytest', 'rfc3987_syntax') if sys.modules.get(m)))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "[]", proc.stdout
