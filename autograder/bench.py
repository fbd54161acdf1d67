"""`make bench`: a synthetic class graded by this kit and by stock `nbgrader autograde`, in one run.

The class: N notebooks made from the released assignment, filled with the solution or with one of
the corpus's wrong variants (tests/corpus/wrong), dropped into submitted/ as nbgrader's collect
would. The kit grades all of them (isolated batch + gradebook); stock nbgrader (Execute in a
kernel, the course's preprocessors switched back to nbgrader's defaults) grades a sample of them in
one `nbgrader autograde` command, so its start-up is shared as the kit's is. The kit runs as its
own command too (`python -m autograder batch COURSE --force`: start-up, gradebook and class report
included). Both figures are seconds per submission measured now, on this machine; the last line is
the median ratio.
"""
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat

from . import course
from .results import stored
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
        cells = [c for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") in answers]
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


def grading_speed(rounds: int = 10) -> dict:
    """Seconds to grade one correct submission in a warm grader: CPU of the trusted side (the pytest
    graders, torch's answers) and of the sandboxed jobs, and wall; the median of `rounds`."""
    import resource
    from .grade import Grader
    path = course.REPO / "tests" / "corpus" / "correct" / "vectorised.py"

    def cpu():
        r = resource.getrusage(resource.RUSAGE_SELF)
        return r.ru_utime + r.ru_stime

    with Grader(["cpu"]) as g:
        g.grade(path)   # warm
        samples = []
        for _ in range(rounds):
            c0, w0 = cpu(), time.perf_counter()
            result = g.grade(path)
            assert result.score == 100, result.score
            samples.append((cpu() - c0, g.last_sandbox_cpu, time.perf_counter() - w0))
    med = [sorted(x[i] for x in samples)[len(samples) // 2] for i in range(3)]
    print(f"one correct submission, warm (median of {rounds}): trusted CPU {med[0]:.3f} s, "
          f"sandbox CPU {med[1]:.3f} s, wall {med[2]:.3f} s")
    return {"trusted_cpu": med[0], "sandbox_cpu": med[1], "wall": med[2]}


def main(n: int = 100, sample: int = 6, rounds: int = 3) -> int:
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

    ratios = []
    for r in range(rounds):   # A/B/A/B: the kit and stock nbgrader alternate, so load hits both alike
        t = time.perf_counter()   # the kit's command as an instructor runs it, start-up and class report included
        kit_proc = subprocess.run([sys.executable, "-m", "autograder", "batch", str(kit_root), "--force"],
                                  cwd=course.REPO, capture_output=True, text=True)
        kit = (time.perf_counter() - t) / n
        if kit_proc.returncode != 0:
            raise RuntimeError(f"the kit's batch failed:\n{kit_proc.stdout[-2000:]}{kit_proc.stderr[-2000:]}")
        results = {s: r.score for s, r in stored(kit_root / "autograder_results", course.ASSIGNMENT).items()}
        if sorted(results) != sorted(students):
            raise RuntimeError(f"the kit's batch stored {len(results)} results for {len(students)} students")
        t = time.perf_counter()
        proc = subprocess.run([str(nbgrader), "autograde", course.ASSIGNMENT, "--force"], cwd=stock_root,
                              capture_output=True, text=True)
        stock = (time.perf_counter() - t) / sample
        ratios.append(stock / kit)
        print(f"round {r + 1}: kit {n} submissions in {kit * n:.1f} s on {os.cpu_count()} cores "
              f"(mean score {sum(results.values()) / n:.1f}); stock nbgrader autograde "
              f"{sample} in {stock * sample:.1f} s (exit {proc.returncode}); ratio {stock / kit:.1f}")
    print(f"300 submissions with the kit would take about {300 * kit:.0f} s here")
    print(f"kit_s_per_submission={kit:.3f} nbgrader_s_per_submission={stock:.3f} "
          f"median_ratio={sorted(ratios)[len(ratios) // 2]:.1f}")
    return 0
