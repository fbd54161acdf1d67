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
"""
import ctypes
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import Future
from dataclasses import asdict, dataclass, field

from . import cgroup

_libc = ctypes.CDLL(None, use_errno=True)
_PR_SET_PDEATHSIG, _PR_SET_CHILD_SUBREAPER = 1, 36
_CLONE_NEWNET, _CLONE_NEWPID, _CLONE_NEWIPC, _CLONE_NEWUTS = 0x40000000, 0x20000000, 0x08000000, 0x04000000
_CLONE_NEWNS = 0x00020000
NOBODY = 65534
# each job runs as a uid (and gid) of its own, from a range no account or file on the host uses:
# others' permission bits apply to it everywhere, and RLIMIT_NPROC counts that job's processes only
JOB_UID_BASE = 0x70000000
# set to 1 to let jobs run when they cannot be confined (they would keep root): never on a real course
ALLOW_ROOT_ENV = "KIT_ALLOW_ROOT_SANDBOX"
# set to 1 to send CPU-only jobs down the CUDA jobs' confinement path (to test it on a machine without GPU)
CUDA_PATH_ENV = "KIT_SANDBOX_CUDA_PATH"
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
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

    def self_check(self) -> str:
        """Start a job holding no code and ask it one thing: "" when it answers, else why not."""
        try:
            job = self.job(["cpu"], wall_s=min(self.limits.wall_s, 30.0))
        except NotStarted as exc:
            return str(exc)
        try:
            reply, _tensors = job.request({"ops": [{"op": "load", "code": [], "standins": []}]}, {})
            return "" if reply.get("done") == [{"ok": {"D": [["errors", {"L": []}]]}}] else f"unexpected reply {reply!r:.200}"
        except JobEnded as exc:
            return f"{exc.exit.status}: {exc.exit.detail} {exc.output[-300:]}"
        finally:
            job.close()

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
        proc = subprocess.Popen([sys.executable, "-c", "from autograder.sandbox import _serve; _serve()", args],
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


# ---------------------------------------------------------------- the zygote (its own process)

def _serve():
    """Entry of the zygote (see Sandbox._start): warm up, then fork jobs on request."""
    import gc
    args = json.loads(sys.argv[1])
    socks = [socket.socket(fileno=fd) for fd in args["fds"]]
    from . import driver, landlock, privilege, seccomp  # noqa: F401 - imported once here, not by every job
    driver.warm_up()
    gc.collect()
    gc.freeze()   # forked jobs never walk (and so copy) the zygote's objects
    try:
        _zygote(socks, Limits(**args["limits"]), args["isolate"])
    finally:
        os._exit(0)


def _zygote(socks: list, limits: Limits, isolate: bool):
    """Serve job requests from each grader's channel until every channel is closed and every job done.
    A job is known by (channel, the grader's job id); its uid and cgroup by this zygote's own count."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is the grader's to handle
    _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    _libc.prctl(_PR_SET_CHILD_SUBREAPER, 1)        # orphans of a job come back here, to be reaped
    if isolate:
        cgroup.remove_stale()
        if os.geteuid() == 0:
            _own_pid_namespace()   # opened before any job's namespace exists
    running: dict[int, dict] = {}      # pidfd -> {pid, ctrl, id, deadline, start, cgroup}
    by_id: dict[tuple, int] = {}       # (channel fd, job id) -> pidfd
    reaped: dict[int, int] = {}        # job pid -> wait status, when the orphan sweep collected it first
    channels = {sock.fileno(): sock for sock in socks}
    serial = 0
    poller = select.poll()
    for fd in channels:
        poller.register(fd, select.POLLIN)

    def reply(r, **res):
        try:
            r["ctrl"].send(json.dumps({"id": r["id"], **res}).encode())
        except OSError:
            pass

    def finish(fd, **res):
        r = running.pop(fd)
        by_id.pop((r["cfd"], r["id"]), None)
        poller.unregister(fd)
        os.close(fd)
        cpu = 0.0
        if r["pid"] in reaped:
            status = reaped.pop(r["pid"])
        else:
            _, status, ru = os.wait4(r["pid"], 0)
            cpu = ru.ru_utime + ru.ru_stime
        cgroup.remove(r["cgroup"])
        if not res and os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL and cpu >= r["cpu_s"]:
            res = {"status": "killed", "detail": "run.SIGXCPU", "args": {"signal": "SIGXCPU"}}   # the hard CPU limit
        reply(r, seconds=time.monotonic() - r["start"], cpu=cpu, **(res or _describe_exit(status)))

    while channels or running:
        now = time.monotonic()
        timeout = min([r["deadline"] for r in running.values()], default=now + 1.0) - now
        for fd, _ in poller.poll(max(0, int(timeout * 1000)) + 1):
            if fd in channels:
                sock = channels[fd]
                try:
                    msg, fds, _flags, _addr = socket.recv_fds(sock, 65536, 4)
                except OSError:
                    msg, fds = b"", []
                if not msg:   # that grader is done: its running jobs end on their own (their channels close)
                    poller.unregister(fd)
                    del channels[fd]
                    sock.close()   # its reader sees the end (a report for it now fails quietly)
                    for f in fds:
                        os.close(f)
                    continue
                cmd = json.loads(msg)
                if "kill" in cmd:
                    for f in fds:
                        os.close(f)
                    pidfd = by_id.get((fd, cmd["kill"]))
                    if pidfd is not None:
                        _kill_job(running[pidfd]["pid"])
                    continue
                if len(fds) != 2:
                    for f in fds:
                        os.close(f)
                    continue
                serial += 1
                groups = (cgroup.create(f"kit-{os.getpid()}-{serial}", limits.nproc, limits.memory_mb, limits.cpus)
                          if isolate and os.geteuid() == 0 else {})
                pid = _spawn(dict(cmd, serial=serial), fds, groups, limits, isolate)
                for f in fds:
                    os.close(f)
                pidfd = os.pidfd_open(pid)
                poller.register(pidfd, select.POLLIN)
                start = time.monotonic()
                running[pidfd] = {"pid": pid, "ctrl": sock, "cfd": fd, "id": cmd["id"], "start": start, "cgroup": groups,
                                  "deadline": start + float(cmd.get("wall_s", limits.wall_s)),
                                  "cpu_s": int(cmd.get("cpu_s", limits.cpu_s))}
                by_id[(fd, cmd["id"])] = pidfd
            elif fd in running:
                finish(fd)
        now = time.monotonic()
        for fd, r in list(running.items()):
            if now >= r["deadline"]:
                _kill_job(r["pid"])
                wall = float(r["deadline"] - r["start"])
                finish(fd, status="timeout", detail="run.timeout", args={"seconds": round(wall, 1)})
        _reap_orphans({r["pid"] for r in running.values()}, reaped)


def _reap_orphans(jobs: set, reaped: dict):
    """Collect exited orphans (re-parented here); a job that exits meanwhile keeps its status."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        if pid in jobs:
            reaped[pid] = status


def _kill_job(pid):
    for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        try:
            target()
        except OSError:
            pass


def _describe_exit(status) -> dict:
    """How a job ended, as a status and a message key of i18n.py (rendered in the grader's language)."""
    if os.WIFEXITED(status):
        code = os.WEXITSTATUS(status)
        if code == 0:
            return {"status": "ok"}
        return {"status": "exited", "detail": "run.exited", "args": {"code": code}}
    sig = os.WTERMSIG(status)
    name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
    known = ("SIGXCPU", "SIGXFSZ", "SIGKILL", "SIGSEGV", "SIGABRT")
    return {"status": "killed", "detail": f"run.{name}" if name in known else "run.signal", "args": {"signal": name}}


# ---------------------------------------------------------------- one job

def _spawn(cmd: dict, fds: list, groups: dict, limits: Limits, isolate: bool) -> int:
    uid = JOB_UID_BASE + ((os.getpid() & 0xFFFF) << 12) + (int(cmd["serial"]) & 0xFFF)   # this zygote's, this job's
    # The job is PID 1 of a PID namespace of its own (when it ends, all it started ends): the
    # namespace is made for the next child only, and this process's own is restored at once. (A
    # fork, then unshare, then a second fork for PID 1 cost another page-table copy: ~15 ms a job.)
    pid_ns = isolate and os.geteuid() == 0 and _libc.unshare(_CLONE_NEWPID) == 0
    pid = -1
    try:
        pid = os.fork()
    finally:
        if pid_ns and pid != 0 and _libc.setns(_own_pid_namespace(), _CLONE_NEWPID) != 0:
            raise OSError(ctypes.get_errno(), "could not restore the zygote's PID namespace")
    if pid:
        return pid
    code = 70
    try:
        os.setsid()
        _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        channel, log = fds   # every other descriptor (the graders' channels among them) is closed by _confine
        if groups:
            cgroup.attach(groups, 0)   # 0: the writer itself (its pid is 1 in its own namespace)
        cmd = dict(cmd, uid=uid)
        if pid_ns and _libc.unshare(_CLONE_NEWNET | _CLONE_NEWIPC | _CLONE_NEWUTS | _CLONE_NEWNS) == 0:
            cmd["namespaces"] = True
        _confine(channel, log, limits, isolate, cmd)
        if "cuda" in cmd.get("devices", ()):
            import torch
            if torch.cuda.is_available():   # the GPU is shared with other jobs
                torch.cuda.set_per_process_memory_fraction(float(cmd.get("cuda_memory_fraction", 0.2)))
        from .driver import serve
        serve(socket.socket(fileno=3))
        code = 0
    except BaseException as exc:  # noqa: BLE001 - report anything, never return into the zygote's loop
        try:
            os.write(2, f"sandbox: {type(exc).__name__}: {exc}\n".encode())
        except OSError:
            pass
    finally:
        os._exit(code)


_PID_NS_FD: list = []


def _own_pid_namespace() -> int:
    """A descriptor of the zygote's own PID namespace, opened once."""
    if not _PID_NS_FD:
        _PID_NS_FD.append(os.open("/proc/self/ns/pid", os.O_RDONLY | os.O_CLOEXEC))
    return _PID_NS_FD[0]


def _confine(channel: int, log: int, limits: Limits, isolate: bool, cmd: dict):
    import fcntl
    import resource
    devnull = os.open(os.devnull, os.O_RDONLY)
    # stdin, stdout, stderr, channel: moved above 9 first so no dup2 overwrites a source
    sources = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (devnull, log, log, channel)]
    for target, fd in enumerate(sources):
        os.dup2(fd, target)
    os.closerange(4, 1 << 16)
    sys.stdout = os.fdopen(1, "w", buffering=1, closefd=False)
    sys.stderr = os.fdopen(2, "w", buffering=1, closefd=False)
    if not isolate:
        return
    mapped = int(open("/proc/self/status").read().split("VmSize:")[1].split()[0]) << 10
    cpu = int(cmd.get("cpu_s", limits.cpu_s))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 2))  # SIGXCPU first, then SIGKILL
    for res, value in ((resource.RLIMIT_AS, mapped + (limits.memory_mb << 20)),
                       (resource.RLIMIT_FSIZE, limits.output_mb << 20), (resource.RLIMIT_NOFILE, 256),
                       (resource.RLIMIT_NPROC, limits.nproc), (resource.RLIMIT_CORE, 0)):
        resource.setrlimit(res, (value, value))
    from . import landlock, privilege, seccomp
    cuda_path = "cuda" in cmd.get("devices", ()) or os.environ.get(CUDA_PATH_ENV) == "1"
    if os.geteuid() == 0:
        try:
            if cmd.get("namespaces"):
                privilege.private_mounts()
            elif not _python_readable_by_nobody():
                raise privilege.Refused("the sandbox could not drop privileges: no mount namespace to expose "
                                        f"Python to an unprivileged user ({sys.prefix})")
        except privilege.Refused:
            if os.environ.get(ALLOW_ROOT_ENV) != "1":
                raise
            print(f"sandbox: {ALLOW_ROOT_ENV}=1: this job keeps root", file=sys.stderr)
            cmd = dict(cmd, uid=None)
    # Landlock: read only what Python and torch need (CUDA jobs: the driver's files too), write nothing.
    # Nothing of the kit: the zygote imported the driver and wire.py before any job existed, and the
    # submission comes over the job's channel (the hidden graders sit beside the driver in autograder/)
    prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.path.dirname(os.__file__))}
    reads = prefixes | {p for p in sys.path if p and os.path.isdir(p)
                        and os.path.basename(os.path.normpath(p)) == "site-packages"}
    reads |= {"/usr", "/lib", "/lib64", "/etc/ld.so.cache", "/etc/localtime", "/etc/passwd", "/etc/group",
              "/proc", "/dev/null", "/dev/zero", "/dev/urandom", "/dev/random", "/sys/devices/system/cpu"}
    if cuda_path:
        import glob
        reads |= set(glob.glob("/dev/nvidia*")) | {"/dev/dri", "/proc/driver/nvidia", "/sys/bus/pci",
                                                  "/sys/devices", "/sys/module/nvidia", "/usr/local/cuda",
                                                  "/etc/nvidia", "/etc/OpenCL"}
        if os.environ.get("CUDA_HOME"):
            reads.add(os.environ["CUDA_HOME"])
    holding = holds_the_kit(reads)
    if holding and landlock.abi():
        raise privilege.Refused(f"the sandbox would let jobs read the kit's folder {REPO}: {', '.join(holding)} "
                                "holds it (keep Python and its venv out of the kit's folder, or in a folder of it: .venv)")
    # device files are opened read-write: allow writing to them, and only them
    writes = sorted(p for p in reads if p.startswith("/dev/nvidia")) + ["/dev/null"]
    landlock.restrict(read_paths=sorted(p for p in reads if p not in writes), write_paths=writes)
    if os.geteuid() == 0 and cmd.get("uid") is not None:
        privilege.drop_to(cmd["uid"], cmd["uid"])
        privilege.check_python_readable()
    seccomp.install()


def holds_the_kit(paths) -> list[str]:
    """Those of `paths` that are the kit's folder or a folder above it (a Python installed above the
    checkout, a venv made in the checkout itself): a job allowed to read one could read the hidden graders."""
    kit = os.path.realpath(REPO)
    return sorted(p for p in paths if kit == os.path.realpath(p) or kit.startswith(os.path.realpath(p).rstrip("/") + "/"))


def _python_readable_by_nobody() -> bool:
    """Dropping to `nobody` is only safe when it can still import the rest of Python's library."""
    path = os.path.dirname(os.__file__)
    while path not in ("/", ""):
        if not os.stat(path).st_mode & 0o001:
            return False
        path = os.path.dirname(path)
    return True


def confinement() -> list[str]:
    """What a job here is confined by, as measured from this (the grader's) side; for reports. A
    mechanism that is missing is named as missing ("no memory cgroup"), never left out silently."""
    from . import landlock, seccomp
    found = []
    root = os.geteuid() == 0
    if root:
        found.append("pid+net+ipc+mount namespaces, private /proc")
        groups = cgroup.available()
        found += [f"{c} cgroup" if c in groups else f"no {c} cgroup" for c in cgroup.CONTROLLERS]
        if _python_readable_by_nobody():
            found.append("own unprivileged uid, no capabilities")
        else:
            found.append("own unprivileged uid, no capabilities (Python exposed read-only)")
    else:
        found.append("no namespaces, no cgroups, grader's own uid (not run as root)")
    found.append("rlimits")
    found.append("seccomp" if seccomp.supported() else "no seccomp")
    found.append("landlock" if landlock.abi() else "no landlock")
    if os.environ.get(ALLOW_ROOT_ENV) == "1":
        found.append(f"{ALLOW_ROOT_ENV}=1: a job that cannot be confined keeps root")
    return found
