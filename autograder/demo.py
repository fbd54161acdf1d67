"""`make demo`: the whole course cycle on one machine, in build/demo (outside the tracked tree).

Instructor: generate_assignment, release_assignment. Students, each in a home folder of their own
(build/demo/students/<student>, which also holds their nbgrader submission cache: nothing of theirs
lands in the real user's ~/.local/share/jupyter/nbgrader_cache, whose Assignments tab would list
it): fetch_assignment, work (two of them answer the written questions too), submit. Instructor:
collect, autograde (batch: parallel, isolated, into the SQLite gradebook), generate_feedback, export
(one row per student, for the edition taken). Then a table of student x part x score, and how to
open the course in formgrader.

build/demo/course is a course directory that formgrader opens as it is (`cd build/demo/course &&
../../../.venv/bin/jupyter lab`): its own nbgrader_config.py, the gradebook, the submissions, the
feedback, and reports/ (grades.csv, the class report).
"""
import json
import os
import re
import shutil
import sys
from pathlib import Path

import nbformat

from . import batch, class_report, course
from .parts import EDITION_OF, PARTS

DEMO = course.REPO / "build" / "demo"
MARKERS = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*(\n|\Z)", re.M)

# What each simulated student writes into the released notebook.
TYPICAL_MISTAKES = {
    "one_hot_lookup_code": "\n\ndef one_hot_lookup(indices, weight):\n"
                           "    # infers the number of classes from the data: wrong whenever V-1 is absent\n"
                           "    return F.one_hot(indices.long()).to(weight.dtype) @ weight\n",
    "embedding_backward_code": "\n\n_right_backward = embedding_backward\n\n"
                               "def embedding_backward(grad_output, indices, num_embeddings, padding_idx=None,"
                               " scale_grad_by_freq=False):\n"
                               "    if not padding_idx:  # padding_idx=0 is taken for 'no padding'\n"
                               "        padding_idx = None\n"
                               "    return _right_backward(grad_output, indices, num_embeddings, padding_idx,"
                               " scale_grad_by_freq)\n",
}
CHEAT = ("\n\nimport torch as _t\n_t.equal = lambda *a, **k: True\n_t.allclose = lambda *a, **k: True\n"
         "_t.testing.assert_close = lambda *a, **k: None\n"
         "for _p in ('gradebook.db', '../gradebook.db', '../../gradebook.db', '/tmp/gradebook.db'):\n"
         "    try:\n        open(_p, 'w').write('mallory 100')\n    except OSError:\n        pass\n\n"
         "def one_hot_lookup(indices, weight):\n"
         "    return _t.zeros(*indices.shape, weight.shape[1], dtype=weight.dtype, device=weight.device)\n")


def solutions_by_cell() -> dict[str, str]:
    """The source notebook's solution code of the four parts, markers removed: what a student who
    got it right wrote (the written answers and the bonus cells are not graded automatically)."""
    graded = {p.solution_cell for p in PARTS}
    nb = nbformat.read(course.REPO / "source" / course.ASSIGNMENT / f"{course.ASSIGNMENT}.ipynb", 4)
    return {c.metadata["nbgrader"]["grade_id"]: MARKERS.sub("", c.source) for c in nb.cells
            if c.cell_type == "code" and c.get("metadata", {}).get("nbgrader", {}).get("grade_id") in graded}


def work(notebook: Path, student: str, answers: dict[str, str]) -> None:
    """Edit the fetched notebook as `student` would."""
    if student == "dave":  # a notebook broken by a bad merge: not JSON any more
        notebook.write_text(notebook.read_text()[: len(notebook.read_text()) // 2])
        return
    nb = nbformat.read(notebook, 4)
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        gid = meta.get("grade_id", "")
        if meta.get("solution") and gid in answers:
            cell.source = answers[gid] + {"bob": TYPICAL_MISTAKES, "wei": TYPICAL_MISTAKES,
                                          "mallory": {"one_hot_lookup_code": CHEAT}}.get(student, {}).get(gid, "")
        if (cell.cell_type == "markdown" and meta.get("solution") and gid.startswith("q_")
                and student in ANSWERS_WRITTEN and TEXT_STUB in cell.source):
            cell.source = cell.source.replace(TEXT_STUB, WRITTEN[ANSWERS_WRITTEN[student]][gid])
        if student == "erin" and meta.get("locked") and gid in {p.id for p in PARTS}:
            meta["locked"] = False          # flipped metadata: stock nbgrader fails the whole student
            meta["points"] = 100
    nbformat.write(nb, notebook)


# Two students answer the written questions (graded by hand in formgrader); the others leave them as released.
WRITTEN = {
    "en": {
        "q_one_hot_backward": "The gradient is H^T G: row k sums the output gradients of every position that "
                              "looked up k (a scatter-add); rows never looked up get zero.",
        "q_padding_skip": "(a) 0 * NaN is NaN, so adding then zeroing spoils every row; skipping never touches "
                          "them. (b) a fully masked softmax. (c) weight decay, and tied weights.",
        "q_max_norm_cap": "Weight decay changes every row's gradient at every step; max_norm only rescales the "
                          "rows looked up, in place, before the lookup: a projection onto the ball.",
        "q_max_norm_eval": "The renorm is part of the forward: eval() and no_grad() do not stop it, so "
                           "evaluating changes the weights.",
        "q_weight_tying": "V*D = 50257*768, about 38.6 M parameters. The output layer's gradient reaches the "
                          "padding row, so it moves.",
    },
    "zh": {
        "q_one_hot_backward": "梯度是 H^T G：第 k 行是所有查过第 k 行的位置上输出梯度之和（分散累加）；没被查到的行为零。",
        "q_padding_skip": "(a) 0 乘 NaN 还是 NaN，先加再清零会弄坏每一行；跳过则不碰它们。(b) 全被掩码的 softmax。(c) 权重衰减；共享权重。",
        "q_max_norm_cap": "权重衰减每一步都改变每一行的梯度；max_norm 只在查表前原地缩放被查到的行：投影到球上。",
        "q_max_norm_eval": "重新缩放是前向传播的一部分：eval() 和 no_grad() 都关不掉它，所以评估会改变权重。",
        "q_weight_tying": "V·D = 50257·768，约 3860 万个参数。输出层的梯度会到达填充行，所以它仍然会变。",
    },
}
ANSWERS_WRITTEN = {"alice": "en", "wei": "zh"}   # student -> the language of their written answers
TEXT_STUB = "YOUR ANSWER HERE / 在此写下你的回答"   # nbgrader_config.py's ClearSolutions.text_stub


STUDENTS = {"alice": "everything right, written answers too", "bob": "typical mistakes", "mallory": "cheats (patches torch, "
            "writes a gradebook)", "dave": "broken notebook (not JSON)", "erin": "right, but flipped cell metadata",
            "wei": "the Chinese edition (embedding-zh), bob's mistakes, written answers in Chinese"}
EDITION = {"wei": EDITION_OF["zh"]}   # every other student takes the English edition


COURSE_CONFIG = '''"""The demo course (written by `make demo`): the kit's course configuration, this folder as the
course root and {exchange} as the exchange."""
import os

c = get_config()  # noqa: F821
load_subconfig({config!r})  # noqa: F821
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.Exchange.root = {exchange!r}
'''


def write_course_config(course_root: Path, exchange: Path) -> Path:
    """The course's own nbgrader_config.py, so that formgrader and nbgrader work from inside it."""
    path = course_root / "nbgrader_config.py"
    path.write_text(COURSE_CONFIG.format(config=str(course.REPO / "nbgrader_config.py"), exchange=str(exchange)))
    return path


def run(root: Path = DEMO, quiet: bool = False) -> dict:
    if root.exists():
        shutil.rmtree(root)
    course_root, exchange = root / "course", root / "exchange"
    course_root.mkdir(parents=True)
    write_course_config(course_root, exchange)
    course.copy_source(course_root, course.ASSIGNMENTS)
    cfg = course.load_config(course_root, exchange)
    say = (lambda *a: None) if quiet else print
    say(f"instructor: nbgrader generate_assignment + release_assignment, both editions  (course: {course_root})")
    for assignment in course.ASSIGNMENTS:
        course.generate_and_release(cfg, assignment)
    answers = solutions_by_cell()   # the code cells and grade ids are the same in both editions
    for student, what in STUDENTS.items():
        home, assignment = root / "students" / student, EDITION.get(student, course.ASSIGNMENT)
        folder = course.fetch(cfg, student, home, assignment)
        work(folder / course.NOTEBOOK, student, answers)
        course.submit(cfg, student, home, assignment)
        say(f"student {student}: fetch_assignment {assignment}, work ({what}), submit")
    say("instructor: nbgrader collect; autograde (isolated batch grader); generate_feedback; export")
    results, scores = {}, {}
    for assignment in course.ASSIGNMENTS:
        course.collect(cfg, assignment)
        results.update(batch.grade_class(course_root, quiet=quiet, assignment=assignment, report=True))
        for student in course.submitted_students(cfg, assignment):
            if (course_root / "autograded" / student / assignment).is_dir():
                course.generate_feedback(cfg, student, assignment)
        scores.update(course.part_scores(cfg, assignment))
    csv, _rows, _notes = course.export_editions(cfg, course_root / "reports" / "grades.csv")
    report = class_report.write(results, course_root / "reports")
    if not quiet:
        _table(scores, results)
        print(f"feedback: {course_root / 'feedback'}/<student>/<assignment>/{course.NOTEBOOK[:-6]}.html")
        print(f"grades:   {csv}\nreport:   {report['markdown']}")
        print(formgrader_hint(course_root))
    (root / "summary.json").write_text(json.dumps({"gradebook": scores,
                                                   "results": {s: r.to_json() for s, r in results.items()}}))
    return {"gradebook": scores, "results": results, "root": root, "cfg": cfg}


def formgrader_hint(course_root: Path) -> str:
    """How to open the demo's course in formgrader (its own nbgrader_config.py makes it the course)."""
    full, jupyter = Path(course_root).resolve(), Path(sys.executable).parent / "jupyter"
    where = full
    if full.is_relative_to(course.REPO) and Path.cwd().resolve() == course.REPO:   # make demo's own words
        where, jupyter = full.relative_to(course.REPO), os.path.relpath(jupyter, full)
    return (f"formgrader: cd {where} && {jupyter} lab\n"
            f"            then Nbgrader menu -> Formgrader; {' and '.join(ANSWERS_WRITTEN)} answered the written "
            f"questions: grade them by hand in Manual Grading")


def _table(scores, results):
    from rich.console import Console
    from rich.table import Table
    t = Table(title="Gradebook after autograde (nbgrader's SQLite gradebook)",
              caption="; ".join(f"{s}: {what}" for s, what in STUDENTS.items()))
    t.add_column("student")
    for p in PARTS:
        t.add_column(p.id.replace("embedding_", ""), justify="right")
    t.add_column("total", justify="right")
    for s in sorted(results):
        row = scores.get(s, {})
        t.add_row(s, *[f"{row.get(p.id, 0):.1f}" for p in PARTS],
                  f"{sum(row.get(p.id, 0) for p in PARTS):.1f}")
    Console().print(t)
