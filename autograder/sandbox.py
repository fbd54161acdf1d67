"""Run untrusted student code in confined processes that hold nothing but that student's code.

Process tree:

    grader (trusted: the pytest graders, torch's answers, every student's results)
     └─ zygote   a fresh Python (never a fork of the grader: it has never held a submission, a check
         │       or an expected value, nor the grader's environment); imports torch and the public
         │       driver only, then forks one job per request
         └─ job  PID 1 of new PID, network, IPC, UTS and mount namespaces (as root), own session,
                 cgroups, rlimits, no privileges, Landlock, seccomp; it receives the submission
                 only now, over its own channel, and serves driver.py

The grader talks to the zygote over a Unix seqpacket socket and hands each job its own channel (a
socketpair end) and log file as descriptors (SCM_RIGHTS): nothing is on the filesystem for another
job to open. A batch's graders share one zygote (SharedZygote: a channel each), started before any
submission is read. The zygote kills a job at its deadline, set by the grader when the job starts; nothing
the job does can extend it. Killing the job kills its PID namespace and so everything it started;
without namespaces its process group is killed and the zygote, a child subreaper, reaps the rest.

This module is the grader's side: Sandbox (a zygote and the thread that reads its reports), Job (one
job's channel), the limits. The zygote's loop is zygote.py, spawning and confining a job spawn.py,
the Linux calls linux.py; what a job runs is driver.py, spoken to through remote.py.
"""
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import Future
from dataclasses import asdict, dataclass, field

from . import REPO

# what of the grader's environment a job may see (its tokens and paths stay out)
ENV_KEPT = ("PATH", "LANG", "LC_ALL", "LD_LIBRARY_PATH", "CUDA_VISIBLE_DEVICES", "CUDA_HOME",
            "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "TMPDIR", "KIT_ALLOW_ROOT_SANDBOX", "KIT_SANDBOX_CUDA_PATH")


@dataclass(frozen=True)
class Limits:
    """What a job may use: wall and CPU per part (a job serves one submission's parts in turn), the rest per job."""
    wall_s: float = 30.0      # then the job is killed; set by the grader, never extended
    cpu_s: int = 30           # RLIMIT_CPU
    memory_mb: int = 3072     # the job's memory cgroup (all its processes, memfd and shmem included), and
                              # RLIMIT_AS above what the (torch-importing) process already maps
    nproc: int = 64           # RLIMIT_NPROC and the job's pids cgroup
    cpus: float = 1.0         # the job's CPU quota (cgroup cpu controller), in CPUs
    output_mb: int = 64       # RLIMIT_FSIZE: captured stdout/stderr
    # each of those may take this share of the GPU's memory (torch's per-process cap): a student's
    # GPU memory bomb fails in its own process instead of starving the other jobs on the card
    cuda_memory_fraction: float = 0.2


@dataclass
class Exit:
    """How a job ended."""
    status: str               # ok | timeout | killed | exited | error
    detail: str = ""          # why, as a message key of i18n.py ("run.timeout"); its arguments below
    seconds: float = 0.0
    cpu: float = 0.0          # CPU seconds the job used
    args: dict = field(default_factory=dict)


class Sandbox:
    """A zygote that starts jobs; `job(devices)` returns a Job (a live, confined process)."""

    def __init__(self, limits: Limits = Limits(), isolate: bool = True, shared: socket.socket | None = None):
        """shared: a channel to a zygote started for several graders (SharedZygote); when it is gone,
        this sandbox starts a zygote of its own."""
        self.limits, self.isolate = limits, isolate
        self._lock = threading.Lock()
        self._next = 0
        self.restarts = -1
        self._tmp = tempfile.mkdtemp(prefix="kit-sandbox-")   # 0700: job logs, the grader's only
        self._start(shared)

    def _start(self, shared: socket.socket | None = None):
        """A zygote, started as a fresh Python with a scrubbed environment (or the shared one), and
        the thread that reads its reports."""
        if shared is not None:
            proc, ours = None, shared
        else:
            proc, (ours,) = _start_zygote(self.limits, self.isolate, 1, os.path.join(self._tmp, "mpl"))
        gen = {"proc": proc, "sock": ours, "jobs": {}, "alive": True}
        gen["reader"] = threading.Thread(target=self._read_exits, args=(gen,), daemon=True)
        gen["reader"].start()
        self._gen = gen
        self.restarts += 1

    @property
    def pid(self) -> int | None:
        """The zygote's pid (None for a shared zygote: its starter holds it)."""
        return self._gen["proc"].pid if self._gen["proc"] is not None else None

    def job(self, devices=("cpu",), wall_s: float | None = None, cpu_s: int | None = None) -> "Job":
        """A new job (its process exists before it receives anything); raises NotStarted if the
        zygote cannot start one (after one restart)."""
        with self._lock:
            jid, self._next = self._next, self._next + 1
            log_path = os.path.join(self._tmp, f"{jid}.log")
            log_fd = os.open(log_path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
            ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
            wall = float(wall_s or self.limits.wall_s)
            command = json.dumps({"id": jid, "devices": list(devices), "wall_s": wall,
                                  "cpu_s": int(cpu_s or self.limits.cpu_s),
                                  "cuda_memory_fraction": self.limits.cuda_memory_fraction}).encode()
            try:
                for attempt in (1, 2):
                    if not self._gen["alive"]:
                        self._restart()
                    gen = self._gen
                    job = Job(self, jid, ours, log_path, wall)
                    gen["jobs"][jid] = job
                    try:
                        socket.send_fds(gen["sock"], [command], [theirs.fileno(), log_fd])
                        break
                    except OSError:   # the zygote died just now: its reader fails what it held
                        gen["jobs"].pop(jid, None)
                        gen["alive"] = False
                else:
                    ours.close()
                    raise NotStarted("run.zygote_gone")
            finally:
                theirs.close()
                os.close(log_fd)
            return job

    def _restart(self):
        """Called with the lock held, once the zygote is found dead."""
        try:
            self._gen["sock"].close()
        except OSError:
            pass
        self._start()

    def _kill(self, jid: int):
        try:
            self._gen["sock"].send(json.dumps({"kill": jid}).encode())
        except OSError:
            pass

    def _read_exits(self, gen: dict):
        sock = gen["sock"]
        while True:
            try:
                data = sock.recv(65536)
            except OSError:
                data = b""
            if not data:
                break
            res = json.loads(data)
            with self._lock:
                job = gen["jobs"].pop(res["id"], None)
            if job is not None and not job.exit.done():
                job.exit.set_result(Exit(res["status"], res.get("detail", ""), res.get("seconds", 0.0),
                                         res.get("cpu", 0.0), res.get("args", {})))
        with self._lock:  # the zygote is gone: fail whatever it held; the next job restarts it
            gen["alive"] = False
            for job in gen["jobs"].values():
                if not job.exit.done():
                    job.exit.set_result(Exit("error", "run.zygote_gone"))
            gen["jobs"].clear()
        if gen["proc"] is None:
            return
        try:
            gen["proc"].wait(timeout=30)
        except subprocess.TimeoutExpired:
            gen["proc"].kill()

    def close(self):
        gen = self._gen
        try:
            gen["sock"].shutdown(socket.SHUT_WR)
        except OSError:
            pass
        gen["reader"].join(timeout=30)   # the zygote ends once its jobs have
        try:
            gen["sock"].close()
        except OSError:
            pass
        import shutil
        shutil.rmtree(self._tmp, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _start_zygote(limits: Limits, isolate: bool, clients: int, mpl_fallback: str):
    """Popen of a fresh zygote and `clients` channels to it (one per grader that will use it);
    mpl_fallback: matplotlib's folder where the kit's own cache cannot be written."""
    pairs = [socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET) for _ in range(clients)]
    env = {k: os.environ[k] for k in ENV_KEPT if k in os.environ}
    env.update(PYTHONPATH=REPO, HOME="/nonexistent", PYTHONDONTWRITEBYTECODE="1", OMP_NUM_THREADS="1",
               MKL_NUM_THREADS="1", PYTORCH_NVML_BASED_CUDA_CHECK="1", MPLCONFIGDIR=_matplotlib_cache(mpl_fallback))
    fds = [theirs.fileno() for _, theirs in pairs]
    args = json.dumps({"fds": fds, "limits": asdict(limits), "isolate": isolate})
    try:
        proc = subprocess.Popen([sys.executable, "-c", "from autograder.zygote import serve; serve()", args],
                                pass_fds=fds, stdin=subprocess.DEVNULL, env=env, cwd="/")
    finally:
        for _, theirs in pairs:
            theirs.close()
    return proc, [ours for ours, _ in pairs]


def _matplotlib_cache(fallback: str) -> str:
    """Where the zygote's matplotlib keeps its font list: build/cache/matplotlib in the kit's folder,
    kept from one start to the next (building the list anew cost each zygote ~0.3 s of CPU), else
    `fallback`, a fresh folder, where that one cannot be written. The zygote reads it before any job
    exists; jobs can neither read nor write it (Landlock lets them read only Python and its packages,
    nothing of the kit's folder but its venv)."""
    folder = os.path.join(REPO, "build", "cache", "matplotlib")
    try:
        os.makedirs(folder, exist_ok=True)
        if os.access(folder, os.W_OK):
            return folder
    except OSError:
        pass
    return fallback


class SharedZygote:
    """One zygote for the batch's graders (each holds one channel, given to its Sandbox): it is the
    same fresh process as a grader's own, started before any submission is read, and its start-up
    (torch, the warm-up: ~3 s of CPU) is paid once instead of once per grader."""

    def __init__(self, limits: Limits, isolate: bool, clients: int):
        self._tmp = tempfile.mkdtemp(prefix="kit-zygote-")
        self.proc, self.channels = _start_zygote(limits, isolate, clients, os.path.join(self._tmp, "mpl"))

    def close(self):
        """Close the channels this process still holds; the zygote ends once every grader's
        channel is closed and its jobs are done."""
        for sock in self.channels:
            try:
                sock.close()
            except OSError:
                pass
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        import shutil
        shutil.rmtree(self._tmp, ignore_errors=True)


@contextlib.contextmanager
def zygote_first(limits: Limits = Limits(), isolate: bool = True):
    """A zygote started now, before this process imports torch and the graders (a student's
    `python -m autograder grade`, Gradescope's run): its start-up (a fresh Python importing torch,
    the warm-up: ~2.5 s of CPU) runs beside theirs instead of after them. Yields its channel, for
    Grader(zygote=...), which closes it; a zygote no grader took (the command stopped first) is killed."""
    early = SharedZygote(limits, isolate, clients=1)
    channel = early.channels.pop()
    try:
        yield channel
    finally:
        if channel.fileno() != -1:   # never handed on, or still held: nothing more is asked of it
            channel.close()
            early.proc.kill()
        early.close()


class NotStarted(Exception):
    """No job could be started; the message is a key of i18n.py."""


class Job:
    """One confined process serving driver.py for the grader: request() sends a frame and returns
    the reply, or raises JobEnded once the process has ended (crash, exit, deadline, bad reply)."""

    def __init__(self, sandbox: Sandbox, jid: int, sock: socket.socket, log_path: str, wall_s: float):
        self.sandbox, self.id, self.sock, self.log_path = sandbox, jid, sock, log_path
        self.deadline = time.monotonic() + wall_s
        self.exit: Future = Future()
        self.ended: "JobEnded | None" = None
        self.part_deadline, self.part_wall = None, wall_s

    def request(self, message: dict, tensors: dict) -> tuple[dict, dict]:
        from . import wire   # here, not at the top: the batch's own process imports this module without torch
        if self.ended is not None:   # the same exception each time: without the traceback it collected
            raise self.ended.with_traceback(None)
        # the zygote kills the job at its deadline; a part's own deadline (part_deadline, set by the
        # grader when the part starts) is kept here, by waiting no longer than it for a reply
        until = min(self.deadline + 5.0, self.part_deadline or float("inf"))
        try:
            self.sock.settimeout(max(0.1, until - time.monotonic()))
            wire.send(self.sock, message, tensors)
            reply = wire.recv(self.sock)
        except wire.Malformed as exc:
            raise self.end("run.malformed", error=str(exc)) from None
        except socket.timeout:
            if self.part_deadline and time.monotonic() >= self.part_deadline - 0.1:
                raise self.end("run.timeout", seconds=round(self.part_wall, 1)) from None
            reply = None
        except OSError:
            reply = None
        if reply is None:
            raise self.end()
        return reply

    def start_part(self, wall_s: float) -> None:
        """From now on, a reply that takes longer than wall_s (from now) ends the job."""
        self.part_wall = wall_s
        self.part_deadline = time.monotonic() + wall_s

    def end(self, detail: str = "", **args) -> "JobEnded":
        """Stop the job (if it still runs) and remember why: every later request raises the same."""
        if self.ended is None:
            if detail:
                self.sandbox._kill(self.id)
            try:
                ex = self.exit.result(timeout=max(5.0, self.deadline - time.monotonic() + 10.0))
            except Exception:  # noqa: BLE001 - the zygote never answered
                ex = Exit("error", "run.no_result")
            if detail:
                ex = Exit("error", detail, ex.seconds, ex.cpu, args)
            self.ended = JobEnded(ex, self.output_tail())
            self.close()
        return self.ended

    def output_tail(self, size: int = 600) -> str:
        try:
            with open(self.log_path, "rb") as f:
                f.seek(max(0, os.fstat(f.fileno()).st_size - size))
                return f.read().decode("utf-8", "backslashreplace")
        except OSError:
            return ""

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
        try:
            os.unlink(self.log_path)
        except OSError:
            pass

    @property
    def cpu(self) -> float:
        return self.exit.result().cpu if self.exit.done() else 0.0


class JobEnded(Exception):
    """The job ended before answering; `exit` says how, `output` is its last output."""

    def __init__(self, exit: Exit, output: str):
        super().__init__(exit.detail or exit.status)
        self.exit, self.output = exit, output
