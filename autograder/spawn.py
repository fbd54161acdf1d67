"""Spawning one job and confining it (the zygote calls `spawn`; see sandbox.py for the process tree).

A job is PID 1 of new PID, network, IPC, UTS and mount namespaces (as root), in its own session and
cgroups, under rlimits, with no privileges (privilege.py), Landlock (landlock.py) and seccomp
(seccomp.py); it receives the submission only afterwards, over its own channel, and serves
driver.py. `confinement()` says, from the grader's side, what a job here is confined by.
"""
import os
import signal
import socket
import sys

from . import REPO, cgroup
from .linux import CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWUTS, PR_SET_PDEATHSIG, errno, libc, prctl

# each job runs as a uid (and gid) of its own, from a range no account or file on the host uses:
# others' permission bits apply to it everywhere, and RLIMIT_NPROC counts that job's processes only
JOB_UID_BASE = 0x70000000
# set to 1 to let jobs run when they cannot be confined (they would keep root): never on a real course
ALLOW_ROOT_ENV = "KIT_ALLOW_ROOT_SANDBOX"
# set to 1 to send CPU-only jobs down the CUDA jobs' confinement path (to test it on a machine without GPU)
CUDA_PATH_ENV = "KIT_SANDBOX_CUDA_PATH"


def spawn(cmd: dict, fds: list, groups: dict, limits, isolate: bool) -> int:
    """Fork one job for `cmd` (its id, devices, limits); returns its pid."""
    uid = JOB_UID_BASE + ((os.getpid() & 0xFFFF) << 12) + (int(cmd["serial"]) & 0xFFF)   # this zygote's, this job's
    # The job is PID 1 of a PID namespace of its own (when it ends, all it started ends): the
    # namespace is made for the next child only, and this process's own is restored at once. (A
    # fork, then unshare, then a second fork for PID 1 cost another page-table copy: ~15 ms a job.)
    pid_ns = isolate and os.geteuid() == 0 and libc.unshare(CLONE_NEWPID) == 0
    pid = -1
    try:
        pid = os.fork()
    finally:
        if pid_ns and pid != 0 and libc.setns(own_pid_namespace(), CLONE_NEWPID) != 0:
            raise OSError(errno(), "could not restore the zygote's PID namespace")
    if pid:
        return pid
    code = 70
    try:
        os.setsid()
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        channel, log = fds   # every other descriptor (the graders' channels among them) is closed by _confine
        if groups:
            cgroup.attach(groups, 0)   # 0: the writer itself (its pid is 1 in its own namespace)
        cmd = dict(cmd, uid=uid)
        if pid_ns and libc.unshare(CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNS) == 0:
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


def own_pid_namespace() -> int:
    """A descriptor of the zygote's own PID namespace, opened once."""
    if not _PID_NS_FD:
        _PID_NS_FD.append(os.open("/proc/self/ns/pid", os.O_RDONLY | os.O_CLOEXEC))
    return _PID_NS_FD[0]


def _confine(channel: int, log: int, limits, isolate: bool, cmd: dict):
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
