"""From inside a job, at load time: walks every folder it can see (the checkout, its parent, the
course, the file system's root and its usual folders, Python's folders, the folders of every module
already imported — the driver's among them) without following links, reads every regular file it
may open (bounded: BUDGET_S seconds, MAX_FILES files), looks in each for the MARKERS (lines of the
hidden graders, the solutions, the sources and the course), and leaves what it did in REPORT.
REPO, VENV (the grader's Python environment), COURSE and MARKERS are filled in by
tests/test_confine.py (a job gets no environment to read them from). It is run straight in a job,
past the static rules: what it shows is what Landlock lets any code in a job read."""
import os as _os
import stat as _stat
import sys as _sys
import time as _time

REPO, VENV, COURSE, MARKERS = '', '', '', {}
BUDGET_S, MAX_FILES = 5.0, 20000
SKIP = ("/proc", "/sys", "/dev")   # endless or blocking files, and not the kit's


def _walk():
    started = _time.monotonic()
    venv = VENV or "/nonexistent"
    around = _os.path.dirname(REPO) if _os.path.dirname(REPO) != "/" else REPO

    def inside(path, folder):
        return path == folder or path.startswith(folder.rstrip("/") + "/")

    def secret(path):   # what the job must not see: the checkout (but its venv), its parent's, the course
        return ((inside(path, around) and not inside(path, venv))
                or inside(path, COURSE))

    starts = [REPO, _os.path.join(REPO, "autograder"), _os.path.join(REPO, "autograder", "graders"),
              _os.path.join(REPO, "solutions"), _os.path.join(REPO, "source"), COURSE, _os.path.dirname(REPO),
              "/", _os.getcwd()]
    starts += [_os.path.dirname(m.__file__) for m in list(_sys.modules.values())
               if isinstance(getattr(m, "__file__", None), str)]
    starts += [p for p in _sys.path if p] + [_sys.prefix, _sys.base_prefix, _sys.exec_prefix]
    starts += ["/" + d for d in ("usr", "lib", "lib64", "etc", "root", "home", "tmp", "var", "opt", "srv",
                                 "mnt", "work", "autograder")]
    known = [_os.path.join(REPO, "autograder", "graders", "test_embedding_backward.py"),
             _os.path.join(REPO, "solutions", "embedding", "embedding.ipynb"),
             _os.path.join(REPO, "source", "embedding", "embedding.ipynb"),
             _os.path.join(COURSE, "gradebook.db"),
             "/proc/self/root" + _os.path.join(REPO, "autograder", "graders", "test_embedding_backward.py"),
             "/proc/self/cwd/" + _os.path.relpath(_os.path.join(REPO, "autograder", "graders", "conftest.py"), "/")]
    report = {"read": 0, "venv": 0, "listed": 0, "found": [], "secret_reads": [], "secret_lists": [], "stdlib": False,
              "seconds": 0.0, "complete": False}
    markers = {name: text.encode() for name, text in MARKERS.items()}
    stdlib = _os.path.dirname(_os.__file__)

    def read(path):
        hidden = secret(path) or path in known
        try:
            fd = _os.open(path, _os.O_RDONLY | _os.O_NONBLOCK | _os.O_NOFOLLOW | _os.O_CLOEXEC)
        except OSError:
            return
        try:
            if not _stat.S_ISREG(_os.fstat(fd).st_mode):
                return
            data = _os.read(fd, 4 << 20 if hidden else 256 << 10)
        except OSError:
            return
        finally:
            _os.close(fd)
        report["read"] += 1
        report["venv"] += inside(path, venv)
        if hidden:
            report["secret_reads"].append(path)
        if _os.path.dirname(path) == stdlib and path.endswith("/os.py"):
            report["stdlib"] = True
        for name, text in markers.items():
            if text in data and name not in report["found"]:
                report["found"].append(name)

    for path in known:
        read(path)
    queue, seen = [], set()
    for s in starts:
        if s and s not in seen:
            seen.add(s)
            queue.append(s)
    hot = [q for q in queue if secret(q)]
    cold = [q for q in queue if not secret(q)]
    while hot or cold:
        if _time.monotonic() - started > BUDGET_S or report["read"] >= MAX_FILES:
            break
        folder = (hot or cold).pop(0)
        if any(inside(folder, s) for s in SKIP):
            continue
        try:
            names = sorted(_os.listdir(folder))
        except OSError:
            continue
        report["listed"] += 1
        if secret(folder):
            report["secret_lists"].append(folder)
        for name in names:
            path = _os.path.join(folder, name)
            try:
                mode = _os.lstat(path).st_mode
            except OSError:
                continue
            if _stat.S_ISDIR(mode) and path not in seen:
                seen.add(path)
                (hot if secret(path) else cold).append(path)
            elif _stat.S_ISREG(mode) and report["read"] < MAX_FILES:
                read(path)
    else:
        report["complete"] = True
    try:   # a folder that the CUDA jobs' rules alone let a job read: which path did this job take?
        report["cuda_rules"] = len(_os.listdir("/sys/bus/pci")) >= 0
    except OSError:
        report["cuda_rules"] = False
    report["seconds"] = round(_time.monotonic() - started, 2)
    report["secret_reads"] = report["secret_reads"][:20]
    report["secret_lists"] = report["secret_lists"][:20]
    return report


REPORT = _walk()
