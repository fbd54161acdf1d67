"""Taking a job's privileges away, in its own mount namespace (a job started as root):

- `private_mounts`: the mounts become private to the job; a fresh procfs over /proc shows only the
  job's PID namespace (no host process, no grader environment); a directory on the way to Python
  that an unprivileged user cannot traverse (Python under root's 0700 home) is covered by an empty
  tmpfs into which only the trees Python needs are bind-mounted, read-only: the rest of that home
  (keys, tokens) is not there at all.
- `drop_to`: every capability goes, bounding and ambient sets included; the job takes a uid and gid
  of its own that owns no file on the host (others' permission bits apply everywhere).
"""
import ctypes
import os
import sys

from . import REPO
from .linux import (AT_FDCWD, AT_RECURSIVE, MOVE_MOUNT_F_EMPTY_PATH, MS_BIND, MS_NODEV, MS_NOEXEC,
                    MS_NOSUID, MS_PRIVATE, MS_RDONLY, MS_REC, MS_REMOUNT, OPEN_TREE_CLONE, PR_CAP_AMBIENT,
                    PR_CAP_AMBIENT_CLEAR_ALL, PR_CAPBSET_DROP, SYS_MOVE_MOUNT, SYS_OPEN_TREE, libc)


class Refused(RuntimeError):
    """The job cannot be confined here; it must not run."""


def _mount(src, target, fstype, flags, data=None):
    if libc.mount(src and src.encode(), target.encode(), fstype and fstype.encode(), flags,
                   data and ctypes.c_char_p(data.encode())) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount {target}: {os.strerror(err)}")


def needed_paths() -> list[str]:
    """What a job reads of Python: its prefixes, the standard library, site-packages. Nothing of the
    kit's folder (on sys.path through PYTHONPATH) but a venv in it: the zygote imported the driver
    before any job existed."""
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.__file__)}
    paths |= {p for p in sys.path if p and os.path.isdir(p)}
    paths = {os.path.realpath(p) for p in paths} | paths
    return sorted(paths - {REPO, os.path.realpath(REPO)})


def _blocked_ancestor(path: str) -> str | None:
    """The highest directory above (or at) `path` that others may not search, if any."""
    found, p = None, os.path.dirname(path) if not os.path.isdir(path) else path
    while p not in ("/", ""):
        try:
            if not os.stat(p).st_mode & 0o001:
                found = p
        except OSError:
            return None
        p = os.path.dirname(p)
    return found


def private_mounts(paths=None) -> list[str]:
    """In a fresh mount namespace, as root: see the module's docstring. Returns the directories
    covered by a tmpfs (for the confinement line). Raises Refused when that cannot be done."""
    paths = paths if paths is not None else needed_paths()
    try:
        _mount(None, "/", None, MS_REC | MS_PRIVATE)
        covered: dict[str, list[str]] = {}
        for p in paths:
            real = os.path.realpath(p)
            for q in {p, real}:
                top = _blocked_ancestor(q)
                if top and os.path.isdir(real):
                    covered.setdefault(top, []).append(real)
        for top, inner in sorted(covered.items()):
            # keep only the outermost of nested trees
            inner = sorted(set(inner))
            inner = [d for i, d in enumerate(inner) if not any(d.startswith(o + "/") for o in inner[:i])]
            inner = [d for d in inner if d == top or d.startswith(top + "/")]
            clones = []
            for d in inner:
                fd = libc.syscall(ctypes.c_long(SYS_OPEN_TREE), ctypes.c_int(AT_FDCWD), d.encode(),
                                   ctypes.c_uint(OPEN_TREE_CLONE | AT_RECURSIVE | os.O_CLOEXEC))
                if fd < 0:
                    raise OSError(ctypes.get_errno(), f"open_tree {d}")
                clones.append((d, fd))
            _mount("tmpfs", top, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=64k")
            for d, fd in clones:
                os.makedirs(d, mode=0o755, exist_ok=True)
                if libc.syscall(ctypes.c_long(SYS_MOVE_MOUNT), ctypes.c_int(fd), b"", ctypes.c_int(AT_FDCWD),
                                 d.encode(), ctypes.c_uint(MOVE_MOUNT_F_EMPTY_PATH)) != 0:
                    raise OSError(ctypes.get_errno(), f"move_mount {d}")
                os.close(fd)
                _mount(None, d, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
            _mount(None, top, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
        for options in ("hidepid=invisible", "hidepid=2", None):   # "invisible" needs Linux >= 5.8
            try:
                _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, options)
                break
            except OSError:
                if options is None:
                    raise
        return sorted(covered)
    except OSError as exc:
        raise Refused(f"the sandbox could not set up its mounts: {exc}") from None


def drop_to(uid: int, gid: int):
    """Lose every capability for good and become uid/gid (which own nothing). Raises Refused."""
    try:
        last = int(open("/proc/sys/kernel/cap_last_cap").read())
    except (OSError, ValueError):
        last = 63
    try:
        for cap in range(last + 1):
            if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
                raise OSError(ctypes.get_errno(), f"PR_CAPBSET_DROP {cap}")
        libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
        os.setgroups([])
        os.setresgid(gid, gid, gid)
        os.setresuid(uid, uid, uid)   # from root to non-root: permitted and effective sets are cleared
    except OSError as exc:
        raise Refused(f"the sandbox could not drop privileges: {exc}") from None
    status = open("/proc/self/status").read()
    caps = {l.split(":")[0]: int(l.split()[1], 16) for l in status.splitlines() if l.startswith("Cap")}
    if os.getuid() == 0 or os.geteuid() == 0 or any(caps.get(k) for k in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")):
        raise Refused(f"the sandbox could not drop privileges: uid {os.geteuid()}, {caps}")


def check_python_readable():
    """After the drop: can this process still read what Python needs? Raises Refused if not."""
    for p in (os.__file__, os.path.dirname(os.__file__)):
        if not os.access(p, os.R_OK):
            raise Refused(f"the sandbox could not drop privileges: {p} is not readable by an unprivileged "
                          "user (install Python where others may read it, or grade as root so the "
                          "sandbox can expose it)")
