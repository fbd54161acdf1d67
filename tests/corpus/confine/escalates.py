"""Tries, from inside one_hot_lookup, everything a worker left with privileges could do, and reports
what succeeded through its exception message: ATTACK-REPORT[...] (empty brackets: nothing did).
GRADER_PID and SECRET are filled in by tests/test_confine.py."""
import ctypes as _ct
import errno as _errno
import os as _os
import platform as _platform

GRADER_PID, SECRET = 0, "unset"


def one_hot_lookup(indices, weight):
    won = []
    libc = _ct.CDLL(None, use_errno=True)
    libc.syscall.restype = _ct.c_long
    x86 = _platform.machine() == "x86_64"

    def denied(nr, *args):   # the call reached the kernel's own checks unless it failed with EPERM
        r = libc.syscall(_ct.c_long(nr), *[_ct.c_long(a) for a in args])
        return r == -1 and _ct.get_errno() in (_errno.EPERM, _errno.ENOSYS)

    def attempt(name, fn):
        try:
            if fn():
                won.append(name)
        except Exception:
            pass

    attempt("root", lambda: _os.getuid() == 0 or _os.geteuid() == 0)
    attempt("capabilities", lambda: any(int(l.split()[1], 16) for l in open("/proc/self/status")
                                        if l.startswith(("CapEff", "CapPrm", "CapBnd", "CapAmb"))))
    attempt("no_new_privs unset", lambda: any(l.split()[1] == "0" for l in open("/proc/self/status")
                                              if l.startswith("NoNewPrivs")))
    attempt("no seccomp", lambda: any(l.split()[1] == "0" for l in open("/proc/self/status")
                                      if l.startswith("Seccomp:")))
    attempt("/etc/shadow", lambda: len(open("/etc/shadow").read()) >= 0)
    attempt("/root", lambda: len(_os.listdir("/root")) >= 0 and ".ssh" in _os.listdir("/root"))
    attempt("grader environ", lambda: SECRET.encode() in open(f"/proc/{GRADER_PID}/environ", "rb").read())
    attempt("/proc/1/environ", lambda: SECRET.encode() in open("/proc/1/environ", "rb").read())

    def scan():
        hits = 0
        for p in _os.listdir("/proc"):
            if p.isdigit():
                try:
                    hits += SECRET.encode() in open(f"/proc/{p}/environ", "rb").read()
                except OSError:
                    pass
        return hits
    attempt("some environ", lambda: scan() > 0)
    attempt("host processes", lambda: sum(p.isdigit() for p in _os.listdir("/proc")) > 8)
    attempt("grader pid", lambda: _os.path.exists(f"/proc/{GRADER_PID}/cmdline"))
    attempt("bpf", lambda: not denied(321 if x86 else 280, 0, 0, 0))
    attempt("perf_event_open", lambda: not denied(298 if x86 else 241, 0, 0, -1, -1, 0))
    attempt("ptrace", lambda: not denied(101 if x86 else 117, 16, GRADER_PID, 0, 0))   # PTRACE_ATTACH
    attempt("process_vm_readv", lambda: not denied(310 if x86 else 270, 1, 0, 0, 0, 0, 0))
    attempt("keyctl", lambda: not denied(250 if x86 else 219, 0, 0, 0, 0))
    attempt("mount", lambda: not denied(165 if x86 else 40, 0, 0, 0, 0, 0))
    attempt("unshare", lambda: libc.unshare(0x10000000) == 0)                         # CLONE_NEWUSER
    attempt("setns", lambda: not denied(308 if x86 else 268, 0, 0))
    attempt("SCHED_FIFO", lambda: _os.sched_setscheduler(0, _os.SCHED_FIFO, _os.sched_param(1)) is None)
    attempt("negative nice", lambda: _os.setpriority(_os.PRIO_PROCESS, 0, -5) is None)
    attempt("write /tmp", lambda: open("/tmp/kit-confine-probe", "w").write("x") >= 0)
    raise RuntimeError("ATTACK-REPORT[" + ",".join(won) + "]")


BREAKS = ("one_hot_lookup",)
MAY_BREAK = ("embedding_module",)
