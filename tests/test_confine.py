"""The worker's confinement, measured from inside: a submission that tries what a privileged worker
could do (tests/corpus/confine/escalates.py) reports what succeeded through its exception message,
and nothing may have. Graded as root, the worker must hold no capability, no root uid, and see
neither /etc/shadow, nor root's home, nor any host process or the grader's environment."""
import os
import re
from pathlib import Path

import pytest

from conftest import BASE, CORPUS
from autograder.sandbox import ENV_KEPT

ATTACK = CORPUS / "confine" / "escalates.py"


def _secret() -> str:
    """A NAME=value entry of this (the grader's) process's environment that jobs never receive."""
    entries = open("/proc/self/environ", "rb").read().split(b"\0")
    for e in entries:
        name = e.split(b"=", 1)[0].decode(errors="replace")
        if e and b"=" in e and name not in ENV_KEPT and not name.startswith("PYTHON") and len(e) > 6:
            return e.decode(errors="replace")
    pytest.skip("this process has no environment entry a job does not receive")


def _submission(tmp_path):
    src = ATTACK.read_text().replace('GRADER_PID, SECRET = 0, "unset"',
                                     f"GRADER_PID, SECRET = {os.getpid()}, {_secret()!r}")
    out = tmp_path / "escalates.py"
    out.write_text(BASE.read_text() + "\n\n" + src)
    return out


def _report(result) -> list[str]:
    text = " ".join(t.message for t in result.parts["one_hot_lookup"].tests)
    found = re.findall(r"ATTACK-REPORT\[([^\]]*)\]", text)
    assert found, f"the attack never reported (is the code running?): {text[:2000]}"
    return sorted({w for f in found for w in f.split(",") if w})


def _full_marks(result) -> bool:
    """Every part that has graders scored full marks (a branch may lack a part's grader file)."""
    return all(p.score == p.max_score for p in result.parts.values() if p.tests)


def test_worker_holds_no_privilege(tmp_path):
    from autograder.grade import Grader
    from autograder.sandbox import Limits
    with Grader(["cpu"], limits=Limits(wall_s=60, cpu_s=40)) as g:
        result = g.grade(_submission(tmp_path))
        won = _report(result)
        if os.geteuid() != 0:   # not root: no namespaces nor uid change; the seccomp filter still holds
            won = [w for w in won if w not in ("host processes", "grader pid", "some environ", "grader environ")]
        assert won == [], f"the worker could: {won}"
        # the other parts ran normally (their score is zeroed by the static rules: the attack imports ctypes)
        assert all(t.passed for t in result.parts["embedding_backward"].tests if t.name != "uses_its_own_code")
        assert _full_marks(g.grade(BASE))


@pytest.mark.skipif(os.geteuid() != 0, reason="the CUDA path's confinement is the root grader's")
def test_cuda_path_keeps_landlock(tmp_path, monkeypatch):
    """A job on the CUDA jobs' path (taken on a CPU machine by KIT_SANDBOX_CUDA_PATH=1, the same
    code) cannot read the course, nor write anything, nor escalate."""
    from autograder.grade import Grader
    from autograder.sandbox import Limits
    monkeypatch.setenv("KIT_SANDBOX_CUDA_PATH", "1")
    course = tmp_path / "course"
    course.mkdir()
    (course / "gradebook.db").write_text("grades")
    os.chmod(course, 0o777)   # even world-writable: the job may not write there
    probe = CORPUS / "confine" / "cuda_path_probe.py"
    sub = tmp_path / "probe.py"
    sub.write_text(BASE.read_text() + "\n\n" + probe.read_text().replace("COURSE = ''", f"COURSE = {str(course)!r}"))
    with Grader(["cpu"], limits=Limits(wall_s=60, cpu_s=40)) as g:
        result = g.grade(sub)
    won = _report(result)
    assert won == [], f"a job on the CUDA path could: {won}"
    assert sorted(os.listdir(course)) == ["gradebook.db"]


def _longest_line(path: Path, unlike: Path | None = None) -> str:
    """A file's longest line (of at most 300 characters, and not in `unlike`): text that no file a
    job may read holds."""
    other = {line.strip() for line in unlike.read_text().splitlines()} if unlike else set()
    return max((line.strip() for line in path.read_text().splitlines()
                if len(line.strip()) <= 300 and line.strip() not in other), key=len)


@pytest.mark.skipif(not __import__("autograder.landlock").landlock.abi(), reason="no Landlock on this kernel")
@pytest.mark.parametrize("cuda_path", [False, True], ids=["cpu-path", "cuda-path"])
def test_a_job_reads_its_python_and_nothing_of_the_kit_or_the_course(monkeypatch, cuda_path):
    """A job walks every folder it can see and reads every file it may open
    (tests/corpus/confine/reads_what_it_can.py, run straight in a job, on the CPU and the CUDA jobs'
    paths): it reads Python's standard library and the venv's packages (even where the venv lives
    inside the checkout), and nothing of the checkout otherwise (not the hidden graders, not the
    driver's file, not solutions/ nor source/), of its parent folder, or of a course folder that
    only Landlock keeps from it (its modes let anyone read it)."""
    import shutil
    import sys
    import tempfile
    from autograder import wire
    from autograder.sandbox import Limits, Sandbox
    from autograder.spawn import CUDA_PATH_ENV
    from conftest import ROOT
    if cuda_path:
        monkeypatch.setenv(CUDA_PATH_ENV, "1")
    else:
        monkeypatch.delenv(CUDA_PATH_ENV, raising=False)
    course = Path(tempfile.mkdtemp(prefix="kit-course-"))
    try:
        os.chmod(course, 0o755)
        secret = f"gradebook-{os.urandom(8).hex()}"
        (course / "gradebook.db").write_text(secret)
        stub = ROOT / "assignments" / "embedding" / "embedding.ipynb"   # what students get: not secret
        markers = {"graders": _longest_line(ROOT / "autograder" / "graders" / "test_embedding_backward.py"),
                   "graders' conftest": _longest_line(ROOT / "autograder" / "graders" / "conftest.py"),
                   "driver": _longest_line(ROOT / "autograder" / "driver.py"),
                   "solutions": _longest_line(ROOT / "solutions" / "embedding" / "embedding.ipynb", stub),
                   "source": _longest_line(ROOT / "source" / "embedding" / "embedding.ipynb", stub),
                   "course": secret,
                   "stdlib": next(l for l in Path(os.__file__).read_text().splitlines() if l.startswith("def makedirs("))}
        probe = (CORPUS / "confine" / "reads_what_it_can.py").read_text()
        filled = probe.replace("REPO, VENV, COURSE, MARKERS = '', '', '', {}",
                               f"REPO, VENV, COURSE, MARKERS = {str(ROOT)!r}, {sys.prefix!r}, {str(course)!r}, {markers!r}")
        assert filled != probe
        with Sandbox(Limits(wall_s=60, cpu_s=40)) as box:
            job = box.job(["cpu"])
            reply, tensors = job.request({"ops": [{"op": "load", "code": [["probe", filled]], "standins": []},
                                                  {"op": "fetch", "value": {"N": "REPORT"}}]}, {})
            job.close()
    finally:
        shutil.rmtree(course, ignore_errors=True)
    done = reply["done"]
    assert len(done) == 2 and "ok" in done[1], done
    report = wire.decode(done[1]["ok"], tensors, lambda t, dev, rg: t)
    if os.path.isdir("/sys/bus/pci"):
        assert report["cuda_rules"] == cuda_path, report
    # it did walk and read: Python's own library, the venv's packages
    assert report["stdlib"] and "stdlib" in report["found"] and report["read"] >= 300, report
    if Path(sys.prefix).resolve().is_relative_to(ROOT):
        assert report["venv"] > 0, report
    # and saw nothing else of the checkout, its parent or the course
    seen = {k: report[k] for k in ("secret_reads", "secret_lists", "found")}
    assert seen == {"secret_reads": [], "secret_lists": [], "found": ["stdlib"]}, report


def test_a_read_rule_that_holds_the_kit_is_found():
    """A job refuses to run when a folder it would read holds the kit's (a Python installed above the
    checkout, a venv made in the checkout itself); a venv inside it (.venv) is fine."""
    from autograder import REPO
    from autograder.spawn import holds_the_kit
    parent = os.path.dirname(REPO)
    assert holds_the_kit([REPO, parent, "/", os.path.join(REPO, ".venv"), os.path.join(REPO, "autograder"),
                          REPO + "-other", os.path.join(parent, "elsewhere")]) == sorted({REPO, parent, "/"})


@pytest.mark.skipif(os.geteuid() != 0, reason="job cgroups are made by a root grader")
@pytest.mark.parametrize("attack,part", [("memfd_bomb", "one_hot_lookup"), ("forked_hog", "embedding_backward")])
def test_memory_is_capped_per_job(tmp_path, attack, part):
    """A job's memory is counted over all its processes and its memfds (RLIMIT_AS counts neither):
    with a 1024 MB limit, the attack never holds more than 1500 MB; it fails alone (its part is not
    graded, or keeps nothing), and the other parts keep full marks."""
    from autograder import cgroup
    from autograder.grade import Grader
    from autograder.sandbox import Limits
    if "memory" not in cgroup.available():
        pytest.skip("no writable memory cgroup on this machine")
    sub = tmp_path / f"{attack}.py"
    sub.write_text(BASE.read_text() + "\n\n" + (CORPUS / "confine" / f"{attack}.py").read_text())
    with Grader(["cpu"], limits=Limits(wall_s=90, cpu_s=60, memory_mb=1024)) as g:
        result = g.grade(sub)
        text = " ".join(t.message for t in result.parts[part].tests)
        assert "ATTACK-REPORT" not in text, text[:1000]
        assert result.parts[part].score < result.parts[part].max_score or "could not be graded" not in text
        for pid, p in result.parts.items():
            if pid not in (part, "embedding_module") and p.tests:
                assert p.score == p.max_score, (pid, [(t.name, t.message[:200]) for t in p.tests if not t.passed])
        assert _full_marks(g.grade(BASE))


SECCOMP_PROBE = r'''
import ctypes, errno, os, sys
from autograder import seccomp
assert seccomp.install()
libc = ctypes.CDLL(None, use_errno=True)
out = {}
out["unshare"] = libc.unshare(0x10000000) == -1 and ctypes.get_errno() == errno.EPERM
try:
    os.setpriority(os.PRIO_PROCESS, 0, -5); out["nice-5"] = False
except PermissionError:
    out["nice-5"] = True
os.setpriority(os.PRIO_PROCESS, 0, 5); out["nice+5"] = True          # lowering priority is fine
try:
    os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(1)); out["fifo"] = False
except PermissionError:
    out["fifo"] = True
pid = os.fork()                                                       # a plain fork still works
if pid == 0:
    os._exit(7)
out["fork"] = os.WEXITSTATUS(os.waitpid(pid, 0)[1]) == 7
out["seccomp"] = seccomp.active()
print(out)
sys.exit(0 if all(out.values()) else 1)
'''


@pytest.mark.skipif(not __import__("autograder.seccomp").seccomp.supported(), reason="no filter for this system")
def test_seccomp_filter_denies_what_it_lists_even_to_root():
    """The filter alone (in a fresh process, with whatever privileges this test has, root included):
    new namespaces, negative nice and real-time scheduling fail with EPERM; fork and positive nice work."""
    import subprocess
    import sys
    from conftest import ROOT
    out = subprocess.run([sys.executable, "-c", SECCOMP_PROBE], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr


def test_seccomp_programs_are_well_formed():
    """Both architectures' programs: every jump lands inside the program, which ends in a return."""
    from autograder import seccomp
    for machine in ("x86_64", "aarch64"):
        prog = seccomp.program(machine)
        assert len(prog) < 4096 and prog[-1][0] == 0x06
        for i, (code, jt, jf, _k) in enumerate(prog):
            if code & 0x07 == 0x05:   # BPF_JMP
                assert i + 1 + max(jt, jf) < len(prog), (machine, i)


EXPOSE_PROBE = r'''
import ctypes, os, sys
from autograder import privilege
home, secret, tree = sys.argv[1], sys.argv[2], sys.argv[3]
libc = ctypes.CDLL(None, use_errno=True)
assert libc.unshare(0x00020000) == 0                     # a mount namespace of this process's own
covered = privilege.private_mounts([tree])
privilege.drop_to(0x7fff0001, 0x7fff0001)
out = {"covered": covered == [home],
       "tree readable": open(os.path.join(tree, "lib.py")).read() == "x = 1\n",
       "rest hidden": os.listdir(home) == [os.path.relpath(tree, home).split(os.sep)[0]] and not os.path.exists(secret),
       "read-only": not os.access(tree, os.W_OK)}
try:
    os.stat(os.path.join(os.path.dirname(home), "outside", "a"))   # not exposed: not readable
    out["refuses"] = False
except PermissionError:
    out["refuses"] = True
print(out)
sys.exit(0 if all(out.values()) else 1)
'''


@pytest.mark.skipif(os.geteuid() != 0, reason="mount namespaces are the root grader's")
def test_a_tree_under_an_unsearchable_home_is_exposed_read_only_and_nothing_else():
    """What lets an unprivileged job run a Python that lives under root's 0700 home: in the job's own
    mount namespace, that home is covered by an empty tmpfs holding only the needed tree, read-only;
    the home's other files (keys, tokens) are not there at all."""
    import shutil
    import subprocess
    import sys
    import tempfile
    from conftest import ROOT
    base = Path(tempfile.mkdtemp(prefix="kit-confine-"))   # not pytest's tmp_path: that one is 0700
    try:
        os.chmod(base, 0o755)
        home = base / "home"
        (home / "python" / "lib").mkdir(parents=True)
        os.chmod(home, 0o700)
        for d in (home / "python", home / "python" / "lib"):
            os.chmod(d, 0o755)
        (home / "python" / "lib" / "lib.py").write_text("x = 1\n")
        (home / ".ssh_key").write_text("secret")
        (base / "outside").mkdir(mode=0o700)
        (base / "outside" / "a").write_text("a")
        if any(not os.stat(p).st_mode & 0o001 for p in base.parents if p != Path("/")):
            pytest.skip("the temp folder is not searchable by others here")
        out = subprocess.run([sys.executable, "-c", EXPOSE_PROBE, str(home), str(home / ".ssh_key"),
                              str(home / "python" / "lib")], cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, out.stdout + out.stderr
    finally:
        shutil.rmtree(base, ignore_errors=True)
