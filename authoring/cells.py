"""The cell kinds the chapters (authoring/chapters/) are written in, and their nbgrader roles.

A cell is a plain dict that build.py turns into a notebook cell. Markdown cells are dicts of
language -> text; code cells are text shared by every language (prose inside them is ⟦English‖中文⟧ or
a @@key@@ token for the chapter's TEXT: see authoring/embedding.py).

    md(en=..., zh=...)          markdown, no nbgrader metadata
    code(src)                   code the student may run and edit, no nbgrader metadata
    provided(grade_id, src)     locked, read-only code (the setup cell)
    solution(part, src)         the part's solution cell, grade_id "<part>_code"; bodies between
                                ### BEGIN SOLUTION / ### END SOLUTION become stubs for students
    graded(part, points, src)   the part's graded cell, grade_id "<part>": visible checks, then the
                                hidden-test marker lines (the hidden tests live in autograder/graders/)
    answer(grade_id, points, model, rubric)
                                a written question's answer cell, graded by hand (grade_id "q_*"):
                                the model answer becomes "YOUR ANSWER HERE"; the rubric, in a
                                hidden-tests region, stays in source/ only
    bonus(name, src)            an ungraded exercise: a solution cell "bonus_<name>" that no part grades
    step(name, src)             a required, ungraded step: a solution cell "step_<name>", checked by the
                                code cell after it (visible checks only)
    predict()                   a one-line answer cell for a "Predict first" (markdown, not graded)
"""


def md(**text):
    """A markdown cell: language -> text."""
    return {"cell_type": "markdown", "text": {lang: t.strip("\n") for lang, t in text.items()}}


def code(src):
    """A code cell with no nbgrader role (demos, plots): students may run and change it."""
    return {"cell_type": "code", "source": src.strip("\n"), "nbgrader": None}


def provided(grade_id, src, collapsed=False):
    """Locked, read-only code students should not edit (not graded); collapsed: shown folded."""
    meta = {"grade": False, "solution": False, "locked": True, "grade_id": grade_id, "schema_version": 3}
    return {"cell_type": "code", "source": src.strip("\n"), "nbgrader": meta, "collapsed": collapsed}


def solution(part, src):
    """The part's solution cell: nbgrader replaces each BEGIN/END SOLUTION region by a stub. (build.py
    checks that the parts are authoring/embedding.py's PARTS, in order.)"""
    meta = {"grade": False, "solution": True, "locked": False, "grade_id": f"{part}_code",
            "schema_version": 3}
    return {"cell_type": "code", "source": src.strip("\n"), "nbgrader": meta}


def bonus(name, src):
    """An ungraded bonus exercise: a solution cell (stubbed for students) that no part grades."""
    meta = {"grade": False, "solution": True, "locked": False, "grade_id": f"bonus_{name}",
            "schema_version": 3}
    return {"cell_type": "code", "source": src.strip("\n"), "nbgrader": meta}


def step(name, src):
    """A required but ungraded step: a solution cell "step_<name>" (stubbed for students) that no part
    grades; the code cell after it checks it."""
    meta = {"grade": False, "solution": True, "locked": False, "grade_id": f"step_{name}",
            "schema_version": 3}
    return {"cell_type": "code", "source": src.strip("\n"), "nbgrader": meta}


def predict():
    """An ungraded one-line answer cell under a "Predict first": write the guess down before running."""
    return md(en="*Your prediction* (one line, not graded): …", zh="*你的预测*（一行，不计分）：……")


def graded(part, points, src):
    """The part's graded cell: visible checks, then the hidden-test markers naming the real checks.
    (build.py checks that the parts are authoring/embedding.py's PARTS, in order.)"""
    hidden = ("### BEGIN HIDDEN TESTS\n"
              "# Graded outside this notebook by the kit's isolated grader: "
              f"python -m autograder grade (autograder/graders/test_{part}.py).\n"
              "### END HIDDEN TESTS")
    meta = {"grade": True, "solution": False, "locked": True, "points": points, "grade_id": part,
            "schema_version": 3}
    return {"cell_type": "code", "source": src.strip("\n") + "\n\n" + hidden, "nbgrader": meta}


def answer(grade_id, points, model, rubric):
    """A written answer, graded by hand: nbgrader's "manually graded answer" markdown cell.

    model and rubric are dicts language -> text. Students get the stub in place of the model answer;
    the rubric sits in a hidden-tests region, so it stays in source/ (for graders) and is removed
    from both the release and the solutions."""
    assert grade_id.startswith("q_"), grade_id
    meta = {"grade": True, "solution": True, "locked": False, "points": points, "grade_id": grade_id,
            "schema_version": 3}
    head = {"en": f"**Your answer** ({points} points):", "zh": f"**你的回答**（{points} 分）："}
    rubric_head = {"en": f"Rubric for graders ({points} points):", "zh": f"评分细则（{points} 分）："}
    text = {lang: (f"{head[lang]}\n\n### BEGIN SOLUTION\n{model[lang].strip()}\n### END SOLUTION\n"
                   f"### BEGIN HIDDEN TESTS\n{rubric_head[lang]}\n\n{rubric[lang].strip()}\n### END HIDDEN TESTS")
            for lang in model}
    return {"cell_type": "markdown", "text": text, "nbgrader": meta}
