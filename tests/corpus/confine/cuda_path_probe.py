"""On the CUDA jobs' confinement path: tries to read the course's gradebook and the grader's code,
to write into the course and /tmp, and reports what succeeded: ATTACK-REPORT[...]."""
import os as _os

COURSE = ''


def one_hot_lookup(indices, weight):
    won = []
    here = _os.path.dirname(_os.path.dirname(_os.path.abspath(_os.__file__)))

    def attempt(name, fn):
        try:
            fn()
            won.append(name)
        except Exception:
            pass
    attempt("read gradebook", lambda: open(_os.path.join(COURSE, "gradebook.db")).read())
    attempt("list course", lambda: _os.listdir(COURSE))
    attempt("write course", lambda: open(_os.path.join(COURSE, "planted.ipynb"), "w").write("{}"))
    attempt("write tmp", lambda: open("/tmp/kit-cuda-probe", "w").write("x"))
    attempt("read /etc/shadow", lambda: open("/etc/shadow").read())
    attempt("root", lambda: 1 / (_os.getuid() == 0))
    attempt("not on the CUDA path", lambda: 1 / (_os.environ.get("KIT_SANDBOX_CUDA_PATH") != "1"))
    raise RuntimeError("ATTACK-REPORT[" + ",".join(won) + "]")


BREAKS = ("one_hot_lookup",)
