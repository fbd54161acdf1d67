"""Landlock (Linux >= 5.13) through its three system calls: after restrict(), this process and its
children can read only the given paths, write no file they did not already have open, open no TCP
connection, and (ABI >= 6) signal no process outside the sandbox. Works without privileges."""
import ctypes
import os

_RULE_PATH_BENEATH, _RULE_NET_PORT = 1, 2
# filesystem rights, in ABI order (ABI 1: the first 13; 2: REFER; 3: TRUNCATE; 5: IOCTL_DEV)
EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1, 2, 4, 8
_FS_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 4: (1 << 15) - 1, 5: (1 << 16) - 1}
_NET_ALL = 0b11            # BIND_TCP | CONNECT_TCP (ABI >= 4)
_SCOPE_ALL = 0b11          # ABSTRACT_UNIX_SOCKET | SIGNAL (ABI >= 6)

from .linux import (PR_SET_NO_NEW_PRIVS, SYS_LANDLOCK_ADD_RULE, SYS_LANDLOCK_CREATE_RULESET,
                    SYS_LANDLOCK_RESTRICT_SELF, libc)


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def abi() -> int:
    """The kernel's Landlock ABI version, or 0 when Landlock is absent or disabled."""
    v = libc.syscall(SYS_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    return max(int(v), 0)


def restrict(read_paths=(), write_paths=()) -> int:
    """Confine this process; returns the ABI used (0: nothing done, Landlock unavailable)."""
    version = abi()
    if version == 0:
        return 0
    fs = _FS_BY_ABI.get(version, _FS_BY_ABI[5])
    attr = _RulesetAttr(fs, _NET_ALL if version >= 4 else 0, _SCOPE_ALL if version >= 6 else 0)
    size = ctypes.sizeof(_RulesetAttr) if version >= 6 else (16 if version >= 4 else 8)
    rs = libc.syscall(SYS_LANDLOCK_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    if rs < 0:
        raise OSError(ctypes.get_errno(), "landlock_create_ruleset failed")
    try:
        read = EXECUTE | READ_FILE | READ_DIR
        for paths, access in ((read_paths, read), (write_paths, fs)):
            for path in paths:
                try:
                    fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
                except OSError:
                    continue
                try:
                    is_dir = os.path.isdir(path)
                    # on a file only file rights apply: TRUNCATE (ABI 3) and IOCTL_DEV (ABI 5: a CUDA
                    # driver's device files are driven by ioctl) where the rule grants them
                    rule = _PathBeneath(access if is_dir else access & (EXECUTE | READ_FILE | WRITE_FILE | (1 << 14) | (1 << 15)), fd)
                    if libc.syscall(SYS_LANDLOCK_ADD_RULE, ctypes.c_int(rs), ctypes.c_int(_RULE_PATH_BENEATH),
                                     ctypes.byref(rule), ctypes.c_uint32(0)) < 0:
                        raise OSError(ctypes.get_errno(), f"landlock_add_rule failed for {path}")
                finally:
                    os.close(fd)
        if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(NO_NEW_PRIVS) failed")
        if libc.syscall(SYS_LANDLOCK_RESTRICT_SELF, ctypes.c_int(rs), ctypes.c_uint32(0)) < 0:
            raise OSError(ctypes.get_errno(), "landlock_restrict_self failed")
    finally:
        os.close(rs)
    return version
