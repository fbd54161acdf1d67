"""The zygote: a fresh Python that imports torch and the public driver once, then forks one confined
job per request (spawn.py) and reports how each ended. It never holds a submission, a check or an
expected value (see sandbox.py for the process tree).

One `selectors` loop serves every grader's channel and watches every job: each registration carries
its own state, a Channel (a grader's socket) or a Running job (its pidfd, whose readiness means the
job has exited). A job is known by (channel, the grader's job id); its uid and cgroup by this
zygote's own count. The zygote kills a job at its deadline; nothing the job does can extend it.
"""
import json
import os
import selectors
import signal
import socket
import sys
import time
from dataclasses import dataclass, field

from . import cgroup
from .linux import PR_SET_CHILD_SUBREAPER, PR_SET_PDEATHSIG, prctl
from .sandbox import Limits
from .spawn import own_pid_namespace, spawn


@dataclass
class Channel:
    """A grader's channel: requests in ({"id", "devices", "wall_s", ...} with two descriptors, or
    {"kill": id}), reports out."""
    sock: socket.socket
    jobs: dict = field(default_factory=dict)   # the grader's job id -> Running


@dataclass
class Running:
    """A job this zygote started: its pid, its pidfd (registered), and what the report needs."""
    pid: int
    pidfd: int
    channel: Channel
    id: int
    start: float
    deadline: float
    cpu_s: int
    cgroup: dict


def serve():
    """Entry of the zygote (sandbox.start_zygote): warm up, then fork jobs on request."""
    import gc
    args = json.loads(sys.argv[1])
    socks = [socket.socket(fileno=fd) for fd in args["fds"]]
    from . import driver, landlock, privilege, seccomp  # noqa: F401 - imported once here, not by every job
    driver.warm_up()
    gc.collect()
    gc.freeze()   # forked jobs never walk (and so copy) the zygote's objects
    try:
        Zygote(socks, Limits(**args["limits"]), args["isolate"]).run()
    finally:
        os._exit(0)


class Zygote:
    def __init__(self, socks: list, limits: Limits, isolate: bool):
        self.limits, self.isolate = limits, isolate
        self.selector = selectors.DefaultSelector()
        self.channels = 0
        self.running: dict[int, Running] = {}   # pid -> job
        self.reaped: dict[int, int] = {}        # job pid -> wait status, when the orphan sweep collected it first
        self.serial = 0
        for sock in socks:
            self.selector.register(sock, selectors.EVENT_READ, Channel(sock))
            self.channels += 1

    def run(self):
        """Serve until every channel is closed and every job done."""
        signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is the grader's to handle
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        prctl(PR_SET_CHILD_SUBREAPER, 1)               # orphans of a job come back here, to be reaped
        if self.isolate:
            cgroup.remove_stale()
            if os.geteuid() == 0:
                own_pid_namespace()   # opened before any job's namespace exists
        while self.channels or self.running:
            now = time.monotonic()
            timeout = min((r.deadline for r in self.running.values()), default=now + 1.0) - now
            for key, _ in self.selector.select(max(0.0, timeout) + 0.001):
                if isinstance(key.data, Channel):
                    self.request(key.data)
                elif key.data.pid in self.running:
                    self.finish(key.data)
            now = time.monotonic()
            for r in [r for r in self.running.values() if now >= r.deadline]:
                kill_job(r.pid)
                self.finish(r, status="timeout", detail="run.timeout", args={"seconds": round(r.deadline - r.start, 1)})
            reap_orphans(set(self.running), self.reaped)

    def request(self, channel: Channel):
        try:
            msg, fds, _flags, _addr = socket.recv_fds(channel.sock, 65536, 4)
        except OSError:
            msg, fds = b"", []
        if not msg:   # that grader is done: its running jobs end on their own (their channels close)
            self.selector.unregister(channel.sock)
            self.channels -= 1
            channel.sock.close()   # its reader sees the end (a report for it now fails quietly)
            _close(fds)
            return
        cmd = json.loads(msg)
        if "kill" in cmd:
            _close(fds)
            if cmd["kill"] in channel.jobs:
                kill_job(channel.jobs[cmd["kill"]].pid)
            return
        if len(fds) != 2:
            _close(fds)
            return
        self.serial += 1
        groups = (cgroup.create(f"kit-{os.getpid()}-{self.serial}", self.limits.nproc, self.limits.memory_mb,
                                self.limits.cpus) if self.isolate and os.geteuid() == 0 else {})
        pid = spawn(dict(cmd, serial=self.serial), fds, groups, self.limits, self.isolate)
        _close(fds)
        start = time.monotonic()
        job = Running(pid, os.pidfd_open(pid), channel, cmd["id"], start,
                      start + float(cmd.get("wall_s", self.limits.wall_s)), int(cmd.get("cpu_s", self.limits.cpu_s)),
                      groups)
        self.selector.register(job.pidfd, selectors.EVENT_READ, job)
        self.running[pid] = job
        channel.jobs[job.id] = job

    def finish(self, r: Running, **res):
        """The job has ended (or is killed now): collect it and report to its grader."""
        del self.running[r.pid]
        r.channel.jobs.pop(r.id, None)
        self.selector.unregister(r.pidfd)
        os.close(r.pidfd)
        cpu = 0.0
        if r.pid in self.reaped:
            status = self.reaped.pop(r.pid)
        else:
            _, status, ru = os.wait4(r.pid, 0)
            cpu = ru.ru_utime + ru.ru_stime
        cgroup.remove(r.cgroup)
        if not res and os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL and cpu >= r.cpu_s:
            res = {"status": "killed", "detail": "run.SIGXCPU", "args": {"signal": "SIGXCPU"}}   # the hard CPU limit
        report = {"id": r.id, "seconds": time.monotonic() - r.start, "cpu": cpu, **(res or describe_exit(status))}
        try:
            r.channel.sock.send(json.dumps(report).encode())
        except OSError:
            pass


def _close(fds):
    for f in fds:
        os.close(f)


def reap_orphans(jobs: set, reaped: dict):
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


def kill_job(pid):
    for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        try:
            target()
        except OSError:
            pass


def describe_exit(status) -> dict:
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
