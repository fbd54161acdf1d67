"""A seccomp-BPF filter, written with ctypes: system calls a sandboxed job has no use for, that give
it reach beyond its process (other processes' memory, the kernel's BPF and perf subsystems, mounts,
namespaces, keyrings, real-time scheduling, module loading, io_uring that bypasses this filter)
fail with EPERM. A system call of another architecture (x32 on x86-64, or a foreign audit arch)
kills the process. Applied last, after the privileges are gone, with no_new_privs set."""
import ctypes
import errno
import platform

from .linux import PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, libc

_AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
# name: (x86_64, aarch64); numbers from <asm/unistd_64.h> and <asm-generic/unistd.h>
_DENIED = {
    "ptrace": (101, 117), "process_vm_readv": (310, 270), "process_vm_writev": (311, 271),
    "bpf": (321, 280), "perf_event_open": (298, 241), "keyctl": (250, 219), "add_key": (248, 217),
    "request_key": (249, 218), "mount": (165, 40), "umount2": (166, 39), "pivot_root": (155, 41),
    "chroot": (161, 51), "setns": (308, 268), "unshare": (272, 97), "sched_setscheduler": (144, 119),
    "sched_setparam": (142, 118), "sched_setattr": (314, 274), "kexec_load": (246, 104),
    "kexec_file_load": (320, 294), "init_module": (175, 105), "finit_module": (313, 273),
    "delete_module": (176, 106), "open_by_handle_at": (304, 265), "name_to_handle_at": (303, 264),
    "userfaultfd": (323, 282), "io_uring_setup": (425, 425), "io_uring_enter": (426, 426),
    "io_uring_register": (427, 427), "fanotify_init": (300, 262), "swapon": (167, 224),
    "swapoff": (168, 225), "reboot": (169, 142), "acct": (163, 89), "settimeofday": (164, 170),
    "clock_settime": (227, 112), "clock_adjtime": (305, 266), "adjtimex": (159, 171),
    "quotactl": (179, 60), "syslog": (103, 116), "open_tree": (428, 428), "move_mount": (429, 429),
    "fsopen": (430, 430), "fsconfig": (431, 431), "fsmount": (432, 432), "fspick": (433, 433),
    "mount_setattr": (442, 442), "kcmp": (312, 272), "pidfd_getfd": (438, 438),
    "process_madvise": (440, 440), "ioprio_set": (251, 30), "lookup_dcookie": (212, 18),
    "vhangup": (153, 58), "iopl": (172, None), "ioperm": (173, None),
}
_SETPRIORITY = (141, 140)   # denied only for a negative nice value (its third argument)
_CLONE = (56, 220)          # denied when its flags (first argument) ask for a new namespace
_CLONE3 = (435, 435)        # ENOSYS: its flags live in memory a filter cannot read; libc falls back to clone
_CLONE_NEW_ANY = 0x7E020080  # NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET|NEWTIME

_LD_W_ABS, _JEQ, _JGE, _JSET, _RET = 0x20, 0x15, 0x35, 0x45, 0x06
_ALLOW, _KILL_PROCESS = 0x7FFF0000, 0x80000000
_EPERM, _ENOSYS = 0x00050000 | errno.EPERM, 0x00050000 | errno.ENOSYS
_NR, _ARCH, _ARG0, _ARG2 = 0, 4, 16, 32   # offsets in struct seccomp_data (little-endian low words)
_SECCOMP_MODE_FILTER = 2
_SYS_SECCOMP = {"x86_64": 317, "aarch64": 277}
_SECCOMP_SET_MODE_FILTER, _SECCOMP_FILTER_FLAG_TSYNC = 1, 1


class _Insn(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8), ("k", ctypes.c_uint32)]


class _Prog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_Insn))]


def denied_names() -> list[str]:
    return sorted(_DENIED) + ["setpriority (negative nice)", "clone (new namespaces)", "clone3"]


def program(machine: str | None = None) -> list[tuple]:
    """The filter for this machine's architecture, as (code, jt, jf, k) instructions."""
    machine = machine or platform.machine()
    if machine not in _AUDIT_ARCH:
        raise OSError(errno.ENOSYS, f"no seccomp filter for architecture {machine}")
    col = 0 if machine == "x86_64" else 1
    p = [(_LD_W_ABS, 0, 0, _ARCH), (_JEQ, 1, 0, _AUDIT_ARCH[machine]), (_RET, 0, 0, _KILL_PROCESS),
         (_LD_W_ABS, 0, 0, _NR)]
    if machine == "x86_64":   # x32 system calls: the same kernel entry with bit 30 set
        p += [(_JGE, 0, 1, 0x40000000), (_RET, 0, 0, _KILL_PROCESS)]
    for nrs in _DENIED.values():
        if nrs[col] is not None:
            p += [(_JEQ, 0, 1, nrs[col]), (_RET, 0, 0, _EPERM)]
    p += [(_JEQ, 0, 1, _CLONE3[col]), (_RET, 0, 0, _ENOSYS)]
    p += [(_JEQ, 0, 4, _SETPRIORITY[col]), (_LD_W_ABS, 0, 0, _ARG2), (_JGE, 0, 1, 0x80000000),
          (_RET, 0, 0, _EPERM), (_RET, 0, 0, _ALLOW)]
    p += [(_JEQ, 0, 4, _CLONE[col]), (_LD_W_ABS, 0, 0, _ARG0), (_JSET, 0, 1, _CLONE_NEW_ANY),
          (_RET, 0, 0, _EPERM), (_RET, 0, 0, _ALLOW)]
    p += [(_RET, 0, 0, _ALLOW)]
    return p


def supported() -> bool:
    import sys
    return sys.platform.startswith("linux") and platform.machine() in _AUDIT_ARCH


def install() -> bool:
    """Set no_new_privs and load the filter on every thread of this process; False where there is
    no filter for this system (the confinement line says "no seccomp"); raises OSError if loading fails."""
    if not supported():
        return False
    insns = program()
    arr = (_Insn * len(insns))(*[_Insn(*i) for i in insns])
    prog = _Prog(len(insns), arr)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(NO_NEW_PRIVS) failed")
    nr = _SYS_SECCOMP[platform.machine()]
    if libc.syscall(ctypes.c_long(nr), ctypes.c_ulong(_SECCOMP_SET_MODE_FILTER),
                    ctypes.c_ulong(_SECCOMP_FILTER_FLAG_TSYNC), ctypes.byref(prog)) != 0:
        if libc.prctl(PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "seccomp filter could not be loaded")
    return True


def active() -> bool:
    """Whether this process runs under a seccomp filter (from /proc/self/status)."""
    try:
        with open("/proc/self/status") as f:
            return any(line.startswith("Seccomp:") and line.split()[1] == "2" for line in f)
    except OSError:
        return False
