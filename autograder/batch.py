"""Grading a whole class: parallel, resumable, with a progress bar.

Two phases, each resumable on its own:
1. grade: every submitted/<student>/<assignment>/ folder is graded by one warm Grader (torch
   imported once; every part of every student in its own sandboxed process), N submissions at a
   time. Each result is written atomically to autograder_results/<assignment>/<student>.json as it
   finishes, so a killed run loses at most the submissions in flight.
2. record: nbgrader's autograde runs per student in this process; IsolatedGrade finds the stored
   result (same code, same graders) instead of regrading, and SaveAutoGrades writes the gradebook
   in that student's own transaction. A student is marked recorded only after that succeeded.
A rerun skips what both phases finished; --force regrades everything.
"""
import json
import os
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from . import course
from .extract import ExtractError, extract
from .grade import Grader, _all_zero, present_devices, submission_key
from .nbgrader_bridge import load_cached, result_path, shared_grader, store


def grade_class(course_root: Path, workers: int | None = None, force: bool = False, devices=None,
                record: bool = True, quiet: bool = False) -> dict:
    """Grade every submission under course_root/submitted; returns {student: Result}."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    course_root = Path(course_root).resolve()
    cfg = course.load_config(course_root)
    students = course.submitted_students(cfg)
    results_dir = course_root / "autograder_results"
    workers = workers or os.cpu_count() or 1
    results, todo = {}, []
    with Grader(devices or present_devices()) as grader, \
            Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                     TextColumn("{task.fields[status]}"), disable=quiet) as progress:
        subs = {}
        for s in students:
            folder = course_root / "submitted" / s / course.ASSIGNMENT
            try:
                subs[s] = extract(folder)
            except ExtractError as exc:
                subs[s] = exc
            path = result_path(results_dir, course.ASSIGNMENT, s)
            cached = None if force or isinstance(subs[s], ExtractError) else \
                load_cached(path, submission_key(subs[s]), grader.fingerprint)
            if cached is not None:
                results[s] = cached
            else:
                todo.append(s)
        task = progress.add_task("grading", total=len(students), completed=len(students) - len(todo),
                                 status=f"{len(students) - len(todo)} already graded")
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(_grade_one, grader, subs[s]): s for s in todo}
            for fut in as_completed(futures):
                s = futures[fut]
                results[s] = fut.result()
                if not isinstance(subs[s], ExtractError):
                    store(result_path(results_dir, course.ASSIGNMENT, s), submission_key(subs[s]),
                          grader.fingerprint, results[s], s)
                progress.update(task, advance=1, status=f"{s}: {results[s].score:.1f}")
        if record:
            shared_grader(grader)
            _record(cfg, course_root, students, results, force, progress)
    return results


def _grade_one(grader: Grader, sub):
    if isinstance(sub, ExtractError):
        return _all_zero(str(sub), grader.devices)
    return grader.grade(sub)


def _record(cfg, course_root: Path, students, results, force, progress):
    """Phase 2: the gradebook, one student per nbgrader autograde call, resumable by marker files."""
    marks = course_root / "autograder_results" / course.ASSIGNMENT / ".recorded"
    marks.mkdir(parents=True, exist_ok=True)
    task = progress.add_task("gradebook", total=len(students), status="")
    for s in students:
        mark = marks / s
        digest = json.dumps(results[s].to_json(), sort_keys=True)
        if not force and mark.exists() and mark.read_text() == digest:
            progress.update(task, advance=1, status=f"{s}: recorded before")
            continue
        res = course.autograde(cfg, s, force=True)
        if not res.get("success"):  # e.g. not JSON: nbgrader cannot read it; record the grader's zeros
            (marks.parent / f"{s}.autograde-error.txt").write_text(f"{res.get('log')}\n{res.get('error')}")
            course.record_scores(cfg, s, {pid: p.score for pid, p in results[s].parts.items()})
        mark.write_text(digest)
        progress.update(task, advance=1, status=f"{s}: " + ("recorded" if res.get("success") else
                                                            "recorded the grader's scores (nbgrader could not read it)"))

