"""Class-scale grading: a batch killed half-way and run again ends exactly where an uninterrupted
batch ends (issue 6), in the grading phase and in the recording phase."""
import json
import os
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
def uninterrupted(tmp_path_factory):
    from autograder import course
    root = tmp_path_factory.mktemp("whole") / "course"
    cfg = make_course(root)
    subprocess.run(batch_cmd(root), cwd=ROOT, check=True, capture_output=True, timeout=600)
    return course.gradebook_state(cfg), results(root)


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
