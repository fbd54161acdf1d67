"""Run untrusted student code in a confined child process and get back plain bytes.

Process tree (forks only; nothing is pickled across):

    grader (trusted: torch imported, 1 thread, never touches CUDA; computes torch's references)
     └─ zygote   forked at start, before any reference exists; forks one child per job
         └─ job  own session; as root: new PID and network namespaces, and below it
             └─ worker   PID 1 of that namespace: rlimits, no privileges, Landlock, then student code

The worker writes one safetensors blob to a file the grader created; the grader reads at most
`Limits.output_mb` of it. Killing the job kills the PID namespace and so everything the student
started, daemons included; without namespaces the job's process group is killed and the zygote,
a child subreaper, reaps whatever escaped it.
"""
import ctypes
import gc
import json
import os
import select
import signal
import sys
import tempfile
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field

_libc = ctypes.CDLL(None, use_errno=True)
_PR_SET_PDEATHSIG, _PR_SET_CHILD_SUBREAPER = 1, 36
_CLONE_NEWNET, _CLONE_NEWPID, _CLONE_NEWIPC, _CLONE_NEWUTS = 0x40000000, 0x20000000, 0x08000000, 0x04000000
NOBODY = 65534


@dataclass(frozen=True)
class Limits:
    """Per part: what one sandboxed run may use."""
    wall_s: float = 30.0      # then the whole job is killed
    cpu_s: int = 30           # RLIMIT_CPU
    memory_mb: int = 3072     # RLIMIT_AS above what the (torch-importing) process already maps
    nproc: int = 64           # RLIMIT_NPROC, effective when the worker does not run as root
    output_mb: int = 64       # RLIMIT_FSIZE: results and captured stdout/stderr each
    cuda_jobs: int = 4        # jobs using the GPU at once (the batch's other jobs wait for a slot)
    # each of those may take this share of the GPU's memory (torch's per-process cap): a student's
    # GPU memory bomb fails in its own process instead of starving the other jobs on the card
    cuda_memory_fraction: float = 0.2


@dataclass
class Outcome:
    """What came back from one job; `blob` is the worker's safetensors bytes (b"" if none)."""
    status: str               # ok | timeout | killed | exited | error
    detail: str = ""          # why, as a message key of i18n.py ("run.timeout"); its arguments below
    blob: bytes = b""
    output: str = ""          # tail of the student's stdout/stderr (never mixed into the grader's)
    seconds: float = 0.0
    cpu: float = 0.0          # CPU seconds the job used (its processes together)
    detail_args: dict = field(default_factory=dict)


class Sandbox:
    """A zygote that runs jobs concurrently; `run(job)` blocks, `submit(job)` returns a Future."""

    def __init__(self, limits: Limits = Limits(), isolate: bool = True):
        self.limits, self.isolate = limits, isolate
        _warm()
        self._lock = threading.Lock()
        self._next = 0
        self.restarts = 0
        self._tmp = tempfile.mkdtemp(prefix="kit-sandbox-")
        os.chmod(self._tmp, 0o711)
        self._start(fork=True)

    def _start(self, fork: bool):
        """A zygote and the thread that reads its results. The first is forked from this process,
        which holds nothing secret yet; a replacement (the first one died: killed by the OOM
        killer, say) is a fresh Python process, since by then this one holds torch's answers."""
        cmd_r, cmd_w = os.pipe()
        res_r, res_w = os.pipe()
        proc = None
        if fork:
            pid = os.fork()
            if pid == 0:  # the zygote
                try:
                    # hold no other descriptor: another Sandbox's pipe kept open here would never see EOF
                    keep = sorted({0, 1, 2, cmd_r, res_w})
                    for lo, hi in zip(keep, keep[1:] + [1 << 16]):
                        os.closerange(lo + 1, hi)
                    _zygote(cmd_r, res_w, self.limits, self.isolate)
                finally:
                    os._exit(0)
        else:
            import subprocess
            root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
            env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
            args = json.dumps({"cmd": cmd_r, "res": res_w, "limits": self.limits.__dict__, "isolate": self.isolate})
            proc = subprocess.Popen([sys.executable, "-c", "from autograder.sandbox import _serve; _serve()", args],
                                    pass_fds=(cmd_r, res_w), stdin=subprocess.DEVNULL, env=env)
            pid = proc.pid
        os.close(cmd_r)
        os.close(res_w)
        gen = {"pid": pid, "proc": proc, "cmd_w": cmd_w, "futures": {}, "alive": True}
        gen["reader"] = threading.Thread(target=self._read_results, args=(res_r, gen), daemon=True)
        gen["reader"].start()
        self._gen = gen

    @property
    def pid(self) -> int:
        return self._gen["pid"]

    def _restart(self):
        """Called with the lock held, once the zygote is found dead."""
        old = self._gen
        try:
            os.close(old["cmd_w"])
        except OSError:
            pass
        self.restarts += 1
        self._start(fork=False)

    def submit(self, job: dict) -> Future:
        """job: {"parts": [id, ...], "code": [[label, source], ...], "devices": [...]}: one process runs
        the parts in order, with `Limits` per part (see _zygote: each finished part extends the
        deadline by wall_s, up to wall_s per part in all)."""
        fut: Future = Future()
        with self._lock:
            jid, self._next = self._next, self._next + 1
            out = os.path.join(self._tmp, f"{jid}.out")
            log = os.path.join(self._tmp, f"{jid}.log")
            for path in (out, log):
                os.close(os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600))
            line = (json.dumps({"id": jid, "out": out, "log": log, **job}) + "\n").encode()
            for attempt in (1, 2):
                if not self._gen["alive"]:
                    self._restart()
                gen = self._gen
                gen["futures"][jid] = (fut, {"out": out, "log": log})
                try:
                    os.write(gen["cmd_w"], line)  # writes of any size complete on a blocking pipe
                    break
                except OSError:   # the zygote died just now: its reader fails what it held, not this
                    gen["futures"].pop(jid, None)
                    gen["alive"] = False
            else:
                fut.set_result(Outcome("error", "run.zygote_gone"))
        return fut

    def run(self, job: dict) -> Outcome:
        return self.submit(job).result()

    def _read_results(self, res_r: int, gen: dict):
        buf = b""
        with os.fdopen(res_r, "rb", buffering=0) as f:
            while chunk := f.read(65536):
                buf += chunk
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    self._finish(json.loads(line), gen)
        with self._lock:  # the zygote is gone: fail whatever it held rather than hang; the next job restarts it
            gen["alive"] = False
            for fut, _paths in gen["futures"].values():
                fut.set_result(Outcome("error", "run.zygote_gone"))
            gen["futures"].clear()
        try:
            os.waitpid(gen["pid"], 0)
        except ChildProcessError:
            pass

    def _finish(self, res: dict, gen: dict):
        with self._lock:
            fut, paths = gen["futures"].pop(res["id"])
        cap = self.limits.output_mb << 20
        blob, output = b"", ""
        try:
            with open(paths["out"], "rb") as f:
                blob = f.read(cap + 1)
            with open(paths["log"], "rb") as f:
                f.seek(max(0, os.fstat(f.fileno()).st_size - 4000))
                output = f.read().decode("utf-8", "replace")
        finally:
            for p in paths.values():
                try:
                    os.unlink(p)
                except OSError:
                    pass
        status, detail, args = res["status"], res.get("detail", ""), res.get("args", {})
        if len(blob) > cap:
            status, detail, args, blob = "error", "run.too_much_output", {"mb": self.limits.output_mb}, b""
        fut.set_result(Outcome(status, detail, blob, output, res.get("seconds", 0.0), res.get("cpu", 0.0), args))

    def close(self):
        gen = self._gen
        try:
            os.close(gen["cmd_w"])
        except OSError:
            pass
        gen["reader"].join(timeout=30)   # it reaps the zygote once the zygote has finished its jobs
        try:
            os.rmdir(self._tmp)
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# ---------------------------------------------------------------- the zygote (its own process)

def _warm():
    """Before a zygote forks its first job: import all the jobs need (Landlock hides this folder
    from them later), pay torch's one-time costs once, and freeze the heap so forked jobs never walk
    (and so copy) the parent's objects."""
    from . import worker
    worker.warm_up()
    gc.collect()
    gc.freeze()


def _serve():
    """Entry of a replacement zygote started as a fresh Python (see Sandbox._start)."""
    args = json.loads(sys.argv[1])
    _warm()
    try:
        _zygote(args["cmd"], args["res"], Limits(**args["limits"]), args["isolate"])
    finally:
        os._exit(0)


def _zygote(cmd_r, res_w, limits: Limits, isolate: bool):
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is the grader's to handle
    _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    _libc.prctl(_PR_SET_CHILD_SUBREAPER, 1)        # orphans of a job come back here, to be reaped
    if isolate:
        _remove_stale_cgroups()
    running: dict[int, dict] = {}      # pidfd -> {pid, job, deadline, start, last, progress}
    progress: dict[int, int] = {}      # read end of a job's progress pipe -> its pidfd
    reaped: dict[int, int] = {}   # job pid -> wait status, when the orphan sweep collected it first
    buf, cmd_open = b"", True
    poller = select.poll()
    poller.register(cmd_r, select.POLLIN)

    def reply(job, **res):
        os.write(res_w, (json.dumps({"id": job["id"], **res}) + "\n").encode())

    while cmd_open or running:
        now = time.monotonic()
        timeout = min([r["deadline"] for r in running.values()], default=now + 1.0) - now
        for fd, _ in poller.poll(max(0, int(timeout * 1000)) + 1):
            if fd in progress:   # a part finished: give the next one its own time, within the job's cap
                chunk = os.read(fd, 4096)
                r = running.get(progress[fd])
                if r is not None and chunk:
                    r["deadline"] = min(time.monotonic() + limits.wall_s, r["last"])
                if not chunk:
                    poller.unregister(fd)
                    os.close(fd)
                    del progress[fd]
            elif fd == cmd_r:
                chunk = os.read(cmd_r, 1 << 20)
                if not chunk:
                    cmd_open = False
                    poller.unregister(cmd_r)
                    continue
                buf += chunk
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    job = json.loads(line)
                    job["cgroup"] = _pids_cgroup(f"kit-{os.getpid()}-{job['id']}", limits.nproc) if isolate else None
                    prog_r, prog_w = os.pipe()
                    pid = _spawn(job, limits, isolate, (cmd_r, res_w, prog_r), prog_w)
                    os.close(prog_w)
                    pidfd = os.pidfd_open(pid)
                    poller.register(pidfd, select.POLLIN)
                    poller.register(prog_r, select.POLLIN)
                    progress[prog_r] = pidfd
                    start = time.monotonic()
                    running[pidfd] = {"pid": pid, "job": job, "start": start, "deadline": start + limits.wall_s,
                                      "last": start + limits.wall_s * max(1, len(job.get("parts", ())))}
            elif fd in running:
                r = running.pop(fd)
                pid, job, start = r["pid"], r["job"], r["start"]
                poller.unregister(fd)
                os.close(fd)
                cpu = 0.0
                if pid in reaped:
                    status = reaped.pop(pid)
                else:
                    _, status, ru = os.wait4(pid, 0)
                    cpu = ru.ru_utime + ru.ru_stime
                _remove_cgroup(job.get("cgroup"))
                reply(job, seconds=time.monotonic() - start, cpu=cpu, **_describe_exit(status))
        now = time.monotonic()
        for fd, r in list(running.items()):
            pid, job, start = r["pid"], r["job"], r["start"]
            if now >= r["deadline"]:
                _kill_job(pid)
                if reaped.pop(pid, None) is None:
                    os.wait4(pid, 0)
                running.pop(fd)
                poller.unregister(fd)
                os.close(fd)
                _remove_cgroup(job.get("cgroup"))
                reply(job, status="timeout", seconds=now - start,
                      detail="run.timeout", args={"seconds": limits.wall_s})
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


def _pids_cgroup(name: str, limit: int) -> str | None:
    """A pids cgroup capping how many processes a job may have: RLIMIT_NPROC does not bind root,
    this does. None where no writable pids controller exists (then the PID namespace and the
    wall-clock limit are what stops a fork bomb)."""
    for base in ("/sys/fs/cgroup/pids", "/sys/fs/cgroup"):
        path = os.path.join(base, name)
        try:
            os.mkdir(path)
        except OSError:
            continue
        try:
            with open(os.path.join(path, "pids.max"), "w") as f:
                f.write(str(limit))
            return path
        except OSError:
            os.rmdir(path)
    return None


def _remove_stale_cgroups():
    """Job cgroups left by a zygote that was killed (its name holds its pid): remove them."""
    for base in ("/sys/fs/cgroup/pids", "/sys/fs/cgroup"):
        try:
            names = os.listdir(base)
        except OSError:
            continue
        for name in names:
            parts = name.split("-")
            if len(parts) == 3 and parts[0] == "kit" and parts[1].isdigit() and not os.path.exists(f"/proc/{parts[1]}"):
                _remove_cgroup(os.path.join(base, name))


def _remove_cgroup(path):
    if not path:
        return
    for _ in range(50):  # the kernel empties it as the killed processes finish exiting
        try:
            os.rmdir(path)
            return
        except FileNotFoundError:
            return
        except OSError:
            for pid in _cgroup_pids(path):
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.01)


def _cgroup_pids(path):
    try:
        with open(os.path.join(path, "cgroup.procs")) as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


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

def _spawn(job: dict, limits: Limits, isolate: bool, close_fds, prog: int) -> int:
    out = os.open(job["out"], os.O_WRONLY | os.O_TRUNC)
    log = os.open(job["log"], os.O_WRONLY | os.O_TRUNC)
    pid = os.fork()
    if pid:
        os.close(out)
        os.close(log)
        return pid
    code = 70
    try:
        os.setsid()
        _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        for fd in close_fds:
            os.close(fd)
        confinement = []
        if job.get("cgroup"):
            with open(os.path.join(job["cgroup"], "cgroup.procs"), "w") as f:
                f.write(str(os.getpid()))
            confinement.append("pids cgroup")
        if isolate and os.geteuid() == 0:
            if _libc.unshare(_CLONE_NEWPID | _CLONE_NEWNET | _CLONE_NEWIPC | _CLONE_NEWUTS) == 0:
                confinement.append("pid+net namespaces")
                inner = os.fork()  # PID 1 of the new namespace: when it ends, all it started ends
                if inner:
                    os.close(out)
                    os.close(log)
                    os.close(prog)
                    _, status = os.waitpid(inner, 0)
                    if os.WIFSIGNALED(status):  # die the same way, so the zygote reports the cause
                        sig = os.WTERMSIG(status)
                        if sig not in (signal.SIGKILL, signal.SIGSTOP):
                            signal.signal(sig, signal.SIG_DFL)
                        os.kill(os.getpid(), sig)
                    os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 71)
                _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        _confine(out, log, prog, limits, isolate, job, confinement)
        from .worker import run_job
        run_job(job, 3, confinement, 4)
        code = 0
    except BaseException as exc:  # noqa: BLE001 - report anything, never return into the zygote's loop
        try:
            os.write(2, f"sandbox: {type(exc).__name__}: {exc}\n".encode())
        except OSError:
            pass
    finally:
        os._exit(code)


def _confine(out: int, log: int, prog: int, limits: Limits, isolate: bool, job: dict, confinement: list):
    import fcntl
    import resource
    devnull = os.open(os.devnull, os.O_RDONLY)
    # stdin, stdout, stderr, results, progress: moved above 9 first so no dup2 overwrites a source
    sources = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (devnull, log, log, out, prog)]
    for target, fd in enumerate(sources):
        os.dup2(fd, target)
    os.closerange(5, 1 << 16)
    sys.stdout = os.fdopen(1, "w", buffering=1, closefd=False)
    sys.stderr = os.fdopen(2, "w", buffering=1, closefd=False)
    if not isolate:
        return
    mapped = int(open("/proc/self/status").read().split("VmSize:")[1].split()[0]) << 10
    cpu = limits.cpu_s * max(1, len(job.get("parts", ())))  # per part, like the wall-clock limit
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 2))  # SIGXCPU first, then SIGKILL
    for res, value in ((resource.RLIMIT_AS, mapped + (limits.memory_mb << 20)),
                       (resource.RLIMIT_FSIZE, limits.output_mb << 20), (resource.RLIMIT_NOFILE, 256),
                       (resource.RLIMIT_NPROC, limits.nproc), (resource.RLIMIT_CORE, 0)):
        resource.setrlimit(res, (value, value))
    confinement.append("rlimits")
    if os.geteuid() == 0 and _python_readable_by_nobody():
        os.setgroups([])
        os.setgid(NOBODY)
        os.setuid(NOBODY)
        confinement.append("uid nobody")
    if "cuda" not in job.get("devices", ()):  # CUDA needs the driver's files; such jobs skip Landlock
        from . import landlock
        prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.path.dirname(os.__file__))}
        reads = sorted(prefixes | {p for p in sys.path if p and os.path.isdir(p) and "site-packages" in p}
                       | {"/usr", "/lib", "/lib64", "/etc", "/proc", "/dev/null", "/dev/urandom", "/sys/devices/system/cpu"})
        if landlock.restrict(read_paths=reads):
            confinement.append("landlock")
    os.environ["HOME"] = "/nonexistent"


def _python_readable_by_nobody() -> bool:
    """Dropping to `nobody` is only safe when it can still import the rest of Python's library."""
    path = os.path.dirname(os.__file__)
    while path not in ("/", ""):
        if not os.stat(path).st_mode & 0o001:
            return False
        path = os.path.dirname(path)
    return True
