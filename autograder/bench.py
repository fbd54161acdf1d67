"""`make bench`: a synthetic class graded by this kit and by stock `nbgrader autograde`, in one run.

The class: N notebooks made from the released assignment, filled with the solution or with one of
the corpus's wrong variants (tests/corpus/wrong), dropped into submitted/ as nbgrader's collect
would. The kit grades all of them (isolated batch + gradebook); stock nbgrader (Execute in a
kernel, the course's preprocessors switched back to nbgrader's defaults) grades a sample of them in
one `nbgrader autograde` command, so its start-up is shared as the kit's is. The kit runs as its
own command too (`python -m autograder batch COURSE --force`: start-up, gradebook and class report
included), its CPU split by process (run_by_process). Both figures are seconds per submission
measured now, on this machine; the last line is the median ratio. Before the class: one warm
grading's CPU, and a student's cold self-check (`python -m autograder grade` on one notebook).
"""
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat

from . import course
from .store import stored
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


ROLES = ("command", "zygote", "job", "forkserver", "worker", "other")


def run_by_process(cmd: list, cwd) -> tuple:
    """Run `cmd` and sample its process tree every 0.1 s from /proc: -> (returncode, wall seconds,
    stdout, stderr, {role: CPU seconds}). Roles: the command itself, the sandbox's zygote and its
    jobs, the workers' forkserver and its workers (the graders), other (multiprocessing's resource
    tracker). A process keeps the role it was first seen in with a known command line (an exiting
    one shows an empty one). The jobs' CPU is the zygote's reaped children's (exact: it waits for
    each), falling back on the last sample of each live job; a long-lived process's last 0.1 s may
    be missed. The sampler reads each process's stat, and a command line only for a process of the
    tree it has not seen: about 1% of a core here (reading every command line 50 times a second
    took 8% of one from the kit it measures)."""
    import threading
    tick = os.sysconf("SC_CLK_TCK")

    def stat(pid):
        try:
            with open(f"/proc/{pid}/stat") as f:
                text = f.read()
        except OSError:
            return None
        fields = text[text.rindex(")") + 2:].split()
        return int(fields[1]), (int(fields[11]) + int(fields[12])) / tick, (int(fields[13]) + int(fields[14])) / tick

    def cmdline(pid) -> str:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                return f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            return ""

    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    command_line = " ".join(map(str, cmd)) + " "
    seen: dict = {}   # pid -> [role, own CPU, reaped children's CPU]
    stop = threading.Event()

    def role_of(parent_role, line):
        if parent_role == "zygote":
            return "job"
        if parent_role == "forkserver":
            return "worker"
        if "zygote import serve" in line:
            return "zygote"
        if "multiprocessing.forkserver" in line:
            return "forkserver"
        # a child not yet past exec shows its parent's command line (or none): decided at a later sample
        return "other" if line and line != command_line else None

    def sample():
        while not stop.is_set():
            procs = {}
            for d in os.listdir("/proc"):
                if d.isdigit() and (st := stat(int(d))) is not None:
                    procs[int(d)] = st
            children: dict = {}
            for pid, st in procs.items():
                children.setdefault(st[0], []).append(pid)
            todo = [(proc.pid, "command")] if proc.pid in procs else []
            while todo:
                pid, role = todo.pop()
                if pid in seen:
                    role = seen[pid][0]
                elif role is None:
                    continue
                seen[pid] = [role, procs[pid][1], procs[pid][2]]
                todo += [(k, seen[k][0] if k in seen else role_of(role, cmdline(k))) for k in children.get(pid, [])]
            stop.wait(0.1)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t = time.perf_counter()
    out, err = proc.communicate()
    wall = time.perf_counter() - t
    stop.set()
    sampler.join()
    cpu = dict.fromkeys(ROLES, 0.0)
    live_jobs = sum(own for role, own, _ in seen.values() if role == "job")
    reaped = sum(kids for role, _, kids in seen.values() if role == "zygote")
    for role, own, _ in seen.values():
        if role != "job":
            cpu[role] += own
    cpu["job"] = max(reaped, live_jobs)
    return proc.returncode, wall, out, err, cpu


def cold_grade(rounds: int = 3) -> dict:
    """A student's self-check: `python -m autograder grade` on one notebook (the solution), from a
    cold start; the median of `rounds` of its wall time and of its CPU (every process it started)."""
    import resource
    notebook = course.REPO / "solutions" / course.ASSIGNMENT / f"{course.ASSIGNMENT}.ipynb"
    samples = []
    for _ in range(rounds):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(notebook)], cwd=course.REPO,
                              capture_output=True, text=True)
        wall = time.perf_counter() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if proc.returncode != 0:
            raise RuntimeError(f"the self-check failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
        samples.append((wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime))
    wall, cpu = (sorted(x[i] for x in samples)[len(samples) // 2] for i in range(2))
    print(f"a student's self-check, cold (python -m autograder grade on the solution notebook, median of {rounds}): "
          f"wall {wall:.2f} s, CPU {cpu:.2f} s")
    return {"wall": wall, "cpu": cpu}


def main(n: int = 100, sample: int = 6, rounds: int = 3) -> int:
    grading_speed()
    cold_grade()
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
        # the kit's command as an instructor runs it, start-up and class report included
        code, wall, out, err, cpu = run_by_process([sys.executable, "-m", "autograder", "batch", str(kit_root), "--force"],
                                                   course.REPO)
        kit = wall / n
        if code != 0:
            raise RuntimeError(f"the kit's batch failed:\n{out[-2000:]}{err[-2000:]}")
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
        print(f"  the kit's CPU per submission by process: {sum(cpu.values()) / n * 1000:.0f} ms = "
              + ", ".join(f"{role} {cpu[role] / n * 1000:.0f}" for role in ROLES))
    print(f"300 submissions with the kit would take about {300 * kit:.0f} s here")
    print(f"kit_s_per_submission={kit:.3f} nbgrader_s_per_submission={stock:.3f} "
          f"median_ratio={sorted(ratios)[len(ratios) // 2]:.1f}")
    return 0
