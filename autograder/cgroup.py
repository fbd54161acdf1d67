"""One control group per job (created by the zygote, as root), below the zygote's own group, so that
whatever limits the machine already puts on the grader still hold:

- pids:   how many processes the job may have (RLIMIT_NPROC does not bind root; this does);
- memory: all the job's memory, every process of it together, page cache, shmem and memfd included
          (RLIMIT_AS is per process and does not count memfd pages); no swap;
- cpu:    a quota of CPUs, so that a job's threads cannot starve the other jobs.

cgroup v2 (/sys/fs/cgroup is cgroup2): one group with the three controllers, where the zygote's group
delegates them (its cgroup.subtree_control). cgroup v1 (separate hierarchies, as on this project's
machines): one group per controller. Where a controller is missing or not writable it is left out,
and `available()` (the confinement line) says so."""
import os
import signal
import time

ROOT = "/sys/fs/cgroup"
CONTROLLERS = ("pids", "memory", "cpu")


def _own(controller: str | None) -> str:
    """This process's group in the hierarchy of `controller` (None: the v2 unified hierarchy)."""
    try:
        for line in open("/proc/self/cgroup"):
            _, names, path = line.rstrip("\n").split(":", 2)
            if (controller is None and names == "") or (controller and controller in names.split(",")):
                return path
    except OSError:
        pass
    return "/"


def _is_v2() -> bool:
    return os.path.exists(os.path.join(ROOT, "cgroup.controllers"))


def _bases() -> dict:
    """controller -> the directory under which job groups are made."""
    if _is_v2():
        base = os.path.join(ROOT, _own(None).lstrip("/"))
        try:
            have = open(os.path.join(base, "cgroup.controllers")).read().split()
        except OSError:
            return {}
        try:   # delegate to the job groups what this group has (fails where it holds processes)
            with open(os.path.join(base, "cgroup.subtree_control"), "w") as f:
                f.write(" ".join("+" + c for c in CONTROLLERS if c in have))
        except OSError:
            pass
        try:
            enabled = open(os.path.join(base, "cgroup.subtree_control")).read().split()
        except OSError:
            enabled = []
        return {c: base for c in CONTROLLERS if c in enabled}
    found = {}
    for c in CONTROLLERS:
        hier = os.path.join(ROOT, c)
        if os.path.isdir(hier) and os.path.exists(os.path.join(hier, "cgroup.procs")):
            found[c] = os.path.join(hier, _own(c).lstrip("/"))
    return found


def _write(path: str, name: str, value) -> bool:
    try:
        with open(os.path.join(path, name), "w") as f:
            f.write(str(value))
        return True
    except OSError:
        return False


def create(name: str, pids: int, memory_mb: int, cpus: float) -> dict:
    """Groups for one job: controller -> directory (only those that could be made and limited)."""
    made: dict[str, str] = {}
    for c, base in _bases().items():
        path = os.path.join(base, name)
        if path in made.values():
            made[c] = path
            continue
        try:
            os.mkdir(path)
        except FileExistsError:
            pass
        except OSError:
            continue
        made[c] = path
    ok = {}
    for c, path in made.items():
        if c == "pids":
            good = _write(path, "pids.max", pids)
        elif c == "memory":
            limit = memory_mb << 20
            if _is_v2():
                good = _write(path, "memory.max", limit)
                _write(path, "memory.swap.max", 0)
                _write(path, "memory.oom.group", 1)
            else:
                good = _write(path, "memory.limit_in_bytes", limit)
                _write(path, "memory.memsw.limit_in_bytes", limit)
                _write(path, "memory.swappiness", 0)
        else:
            period = 100000
            quota = max(1000, int(cpus * period))
            if _is_v2():
                good = _write(path, "cpu.max", f"{quota} {period}")
            else:
                good = _write(path, "cpu.cfs_period_us", period) and _write(path, "cpu.cfs_quota_us", quota)
        if good:
            ok[c] = path
    for c, path in made.items():
        if c not in ok and path not in ok.values():
            _rmdir(path)
    return ok


def attach(groups: dict, pid: int):
    """Move `pid` into every group of the job (raises OSError if one refuses)."""
    for path in dict.fromkeys(groups.values()):
        with open(os.path.join(path, "cgroup.procs"), "w") as f:
            f.write(str(pid))


def remove(groups: dict | None):
    """Kill whatever is left in the job's groups, then remove them."""
    for path in dict.fromkeys((groups or {}).values()):
        _rmdir(path)


def _rmdir(path: str):
    for _ in range(200):   # the kernel empties it as the killed processes finish exiting
        try:
            os.rmdir(path)
            return
        except FileNotFoundError:
            return
        except OSError:
            for pid in _procs(path):
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.01)


def _procs(path: str) -> list[int]:
    try:
        with open(os.path.join(path, "cgroup.procs")) as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []




def remove_stale():
    """Job groups left by a zygote that was killed (their name, kit-<pid>-<job>, holds its pid)."""
    for base in set(_bases().values()) | {os.path.join(ROOT, "pids"), ROOT}:
        try:
            names = os.listdir(base)
        except OSError:
            continue
        for name in names:
            parts = name.split("-")
            if len(parts) == 3 and parts[0] == "kit" and parts[1].isdigit() and not os.path.exists(f"/proc/{parts[1]}"):
                _rmdir(os.path.join(base, name))


def available() -> list[str]:
    """Which controllers a job gets here, measured by making (and removing) a probe group."""
    if os.geteuid() != 0:
        return []
    groups = create(f"kit-probe-{os.getpid()}", 8, 64, 1.0)
    try:
        return [c for c in CONTROLLERS if c in groups]
    finally:
        remove(groups)
