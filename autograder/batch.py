"""Grading a whole class: parallel, resumable, with a progress bar.

Every submitted/<student>/<assignment>/ folder is extracted and graded by one of N grader
processes (each a warm Grader: the graders collected once, its own sandbox; every student's code
runs only in that student's sandboxed jobs). As each one finishes, this process
1. stores its result atomically in autograder_results/<assignment>/<student>.json, and
2. records it: scores, comments and autograded notebook through nbgrader's Gradebook API, in that
   student's own transaction (record.py: what `nbgrader autograde` writes, without its per-student
   start-up), then marks the student recorded.
A killed run loses at most the submissions in flight: a rerun reuses every stored result whose code
and graders are unchanged and re-records only what is not marked; --force regrades everything.
"""
import contextlib
import json
import multiprocessing
import os
import sys
import threading
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from . import class_report, course, pool as tasks
from .textsafe import clean
from .result import Result
from .i18n import ASSIGNMENT_LANG, use
from .i18n import lang as current_lang
from .store import result_path, store
from .sandbox import Limits, SharedZygote


def grade_class(course_root: Path, workers: int | None = None, force: bool = False, devices=None, limits=None,
                record: bool = True, quiet: bool = False, assignment: str = course.ASSIGNMENT,
                report: bool = False) -> dict:
    """Grade every submission of `assignment` under course_root/submitted; returns {student: Result}.
    Messages are in the assignment's language (i18n.ASSIGNMENT_LANG). report: the caller writes a
    class report afterwards (class_report.write), so the plotting library is imported while the
    class is graded, not after the last submission, when one core would work alone."""
    with use(ASSIGNMENT_LANG.get(assignment, "en")):
        return _grade_class(Path(course_root).resolve(), workers, force, devices, record, quiet, assignment,
                            limits or Limits(), report)


def _grade_class(course_root, workers, force, devices, record, quiet, assignment, limits, report):
    from contextlib import nullcontext
    from multiprocessing import forkserver

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    # Start-up runs side by side: the zygote and the workers' forkserver are started first (they need
    # only the limits) and import torch while this process reads the course's config (nbgrader:
    # ~2.5 s of CPU). forkserver: one fresh process imports the worker's modules (torch, pytest, the
    # graders: ~2 s of CPU) once, and each worker is a fork of it, holding nothing of this process's
    # (no notebook, no gradebook). One zygote serves all the workers (~3 s of CPU once instead of
    # once per worker), started, like the forkserver, before any submission is read.
    most = max(1, workers or os.cpu_count() or 1)
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["autograder.worker"])
    zygote = SharedZygote(limits, isolate=True, clients=most)
    with contextlib.closing(zygote):
        forkserver.ensure_running()
        _skip_unused_format_checker()
        cfg = course.load_config(course_root)
        students = course.submitted_students(cfg, assignment)
        # one grader per core: a grader and its job take turns (one waits while the other works), so
        # each pair keeps about one core busy; a third grader on two cores was slower (its start-up and
        # the extra switching cost more than the idle moments it fills)
        workers = min(most, len(students) or 1)
        channels = context.Queue()   # each worker takes one channel to the zygote
        for sock in zygote.channels[:workers]:
            channels.put(sock)
        for sock in zygote.channels[workers:]:   # not needed: closed, so the zygote does not wait for them
            sock.close()
        results_dir = course_root / "autograder_results"
        marks = results_dir / assignment / ".recorded"
        marks.mkdir(parents=True, exist_ok=True)
        results, lang = {}, current_lang()   # worker processes do not inherit the context: pass it
        devices = list(devices) if devices else None   # None: each worker grades on the devices it finds
        with ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                 initializer=tasks.start, initargs=(devices, limits, channels)) as pool:
            # submitted first: the workers start (a few seconds each) while the gradebook opens
            futures = {pool.submit(tasks.grade_one, str(course_root / "submitted" / s / assignment),
                                   str(result_path(results_dir, assignment, s)), force, lang): s for s in students}
            try:
                from .record import Recorder   # nbgrader's gradebook: imported while the workers start
                with (Recorder(cfg, course_root, assignment) if record else nullcontext()) as recorder, \
                        Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), TextColumn("{task.fields[status]}"), disable=quiet) as progress:
                    task = progress.add_task("grading", total=len(students), status="")
                    _collect(futures, recorder, results, results_dir, marks, assignment, force, progress, task,
                             report)
            except BaseException:   # Ctrl-C, or some students unfinished: what has not started is cancelled
                pool.shutdown(wait=False, cancel_futures=True)
                raise
    return results


def _skip_unused_format_checker():
    """jsonschema (imported by nbformat) loads rfc3987_syntax when it is installed, for its optional
    "iri" format checks, and that builds a parser at import: 1.8 s of CPU. nbformat's schemas use
    no format at all; jsonschema is told the package is absent, a case it handles (no "iri" check)."""
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)


def _collect(futures, recorder, results, results_dir, marks, assignment, force, progress, task, report):
    failed = {}
    for i, fut in enumerate(as_completed(futures)):   # this thread alone stores and records, as each one finishes
        if report and i == 0:   # the first result: start-up is over, the plotting library can load beside the graders
            threading.Thread(target=class_report.prepare, name="kit-plotting", daemon=True).start()
        s = futures[fut]
        try:
            data, key, cached, print_ = fut.result()
            results[s] = Result.from_json(data)
        except Exception as exc:  # noqa: BLE001 - a fault of the grader, not the student: no grade, a rerun retries
            failed[s] = f"not graded: {type(exc).__name__}: {exc}"
            progress.update(task, advance=1, status=clean(f"{s}: {failed[s]}"))
            continue
        if key is not None and not cached:
            try:   # one result that cannot be written must not stop the others
                store(result_path(results_dir, assignment, s), key, print_, results[s], s)
            except Exception as exc:  # noqa: BLE001 - graded but not stored: a rerun grades it again
                failed[s] = f"graded, not stored: {type(exc).__name__}: {exc}"
        status = f"{s}: {results[s].score:.1f}" + (" (graded before)" if cached else "")
        if recorder is not None:
            digest = json.dumps(results[s].to_json(), sort_keys=True)
            mark = marks / s
            if force or not mark.exists() or mark.read_text() != digest:
                try:
                    if not recorder.record(s, results[s]):
                        status += ", scores only: the notebook could not be read"
                    mark.write_text(digest)   # only after that student's commit
                except Exception as exc:  # noqa: BLE001 - rolled back; the stored result stays, a rerun records it
                    failed[s] = f"graded, not recorded: {type(exc).__name__}: {exc}"
                    status += f" ({failed[s]})"
        progress.update(task, advance=1, status=clean(status))
    for s, why in sorted(failed.items()):
        progress.console.print(clean(f"[bold red]{s}[/]: {why} — run the batch again to retry"))
    if failed:
        raise BatchIncomplete(failed)


class BatchIncomplete(Exception):
    """Some students could not be graded or recorded (the grader's fault, never a zero for them);
    every other result is stored and recorded, and a rerun retries only these."""

    def __init__(self, failed: dict):
        super().__init__(f"{len(failed)} submission(s) not finished: " + ", ".join(sorted(failed)))
        self.failed = failed
