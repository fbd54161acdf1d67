"""Recording one student (record.py) in a small gradebook made here with nbgrader's API, in process:
scores, the written answers left to a grader, comments, the late penalty, the autograded copy and
what happens when any of it fails. (tests/test_course.py checks, end to end and slowly, that the
batch records what nbgrader's own autograde records.)"""
import json
import os
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from autograder import record as record_module
from autograder.record import Recorder, _nbgrader, _read, _unchanged_solutions
from autograder.report import cell_score, comment_with_report, graded_cell_outputs
from autograder.result import PartResult, Result

ASSIGNMENT = "embedding"


def cell(kind, grade_id, source, grade=False, solution=False, locked=False, points=None):
    c = (new_code_cell if kind == "code" else new_markdown_cell)(source)
    meta = {"grade_id": grade_id, "grade": grade, "solution": solution, "locked": locked, "schema_version": 3}
    if grade:
        meta["points"] = points
    c.metadata["nbgrader"] = meta
    from nbgrader.utils import compute_checksum
    c.metadata.nbgrader["checksum"] = compute_checksum(c)
    return c


def source_notebook():
    return new_notebook(cells=[
        cell("markdown", "intro", "Read this: $x^2$", locked=True),
        cell("code", "one_hot_lookup_code", "def one_hot_lookup(i, w):\n    raise NotImplementedError", solution=True),
        cell("code", "one_hot_lookup", "# hidden tests", grade=True, locked=True, points=25),
        cell("markdown", "q_1", "YOUR ANSWER HERE", grade=True, solution=True, points=5),
        new_markdown_cell("A note of the student's: $y$"),
    ])


@pytest.fixture(scope="module")
def gradebook(tmp_path_factory):
    """The course's gradebook as generate_assignment leaves it (made once; each test copies it). A
    new gradebook asks the `alembic` command for its schema's version, seconds of a subprocess;
    nothing here migrates it, so it is given one."""
    from nbgrader import api
    from nbgrader.api import Gradebook
    path = tmp_path_factory.mktemp("gradebook") / "gradebook.db"
    real, api.get_alembic_version = api.get_alembic_version, lambda: "made-by-tests"
    try:
        with Gradebook(f"sqlite:///{path}", course_id="kit") as gb:
            gb.add_assignment(ASSIGNMENT, duedate="2030-01-01 12:00:00")
            gb.add_notebook("embedding", ASSIGNMENT)
            for c in source_notebook().cells:
                meta = c.metadata.get("nbgrader")
                if not meta:
                    continue
                gb.add_source_cell(meta["grade_id"], "embedding", ASSIGNMENT, cell_type=c.cell_type, source=c.source,
                                   locked=meta["locked"], checksum=meta["checksum"])
                if meta["grade"]:
                    gb.add_grade_cell(meta["grade_id"], "embedding", ASSIGNMENT, max_score=meta["points"],
                                      cell_type=c.cell_type)
                if meta["solution"]:
                    gb.add_solution_cell(meta["grade_id"], "embedding", ASSIGNMENT)
    finally:
        api.get_alembic_version = real
    return path


@pytest.fixture
def course(tmp_path, gradebook):
    """A course with the source notebook (and a data file), its gradebook, and the configuration."""
    import shutil

    from traitlets.config import Config
    root = tmp_path / "course"
    src = root / "source" / ASSIGNMENT
    (src / "data").mkdir(parents=True)
    (src / "data" / "table.txt").write_text("source's data")
    nb = source_notebook()
    nbformat.write(nb, src / "embedding.ipynb")
    shutil.copy(gradebook, root / "gradebook.db")
    cfg = Config()
    cfg.CourseDirectory.root = str(root)
    cfg.CourseDirectory.course_id = "kit"
    cfg.CourseDirectory.db_url = f"sqlite:///{root}/gradebook.db"
    cfg.LateSubmissionPlugin.penalty_method = "zero"
    return SimpleNamespace(root=root, cfg=cfg, source=nb)


def submit(course, student, nb=None, when="2029-12-31 10:00:00 UTC", files=None) -> Path:
    folder = course.root / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True)
    if nb is not None:
        (folder / "embedding.ipynb").write_text(nb if isinstance(nb, str) else nbformat.writes(nb))
    if when:
        (folder / "timestamp.txt").write_text(when)
    for name, text in (files or {}).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder


def answered(source="def one_hot_lookup(i, w):\n    return w[i]", q=None):
    nb = source_notebook()
    nb.cells[1].source = source
    if q is not None:
        nb.cells[3].source = q
    nb.cells[2].source = "# the student's own copy of the graded cell"
    nb.cells[2].outputs = [nbformat.v4.new_output("stream", text="old output")]
    nb.cells[0].source = "changed intro"
    return nb


def result(score=12.5, lang="en"):
    return Result(score, 100.0, {"one_hot_lookup": PartResult(score, 25.0)}, ["a note"], ["cpu"], [], lang)


def rows(course, student):
    from nbgrader.api import Gradebook
    with Gradebook(course.cfg.CourseDirectory.db_url, course_id="kit") as gb:
        nb = gb.find_submission_notebook("embedding", ASSIGNMENT, student)
        grades = {g.name: (g.auto_score, g.manual_score, g.needs_manual_grade) for g in nb.grades}
        comments = {c.name: c.auto_comment for c in nb.comments}
        return grades, comments, nb.late_submission_penalty, nb.score


def test_a_student_is_recorded_as_autograde_would(course):
    """The part's score (rounded as its graded cell shows it), a written answer waiting for a grader,
    the verdict as the answer cell's comment, no penalty for a submission on time."""
    submit(course, "alice", answered(q="my answer"))
    with Recorder(course.cfg, course.root, ASSIGNMENT) as rec:
        assert rec.record("alice", result(12.3456)) is True
    grades, comments, penalty, _score = rows(course, "alice")
    assert grades == {"one_hot_lookup": (cell_score(12.3456), None, False), "q_1": (None, None, True)}
    assert comments == {"one_hot_lookup_code": comment_with_report(None, result(12.3456), "one_hot_lookup"),
                        "q_1": None}
    assert penalty is None


def test_unanswered_cells_say_no_response(course):
    """A solution cell left as released: "No response." (then the verdict, for a part's answer); a
    written answer left blank scores 0 and waits for nobody."""
    submit(course, "bob", source_notebook())
    with Recorder(course.cfg, course.root, ASSIGNMENT) as rec:
        rec.record("bob", result(0.0))
    grades, comments, _p, _s = rows(course, "bob")
    assert grades == {"one_hot_lookup": (0.0, None, False), "q_1": (0.0, None, False)}
    assert comments == {"one_hot_lookup_code": comment_with_report("No response.", result(0.0), "one_hot_lookup"),
                        "q_1": "No response."}


def test_a_manual_score_keeps_the_cell_waiting_for_its_grader(course):
    """Recorded again after a grader scored a cell by hand: that cell still needs manual grading
    (nbgrader's rule), whatever the automatic score."""
    from nbgrader.api import Gradebook
    submit(course, "carol", answered(q="answer"))
    with Recorder(course.cfg, course.root, ASSIGNMENT) as rec:
        rec.record("carol", result(3.0))
        with Gradebook(course.cfg.CourseDirectory.db_url, course_id="kit") as gb:
            for g in gb.find_submission_notebook("embedding", ASSIGNMENT, "carol").grades:
                g.manual_score = 1.0
            gb.db.commit()
        rec.record("carol", result(10.0))
    grades, comments, _p, _s = rows(course, "carol")
    assert grades == {"one_hot_lookup": (10.0, 1.0, True), "q_1": (None, 1.0, True)}
    assert comments["one_hot_lookup_code"] == comment_with_report(None, result(10.0), "one_hot_lookup")


def test_a_part_the_result_lacks_scores_zero(course):
    submit(course, "cleo", "not a notebook")
    with Recorder(course.cfg, course.root, ASSIGNMENT) as rec:
        rec.record("cleo", Result(0.0, 100.0, {}, [], [], [], "en"))
    grades, comments, _p, _s = rows(course, "cleo")
    assert grades["one_hot_lookup"] == (0.0, None, False)
    assert comments["one_hot_lookup_code"] == "No response."   # no verdict for a part the result lacks


def test_a_late_submission_gets_the_courses_penalty(course):
    """Late by its timestamp.txt: the configured plugin's penalty ("zero": the whole score); on
    time, or recorded again on time, none."""
    submit(course, "dave", answered(), when="2030-01-02 12:00:00 UTC")
    with Recorder(course.cfg, course.root, ASSIGNMENT) as rec:
        rec.record("dave", result(20.0))
    _g, _c, penalty, score = rows(course, "dave")
    assert penalty == 20.0 and score == 20.0
    (course.root / "submitted" / "dave" / ASSIGNMENT / "timestamp.txt").write_text("2029-01-01 12:00:00 UTC")
    with Recorder(course.cfg, course.root, ASSIGNMENT) as rec:
        rec.record("dave", result(20.0))
    assert rows(course, "dave")[2] is None
    submit(course, "erin", answered(), when=None)   # no timestamp: never late
    with Recorder(course.cfg, course.root, ASSIGNMENT) as rec:
        rec.record("erin", result(20.0))
    assert rows(course, "erin")[2] is None


def test_a_penalty_the_plugin_does_not_give_is_none(course):
    course.cfg.LateSubmissionPlugin.penalty_method = "none"
    submit(course, "fay", answered(), when="2030-01-02 12:00:00 UTC")
    with Recorder(course.cfg, course.root, ASSIGNMENT) as rec:
        rec.record("fay", result(20.0))
    assert rows(course, "fay")[2] is None


def test_the_autograded_copy_is_the_students_files_under_the_sources(course):
    """autograded/<student>/<assignment>/: the student's files, the source's files over them (no
    notebook checkpoint, no link), and the notebook sanitised: outputs cleared, locked and graded
    cells as the source has them, the graded cell's output the grader's report, math as MathML."""
    folder = submit(course, "gina", answered(), files={"mine.py": "x = 1", "data/table.txt": "student's data",
                                                       ".ipynb_checkpoints/embedding-checkpoint.ipynb": "{}",
                                                       "other.ipynb": "{}"})
    os.symlink("/etc/hostname", folder / "link.txt")
    with Recorder(course.cfg, course.root, ASSIGNMENT) as rec:
        rec.record("gina", result(12.5))
    out = course.root / "autograded" / "gina" / ASSIGNMENT
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*")) == \
        ["data", "data/table.txt", "embedding.ipynb", "mine.py", "timestamp.txt"]
    assert (out / "data" / "table.txt").read_text() == "source's data"
    assert not list(out.parent.glob(".*tmp*"))
    text = (out / "embedding.ipynb").read_text(encoding="utf-8")
    assert text.endswith("\n") and json.loads(text) == json.loads(json.dumps(json.loads(text), sort_keys=True))
    nb = nbformat.reads(text, as_version=4)
    intro, answer, graded, q, note = nb.cells
    assert intro.source == "Read this: $x^2$" and intro.metadata.nbgrader["checksum"] == course.source.cells[0].metadata.nbgrader["checksum"]
    assert answer.source == "def one_hot_lookup(i, w):\n    return w[i]" and answer.outputs == [] and answer.execution_count is None
    assert graded.source == "# hidden tests" and graded.outputs == graded_cell_outputs(result(12.5), "one_hot_lookup")
    assert q.source == "YOUR ANSWER HERE"
    assert "<math" in note.source and "$y$" not in note.source


def test_a_notebook_that_cannot_be_read_is_recorded_by_its_scores(course):
    """Not JSON: the scores are recorded, the answers count as unanswered, no autograded notebook
    without a released one to stand in; with one, the stand-in saying why."""
    submit(course, "hal", "{not json")
    with Recorder(course.cfg, course.root, ASSIGNMENT) as rec:
        assert rec.record("hal", result(0.0)) is False
    grades, comments, _p, _s = rows(course, "hal")
    assert grades["one_hot_lookup"] == (0.0, None, False) and comments["q_1"] == "No response."
    assert not (course.root / "autograded" / "hal").exists()
    released = course.root / "release" / ASSIGNMENT
    released.mkdir(parents=True)
    nbformat.write(source_notebook(), released / "embedding.ipynb")
    submit(course, "ian", "{not json")
    with Recorder(course.cfg, course.root, ASSIGNMENT) as rec:
        assert rec.record("ian", result(0.0)) is False
    nb = nbformat.read(course.root / "autograded" / "ian" / ASSIGNMENT / "embedding.ipynb", 4)
    assert nb.metadata.embedding_kit["unreadable"] and "JSON" in nb.cells[0].source
    assert nb.cells[3].outputs == graded_cell_outputs(result(0.0), "one_hot_lookup")


def test_a_stand_in_needs_a_submitted_file(course):
    released = course.root / "release" / ASSIGNMENT
    released.mkdir(parents=True)
    nbformat.write(source_notebook(), released / "embedding.ipynb")
    submit(course, "jo", None)
    with Recorder(course.cfg, course.root, ASSIGNMENT) as rec:
        assert rec.record("jo", result(0.0)) is False
    assert not (course.root / "autograded" / "jo").exists()


def test_a_chinese_editions_stand_in_is_in_chinese(course, monkeypatch):
    from autograder import nbgrader_bridge
    seen = []
    monkeypatch.setattr(nbgrader_bridge, "stand_in", lambda released, reason, lang: seen.append((reason, lang)))
    monkeypatch.setattr(nbgrader_bridge, "unreadable_reason", lambda path, lang: f"why in {lang}")
    rec = Recorder.__new__(Recorder)
    rec.coursedir = SimpleNamespace(format_path=lambda *a: str(course.root / "rel"), release_directory="release")
    (course.root / "rel").mkdir()
    (course.root / "rel" / "embedding.ipynb").write_text("{}")
    bad = course.root / "bad.ipynb"
    bad.write_text("x")
    rec.notebook_id, rec.assignment = "embedding", "embedding-zh"
    rec._stand_in(bad)
    rec.assignment = "unknown"
    rec._stand_in(bad)
    assert seen == [("why in zh", "zh"), ("why in en", "en")]


def test_a_failure_while_recording_leaves_nothing_of_the_student(course, monkeypatch):
    """Whatever fails after the first rows are written, the student's transaction is rolled back
    and no autograded copy (complete or partial) is left; a student recorded before keeps theirs."""
    submit(course, "kim", answered())
    submit(course, "lee", answered())
    with Recorder(course.cfg, course.root, ASSIGNMENT) as rec:
        rec.record("lee", result(5.0))
        real = rec._sanitised

        def broken(nb, res):
            real(nb, res)
            raise RuntimeError("disk gone")
        monkeypatch.setattr(rec, "_sanitised", broken)
        with pytest.raises(RuntimeError, match="disk gone"):
            rec.record("kim", result(9.0))
        monkeypatch.undo()
        monkeypatch.setattr(rec, "_write_autograded", lambda *a: (_ for _ in ()).throw(KeyboardInterrupt()))
        with pytest.raises(KeyboardInterrupt):
            rec.record("kim", result(9.0))
    from nbgrader.api import Gradebook, MissingEntry
    with Gradebook(course.cfg.CourseDirectory.db_url, course_id="kit") as gb:
        nb = gb.find_submission_notebook("embedding", ASSIGNMENT, "kim")   # the blank row nbgrader commits itself
        assert {g.name: g.auto_score for g in nb.grades} == {"one_hot_lookup": None, "q_1": None}
        assert all(c.auto_comment is None for c in nb.comments)
        with pytest.raises(MissingEntry):
            gb.find_submission_notebook("embedding", ASSIGNMENT, "nobody")
    assert rows(course, "lee")[0]["one_hot_lookup"] == (5.0, None, False)
    assert not (course.root / "autograded" / "kim").exists() or not any((course.root / "autograded" / "kim").iterdir())
    assert (course.root / "autograded" / "lee" / ASSIGNMENT / "embedding.ipynb").exists()


def test_a_lost_race_is_retried_and_the_last_one_raises(course, monkeypatch):
    """An insert or lock lost to another grader (IntegrityError, OperationalError, InvalidEntry) is
    retried after a short wait growing with each try; the last try's error is raised."""
    from nbgrader.api import InvalidEntry
    from sqlalchemy.exc import IntegrityError, OperationalError
    waits, tries = [], []
    monkeypatch.setattr(record_module.time, "sleep", waits.append)
    rec = Recorder.__new__(Recorder)
    errors = [IntegrityError("x", {}, Exception()), OperationalError("x", {}, Exception()), InvalidEntry("x")]

    def flaky(student, res):
        tries.append(student)
        if errors:
            raise errors.pop(0)
        return "done"
    monkeypatch.setattr(rec, "_record", flaky)
    assert rec.record("mo", result(), attempts=4) == "done"
    assert tries == ["mo"] * 4 and waits == pytest.approx([0.05, 0.1, 0.15])
    errors[:] = [InvalidEntry("a"), InvalidEntry("b"), InvalidEntry("c")]
    waits.clear()
    with pytest.raises(InvalidEntry, match="c"):
        rec.record("mo", result())
    assert waits == pytest.approx([0.05, 0.1])
    errors[:] = [ValueError("not a race")]
    with pytest.raises(ValueError):
        rec.record("mo", result())


def test_a_course_without_the_assignment_says_what_to_run(course):
    with pytest.raises(RuntimeError, match="no assignment 'embedding-zh': run `nbgrader generate_assignment embedding-zh` first"):
        Recorder(course.cfg, course.root, "embedding-zh")


def test_the_source_cells_are_read_once(course):
    with Recorder(course.cfg, course.root, ASSIGNMENT) as rec:
        assert rec.notebook_id == "embedding" and rec.source_dir == course.root / "source" / ASSIGNMENT
        assert set(rec.source_cells) == {"intro", "one_hot_lookup_code", "one_hot_lookup", "q_1"}
        intro = rec.source_cells["intro"]
        assert (intro.cell_type, intro.source, intro.locked) == ("markdown", "Read this: $x^2$", True)
        assert sorted(rec.cell_names.values()) == ["one_hot_lookup", "one_hot_lookup_code", "q_1", "q_1"]
        assert rec.late.plugin_inst is not None and rec.gb.course_id == "kit"


# ---------------------------------------------------------------- the notebook, cell by cell

def recorder_for(nb_source):
    rec = Recorder.__new__(Recorder)
    rec.source_cells = {c.metadata.nbgrader["grade_id"]: SimpleNamespace(
        cell_type=c.cell_type, source=c.source, locked=c.metadata.nbgrader["locked"],
        checksum=c.metadata.nbgrader["checksum"]) for c in nb_source.cells if c.metadata.get("nbgrader")}
    return rec


def test_cells_the_source_lacks_or_repeats_lose_their_grading_metadata():
    """A grade_id the source does not have, metadata that is not nbgrader's, and every copy of a
    graded cell but the last: no longer graded (as TolerantOverwriteCells and DeduplicateIds)."""
    nb = answered()
    invented = cell("code", "invented", "x = 1", grade=True, points=100)
    early = cell("code", "one_hot_lookup", "# an earlier copy", grade=True, locked=True, points=25)
    odd = new_code_cell("y = 2", metadata={"nbgrader": "flipped"})
    plain = cell("code", "plain_id", "z = 3")   # neither graded nor locked, but not the source's
    nb.cells = [early] + nb.cells + [invented, odd, plain]
    out = recorder_for(source_notebook())._sanitised(nb, result())
    metas = [c.metadata.get("nbgrader") for c in out.cells]
    assert metas[0] is None and metas[6] is None and metas[7] is None and metas[8] is None
    assert [m["grade_id"] for m in metas[1:5]] == ["intro", "one_hot_lookup_code", "one_hot_lookup", "q_1"]
    assert out.cells[0].outputs == [] and out.cells[0].source == "# an earlier copy"   # not restored: not graded
    assert out.cells[3].outputs == graded_cell_outputs(result(), "one_hot_lookup")


def test_a_locked_cell_changed_into_another_type_is_restored():
    nb = answered()
    nb.cells[0] = new_code_cell("print('x')", metadata={"nbgrader": dict(nb.cells[0].metadata.nbgrader)})
    nb.cells[2] = new_markdown_cell("graded cell as markdown", metadata={"nbgrader": dict(nb.cells[2].metadata.nbgrader)})
    out = recorder_for(source_notebook())._sanitised(nb, result())
    assert out.cells[0].cell_type == "markdown" and out.cells[0].source == "Read this: $x^2$"
    assert out.cells[2].cell_type == "code" and out.cells[2].execution_count is None
    assert out.cells[2].outputs == graded_cell_outputs(result(), "one_hot_lookup")
    assert out.cells[2].metadata.nbgrader["checksum"] == source_notebook().cells[2].metadata.nbgrader["checksum"]


def test_only_graded_code_cells_of_a_part_get_the_report():
    """A solution cell (not graded) keeps its answer and gets no report; a graded manual answer is
    kept as the student wrote it (grade and solution), its markdown math left as is."""
    nb = answered(q="answer with $z$")
    out = recorder_for(source_notebook())._sanitised(nb, result())
    assert out.cells[1].outputs == [] and out.cells[1].source.startswith("def one_hot_lookup")
    assert out.cells[3].source == "answer with $z$"


def test_markdown_given_as_lines_is_joined_before_mathml():
    from autograder.feedback import MathBudget
    nb = answered()
    nb.cells[4].source = ["line $a$\n", "line 2"]
    out = recorder_for(source_notebook())._sanitised(nb, result())
    assert out.cells[4].source == MathBudget()("line $a$\nline 2") and "<math" in out.cells[4].source


def test_read_accepts_notebooks_only(tmp_path):
    p = tmp_path / "n.ipynb"
    p.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                             "cells": [{"cell_type": "code", "source": ["a\n", "b"], "metadata": {}, "outputs": [],
                                        "execution_count": None}, "junk"]}))
    nb = _read(p)
    assert nb.cells[0]["source"] == "a\nb" and nb.cells[1] == "junk"
    for text in ("{", json.dumps({"nbformat": 3, "cells": []}), json.dumps({"nbformat": 4, "cells": {}}), "[]"):
        p.write_text(text)
        assert _read(p) is None, text
    assert _read(tmp_path / "missing.ipynb") is None


def test_read_drops_only_code_cells_outputs(tmp_path):
    """A submitted notebook's outputs are never recorded nor checksummed: _read drops them before the
    notebook becomes nodes (a class's plots were most of the time) and leaves everything else."""
    p = tmp_path / "n.ipynb"
    plot = {"output_type": "display_data", "data": {"image/png": "iVBOR" * 1000}, "metadata": {}}
    p.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        "junk",
        {"cell_type": "code", "source": "x", "metadata": {}, "outputs": [plot], "execution_count": 3},
        {"cell_type": "markdown", "source": "m", "metadata": {}, "outputs": [plot]},
        {"cell_type": "code", "source": "y", "metadata": {}}]}), encoding="utf-8")
    nb = _read(p)
    assert nb.cells[1]["outputs"] == [] and nb.cells[1]["execution_count"] == 3
    assert nb.cells[2]["outputs"] == [plot]   # not a code cell: left as it is
    assert "outputs" not in nb.cells[3]


def test_nbgrader_metadata_is_none_false_or_the_dict():
    assert _nbgrader({"metadata": {}}) is None and _nbgrader({}) is None and _nbgrader({"metadata": "x"}) is None
    assert _nbgrader({"metadata": {"nbgrader": {"grade_id": "a"}}}) == {"grade_id": "a"}
    assert _nbgrader({"metadata": {"nbgrader": {}}}) == {} and _nbgrader({"metadata": {"nbgrader": {"grade_id": None}}}) == {"grade_id": None}
    assert _nbgrader({"metadata": {"nbgrader": {"grade_id": 3}}}) is False
    assert _nbgrader({"metadata": {"nbgrader": ["x"]}}) is False


def test_unchanged_solutions_are_those_whose_checksum_still_matches():
    nb = answered(q="written")
    assert _unchanged_solutions(source_notebook()) == {"one_hot_lookup_code", "q_1"}
    assert _unchanged_solutions(nb) == set()
    nb = source_notebook()
    nb.cells[1].metadata.nbgrader = "broken"   # counts as answered; the cells after it are still read
    assert _unchanged_solutions(nb) == {"q_1"}
    del nb.cells[3].metadata.nbgrader["checksum"]
    assert _unchanged_solutions(nb) == set()


def test_the_text_written_is_valid_utf8(course):
    nb = answered(source="def one_hot_lookup(i, w):\n    return '\udcff'")
    submit(course, "nia", json.dumps(nb))   # the surrogate as JSON's escape
    with Recorder(course.cfg, course.root, ASSIGNMENT) as rec:
        rec.record("nia", result(1.0))
    text = (course.root / "autograded" / "nia" / ASSIGNMENT / "embedding.ipynb").read_bytes().decode("utf-8")
    assert "\\\\udcff" in text



def test_the_plugin_is_asked_with_the_student_score_and_lateness(course, monkeypatch):
    """The penalty is the course's plugin's answer for this student, their notebook's score and how
    late they were, checked as nbgrader checks it; half a second late is late."""
    submit(course, "olu", answered(), when="2030-01-01 12:00:00.500000 UTC")
    asked = []
    with Recorder(course.cfg, course.root, ASSIGNMENT) as rec:
        monkeypatch.setattr(rec.late.plugin_inst, "late_submission_penalty",
                            lambda *a: asked.append(a) or 2.5)
        rec.record("olu", result(20.0))
    assert asked == [("olu", 20.0, 0.5)] and rows(course, "olu")[2] == 2.5


def test_a_timestamp_recorded_is_kept_when_a_rerun_has_none(course):
    from nbgrader.api import Gradebook
    folder = submit(course, "pat", answered(), when="2029-06-01 08:00:00 UTC")
    with Recorder(course.cfg, course.root, ASSIGNMENT) as rec:
        rec.record("pat", result(1.0))
        (folder / "timestamp.txt").unlink()
        rec.record("pat", result(2.0))
    with Gradebook(course.cfg.CourseDirectory.db_url, course_id="kit") as gb:
        assert str(gb.find_submission(ASSIGNMENT, "pat").timestamp).startswith("2029-06-01 08:00:00")


def test_the_copy_is_written_as_nbgrader_writes_it(course):
    """Keys sorted, one space of indent, UTF-8 as it is (not escaped), a final newline; a stale
    temporary copy of this process is replaced; no notebook or checkpoint of the source's is copied."""
    nb = answered(source="def one_hot_lookup(i, w):\n    return w[i]  # 中文")
    submit(course, "quin", nb)
    src = course.root / "source" / ASSIGNMENT
    (src / ".ipynb_checkpoints").mkdir()
    (src / ".ipynb_checkpoints" / "embedding-checkpoint.ipynb").write_text("{}")
    (src / "draft.ipynb").write_text("{}")
    stale = course.root / "autograded" / "quin" / f".{ASSIGNMENT}.tmp{os.getpid()}"
    stale.mkdir(parents=True)
    (stale / "left.txt").write_text("from a crash")
    with Recorder(course.cfg, course.root, ASSIGNMENT) as rec:
        rec.record("quin", result(1.0))
    out = course.root / "autograded" / "quin" / ASSIGNMENT
    text = (out / "embedding.ipynb").read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), sort_keys=True, indent=1, ensure_ascii=False) + "\n"
    assert "中文" in text
    assert sorted(p.name for p in out.iterdir()) == ["data", "embedding.ipynb", "timestamp.txt"]
    assert not stale.exists()


def test_the_copy_replaces_one_a_racing_grader_put_there(course, monkeypatch):
    """Another grader may put its copy in place between the removal and the move: tried five times,
    then the error is raised (and nothing of the student's temporary copy is left)."""
    submit(course, "ray", answered())
    real, fails = os.replace, []

    def racing(a, b):
        if fails and fails[0] > 0:
            fails[0] -= 1
            raise OSError(39, "Directory not empty")
        return real(a, b)
    monkeypatch.setattr(record_module.os, "replace", racing)
    with Recorder(course.cfg, course.root, ASSIGNMENT) as rec:
        fails[:] = [1]
        rec.record("ray", result(1.0))
        fails[:] = [4]
        rec.record("ray", result(2.0))
        assert fails == [0]
        fails[:] = [5]
        with pytest.raises(OSError, match="Directory not empty"):
            rec.record("ray", result(3.0))
    assert not [p.name for p in (course.root / "autograded" / "ray").iterdir() if p.name.startswith(".")]


def test_a_failure_before_the_copy_exists_raises_itself(course, monkeypatch):
    submit(course, "sam", answered())

    def broken(*a, **k):
        raise PermissionError(13, "no copy for you")
    monkeypatch.setattr(record_module.shutil, "copytree", broken)
    with Recorder(course.cfg, course.root, ASSIGNMENT) as rec:
        with pytest.raises(PermissionError, match="no copy for you"):
            rec.record("sam", result(1.0))


def test_each_duplicated_cell_keeps_only_its_last_graded_copy():
    """DeduplicateIds' rule: of cells sharing a grade_id, only the last that is graded, a solution or
    locked keeps its metadata (whichever of the three it is); a copy that is none of them is kept."""
    src = source_notebook()
    nb = source_notebook()
    intro, answer, graded, q, note = nb.cells

    def copy(c, **flags):
        d = nbformat.from_dict(json.loads(json.dumps(c)))
        d.metadata.nbgrader.update(flags)
        return d
    late_graded = copy(graded, locked=False)               # graded only
    late_answer = copy(answer, locked=False)                # a solution only
    early_answer = copy(answer, locked=True)
    plain_q = copy(q, grade=False, solution=False, locked=False)
    nb.cells = [copy(intro), intro, graded, late_graded, early_answer, late_answer, plain_q, note]
    out = recorder_for(src)._sanitised(nb, result())
    kept = [bool(c.metadata.get("nbgrader")) for c in out.cells]
    assert kept == [False, True, False, True, False, True, True, False]


def test_cells_restored_from_the_source_become_what_it_has():
    """A graded cell (not a solution) is restored even where the source does not lock it; a locked
    code cell handed in as markdown comes back as code, with no outputs; the source's checksum is
    written back; code cells lose their outputs, markdown ones keep their text."""
    src = source_notebook()
    src.cells.append(cell("code", "check", "assert True", grade=True, points=1))
    src.cells.append(cell("code", "setup", "import torch", locked=True))
    nb = nbformat.from_dict(json.loads(json.dumps(src)))
    nb.cells[5].source = "assert False  # changed"
    nb.cells[6] = new_markdown_cell("import os", metadata={"nbgrader": dict(nb.cells[6].metadata.nbgrader)})
    nb.cells[0].metadata.nbgrader["checksum"] = "forged"
    plain = new_code_cell("x = 1")
    plain.outputs = [nbformat.v4.new_output("stream", text="x")]
    plain.execution_count = 3
    nb.cells.append(plain)
    answer = nb.cells[1]
    answer.outputs = [nbformat.v4.new_output("stream", text="y")]
    out = recorder_for(src)._sanitised(nb, result())
    assert out.cells[5].source == "assert True" and out.cells[5].outputs == []
    setup = out.cells[6]
    assert (setup.cell_type, setup.source, setup.outputs, setup.execution_count) == ("code", "import torch", [], None)
    assert out.cells[0].metadata.nbgrader["checksum"] == src.cells[0].metadata.nbgrader["checksum"]
    assert (out.cells[7].outputs, out.cells[7].execution_count) == ([], None) and answer.outputs == []


def test_a_cell_of_the_sources_with_no_role_keeps_its_metadata():
    src = source_notebook()
    nb = source_notebook()
    nb.cells[3].metadata.nbgrader.update(grade=False, solution=False, locked=False)
    out = recorder_for(src)._sanitised(nb, result())
    assert out.cells[3].metadata.nbgrader["grade_id"] == "q_1"


def test_a_record_that_cannot_move_its_copy_in_keeps_the_last_one(course, monkeypatch):
    """When the new autograded copy cannot be moved into place (five times), is the student's last
    autograded notebook still there, as the rolled-back gradebook describes it?"""
    submit(course, "una", answered())
    real = os.replace

    def stuck(a, b):
        if ".tmp" in os.fspath(a):
            raise OSError(39, "Directory not empty")
        return real(a, b)
    with Recorder(course.cfg, course.root, ASSIGNMENT) as rec:
        rec.record("una", result(1.0))
        notebook = course.root / "autograded" / "una" / ASSIGNMENT / "embedding.ipynb"
        before = notebook.read_bytes()
        monkeypatch.setattr(record_module.os, "replace", stuck)
        with pytest.raises(OSError, match="Directory not empty"):
            rec.record("una", result(2.0))
    assert notebook.read_bytes() == before
    assert not [p.name for p in (course.root / "autograded" / "una").iterdir() if p.name.startswith(".")]


def test_the_last_copy_is_set_aside_and_put_back_never_lost(course, monkeypatch):
    """The last autograded copy is moved aside (.<assignment>.old<pid>) until the new one is in: is
    nothing left aside after records that succeed, is a copy a stopped run left aside put back, is a
    racing grader's copy replaced, and does a stale aside copy never take the last copy's place?"""
    submit(course, "vic", answered())
    folder = course.root / "autograded" / "vic"
    notebook = folder / ASSIGNMENT / "embedding.ipynb"
    aside = folder / f".{ASSIGNMENT}.old{os.getpid()}"
    real = os.replace

    def leftovers():
        return [p.name for p in folder.iterdir() if p.name.startswith(".")]
    with Recorder(course.cfg, course.root, ASSIGNMENT) as rec:
        rec.record("vic", result(1.0))
        rec.record("vic", result(2.0))
        assert leftovers() == [] and notebook.is_file()
        last = notebook.read_bytes()
        # a run stopped between setting the copy aside and moving the new one in: put back, then replaced
        real(folder / ASSIGNMENT, aside)
        monkeypatch.setattr(record_module.os, "replace", lambda a, b: (_ for _ in ()).throw(OSError(39, "stuck"))
                            if ".tmp" in os.fspath(a) else real(a, b))
        with pytest.raises(OSError):
            rec.record("vic", result(3.0))
        assert notebook.read_bytes() == last and leftovers() == []
        # a stale aside copy beside the real last one: the last one stays when the move fails
        (aside / "stale.txt").parent.mkdir()
        (aside / "stale.txt").write_text("stale")
        with pytest.raises(OSError):
            rec.record("vic", result(3.0))
        assert notebook.read_bytes() == last and leftovers() == []
        # a racing grader puts its copy in place just before ours moves in: ours replaces it
        raced = []

        def racing(a, b):
            if ".tmp" in os.fspath(a) and not raced:
                raced.append(1)
                (folder / ASSIGNMENT).mkdir()
                (folder / ASSIGNMENT / "theirs.txt").write_text("theirs")
                raise OSError(39, "Directory not empty")
            return real(a, b)
        monkeypatch.setattr(record_module.os, "replace", racing)
        rec.record("vic", result(4.0))
        assert raced and not (folder / ASSIGNMENT / "theirs.txt").exists() and notebook.is_file()
        assert leftovers() == []
