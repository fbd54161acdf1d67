"""`python -m autograder export COURSE`: one row per student, for the edition they took (nbgrader's own
export gives a row per student and edition, 0 for the edition not taken)."""
import csv
import datetime as dt

import pytest

import autograder.course  # noqa: F401  (puts the venv's scripts on PATH: nbgrader's gradebook runs `alembic`)
from autograder.parts import PARTS

QUESTIONS = ("q_one_hot_backward", "q_padding_skip", "q_max_norm_cap", "q_max_norm_eval", "q_weight_tying")


def _grade(gb, edition, student, scores, written=None, timestamp=None, penalty=0.0):
    gb.add_submission(edition, student, timestamp=timestamp)
    for name, value in scores.items():
        g = gb.find_grade(name, "embedding", edition, student)
        g.auto_score, g.needs_manual_grade = value, False
    for q in QUESTIONS:
        g = gb.find_grade(q, "embedding", edition, student)
        if written is None:          # left as released: 0, nothing to grade by hand
            g.auto_score, g.needs_manual_grade = 0.0, False
        elif written == "waiting":   # answered, not graded yet
            g.auto_score, g.manual_score, g.needs_manual_grade = None, None, True
        else:                        # answered and graded by hand
            g.auto_score, g.manual_score, g.needs_manual_grade = None, written, False
    gb.find_submission_notebook("embedding", edition, student).late_submission_penalty = penalty
    gb.db.commit()


@pytest.fixture
def course_dir(tmp_path):
    """A course whose gradebook holds both editions and: alice (English, right, answers waiting for a
    grader), wei (Chinese, bob's mistakes, answers graded, late), carol (registered, nothing
    submitted), dan (both editions: English first, then Chinese), with names to quote."""
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{tmp_path}/gradebook.db", course_id="embedding-kit") as gb:
        for edition in ("embedding", "embedding-zh"):
            gb.add_assignment(edition)
            gb.add_notebook("embedding", edition)
            for p in PARTS:
                gb.add_grade_cell(p.id, "embedding", edition, max_score=p.points, cell_type="code")
            for q in QUESTIONS:
                gb.add_grade_cell(q, "embedding", edition, max_score=4.0, cell_type="markdown")
        gb.add_student("alice", first_name="Alice", last_name="Liddell, Jr.", email="alice@example.org")
        gb.add_student("wei", first_name="伟", last_name="王")
        gb.add_student("carol")
        gb.add_student("dan")
        full = {p.id: p.points for p in PARTS}
        bob = {"one_hot_lookup": 7.03, "embedding_backward": 21.77, "embedding_renorm": 25.0, "embedding_module": 25.0}
        t0 = dt.datetime(2026, 12, 1, 12, 0, 0)
        _grade(gb, "embedding", "alice", full, written="waiting", timestamp=t0)
        _grade(gb, "embedding-zh", "wei", bob, written=3.0, timestamp=t0, penalty=10.0)
        _grade(gb, "embedding", "dan", bob, timestamp=t0)
        _grade(gb, "embedding-zh", "dan", full, timestamp=t0 + dt.timedelta(hours=1))
    return tmp_path


def _rows(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return {r["student_id"]: r for r in csv.DictReader(fh)}


def test_one_row_per_student_for_the_edition_taken(course_dir, capsys):
    """Does `export` write one row per student (nbgrader's export: two each), with the edition taken,
    names (quoted where they hold a comma), score out of that edition's max, the parts, the written
    answers and what still waits for a grader?"""
    from autograder.__main__ import main
    out = course_dir / "reports" / "grades.csv"
    assert main(["export", str(course_dir), "--out", str(out)]) == 0
    said = capsys.readouterr()
    assert "4 students (embedding: 1, embedding-zh: 2, no submission: 1)" in said.out
    assert "dan submitted embedding and embedding-zh: counted by the later one, embedding-zh" in said.err
    rows = _rows(out)
    assert list(rows) == ["alice", "carol", "dan", "wei"]
    alice, wei, carol, dan = rows["alice"], rows["wei"], rows["carol"], rows["dan"]
    assert (alice["last_name"], alice["first_name"], alice["email"]) == ("Liddell, Jr.", "Alice", "alice@example.org")
    assert alice["edition"] == "embedding" and alice["score"] == "100" and alice["max_score"] == "120"
    assert alice["written"] == "0" and alice["needs_manual_grade"] == "5"
    assert alice["timestamp"] == "2026-12-01T12:00:00+00:00"
    assert (wei["last_name"], wei["first_name"], wei["edition"]) == ("王", "伟", "embedding-zh")
    assert wei["one_hot_lookup"] == "7.03" and wei["embedding_backward"] == "21.77" and wei["written"] == "15"
    assert wei["raw_score"] == "93.8" and wei["late_submission_penalty"] == "10" and wei["score"] == "83.8"
    assert wei["needs_manual_grade"] == "0"
    assert carol["edition"] == "" and carol["score"] == "0" and carol["max_score"] == "120"
    assert carol["one_hot_lookup"] == "" and carol["timestamp"] == ""
    assert dan["edition"] == "embedding-zh" and dan["score"] == "100"
    header = out.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[:10] == ["student_id", "last_name", "first_name", "email", "edition", "timestamp", "raw_score",
                           "late_submission_penalty", "score", "max_score"]
    assert header[10:] == [p.id for p in PARTS] + ["written", "needs_manual_grade"]


def test_nbgrader_export_gives_a_row_per_edition(course_dir, tmp_path):
    """The reason for `export`: does nbgrader's CSV export give each student a row per edition, with
    0 for the one not taken?"""
    from autograder import course
    cfg = course.load_config(course_dir)
    out = course.export_csv(cfg, tmp_path / "nbgrader.csv")
    with open(out, newline="") as fh:
        rows = [r for r in csv.reader(fh)][1:]
    wei = [r for r in rows if r[3] == "wei"]
    assert len(rows) == 8 and sorted(r[0] for r in wei) == ["embedding", "embedding-zh"]
    assert [r[-2] for r in wei if r[0] == "embedding"] == ["0.0"]


def test_a_course_without_the_editions_is_refused(tmp_path, capsys):
    """Does `export` on a gradebook without either edition say so, with status 1, and write nothing?"""
    from nbgrader.api import Gradebook

    from autograder.__main__ import main
    with Gradebook(f"sqlite:///{tmp_path}/gradebook.db", course_id="embedding-kit") as gb:
        gb.add_assignment("other")
    assert main(["export", str(tmp_path), "--out", str(tmp_path / "grades.csv")]) == 1
    assert "none of the editions" in capsys.readouterr().err and not (tmp_path / "grades.csv").exists()
