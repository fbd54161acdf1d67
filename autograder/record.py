"""Recording a graded class in nbgrader's gradebook and autograded/ folder, one transaction per student.

`nbgrader autograde` (with IsolatedGrade in place of Execute) records a student in about 0.5 s here,
most of it its own machinery: a converter per call, a fresh database engine per preprocessor (so
SQLAlchemy compiles every query again), a JSON-schema validation of every cell, twice. The batch
already holds each student's Result, so this module writes what autograde would, through nbgrader's
Gradebook API and one engine for the whole class:

- the student, and the submission with its timestamp.txt (so lateness is computed as nbgrader does);
- every graded part's auto_score (needs_manual_grade only where a grader already set a manual score);
  every written answer left for a grader (auto_score None, needs_manual_grade), or 0 if left blank;
- every solution cell's auto_comment ("No response." when its checksum still matches its metadata),
  then the grader's verdict on that part (as SaveReportComments writes it);
- the late-submission penalty, through the course's configured LateSubmissionPlugin;
- autograded/<student>/<assignment>/: the student's files with the source's files copied over them,
  and the submitted notebook with outputs cleared, locked and graded cells restored from the source
  (sanitising, as OverwriteCells does), the grader's report and score as each graded cell's output
  (as IsolatedGrade writes them), and markdown math as MathML (as MathToMathML writes it). A
  notebook that cannot be read is recorded as its stand-in (the released notebook with a cell
  saying what to fix), as TolerantNotebookExporter gives autograde. A cell whose grade_id the
  source does not have, or that repeats one a later cell has, loses its nbgrader metadata (as
  TolerantOverwriteCells and DeduplicateIds have it): only the source's cells are graded, once
  each, and feedback finds each cell it shows in the gradebook. The notebook is valid UTF-8.

What a student's record adds beyond their own notebook is bounded, as the Result's texts are
(score.py): a graded cell's output and a comment hold a few notes and the part's messages.

tests/test_course.py checks that this gives the same gradebook as nbgrader's own autograde.
"""
import json
import os
import shutil
import time
from pathlib import Path
from types import SimpleNamespace

import nbformat

from . import course
from .result import Result
from .parts import BY_ID
from .report import cell_score, comment_with_report, graded_cell_outputs
from .textsafe import clean_tree


class Recorder:
    """One gradebook session for a class; `record(student, result)` commits that student alone
    (nbgrader's update_or_create_* commit the student and submission rows themselves; the scores,
    comments, penalty and notebook follow in one commit, rolled back on any error)."""

    def __init__(self, cfg, course_root: Path, assignment: str = course.ASSIGNMENT):
        from nbgrader.api import Gradebook
        from nbgrader.coursedir import CourseDirectory
        from nbgrader.preprocessors import AssignLatePenalties
        self.cfg, self.root, self.assignment = cfg, Path(course_root), assignment
        self.coursedir = CourseDirectory(config=cfg)
        self.gb = Gradebook(self.coursedir.db_url, course_id=cfg.CourseDirectory.course_id)
        self.late = AssignLatePenalties(config=cfg)
        self.late.init_plugin()
        source = self.root / "source" / assignment / course.NOTEBOOK
        self.notebook_id = source.stem
        self.source_dir = source.parent
        from nbgrader.api import MissingEntry
        try:
            self.gb.find_assignment(assignment)
        except MissingEntry:
            self.gb.close()
            raise RuntimeError(f"the gradebook has no assignment {assignment!r}: run "
                               f"`nbgrader generate_assignment {assignment}` first") from None
        notebook = self.gb.find_notebook(self.notebook_id, assignment)
        # the source cells as plain values: rows would be expired by each student's commit and read
        # again from the database, a query per cell per student
        self.source_cells = {c.name: SimpleNamespace(cell_type=c.cell_type, source=c.source, locked=c.locked,
                                                     checksum=c.checksum) for c in notebook.source_cells}
        # grade and comment rows name their cell by id: resolve names once, not with a query per row
        self.cell_names = {c.id: c.name for c in list(notebook.grade_cells) + list(notebook.solution_cells)}

    def close(self):
        self.gb.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def record(self, student: str, result: Result, attempts: int = 3) -> bool:
        """Write one student's scores (and autograded notebook); returns whether the student's notebook
        could be read. On any error the student's transaction is rolled back. Two graders recording the
        same class at once (a shared PostgreSQL gradebook) can meet on a student: the one whose insert
        or lock loses is rolled back and writes that student again, over the other's equal rows."""
        from nbgrader.api import InvalidEntry
        from sqlalchemy.exc import IntegrityError, OperationalError
        for attempt in range(attempts):
            try:
                return self._record(student, result)
            except (InvalidEntry, IntegrityError, OperationalError):
                if attempt == attempts - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))

    def _record(self, student: str, result: Result) -> bool:
        submitted = self.root / "submitted" / student / self.assignment
        nb = _read(submitted / f"{self.notebook_id}.ipynb")
        readable = nb is not None
        if not readable:
            nb = self._stand_in(submitted / f"{self.notebook_id}.ipynb")
        try:
            self.gb.update_or_create_student(student)
            timestamp = self.coursedir.get_existing_timestamp(str(submitted))
            submission = (self.gb.update_or_create_submission(self.assignment, student, timestamp=timestamp)
                          if timestamp else self.gb.update_or_create_submission(self.assignment, student))
            notebook = self.gb.find_submission_notebook(self.notebook_id, self.assignment, student)
            unchanged = _unchanged_solutions(nb) if nb is not None else None
            for grade in notebook.grades:
                name = self.cell_names[grade.cell_id]
                part = result.parts.get(name)
                if name in BY_ID:   # as the graded cell's output says
                    grade.auto_score = cell_score(part.score) if part is not None else 0.0
                else:   # a written answer, graded by hand: 0 only when left as released (nbgrader's rule)
                    grade.auto_score = 0.0 if unchanged is None or name in unchanged else None
                grade.needs_manual_grade = grade.manual_score is not None or grade.auto_score is None
            for comment in notebook.comments:
                name = self.cell_names[comment.cell_id]
                comment.auto_comment = "No response." if unchanged is None or name in unchanged else None
                pid = name[:-len("_code")] if name.endswith("_code") else None
                if pid in result.parts and BY_ID[pid].solution_cell == name:
                    comment.auto_comment = comment_with_report(comment.auto_comment, result, pid)
            notebook.late_submission_penalty = None
            self.gb.db.flush()
            if submission.total_seconds_late > 0:
                self.gb.db.refresh(notebook)  # its score is computed by the database from the grades
                penalty = self.late.plugin_inst.late_submission_penalty(
                    student, notebook.score, submission.total_seconds_late)
                if penalty is not None:
                    notebook.late_submission_penalty = self.late._check_late_penalty(notebook, penalty)
            if nb is not None:
                self._write_autograded(student, submitted, nb, result)
            self.gb.db.commit()
        except BaseException:
            self.gb.db.rollback()
            raise
        return readable

    def _stand_in(self, path: Path):
        from .i18n import ASSIGNMENT_LANG
        from .nbgrader_bridge import released_notebook, stand_in, unreadable_reason
        released = released_notebook(self.coursedir, self.assignment, self.notebook_id)
        if not released.is_file() or not path.is_file():
            return None
        lang = ASSIGNMENT_LANG.get(self.assignment, "en")
        return stand_in(released, unreadable_reason(path, lang), lang)

    def _write_autograded(self, student: str, submitted: Path, nb, result: Result):
        dest = self.root / "autograded" / student / self.assignment
        tmp = dest.with_name(f".{self.assignment}.tmp{os.getpid()}")
        if tmp.exists():
            shutil.rmtree(tmp)
        # as autograde does: the student's files, then the source's files over them
        patterns = shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints")

        def skip(folder, names):   # a link is never copied nor followed (it could name the gradebook)
            return set(patterns(folder, names)) | {n for n in names if os.path.islink(os.path.join(folder, n))}
        try:   # a copy made halfway is removed: nothing of a student whose record is rolled back stays
            shutil.copytree(submitted, tmp, ignore=skip)
            shutil.copytree(self.source_dir, tmp, ignore=skip, dirs_exist_ok=True)
            # nbformat.write would validate every cell against the schema again (20 ms a notebook)
            text = json.dumps(clean_tree(self._sanitised(nb, result)), sort_keys=True, indent=1, ensure_ascii=False)
            (tmp / f"{self.notebook_id}.ipynb").write_text(text + "\n", encoding="utf-8")
            dest.parent.mkdir(parents=True, exist_ok=True)
            old = dest.with_name(f".{self.assignment}.old{os.getpid()}")   # the last copy, until this one is in
            if os.path.lexists(old) and not os.path.lexists(dest):
                os.replace(old, dest)   # left aside by a run that stopped halfway
            shutil.rmtree(old, ignore_errors=True)
            tries = 5
            for attempt in range(tries):   # another grader may put its (equal) copy there in between
                try:
                    if os.path.lexists(dest) and not os.path.lexists(old):
                        os.replace(dest, old)   # kept aside: never removed before the new copy is in
                    elif os.path.lexists(dest):
                        shutil.rmtree(dest)     # a racing grader's copy (ours is aside already)
                    os.replace(tmp, dest)
                    break
                except OSError:
                    if attempt == tries - 1:
                        if os.path.lexists(old) and not os.path.lexists(dest):
                            try:
                                os.replace(old, dest)   # a record that fails leaves the last copy in place
                            except OSError:
                                pass
                        raise
            shutil.rmtree(old, ignore_errors=True)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    def _sanitised(self, nb, result: Result):
        from .feedback import MathBudget
        mathml = MathBudget()   # as MathToMathML in autograde: formgrader needs no CDN
        metas = [_nbgrader(cell) for cell in nb.cells]
        last = {m["grade_id"]: i for i, m in enumerate(metas)   # the copy of a cell DeduplicateIds keeps
                if isinstance(m, dict) and (m.get("grade") or m.get("solution") or m.get("locked"))}
        for i, (cell, meta) in enumerate(zip(nb.cells, metas)):
            if meta is not None and (not isinstance(meta, dict) or meta.get("grade_id") not in self.source_cells
                                     or last.get(meta["grade_id"], i) != i):
                del cell.metadata["nbgrader"]   # not the source's cell, or an earlier copy of one: not graded
                meta = None
            if cell.get("cell_type") == "code":
                cell.outputs, cell.execution_count = [], None
            elif cell.get("cell_type") == "markdown" and not meta:
                source = cell.source if isinstance(cell.source, str) else "".join(cell.source)   # JSON: maybe lines
                cell.source = mathml(source)
            if not meta:
                continue
            source = self.source_cells[meta["grade_id"]]
            if source.locked or (meta.get("grade") and not meta.get("solution")):
                cell.cell_type, cell.source = source.cell_type, source.source
                if cell.cell_type == "code":
                    cell.setdefault("outputs", [])
                    cell.setdefault("execution_count", None)
                meta["checksum"] = source.checksum
            if cell.cell_type == "code" and meta["grade_id"] in BY_ID and meta.get("grade"):
                cell.outputs = graded_cell_outputs(result, meta["grade_id"])   # as IsolatedGrade writes them
        return nb


def _read(path: Path):
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(raw, dict) or raw.get("nbformat") != 4 or not isinstance(raw.get("cells"), list):
            return None
        for cell in raw["cells"]:
            if not isinstance(cell, dict):
                continue
            if isinstance(cell.get("source"), list):   # JSON may hold a source as lines; nbgrader's
                cell["source"] = "".join(cell["source"])   # checksums read one string
            if cell.get("cell_type") == "code" and "outputs" in cell:   # never recorded (cleared, or the
                cell["outputs"] = []   # grader's report put there) nor checksummed: not made into nodes
        return nbformat.from_dict(raw)
    except Exception:  # noqa: BLE001 - not JSON, not a notebook, unreadable: scores only
        return None


def _nbgrader(cell):
    """A cell's nbgrader metadata: None where it has none, False where it is not what nbgrader writes
    (not a dict, or a grade_id that is not a string), else the dict."""
    meta = cell.get("metadata", {}).get("nbgrader") if isinstance(cell.get("metadata"), dict) else None
    if meta is not None and not (isinstance(meta, dict) and isinstance(meta.get("grade_id"), (str, type(None)))):
        return False
    return meta


def _unchanged_solutions(nb) -> set:
    """grade_ids of solution cells still as released: SaveAutoGrades' "No response." test."""
    from nbgrader.utils import compute_checksum, is_solution
    out = set()
    for cell in nb.cells:
        try:
            if is_solution(cell) and cell.metadata.nbgrader.get("checksum") == compute_checksum(cell):
                out.add(cell.metadata.nbgrader["grade_id"])
        except Exception:  # noqa: BLE001 - a cell with broken metadata counts as answered
            continue
    return out
