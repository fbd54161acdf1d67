"""The course cycle end to end (the demo's path) and the release's integrity: nbgrader's own
generate / release / fetch / submit / collect / autograde / feedback / export, on a scratch course."""
import re

import nbformat
import pytest

from conftest import ROOT

MARKERS = re.compile(r"BEGIN SOLUTION|END SOLUTION|BEGIN HIDDEN TESTS|END HIDDEN TESTS")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo, run by a user whose home is an empty scratch folder (nbgrader's default submission
    cache is $HOME/.local/share/jupyter/nbgrader_cache). matplotlib's font cache, the instructor's own
    (the class report), goes to a scratch folder too, so that anything in that home is the demo's doing."""
    from autograder import demo as demo_module
    home = tmp_path_factory.mktemp("real-home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOME", str(home))
        for var in ("JUPYTER_DATA_DIR", "XDG_DATA_HOME"):
            mp.delenv(var, raising=False)
        mp.setenv("MPLCONFIGDIR", str(tmp_path_factory.mktemp("mpl")))
        out = demo_module.run(tmp_path_factory.mktemp("demo"), quiet=True)
    out["home"] = home
    return out


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
    from autograder.report import cell_score
    expected = grader.grade(honest).parts
    mallory = demo["gradebook"]["mallory"]
    assert mallory["one_hot_lookup"] == cell_score(expected["one_hot_lookup"].score) < 25
    # the module is graded with torch's stand-ins for the other parts: her lookup costs it nothing
    assert mallory["embedding_module"] == cell_score(expected["embedding_module"].score) == 25
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


def test_export_and_class_report_exist_inside_the_course(demo):
    """Are the grades CSV and the class report (picture and table) produced in the course's reports/?"""
    reports = demo["root"] / "course" / "reports"
    csv = (reports / "grades.csv").read_text()
    assert "alice" in csv and "mallory" in csv
    assert (reports / "class_report.png").stat().st_size > 1000
    assert "| check |" in (reports / "class_report.md").read_text()


def test_the_demo_course_has_its_own_nbgrader_config(demo):
    """Does build/demo/course carry an nbgrader_config.py that makes it the course root, with the
    demo's exchange, on top of the kit's configuration?"""
    from traitlets.config.loader import PyFileConfigLoader
    course = demo["root"] / "course"
    cfg = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    assert cfg.CourseDirectory.root == str(course)
    assert cfg.Exchange.root == str(demo["root"] / "exchange")
    assert cfg.CourseDirectory.course_id == "embedding-kit" and "IsolatedGrade" in cfg


def test_a_broken_notebook_gets_feedback_saying_what_to_fix(demo):
    """Does dave (notebook not JSON) get a feedback page that says his notebook could not be read,
    why, and how to fix it, with zero on each part?"""
    html = (demo["root"] / "course" / "feedback" / "dave" / "embedding" / "embedding.html").read_text()
    assert "could not be read" in html and "not a valid notebook" in html
    assert "Revert Notebook to Checkpoint" in html and "submit again" in html
    assert "(Score: 0.0 / 120.0)" in html   # 100 graded automatically, 20 for the written answers
    assert not MARKERS.search(html)


def _outputs(html: str) -> list[str]:
    import html as h
    return [h.unescape(t) for t in re.findall(r'<div class="output_subarea output_stream[^>]*>\s*<pre>(.*?)</pre>',
                                                html, re.S)]


def test_feedback_is_readable(demo):
    """In bob's feedback: do the graded cells' reports keep within 100 characters a line, does the
    contents list name the four parts, are the scores shown rounded, and is there no MathJax from a
    CDN but math as MathML?"""
    from autograder.i18n import EN
    from autograder.parts import PARTS
    from autograder.report import WIDTH
    html = (demo["root"] / "course" / "feedback" / "bob" / "embedding" / "embedding.html").read_text()
    reports = [o for o in _outputs(html) if "points" in o]
    assert len(reports) == len(PARTS)
    assert max(len(line) for o in reports for line in o.splitlines()) <= WIDTH
    toc = re.search(r'<div id="toc">(.*?)</div>', html, re.S).group(1)
    assert "Test cell" not in toc and all(EN["part." + p.id] in toc for p in PARTS)
    values = re.findall(r'<div class="output_text output_subarea output_execute_result">\s*<pre>([^<]*)</pre>', html)
    assert len(values) == len(PARTS) and all(len(v.strip().partition(".")[2]) <= 2 for v in values), values
    assert "cdnjs" not in html and "mathjax" not in html.lower()
    assert "<math" in html and "$e_k$" not in html


def test_feedback_warns_of_no_unknown_config_option(demo):
    """Does generate_feedback run without traitlets' "Config option ... not recognized" warnings?"""
    from autograder import course
    res = course.api(demo["cfg"]).generate_feedback("embedding", "bob")
    assert res["success"] and "Converting notebook" in res["log"], res["log"][-2000:]
    assert "not recognized" not in res["log"], res["log"][-2000:]


def test_the_grader_verdict_is_each_answer_cells_comment(demo):
    """Does each answer cell carry the part's score and failed checks as its auto comment (formgrader's
    comment box), and does the feedback show it?"""
    from autograder import course
    bob = course.gradebook_state(demo["cfg"])["bob"]
    part = demo["results"]["bob"].parts["one_hot_lookup"]
    comment = bob["comment on one_hot_lookup_code"]
    assert f"{part.score:.2f} / 25" in comment
    assert all(t.question.splitlines()[0] in comment for t in part.tests if not t.passed)
    html = (demo["root"] / "course" / "feedback" / "bob" / "embedding" / "embedding.html").read_text()
    assert html.count("<b>Comments:</b>") >= 4 and f"{part.score:.2f} / 25" in html   # the parts' and the answers'


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
        code = [c for c in solutions if c.cell_type == "code"]   # the four parts, the gradient-check step, the bonus stubs
        written = [c for c in solutions if c.cell_type == "markdown"]   # the written answers, graded by hand
        assert [c.metadata.nbgrader.grade_id for c in code] == [
            "one_hot_lookup_code", "embedding_backward_code", "step_numerical_gradient", "embedding_renorm_code",
            "embedding_module_code", "bonus_sparse", "bonus_bag"], edition
        assert all("raise NotImplementedError" in c.source for c in code), edition
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
    penalties, graded-cell outputs and markdown (math as MathML) as nbgrader's own autograde (with
    the isolated grader)?"""
    import shutil
    from autograder import course
    copy = tmp_path / "course"
    shutil.copytree(demo["root"] / "course", copy)
    cfg = course.load_config(copy)
    readable = ["alice", "bob", "mallory", "erin", "dave"]   # dave's, not JSON, as its stand-in
    for s in readable:
        res = course.autograde(cfg, s, force=True)
        assert res["success"], res.get("log")
    ours, theirs = course.gradebook_state(demo["cfg"]), course.gradebook_state(cfg)

    def auto(state):   # the written answers (q_*) are compared below, on their own
        return {s: {k: v for k, v in state[s].items() if "q_" not in k} for s in readable}
    assert auto(ours) == auto(theirs)
    # written answers the demo's students left as released: 0 and "No response.", nothing to grade by
    # hand (nbgrader's own rule on the submitted cells). nbgrader's autograde path marks some of them
    # for manual grading instead: a difference not yet explained (see the issue note). alice answered
    # them: each waits for a grader, both ways.
    for s in readable:
        if s == "alice":
            assert all(v == (None, None, True) for k, v in ours[s].items() if k.startswith("q_")), ours[s]
            assert {k: v for k, v in ours[s].items() if "q_" in k} == {k: v for k, v in theirs[s].items() if "q_" in k}
            continue
        assert all(v == (0.0, None, False) for k, v in ours[s].items() if k.startswith("q_")), ours[s]
        assert all(v == "No response." for k, v in ours[s].items() if k.startswith("comment on q_")), ours[s]

    def graded_outputs(root, s):
        nb = nbformat.read(root / "autograded" / s / "embedding" / "embedding.ipynb", 4)
        return {c.metadata.nbgrader["grade_id"]: [o.get("text") or o.get("data") for o in c.outputs]
                for c in nb.cells if c.cell_type == "code" and c.get("metadata", {}).get("nbgrader", {}).get("grade")}
    def markdown(root, s):
        nb = nbformat.read(root / "autograded" / s / "embedding" / "embedding.ipynb", 4)
        return [c.source for c in nb.cells if c.cell_type == "markdown"]
    for s in readable:
        assert graded_outputs(demo["root"] / "course", s) == graded_outputs(copy, s), s
        assert markdown(demo["root"] / "course", s) == markdown(copy, s), s
    assert "<math" in "".join(markdown(copy, "bob")) and "$e_k$" not in "".join(markdown(copy, "bob"))


def test_a_chinese_edition_student_gets_chinese_feedback(demo):
    """Does wei (Chinese edition, bob's mistakes) score exactly as bob, with feedback in Chinese?"""
    assert demo["gradebook"]["wei"] == demo["gradebook"]["bob"]
    html = (demo["root"] / "course" / "feedback" / "wei" / "embedding-zh" / "embedding.html").read_text()
    assert "未通过" in html and "查表" in html
    assert not MARKERS.search(html)


def test_the_demo_students_leave_nothing_in_the_real_users_cache(demo):
    """Does the demo leave the real user's home (here an empty scratch home) untouched, nbgrader's
    submission cache above all (before: six phantom "Submitted assignments" in that user's own
    Assignments tab), while each student's nbgrader keeps its copy in that student's own home?"""
    from autograder import course
    assert sorted(p.relative_to(demo["home"]).as_posix() for p in demo["home"].rglob("*")) == []
    for student in ("alice", "wei"):
        cache = course.student_cache(demo["root"] / "students" / student) / "embedding-kit"
        assert [p.name.split("+")[:2] for p in cache.iterdir()] == \
            [[student, "embedding-zh" if student == "wei" else "embedding"]]


def test_two_students_answer_the_written_questions_for_formgrader(demo):
    """Did alice (in English) and wei (in Chinese) answer the five written questions, so formgrader has
    them to grade by hand, while the others' wait for nothing?"""
    from autograder import course
    for student, edition in (("alice", "embedding"), ("wei", "embedding-zh"), ("bob", "embedding")):
        nb = nbformat.read(demo["root"] / "course" / "submitted" / student / edition / "embedding.ipynb", 4)
        answers = [c.source for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id", "").startswith("q_")]
        assert len(answers) == 5
        assert all(("YOUR ANSWER HERE" in a) == (student == "bob") for a in answers), (student, answers)
        state = course.gradebook_state(demo["cfg"], edition)[student]
        waiting = [k for k, v in state.items() if k.startswith("q_") and v[2]]
        assert len(waiting) == (0 if student == "bob" else 5), state
        if student == "wei":
            assert all(re.search(r"[\u4e00-\u9fff]", a.split("：", 1)[-1]) for a in answers), answers


def test_the_export_gives_one_row_per_student_and_edition_taken(demo):
    """Does the demo's grades.csv (`python -m autograder export`) give each of the six students one row,
    with the edition taken (wei: embedding-zh), the parts as in the gradebook, out of 120?"""
    import csv
    with open(demo["root"] / "course" / "reports" / "grades.csv", newline="", encoding="utf-8") as fh:
        rows = {r["student_id"]: r for r in csv.DictReader(fh)}
    assert sorted(rows) == ["alice", "bob", "dave", "erin", "mallory", "wei"]
    assert {s: r["edition"] for s, r in rows.items()} == {s: "embedding-zh" if s == "wei" else "embedding" for s in rows}
    for s, parts in demo["gradebook"].items():
        assert {p: float(rows[s][p]) for p in parts} == pytest.approx(parts), s
        assert float(rows[s]["score"]) == pytest.approx(sum(parts.values())) and rows[s]["max_score"] == "120"
    assert rows["alice"]["needs_manual_grade"] == rows["wei"]["needs_manual_grade"] == "5"


def test_the_demo_says_how_to_open_formgrader(monkeypatch):
    """Does the demo end by saying how to open its course in formgrader, as the README does?"""
    from autograder import course, demo
    monkeypatch.chdir(course.REPO)
    hint = demo.formgrader_hint(course.REPO / "build" / "demo" / "course")
    assert "cd build/demo/course && ../../../.venv/bin/jupyter lab" in hint and "Formgrader" in hint
    assert "cd build/demo/course && ../../../.venv/bin/jupyter lab" in (ROOT / "README.md").read_text()


def test_a_graders_comment_does_not_hide_the_kits_verdict(demo):
    """When a grader types a comment in formgrader, it replaces the kit's short verdict in that
    comment box (nbgrader keeps one comment per cell: the manual one wins). Does the student's
    feedback still carry the kit's verdict — the part's full report, which is the graded cell's
    output — beside the grader's words (README: Formgrader and feedback)?"""
    from nbgrader.api import Gradebook
    from autograder import course
    cfg = demo["cfg"]
    typed = "Nicely reasoned; see me about the padding row."
    with Gradebook(course._db_url(cfg), course_id=cfg.CourseDirectory.course_id) as gb:
        comment = gb.find_comment("one_hot_lookup_code", "embedding", "embedding", "alice")
        verdict = comment.auto_comment
        comment.manual_comment = typed
        gb.db.commit()
    res = course.api(cfg).generate_feedback("embedding", "alice", force=True)
    assert res["success"], res["log"][-2000:]
    html = (demo["root"] / "course" / "feedback" / "alice" / "embedding" / "embedding.html").read_text()
    part = demo["results"]["alice"].parts["one_hot_lookup"]
    assert typed in html
    assert verdict.splitlines()[0] not in html   # the box shows the grader's words instead of the short verdict
    assert f"one_hot_lookup: {part.score:.2f} / 25 points" in html          # the graded cell's report stays
    assert all(t.question.splitlines()[0][:60] in html for t in part.tests if t.max_score)
