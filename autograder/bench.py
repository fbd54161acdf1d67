"""`make bench`: a synthetic class graded by this kit and by stock `nbgrader autograde`, in one run.

The class: N notebooks made from the released assignment, filled with the solution or with one of
the corpus's wrong variants (tests/corpus/wrong), dropped into submitted/ as nbgrader's collect
would. The kit grades all of them (isolated batch + gradebook); stock nbgrader (Execute in a
kernel, the course's preprocessors switched back to nbgrader's defaults) grades a sample of them in
one `nbgrader autograde` command, so its start-up is shared as the kit's is. Both figures are
seconds per submission measured now, on this machine; the last line is the ratio.
"""
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat

from . import batch, course
from .demo import solutions_by_cell

BENCH = course.REPO / "build" / "bench"
STOCK_CONFIG = """c = get_config()
c.CourseDirectory.course_id = "bench-stock"
c.CourseDirectory.release_directory = "assignments"
c.Execute.timeout = 300
"""


def make_class(course_root: Path, n: int) -> list[str]:
    answers = solutions_by_cell()
    released = nbformat.read(course.REPO / "assignments" / course.ASSIGNMENT / f"{course.ASSIGNMENT}.ipynb", 4)
    wrong = sorted((course.REPO / "tests" / "corpus" / "wrong").glob("*.py"))
    students = []
    for i in range(n):
        nb = nbformat.from_dict(released)
        extra = "" if i % 3 == 0 or not wrong else "\n\n" + wrong[i % len(wrong)].read_text()
        cells = [c for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("solution")]
        for c in cells:
            c.source = answers[c.metadata["nbgrader"]["grade_id"]]
        cells[-1].source += extra
        student = f"s{i:03d}"
        folder = course_root / "submitted" / student / course.ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{course.ASSIGNMENT}.ipynb")
        (folder / "timestamp.txt").write_text("2026-11-29 00:00:00.000000 UTC")
        students.append(student)
    return students


class InProcess:
    """The sandbox's interface without the sandbox: the worker runs in this very process. Only for
    measuring what isolation costs, on the kit's own correct solution; never for student code."""

    def __init__(self):
        from . import worker
        worker.warm_up()
        self.cpu = 0.0

    def run(self, job):
        import resource
        import tempfile
        from .sandbox import Outcome
        from .worker import run_job
        with tempfile.TemporaryFile() as f:
            before = resource.getrusage(resource.RUSAGE_SELF)
            run_job(job, f.fileno(), [])
            after = resource.getrusage(resource.RUSAGE_SELF)
            f.seek(0)
            blob = f.read()
        cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        return Outcome("ok", blob=blob, cpu=cpu)

    def close(self):
        pass


def grading_speed(rounds: int = 20) -> dict:
    """CPU seconds to grade one correct submission in a warm process (issue 4's budget: 0.3 s), in
    process and isolated (issue 5: what the sandbox costs), measured alternately in the same run;
    the best of `rounds` each, since this machine is shared and noisy."""
    import resource
    from .grade import Grader
    path = course.REPO / "tests" / "corpus" / "correct" / "vectorised.py"

    def cpu():
        r = resource.getrusage(resource.RUSAGE_SELF)
        return r.ru_utime + r.ru_stime

    figures = {}
    with Grader(["cpu"], runner=InProcess()) as plain, Grader(["cpu"]) as isolated:
        for g in (plain, isolated):
            g.grade(path)  # warm: torch's references are computed once per process
        samples = {"in_process": [], "isolated": []}
        for _ in range(rounds):
            for name, g in (("in_process", plain), ("isolated", isolated)):
                c0, w0 = cpu(), time.perf_counter()
                result = g.grade(path)
                assert result.score == 100, result.score
                own = cpu() - c0
                # in process, the job's CPU is already part of this process's; isolated, it is the child's
                total = own if name == "in_process" else own + g.last_sandbox_cpu
                samples[name].append((total, time.perf_counter() - w0))
        for name, xs in samples.items():
            figures[name] = min(x[0] for x in xs)
            print(f"one correct submission, warm, {name:>10}: CPU {figures[name]:.3f} s "
                  f"(median {sorted(x[0] for x in xs)[len(xs) // 2]:.3f}), wall {min(x[1] for x in xs):.3f} s")
    print(f"isolation costs {figures['isolated'] - figures['in_process']:.3f} s CPU per submission "
          f"({figures['isolated'] / figures['in_process']:.2f}x in-process); budget 0.3 s CPU")
    return figures


def main(n: int = 100, sample: int = 6) -> int:
    grading_speed()
    if BENCH.exists():
        shutil.rmtree(BENCH)
    kit_root, stock_root = BENCH / "kit", BENCH / "stock"
    for root in (kit_root, stock_root):
        root.mkdir(parents=True)
        course.copy_source(root)
    students = make_class(kit_root, n)
    # the stock course: same source and submissions, nbgrader's own defaults
    (stock_root / "nbgrader_config.py").write_text(STOCK_CONFIG)
    for s in students[:sample]:
        shutil.copytree(kit_root / "submitted" / s, stock_root / "submitted" / s)
    cfg = course.load_config(kit_root)
    course._check(course.api(cfg).generate_assignment(course.ASSIGNMENT, force=True), "generate_assignment")
    nbgrader = Path(sys.executable).with_name("nbgrader")
    subprocess.run([str(nbgrader), "generate_assignment", course.ASSIGNMENT, "--force"], cwd=stock_root,
                   check=True, capture_output=True)

    t = time.perf_counter()
    results = batch.grade_class(kit_root, quiet=True)
    kit = (time.perf_counter() - t) / n
    print(f"kit: {n} submissions in {kit * n:.1f} s on {os.cpu_count()} cores "
          f"(isolated: every student in its own sandboxed process), "
          f"mean score {sum(r.score for r in results.values()) / n:.1f}")

    t = time.perf_counter()
    proc = subprocess.run([str(nbgrader), "autograde", course.ASSIGNMENT], cwd=stock_root,
                          capture_output=True, text=True)
    stock = (time.perf_counter() - t) / sample
    print(f"stock nbgrader autograde: {sample} submissions in {stock * sample:.1f} s (exit {proc.returncode})")
    print(f"300 submissions with the kit would take about {300 * kit:.0f} s here")
    print(f"kit_s_per_submission={kit:.3f} nbgrader_s_per_submission={stock:.3f} ratio={stock / kit:.1f}")
    return 0
