"""Build source/embedding/ (English) or source/embedding-zh/ (Chinese) from authoring/embedding.py
(the chapters of authoring/chapters/, in order): the nbgrader source notebook and its data. Both
editions share every code cell and grade id; only the prose differs (markdown cells, docstrings, the
visible checks' messages).

    python authoring/build.py [--lang en|zh] [--out PATH]

Prose inside code is written in place as ⟦English‖中文⟧ (or as a @@token@@ for longer texts); the
build keeps the edition's side. Deterministic: the same input gives the same bytes (no timestamps, no outputs, cell ids derived from
the cells). Before writing, the notebook is checked against the rules the grader and the course rely
on (validate below); a broken source stops the build instead of reaching students.
"""
import argparse
import hashlib
import importlib.util
import re
import shutil
import sys
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ASSIGNMENT_DIRS = {"en": "embedding", "zh": "embedding-zh"}   # the nbgrader assignment of each edition
TOKEN = re.compile(r"@@(\w+)@@")
# the grader's own rule files, released beside the notebook so that its visible checks run the same rules
KIT_FILES = {"graded_code_rules.py": "autograder/rules.py", "one_hot_rule.py": "autograder/onehot.py"}
# Prose inside code, written where it is used: ⟦English‖中文⟧ (the first for en, the second for zh).
INLINE = re.compile(r"⟦(.*?)‖(.*?)⟧", re.S)
INLINE_LANGS = ("en", "zh")
# Calls a solution cell must not contain (CONTRACT §1); the grader enforces this at run time too.
FORBIDDEN = re.compile(r"\bF\.embedding\b|\btorch\.embedding\b|\bnn\.Embedding\b|torch\.embedding_renorm_"
                       r"|torch\.ops\.aten\.embedding|\bembedding_bag\b|\bF\.embedding_bag\b")


def load_source():
    spec = importlib.util.spec_from_file_location("authoring_embedding", HERE / "embedding.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def render_value(value, indent):
    """The text that replaces a token: a dict or list as a literal, a string as itself (continuation lines indented)."""
    if isinstance(value, list):
        return repr(value)
    if isinstance(value, dict):
        lines = ["{"] + [f"    {k!r}: {v!r}," for k, v in value.items()] + ["}"]
        return ("\n" + indent).join(lines)
    lines = value.split("\n")
    # blank lines stay empty; the last piece is followed by the rest of the token's line (a closing
    # quote, say), so it is always indented
    rest = [(indent + line) if line or n == len(lines) - 1 else "" for n, line in enumerate(lines) if n]
    return "\n".join([lines[0]] + rest)


def substitute(src, text):
    """Replace every @@key@@ in code by text[key], indented to the line the token is on."""
    def replace(match):
        key = match.group(1)
        if key not in text:
            raise KeyError(f"no text for @@{key}@@")
        line_start = src.rfind("\n", 0, match.start()) + 1
        indent = re.match(r"[ \t]*", src[line_start:]).group(0)
        return render_value(text[key], indent)
    return TOKEN.sub(replace, src)


def inline(src, lang):
    """Keep the `lang` side of every ⟦en‖zh⟧ in src."""
    if lang not in INLINE_LANGS:
        raise SystemExit(f"build: ⟦…‖…⟧ has no side for language {lang!r}")
    side = INLINE_LANGS.index(lang)
    return INLINE.sub(lambda m: m.group(1 + side), src)


def cell_id(cell, source):
    """A stable id: the grade_id for nbgrader cells, else the kind and a hash of the source."""
    meta = cell.get("nbgrader")
    if meta:
        return meta["grade_id"]
    return f"{cell['cell_type'][:2]}-{hashlib.sha1(source.encode()).hexdigest()[:10]}"


VISIBLE_START = re.compile(r'^start\("(\w+)"\)', re.M)
VISIBLE_KEY = re.compile(r'\bkey="([\w:]+)"')


def visible_checks(cells) -> dict:
    """part -> the catalog keys its visible checks name (key="..." in the code after start("part"))."""
    checks: dict = {}
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        part = None
        for line in cell["source"].splitlines():
            started = VISIBLE_START.match(line)
            part = started.group(1) if started else part
            for key in VISIBLE_KEY.findall(line):
                if part is None:
                    raise SystemExit(f"build: a visible check names key={key!r} outside start(part)")
                checks.setdefault(part, []).append(key)
    return checks


def causes(src, lang) -> dict:
    """The grader's likely causes (autograder/i18n.py) that the visible checks name, in `lang`: the
    setup cell's CAUSES (one catalog for the checks and the hidden tests' feedback)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from autograder.i18n import visible_causes
    return visible_causes(lang, visible_checks(src.CELLS))


def build(src, lang):
    if lang not in src.TEXT:
        raise SystemExit(f"build: no TEXT[{lang!r}] in authoring/chapters/ (languages: {sorted(src.TEXT)})")
    text = dict(src.TEXT[lang], CAUSES=causes(src, lang))
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
                   "language_info": {"name": "python"},
                   "embedding_kit": {"lang": lang}}   # the grader reports in this language by default
    seen = set()
    for n, cell in enumerate(src.CELLS):
        if cell["cell_type"] == "markdown":
            if lang not in cell["text"]:
                raise SystemExit(f"build: markdown cell {n} has no {lang!r} text")
            source = inline(cell["text"][lang], lang)
            new = nbformat.v4.new_markdown_cell(source)
            if cell.get("nbgrader"):             # a written answer, graded by hand
                new.metadata["nbgrader"] = dict(cell["nbgrader"])
        else:
            source = inline(substitute(cell["source"], text), lang)
            new = nbformat.v4.new_code_cell(source)
            if cell["nbgrader"]:
                new.metadata["nbgrader"] = dict(cell["nbgrader"])
            else:  # course code students may run and change: grading runs only its imports and defs
                new.metadata["tags"] = ["provided"]
            if cell.get("collapsed"):             # out of the students' way: JupyterLab shows it folded
                new.metadata["jupyter"] = {"source_hidden": True}
        cid = cell_id(cell, source)
        while cid in seen:                       # identical cells: keep ids unique
            cid += "-x"
        seen.add(cid)
        new["id"] = cid
        nb.cells.append(new)
        meta = cell.get("nbgrader") or {}
        if cell["cell_type"] == "code" and meta.get("grade") and not meta.get("solution"):
            nb.cells.append(checklist(meta["grade_id"], lang))   # after the part's graded cell
    return nb


CHECKLIST = {"en": "<b>Before you submit: the {n} questions the hidden tests of this part ask</b> (your feedback "
                   "answers each, with points)",
             "zh": "<b>提交前自查：本部分的隐藏测试会问的 {n} 个问题</b>（反馈会逐条回答，并给出分数）"}


def checklist(part: str, lang: str):
    """A markdown cell listing the questions of the part's hidden tests (public: every report shows
    them), read from autograder/graders/ so it never drifts from what is graded; folded, out of the
    way until the part is done."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from autograder.lang_zh import QUESTIONS
    from autograder.items import questions
    asked = [QUESTIONS.get(key, english) if lang == "zh" else english
             for key, english in questions().items() if key.split("/")[0] == part]
    lines = [f"<details><summary>{CHECKLIST[lang].format(n=len(asked))}</summary>", ""]
    lines += [f"- [ ] {question}" for question in asked] + ["", "</details>"]
    new = nbformat.v4.new_markdown_cell("\n".join(lines))
    new["id"] = f"checklist-{part}"
    return new


def validate(nb, src):
    """Check the nbgrader structure the grader relies on; raise SystemExit listing every problem."""
    problems, grade_ids, order, points, written = [], [], [], 0, 0
    for n, cell in enumerate(nb.cells):
        meta = cell.metadata.get("nbgrader")
        if TOKEN.search(cell.source):
            problems.append(f"cell {n}: unreplaced token {TOKEN.search(cell.source).group(0)}")
        if "⟦" in cell.source or "‖" in cell.source:
            problems.append(f"cell {n}: an unreplaced ⟦…‖…⟧")
        if cell.cell_type == "code":
            try:
                compile(cell.source, f"cell {n}", "exec")
            except SyntaxError as e:
                problems.append(f"cell {n}: {e}")
        if not meta:
            if "BEGIN SOLUTION" in cell.source or "BEGIN HIDDEN TESTS" in cell.source:
                problems.append(f"cell {n}: markers in a cell without nbgrader metadata")
            continue
        grade_ids.append(meta["grade_id"])
        if cell.cell_type == "markdown":         # a written answer: model answer, then the rubric
            written += meta["points"]
            if not (meta["grade"] and meta["solution"] and meta["grade_id"].startswith("q_")):
                problems.append(f"{meta['grade_id']}: a written answer is a graded solution cell named q_*")
            if not re.search(r"### BEGIN SOLUTION\n.+\n### END SOLUTION\n### BEGIN HIDDEN TESTS\n.+"
                             r"\n### END HIDDEN TESTS$", cell.source, re.S):
                problems.append(f"{meta['grade_id']}: needs a model answer and then a rubric (hidden)")
            continue
        if meta["solution"]:
            if not meta["grade_id"].startswith(("bonus_", "step_")):   # ungraded: extras and required steps, stubs for students
                order.append(("solution", meta["grade_id"]))
            begins = len(re.findall(r"^\s*### BEGIN SOLUTION$", cell.source, re.M))
            ends = len(re.findall(r"^\s*### END SOLUTION$", cell.source, re.M))
            if begins == 0 or begins != ends:
                problems.append(f"{meta['grade_id']}: {begins} BEGIN and {ends} END SOLUTION lines")
            if FORBIDDEN.search(cell.source):
                problems.append(f"{meta['grade_id']}: mentions {FORBIDDEN.search(cell.source).group(0)}")
        if meta["grade"]:
            order.append(("graded", meta["grade_id"]))
            points += meta["points"]
            if not cell.source.rstrip().endswith("### END HIDDEN TESTS"):
                problems.append(f"{meta['grade_id']}: graded cell must end with the hidden-test markers")
    if len(grade_ids) != len(set(grade_ids)):
        problems.append(f"grade_ids are not unique: {grade_ids}")
    expected = [(kind, f"{part}_code" if kind == "solution" else part)
                for part in src.PARTS for kind in ("solution", "graded")]
    if order != expected:
        problems.append(f"parts out of order: {order}")
    if points != 100:
        problems.append(f"autograded points add up to {points}, not 100")
    if written != src.WRITTEN_POINTS:
        problems.append(f"written answers add up to {written}, not WRITTEN_POINTS = {src.WRITTEN_POINTS}")
    problems += against_registry(nb)
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as e:
        problems.append(f"nbformat: {e.message}")
    if problems:
        raise SystemExit("build: the notebook breaks the rules:\n  " + "\n  ".join(problems))


def against_registry(nb):
    """When the grader's registry (autograder/parts.py) is present, ids and points must agree with it."""
    sys.path.insert(0, str(ROOT))
    try:
        from autograder.parts import PARTS
    except ImportError:
        return []
    finally:
        sys.path.pop(0)
    graded = [(c.metadata["nbgrader"]["grade_id"], c.metadata["nbgrader"]["points"]) for c in nb.cells
              if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")]
    wanted = [(p.id, p.points) for p in PARTS]
    return [] if graded == wanted else [f"graded cells {graded} differ from autograder/parts.py {wanted}"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", default="en", help="language of the prose (default: en)")
    parser.add_argument("--out", type=Path, default=None,
                        help="notebook path (default: source/<assignment>/embedding.ipynb)")
    args = parser.parse_args(argv)
    src = load_source()
    nb = build(src, args.lang)
    validate(nb, src)
    if args.lang not in ASSIGNMENT_DIRS:
        raise SystemExit(f"build: no assignment folder for language {args.lang!r}")
    out = args.out or ROOT / "source" / ASSIGNMENT_DIRS[args.lang] / src.NOTEBOOK
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
    for rel in src.DATA:                         # data the notebook reads, released beside it
        target = out.parent / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(HERE / rel, target)
    for name, rel in KIT_FILES.items():          # the grader's own rules, for the visible checks
        shutil.copyfile(ROOT / rel, out.parent / name)
    print(f"wrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out} "
          f"({len(nb.cells)} cells) and {len(src.DATA)} data file(s)")


if __name__ == "__main__":
    main()
