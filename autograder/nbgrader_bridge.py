"""The only module that speaks nbgrader: the autograde preprocessors that replace kernel execution
with the isolated grader, and the helpers that drive a course (generate, release, collect, ...).

Under `nbgrader autograde` no student code runs in nbgrader's process or in a Jupyter kernel: the
sanitised notebook goes to the sandboxed grader, and each part's graded cell (grade_id = part id)
receives the grader's report as its output plus the score as its last expression's value, which is
how nbgrader records partial credit. SaveAutoGrades then writes those scores to the gradebook, and
feedback shows the report under each graded cell.
"""
import atexit
import json
import os
import threading
from pathlib import Path

from nbgrader.preprocessors import NbGraderPreprocessor, OverwriteCells
from traitlets import Unicode

from .grade import Grader, Result, present_devices, submission_key
from .extract import ExtractError, from_notebook_node
from .i18n import ASSIGNMENT_LANG, use
from .i18n import lang as current_lang
from .parts import BY_ID
from .report import graded_cell_outputs

_grader, _grader_lock = None, threading.Lock()


def shared_grader() -> Grader:
    """One warm grader per process: nbgrader autogrades students one after another in one process.
    It starts when the first IsolatedGrade is set up; its sandbox's zygote is a fresh Python either
    way (never a fork of this process), so no job can read a notebook this process has read."""
    global _grader
    with _grader_lock:
        if _grader is None:
            _grader = Grader(present_devices())
            atexit.register(_grader.close)
        return _grader


def result_path(results_dir, assignment: str, student: str) -> Path:
    return Path(results_dir) / assignment / f"{student}.json"


def load_cached(path: Path, key: str, fingerprint: str, lang: str = "en"):
    """A result the batch grader stored for exactly this code, these graders and language, else None."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if data.get("submission_key") == key and data.get("grader") == fingerprint:
        result = Result.from_json(data["result"])
        return result if result.lang == lang else None
    return None


def store(path: Path, key: str, fingerprint: str, result: Result, student: str = "") -> None:
    """Write atomically: a crash mid-write never leaves a half result that would be trusted."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    from .textsafe import clean_tree
    tmp.write_text(json.dumps(clean_tree({"student": student, "submission_key": key, "grader": fingerprint,
                                          "result": result.to_json()}), ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


class IsolatedGrade(NbGraderPreprocessor):
    """Autograde step that stands where nbgrader's Execute stood: grade the notebook in the sandbox."""

    results_dir = Unicode("autograder_results", help="Where per-student results are cached (relative "
                          "to the course root); the batch grader fills it, and it is reused here.").tag(config=True)

    def __init__(self, **kw):
        super().__init__(**kw)
        shared_grader()   # warm, before this step reads its notebook

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        with use(ASSIGNMENT_LANG.get(info["assignment"], "en")):
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
        key = submission_key(sub)
        path = result_path(self.results_dir, info["assignment"], info["student"])
        result = load_cached(path, key, grader.fingerprint, current_lang())
        if result is None:
            result = grader.grade(sub)
            store(path, key, grader.fingerprint, result, info["student"])
        return result


class TolerantOverwriteCells(OverwriteCells):
    """OverwriteCells that never fails a whole student: where stock nbgrader raises "Inconsistent
    checksums" (a student changed a locked cell's metadata), the cell is restored from the source."""

    def preprocess_cell(self, cell, resources, cell_index):
        try:
            return super().preprocess_cell(cell, resources, cell_index)
        except RuntimeError as exc:
            grade_id = cell.metadata.nbgrader["grade_id"]
            source = self.gradebook.find_source_cell(grade_id, self.notebook_id, self.assignment_id)
            self.log.warning("%s; restoring cell %s from the source", exc, grade_id)
            cell.cell_type, cell.source = source.cell_type, source.source
            cell.metadata.nbgrader.update({"grade": bool(getattr(source, "grade", False)), "locked": source.locked,
                                           "solution": False, "checksum": source.checksum})
            return cell, resources
