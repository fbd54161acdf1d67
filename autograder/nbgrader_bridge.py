"""The only module that speaks nbgrader: the autograde preprocessors that replace kernel execution
with the isolated grader, and the helpers that drive a course (generate, release, collect, ...).

Under `nbgrader autograde` no student code runs in nbgrader's process or in a Jupyter kernel: the
sanitised notebook goes to the sandboxed grader, and each part's graded cell (grade_id = part id)
receives the grader's report as its output plus the score as its last expression's value, which is
how nbgrader records partial credit. SaveAutoGrades then writes those scores to the gradebook, and
feedback shows the report under each graded cell.
"""
import atexit
import threading
from pathlib import Path

import nbformat
from nbconvert.exporters import NotebookExporter
from nbgrader.preprocessors import NbGraderPreprocessor, OverwriteCells
from traitlets import Float, Integer, Unicode

from .extract import ExtractError, extract, from_notebook_node
from .i18n import ASSIGNMENT_LANG, _, use
from .i18n import lang as current_lang
from .parts import BY_ID, PARTS
from .report import comment_with_report, graded_cell_outputs
from .result import Result
from .store import load_cached, result_path, store
from .sandbox import Limits
from .textsafe import clean_tree

_grader, _grader_lock = None, threading.Lock()


def shared_grader(limits=None):
    """One warm grader per process: nbgrader autogrades students one after another in one process.
    It starts when the first IsolatedGrade is set up; its sandbox's zygote is a fresh Python either
    way (never a fork of this process), so no job can read a notebook this process has read.
    The grading core (torch, pytest) is imported here, not with this module: a course's
    nbgrader_config.py imports this module, and the batch's own process, which loads that config,
    grades nothing itself."""
    global _grader
    with _grader_lock:
        if _grader is None:
            from .grade import Grader, present_devices
            _grader = Grader(present_devices(), limits=limits or Limits())
            atexit.register(_grader.close)
        return _grader


class IsolatedGrade(NbGraderPreprocessor):
    """Autograde step that stands where nbgrader's Execute stood: grade the notebook in the sandbox."""

    results_dir = Unicode("autograder_results", help="Where per-student results are cached (relative "
                          "to the course root); the batch grader fills it, and it is reused here.").tag(config=True)

    wall_s = Float(Limits.wall_s, help="Wall-clock seconds each part of a submission may run.").tag(config=True)
    cpu_s = Integer(Limits.cpu_s, help="CPU seconds each part of a submission may use.").tag(config=True)
    memory_mb = Integer(Limits.memory_mb, help="Memory (MB) each part of a submission may use.").tag(config=True)

    def __init__(self, **kw):
        super().__init__(**kw)
        shared_grader(Limits(wall_s=self.wall_s, cpu_s=self.cpu_s, memory_mb=self.memory_mb))   # warm, first

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        unreadable = nb.metadata.get("embedding_kit", {}).get("unreadable")   # a stand_in(): nothing to run
        with use(ASSIGNMENT_LANG.get(info["assignment"], "en")):
            if unreadable:
                from nbgrader.utils import compute_checksum
                from .grade import all_zero
                result = all_zero(unreadable, shared_grader().devices)
                for cell in nb.cells:   # its written answers are the released stubs: unanswered, not to grade by hand
                    meta = cell.get("metadata", {}).get("nbgrader", {})
                    if cell.cell_type == "markdown" and meta.get("solution"):
                        meta["checksum"] = compute_checksum(cell)
            else:
                result = self._result(nb, info)
        resources.setdefault("kit", {})["result"] = result
        for cell in nb.cells:
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if cell.cell_type == "code" and grade_id in BY_ID and cell.metadata.nbgrader.get("grade"):
                cell.outputs = graded_cell_outputs(result, grade_id)
        return nb, resources

    def _result(self, nb, info) -> Result:
        grader = shared_grader()
        try:
            sub = from_notebook_node(nb, info["notebook"])
        except ExtractError as exc:
            from .grade import all_zero
            return all_zero(str(exc), grader.devices)
        from .grade import submission_key
        key = submission_key(sub)
        path = result_path(self.results_dir, info["assignment"], info["student"])
        result = load_cached(path, key, grader.fingerprint, current_lang())
        if result is None:
            result = grader.grade(sub)
            store(path, key, grader.fingerprint, result, info["student"])
        return result


class TolerantOverwriteCells(OverwriteCells):
    """OverwriteCells that never fails a whole student: where stock nbgrader raises "Inconsistent
    checksums" (a student changed a locked cell's metadata), the cell is restored from the source;
    where it drops only the grade_id of a cell the source does not have (and CheckCellMetadata then
    fails the student: a graded cell without one), the cell loses its nbgrader metadata."""

    def preprocess_cell(self, cell, resources, cell_index):
        try:
            cell, resources = super().preprocess_cell(cell, resources, cell_index)
            if "nbgrader" in cell.metadata and "grade_id" not in cell.metadata.nbgrader:
                del cell.metadata["nbgrader"]   # not a cell of the source's: nothing to grade or give feedback on
            return cell, resources
        except RuntimeError as exc:
            grade_id = cell.metadata.nbgrader["grade_id"]
            source = self.gradebook.find_source_cell(grade_id, self.notebook_id, self.assignment_id)
            self.log.warning("%s; restoring cell %s from the source", exc, grade_id)
            cell.cell_type, cell.source = source.cell_type, source.source
            cell.metadata.nbgrader.update({"grade": bool(getattr(source, "grade", False)), "locked": source.locked,
                                           "solution": False, "checksum": source.checksum})
            return cell, resources


def unreadable_reason(path: Path, lang: str) -> str:
    """Why the kit cannot read this notebook, in the words its grader uses for it."""
    with use(lang):
        try:
            extract(path)
        except ExtractError as exc:
            return str(exc)
    return f"{path.name}: not a notebook nbformat can read"


def stand_in(released: Path, reason: str, lang: str):
    """What autograde grades in place of a notebook that cannot be read: the released notebook, a first
    cell telling the student what to fix, and a mark (metadata embedding_kit.unreadable) so that
    IsolatedGrade scores it zero with that reason instead of grading the stubs."""
    nb = nbformat.read(released, as_version=4)
    with use(lang):
        text = _("feedback.unreadable", reason=reason)
    nb.cells.insert(0, nbformat.v4.new_markdown_cell(text))
    nb.metadata.setdefault("embedding_kit", {})["unreadable"] = reason
    return nb


def released_notebook(coursedir, assignment: str, notebook_id: str) -> Path:
    return Path(coursedir.format_path(coursedir.release_directory, ".", assignment)) / f"{notebook_id}.ipynb"


class TolerantNotebookExporter(NotebookExporter):
    """Autograde's reader. nbgrader's own fails the student with a raw NotJSONError traceback when a
    submitted notebook is not JSON (and leaves them without feedback); this one grades stand_in()
    instead: zero on every part, the reason in formgrader and in the feedback. And where a notebook
    holds text that is not valid UTF-8 (a lone surrogate from a JSON escape), the autograded copy,
    the gradebook and the feedback could not be written: the notebook is read with it escaped."""

    def from_file(self, file_stream, resources=None, **kw):
        try:
            nb = nbformat.read(file_stream, as_version=4)
        except Exception as exc:  # noqa: BLE001 - NotJSONError, a bad encoding, not a notebook: all the same here
            info = (resources or {}).get("nbgrader", {})
            coursedir = getattr(self.parent, "coursedir", None)
            if coursedir is None or "assignment" not in info:
                raise
            released = released_notebook(coursedir, info["assignment"], info["notebook"])
            if not released.is_file():
                raise
            lang = ASSIGNMENT_LANG.get(info["assignment"], "en")
            path = Path(getattr(file_stream, "name", info["notebook"] + ".ipynb"))
            self.log.warning("%s cannot be read (%s): grading the released notebook as a zero", path, exc)
            nb = stand_in(released, unreadable_reason(path, lang), lang)
        return self.from_notebook_node(nbformat.from_dict(clean_tree(nb)), resources=resources, **kw)


class SaveReportComments(NbGraderPreprocessor):
    """After SaveAutoGrades: each part's solution cell gets the grader's verdict on that part as its
    auto comment, so formgrader's comment box (and the feedback's Comments) is where graders look."""

    def preprocess(self, nb, resources):
        from nbgrader.api import Gradebook
        info, result = resources["nbgrader"], resources.get("kit", {}).get("result")
        if result is None:
            return nb, resources
        with Gradebook(info["db_url"]) as gb:
            notebook = gb.find_submission_notebook(info["notebook"], info["assignment"], info["student"])
            by_cell = {c.name: c for c in notebook.comments}
            for part in PARTS:
                comment = by_cell.get(part.solution_cell)
                if comment is not None and part.id in result.parts:
                    comment.auto_comment = comment_with_report(comment.auto_comment, result, part.id)
            gb.db.commit()
        return nb, resources


def count_editions_once(editions: tuple[str, ...]) -> None:
    """Manage Students shows each student's score out of every assignment's max score added up
    (nbgrader's Gradebook.student_dicts joins every student with every assignment), so a course with
    an English and a Chinese edition shows "/ 200" for everyone. The editions are alternatives: only
    the one a student submitted (else the first) counts toward that student's max score."""
    from nbgrader.api import Gradebook
    stock = Gradebook.student_dicts
    if getattr(stock, "kit_editions", None) == editions:
        return
    stock = getattr(stock, "kit_stock", stock)

    def student_dicts(self):
        rows = stock(self)
        assignments = list(self.assignments)
        max_of = {a.name: a.max_score for a in assignments}
        taken: dict[str, set] = {}
        for a in assignments:
            if a.name in editions:
                for sub in a.submissions:
                    taken.setdefault(sub.student_id, set()).add(a.name)
        others = sum(m for name, m in max_of.items() if name not in editions)
        present = [e for e in editions if e in max_of]
        for row in rows:
            if present and "max_score" in row:
                mine = [e for e in present if e in taken.get(row["id"], ())] or present
                row["max_score"] = others + max_of[mine[0]]
        return rows

    student_dicts.kit_editions, student_dicts.kit_stock = editions, stock
    Gradebook.student_dicts = student_dicts
