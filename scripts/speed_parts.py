"""The per-piece costs README's Speed section quotes, measured now on this machine (make bench
measures the whole): .venv/bin/python scripts/speed_parts.py

1. a wire round trip between two processes (wire.py's frames, as the grader and a job exchange
   them), by the number of operations in the frame: CPU of both processes per round trip;
2. the one-hot watch (onehot.py): a watched lookup of the course's shape against the same call
   unwatched;
3. a job's fixed cost: the fork of a process holding what a zygote holds (torch, the driver, its
   warm-up) and the child's exit, with the parent's private memory;
4. the floors the targets of issue 25 meet (item 5): a fresh Python importing what a self-check's
   sandboxed job needs (torch; matplotlib, which the notebook imports), and a job serving one
   grading of a correct submission: the frames a Grader sent it, recorded, then replayed to a child
   forked from a process that holds what a zygote holds (the student's code, the one-hot watch and
   the wire; no confinement, nothing of the trusted side, the child's exit included).
Each figure is the median of several repetitions; the machine is shared, so compare figures taken
in the same run only.
"""
import os
import socket
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402

from autograder import onehot, wire  # noqa: E402


def round_trip(ops: int, n: int = 1500) -> tuple[float, float]:
    """(grader's, job's) CPU microseconds per round trip of a frame of `ops` calls with one tensor."""
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    pid = os.fork()
    if pid == 0:
        a.close()
        while (frame := wire.recv(b)) is not None:
            wire.send(b, {"done": [{"ok": None}] * len(frame[0]["ops"])}, {})
        os._exit(0)
    b.close()
    t = torch.randn(4, 5)
    message = {"ops": [{"op": "call", "into": i, "fn": {"N": "f"}, "args": [{"T": "t0", "dev": "cpu", "rg": False}]}
                       for i in range(ops)]}
    c0 = time.process_time()
    for _ in range(n):
        wire.send(a, message, {"t0": t.clone()})
        wire.recv(a)
    ours = (time.process_time() - c0) / n
    a.close()
    _, _, usage = os.wait4(pid, 0)
    return ours * 1e6, (usage.ru_utime + usage.ru_stime) / n * 1e6


def lookup(indices, weight):
    return torch.nn.functional.one_hot(indices, weight.shape[0]).to(weight.dtype) @ weight


def watched_lookup(n: int = 2000) -> tuple[float, float]:
    """(plain, watched) microseconds per call of a one-hot lookup of (3, 5) indices into a (10, 4) table."""
    W, idx = torch.randn(10, 4, requires_grad=True), torch.randint(0, 10, (3, 5))
    fns = {"plain": lookup, "watched": onehot.Judge().wrap(lookup)}
    out = {}
    for name, fn in fns.items():
        fn(idx, W)
        samples = []
        for _ in range(5):
            t = time.perf_counter()
            for _ in range(n // 5):
                fn(idx, W)
            samples.append((time.perf_counter() - t) / (n // 5) * 1e6)
        out[name] = statistics.median(samples)
    return out["plain"], out["watched"]


def fork_and_exit(n: int = 15) -> tuple[float, float, int]:
    """(parent's fork, child's exit) CPU milliseconds of forking this process after a zygote's warm-up,
    and its private (anonymous) memory in MB."""
    import gc

    from autograder import driver
    driver.warm_up()
    gc.collect()
    gc.freeze()
    parent, child = [], []
    for _ in range(n):
        c0 = time.process_time()
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        parent.append(time.process_time() - c0)
        _, _, usage = os.wait4(pid, 0)
        child.append(usage.ru_utime + usage.ru_stime)
    anon = next((int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("RssAnon")), 0)
    return statistics.median(parent) * 1e3, statistics.median(child) * 1e3, anon // 1024


def cold_imports(n: int = 3) -> dict:
    """Median wall seconds of a fresh Python importing each set of modules (one process each)."""
    import subprocess
    sets = {"torch": "import torch",
            "torch, matplotlib.pyplot": "import torch, matplotlib.pyplot"}
    out = {}
    for name, code in sets.items():
        samples = []
        for _ in range(n):
            t = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, "MPLBACKEND": "Agg"})
            samples.append(time.perf_counter() - t)
        out[name] = statistics.median(samples)
    return out


def record_grading(path: Path) -> list:
    """The frames (message, tensors) a warm Grader sends a job to grade the submission at `path`."""
    from autograder import sandbox
    from autograder.grade import Grader
    frames, original = [], sandbox.Job.request

    def request(job, message, tensors):
        frames.append((message, {k: v.clone() for k, v in tensors.items()}))
        return original(job, message, tensors)
    sandbox.Job.request = request
    try:
        with Grader(["cpu"]) as grader:
            grader.grade(path)     # the first grading warms the grader (its draws, torch's answers)
            frames.clear()
            grader.grade(path)
    finally:
        sandbox.Job.request = original
    return frames


def replay_job(frames_file: str, n: int = 7) -> None:
    """(In a fresh process: a zygote's imports and warm-up, nothing of the grader's.) Fork a child
    that serves the recorded frames as a job does; print the median of its CPU (user, system) in ms
    and its page faults."""
    import gc

    from autograder import driver
    frames = torch.load(frames_file)
    driver.warm_up()
    gc.collect()
    gc.freeze()
    samples = []
    for _ in range(n):
        a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        pid = os.fork()
        if pid == 0:
            a.close()
            driver.serve(b)
            os._exit(0)
        b.close()
        for message, tensors in frames:
            wire.send(a, message, tensors)
            wire.recv(a)
        a.close()
        _, _, usage = os.wait4(pid, 0)
        samples.append((usage.ru_utime * 1e3, usage.ru_stime * 1e3, usage.ru_minflt))
    user, sys_, faults = (statistics.median(s[i] for s in samples) for i in range(3))
    print(f"{user:.0f} {sys_:.0f} {faults:.0f} {len(frames)} {sum(len(m.get('ops', [])) for m, _ in frames)}")


def job_floor() -> tuple:
    """(user ms, system ms, page faults, frames, operations) of a job serving one grading of the
    corpus's vectorised solution, replayed in a fresh zygote-like process."""
    import subprocess
    import tempfile
    root = Path(__file__).resolve().parent.parent
    frames = record_grading(root / "tests" / "corpus" / "correct" / "vectorised.py")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "frames.pt")
        torch.save(frames, path)
        out = subprocess.run([sys.executable, __file__, "--replay", path], check=True, capture_output=True,
                             text=True, env={**os.environ, "MPLBACKEND": "Agg"}).stdout.split()
    return tuple(float(x) for x in out)


def main() -> int:
    torch.set_num_threads(1)
    print("wire round trip between two processes, CPU per round trip (grader + job):")
    for ops in (1, 8, 64):
        ours, theirs = round_trip(ops)
        print(f"  {ops:3d} operation(s) a frame: {ours:5.0f} + {theirs:5.0f} = {ours + theirs:5.0f} us")
    plain, watched = watched_lookup()
    print(f"one-hot lookup of (3, 5) indices into (10, 4): plain {plain:.1f} us, watched {watched:.1f} us a call")
    fork, exit_, anon = fork_and_exit()
    print(f"a job's fixed cost after a zygote's warm-up ({anon} MB private memory): fork {fork:.1f} ms in the "
          f"parent, exit {exit_:.1f} ms in the child")
    print("floors (issue 25, item 5):")
    for name, wall in cold_imports().items():
        print(f"  a fresh Python importing {name}: {wall:.2f} s wall")
    user, system, faults, frames, ops = job_floor()
    print(f"  a job serving one grading of a correct submission ({frames:.0f} frames, {ops:.0f} operations), "
          f"replayed: {user + system:.0f} ms of CPU ({user:.0f} user, {system:.0f} system, {faults:.0f} page faults)")
    cores = os.cpu_count() or 1
    print(f"  300 submissions in 30 s on {cores} cores leaves {30 * cores / 300 * 1e3:.0f} ms of CPU a submission, "
          f"start-up, the trusted side and recording included")
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--replay"]:
        replay_job(sys.argv[2])
        sys.exit(0)
    sys.exit(main())
