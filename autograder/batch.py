"""Grading a whole class: parallel, resumable, with a progress bar.

Two phases, each resumable on its own:
1. grade: every submitted/<student>/<assignment>/ folder is graded by one warm Grader (torch
   imported once; every part of every student in its own sandboxed process), N submissions at a
   time. Each result is written atomically to autograder_results/<assignment>/<student>.json as it
   finishes, so a killed run loses at most the submissions in flight.
2. record: each student's scores, comments and autograded notebook are written through nbgrader's
   Gradebook API in that student's own transaction (record.py: what `nbgrader autograde` would
   write, without its per-student start-up). A student is marked recorded only after the commit.
A rerun skips what both phases finished; --force regrades everything.
"""
import json
import os
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from . import course
from .extract import ExtractError, extract
from .grade import Grader, _all_zero, present_devices, submission_key
from .i18n import ASSIGNMENT_LANG, use
from .i18n import lang as current_lang
from .nbgrader_bridge import load_cached, result_path, store


def grade_class(course_root: Path, workers: int | None = None, force: bool = False, devices=None,
                record: bool = True, quiet: bool = False, assignment: str = course.ASSIGNMENT) -> dict:
    """Grade every submission of `assignment` under course_root/submitted; returns {student: Result}.
    Messages are in the assignment's language (i18n.ASSIGNMENT_LANG)."""
    with use(ASSIGNMENT_LANG.get(assignment, "en")):
        return _grade_class(Path(course_root).resolve(), workers, force, devices, record, quiet, assignment)


def _grade_class(course_root, workers, force, devices, record, quiet, assignment):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    cfg = course.load_config(course_root)
    students = course.submitted_students(cfg, assignment)
    results_dir = course_root / "autograder_results"
    workers = workers or os.cpu_count() or 1
    results, todo = {}, []
    with Grader(devices or present_devices()) as grader, \
            Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                     TextColumn("{task.fields[status]}"), disable=quiet) as progress:
        subs = {}
        for s in students:
            folder = course_root / "submitted" / s / assignment
            try:
                subs[s] = extract(folder)
            except ExtractError as exc:
                subs[s] = exc
            path = result_path(results_dir, assignment, s)
            cached = None if force or isinstance(subs[s], ExtractError) else \
                load_cached(path, submission_key(subs[s]), grader.fingerprint, current_lang())
            if cached is not None:
                results[s] = cached
            else:
                todo.append(s)
        task = progress.add_task("grading", total=len(students), completed=len(students) - len(todo),
                                 status=f"{len(students) - len(todo)} already graded")
        with ThreadPoolExecutor(max_workers=workers) as pool:
            lang = current_lang()  # worker threads do not inherit the context: pass it
            futures = {pool.submit(_grade_one, grader, subs[s], lang): s for s in todo}
            for fut in as_completed(futures):
                s = futures[fut]
                results[s] = fut.result()
                if not isinstance(subs[s], ExtractError):
                    store(result_path(results_dir, assignment, s), submission_key(subs[s]),
                          grader.fingerprint, results[s], s)
                progress.update(task, advance=1, status=f"{s}: {results[s].score:.1f}")
        if record:
            _record(cfg, course_root, students, results, force, progress, assignment)
    return results


def _grade_one(grader: Grader, sub, lang: str):
    with use(lang):
        if isinstance(sub, ExtractError):
            return _all_zero(str(sub), grader.devices)
        return grader.grade(sub)


def _record(cfg, course_root: Path, students, results, force, progress, assignment):
    """Phase 2: the gradebook and autograded/, one transaction per student, resumable by markers
    (a marker is written only after its student's commit; re-recording the same result is harmless)."""
    from .record import Recorder
    marks = course_root / "autograder_results" / assignment / ".recorded"
    marks.mkdir(parents=True, exist_ok=True)
    task = progress.add_task("gradebook", total=len(students), status="")
    with Recorder(cfg, course_root, assignment) as recorder:
        for s in students:
            mark = marks / s
            digest = json.dumps(results[s].to_json(), sort_keys=True)
            if not force and mark.exists() and mark.read_text() == digest:
                progress.update(task, advance=1, status=f"{s}: recorded before")
                continue
            readable = recorder.record(s, results[s])
            mark.write_text(digest)
            progress.update(task, advance=1, status=f"{s}: recorded" + (
                "" if readable else " the grader's scores (the notebook could not be read)"))
