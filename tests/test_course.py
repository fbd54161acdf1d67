"""The course cycle end to end (the demo's path) and the release's integrity: nbgrader's own
generate / release / fetch / submit / collect / autograde / feedback / export, on a scratch course."""
import json
import re
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT

MARKERS = re.compile(r"BEGIN SOLUTION|END SOLUTION|BEGIN HIDDEN TESTS|END HIDDEN TESTS")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from autograder import demo as demo_module
    return demo_module.run(tmp_path_factory.mktemp("demo"), quiet=True)


def test_the_right_student_gets_full_marks_in_the_gradebook(demo):
    """Does alice (everything right) have 25 on each part in nbgrader's gradebook?"""
    assert demo["gradebook"]["alice"] == {p: 25.0 for p in demo["gradebook"]["alice"]} and \
        len(demo["gradebook"]["alice"]) == 4


def test_typical_mistakes_cost_exactly_their_parts(demo):
    """Does bob lose points on the lookup and the backward (and the module built on them)?"""
    bob = demo["gradebook"]["bob"]
    assert bob["one_hot_lookup"] < 25 and bob["embedding_backward"] < 25
    assert bob["embedding_renorm"] == 25


def test_the_cheater_earns_nothing_by_cheating(demo, grader, tmp_path):
    """Does mallory (patched torch, zero lookup, gradebook writes) score exactly what her zero lookup
    earns without the cheats, and is no stray gradebook written?"""
    from conftest import BASE
    honest = tmp_path / "honest.py"
    honest.write_text(BASE.read_text() + "\n\ndef one_hot_lookup(indices, weight):\n    return torch.zeros("
                      "*indices.shape, weight.shape[1], dtype=weight.dtype, device=weight.device)\n")
    expected = grader.grade(honest).parts
    mallory = demo["gradebook"]["mallory"]
    assert mallory["one_hot_lookup"] == round(expected["one_hot_lookup"].score, 4) < 25
    assert mallory["embedding_module"] == round(expected["embedding_module"].score, 4) < 25
    assert mallory["embedding_backward"] == 25 and mallory["embedding_renorm"] == 25
    course = demo["root"] / "course"
    assert not list(demo["root"].rglob("gradebook.db*"))[1:], list(demo["root"].rglob("gradebook.db*"))
    assert (course / "gradebook.db").read_bytes()[:16] == b"SQLite format 3\x00"


def test_a_broken_notebook_gets_zeros_and_a_message_not_a_crash(demo):
    """Does dave's notebook (not JSON) get zero on every part, recorded in the gradebook, with a reason?"""
    assert demo["gradebook"]["dave"] == {p: 0.0 for p in demo["gradebook"]["alice"]}
    assert "not a valid notebook" in " ".join(demo["results"]["dave"].notes)


def test_flipped_metadata_does_not_fail_the_student(demo):
    """Does erin (right answers, a graded cell's metadata flipped) still get full marks?"""
    assert sum(demo["gradebook"]["erin"].values()) == 100


def test_feedback_shows_the_grader_messages_and_no_hidden_code(demo):
    """Does bob's feedback HTML carry the per-test messages, and no solution or hidden-test text?"""
    html = (demo["root"] / "course" / "feedback" / "bob" / "embedding" / "embedding.html").read_text()
    assert "FAIL" in html and "one_hot_lookup" in html
    assert not MARKERS.search(html)
    assert "autograder/graders" not in html and "lookup_and_grad" not in html


def test_export_and_class_report_exist(demo):
    """Are the grades CSV and the class report (picture and table) produced?"""
    csv = (demo["root"] / "grades.csv").read_text()
    assert "alice" in csv and "mallory" in csv
    assert (demo["root"] / "report" / "class_report.png").stat().st_size > 1000
    assert "most failed" in (demo["root"] / "report" / "class_report.md").read_text().lower() or \
        "| check |" in (demo["root"] / "report" / "class_report.md").read_text()


def test_release_is_what_generate_assignment_makes_today(tmp_path):
    """Is assignments/ exactly nbgrader's generate_assignment of source/ (cells and metadata), for
    both editions?"""
    import shutil
    from autograder import release
    shutil.copytree(ROOT / "source", tmp_path / "source")
    release.generate(tmp_path, solutions=False, db_dir=tmp_path)
    for edition in ("embedding", "embedding-zh"):
        fresh = nbformat.read(tmp_path / "assignments" / edition / "embedding.ipynb", 4)
        committed = nbformat.read(ROOT / "assignments" / edition / "embedding.ipynb", 4)
        assert [(c.cell_type, c.source, c.get("metadata", {}).get("nbgrader")) for c in fresh.cells] == \
               [(c.cell_type, c.source, c.get("metadata", {}).get("nbgrader")) for c in committed.cells], edition


def test_release_holds_no_solution_or_hidden_tests():
    """Does nothing under assignments/ carry solution or hidden-test text, or the graders?"""
    for path in (ROOT / "assignments").rglob("*"):
        if path.is_file():
            text = path.read_text(errors="replace")
            assert not MARKERS.search(text), path
            assert "autograder" not in path.parts
    for edition in ("embedding", "embedding-zh"):
        stub = nbformat.read(ROOT / "assignments" / edition / "embedding.ipynb", 4)
        solutions = [c for c in stub.cells if c.get("metadata", {}).get("nbgrader", {}).get("solution")]
        code = [c for c in solutions if c.cell_type == "code"]          # the four parts and the bonus stubs
        written = [c for c in solutions if c.cell_type == "markdown"]   # the written answers, graded by hand
        assert len(code) == 6 and all("raise NotImplementedError" in c.source for c in code), edition
        assert len(written) == 5 and all("YOUR ANSWER HERE" in c.source for c in written), edition


def test_source_is_built_from_authoring(tmp_path):
    """Is source/embedding/embedding.ipynb what authoring/build.py makes today?"""
    import subprocess, sys
    out = tmp_path / "embedding.ipynb"
    subprocess.run([sys.executable, str(ROOT / "authoring" / "build.py"), "--out", str(out)], check=True,
                   capture_output=True)
    assert out.read_bytes() == (ROOT / "source" / "embedding" / "embedding.ipynb").read_bytes()


def test_the_batch_records_what_nbgrader_autograde_records(demo, tmp_path):
    """Does the batch's direct gradebook writer (record.py) leave the same scores, comments, late
    penalties and graded-cell outputs as nbgrader's own autograde (with the isolated grader)?"""
    import shutil
    from autograder import course
    copy = tmp_path / "course"
    shutil.copytree(demo["root"] / "course", copy)
    cfg = course.load_config(copy)
    readable = ["alice", "bob", "mallory", "erin"]   # dave's notebook is not JSON: nbgrader cannot read it
    for s in readable:
        res = course.autograde(cfg, s, force=True)
        assert res["success"], res.get("log")
    ours, theirs = course.gradebook_state(demo["cfg"]), course.gradebook_state(cfg)
    assert {s: ours[s] for s in readable} == {s: theirs[s] for s in readable}

    def graded_outputs(root, s):
        nb = nbformat.read(root / "autograded" / s / "embedding" / "embedding.ipynb", 4)
        return {c.metadata.nbgrader["grade_id"]: [o.get("text") or o.get("data") for o in c.outputs]
                for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade")}
    for s in readable:
        assert graded_outputs(demo["root"] / "course", s) == graded_outputs(copy, s), s


def test_a_chinese_edition_student_gets_chinese_feedback(demo):
    """Does wei (Chinese edition, bob's mistakes) score exactly as bob, with feedback in Chinese?"""
    assert demo["gradebook"]["wei"] == demo["gradebook"]["bob"]
    html = (demo["root"] / "course" / "feedback" / "wei" / "embedding-zh" / "embedding.html").read_text()
    assert "未通过" in html and "查表" in html
    assert not MARKERS.search(html)
