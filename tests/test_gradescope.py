"""Gradescope: the autograder.zip (its pins install on the images' Pythons), the results.json it writes
(Gradescope's documented format), run_autograder's choices (which upload, which language, outputs
stripped, grader failure as Gradescope's failure state) and that nothing outlives a run.

The last test simulates Gradescope without Docker: setup.sh into a scratch /autograder and a fresh
venv, then run_autograder per submission. It takes 2-5 minutes here, so it runs in
`make gradescope-check` (KIT_GRADESCOPE_CHECK=1), which .ci/run calls after `make test`."""
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from autograder import gradescope
from autograder import extract as _extract
from autograder.gradescope_run import choose, stripped
from conftest import BASE, CORPUS, ROOT, compose

SOLUTION = ROOT / "solutions" / "embedding" / "embedding.ipynb"
SOLUTION_ZH = ROOT / "solutions" / "embedding-zh" / "embedding.ipynb"
STUB = ROOT / "assignments" / "embedding" / "embedding.ipynb"
STATUSES = {"passed", "failed"}
# characters of output that take a notebook past the grader's size cap (16 MB when this was written)
OVER_CAP = 8 * getattr(_extract, "MAX_SOURCE", 2 << 20) + (1 << 20)


def spec_problems(data: dict) -> list:
    """What in a results.json Gradescope's documented format would not accept (empty: all of it)."""
    problems = []
    top = {"score", "execution_time", "output", "output_format", "test_output_format", "test_name_format",
           "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard"}
    problems += [f"unknown top-level key {k}" for k in data.keys() - top]
    if not isinstance(data.get("score"), (int, float)):
        problems.append("no numeric top-level score")
    for key in ("visibility", "stdout_visibility"):
        if key in data and data[key] not in gradescope.VISIBILITIES:
            problems.append(f"{key} is {data[key]!r}")
    fields = {"score", "max_score", "status", "name", "name_format", "number", "output", "output_format",
              "tags", "visibility", "extra_data"}
    for t in data.get("tests", []):
        problems += [f"test {t.get('name')}: unknown key {k}" for k in t.keys() - fields]
        if not {"name", "score", "max_score", "status"} <= t.keys():
            problems.append(f"test {t.get('name')}: lacks name, score, max_score or status")
        elif t["status"] not in STATUSES or not 0 <= t["score"] <= t["max_score"] + 1e-9:
            problems.append(f"test {t['name']}: status {t['status']!r}, score {t['score']}/{t['max_score']}")
        if t.get("visibility", "visible") not in gradescope.VISIBILITIES:
            problems.append(f"test {t.get('name')}: visibility {t['visibility']!r}")
        if not isinstance(t.get("output", ""), str):
            problems.append(f"test {t.get('name')}: output is not text")
    if not isinstance(data.get("output", ""), str):
        problems.append("output is not text")
    return problems


def unzip(zip_path: Path, into: Path) -> None:
    """As Gradescope does: every member, with the modes the zip records."""
    with zipfile.ZipFile(zip_path) as z:
        for info in z.infolist():
            z.extract(info, into)
            mode = info.external_attr >> 16
            if mode:
                os.chmod(into / info.filename, stat.S_IMODE(mode))


def pins_of(zip_path: Path) -> dict:
    with zipfile.ZipFile(zip_path) as z:
        lines = z.read("requirements-grading.txt").decode().splitlines()
    return dict(line.split("==", 1) for line in lines if line and not line.startswith("#"))


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return gradescope.build(tmp_path_factory.mktemp("zip") / "autograder.zip", lang="zh", visibility="after_due_date")


# ---------------------------------------------------------------- the zip and its pins

def test_zip_ships_the_whole_package_and_runnable_scripts(built):
    """Does the zip hold every file of autograder/ (data too), executable scripts, and none of the course?"""
    package = {str(f.relative_to(ROOT)) for f in (ROOT / "autograder").rglob("*")
               if f.is_file() and "__pycache__" not in f.parts}
    with zipfile.ZipFile(built) as z:
        names = set(z.namelist())
        for script in ("setup.sh", "run_autograder"):
            assert stat.S_IMODE(z.getinfo(script).external_attr >> 16) & 0o111, script
        config = json.loads(z.read("gradescope.json"))
    assert package <= names, package - names
    assert {"requirements-grading.txt", "gradescope.json"} <= names
    assert (config["lang"], config["visibility"]) == ("zh", "after_due_date")
    assert not any(n.startswith(("tests/", "solutions/", "source/", "assignments/")) for n in names)


def test_pins_admit_the_oldest_python_each_image_gives_setup(built):
    """Does every pinned distribution's Requires-Python admit the oldest Python setup.sh meets
    (Ubuntu 22.04's python3.11 is 3.11.0; 24.04's python3 is 3.12.3)?"""
    pins = pins_of(built)
    assert "torch" in pins and len(pins) < len(gradescope.read_lock()), "the subset is not a subset"
    with zipfile.ZipFile(built) as z:   # setup.sh installs this pip first
        pins["pip"] = z.read("setup.sh").decode().split('"pip==', 1)[1].split('"', 1)[0]
    for name, version in pins.items():
        dist = metadata.distribution(name)
        assert dist.version.split("+")[0] == version, f"{name}: the metadata read is of another version"
        spec = SpecifierSet(dist.metadata.get("Requires-Python") or "")
        for image, python in gradescope.IMAGE_PYTHONS.items():
            assert spec.contains(python, prereleases=True), f"{name}=={version} needs Python {spec}; {image} has {python}"
    for image in gradescope.IMAGE_PYTHONS:
        assert f'"{image}")' in gradescope.setup_script(), f"setup.sh does not handle {image}"


def test_python_check_catches_a_pin_too_new_for_the_image():
    """Would the check have caught the lock's old failure (a pin needing Python >= 3.11.5 on 22.04's 3.11.0)?"""
    pins = {"too-new": ("4.1.3", ">=3.11.5"), "fine": ("1.0", ">=3.9")}
    assert [p.split("==")[0] for p in gradescope.python_problems(pins, "3.11.0")] == ["too-new"]
    assert gradescope.python_problems(pins, "3.12.3") == []


def test_pins_are_the_locks_and_close_over_their_dependencies(built):
    """Is each pin the lock's version, and does each pinned distribution's every dependency (for the
    images' Pythons) have a pin that satisfies it?"""
    pins, lock = pins_of(built), gradescope.read_lock()
    for name, version in pins.items():
        assert lock.get(name, version if name in gradescope.FREEZE_HIDDEN else None) == version, name
    envs = gradescope._marker_envs()
    for name in pins:
        for text in metadata.distribution(name).requires or []:
            req = Requirement(text)
            if req.marker is None or any(req.marker.evaluate(env) for env in envs):
                dep = gradescope.canonical(req.name)
                assert dep in pins, f"{name} needs {req}, which has no pin"
                assert req.specifier.contains(pins[dep], prereleases=True), f"{name} needs {req}; pinned {pins[dep]}"


def test_setup_refuses_an_unsupported_image_clearly(tmp_path):
    """On an image it does not know, does setup.sh stop at once and say which images it supports?"""
    (tmp_path / "os-release").write_text('ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12"\n')
    script = tmp_path / "setup.sh"
    script.write_text(gradescope.setup_script())
    out = subprocess.run(["bash", str(script)], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "OS_RELEASE": str(tmp_path / "os-release"),
                              "AUTOGRADER_ROOT": str(tmp_path / "root"), "KIT_PYTHON": ""})
    assert out.returncode != 0 and "Ubuntu 22.04 or 24.04" in out.stderr, out.stderr
    assert not (tmp_path / "root").exists()


# ---------------------------------------------------------------- results.json

def test_results_json_is_what_gradescope_reads():
    """Does the grading command's Gradescope format follow Gradescope's spec, with scores that add up?"""
    out = subprocess.run([sys.executable, "-m", "autograder", "grade", str(BASE), "--format", "gradescope",
                          "--device", "cpu"], capture_output=True, text=True, cwd=ROOT, check=True)
    data = json.loads(out.stdout)
    assert spec_problems(data) == []
    # each test's score is rounded to 4 decimals; Gradescope takes the top-level score when present
    tolerance = 1e-4 * len(data["tests"])
    assert data["score"] > 0 and abs(sum(t["max_score"] for t in data["tests"]) - data["score"]) <= tolerance
    assert abs(sum(t["score"] for t in data["tests"]) - data["score"]) <= tolerance


def test_check_scores_add_up_to_each_part_and_the_total_on_partial_credit(grader, tmp_path):
    """On a submission with partial credit (a wrong backward: some of its checks pass, some fail),
    do the checks' scores in results.json add up to each part's score and to the total (within the
    4-decimal rounding), failed checks scoring less than their points?"""
    from autograder.report import to_gradescope
    result = grader.grade(compose(CORPUS / "wrong" / "bwd_freq_ignored.py", tmp_path))
    partial = [pid for pid, p in result.parts.items() if 0 < p.score < p.max_score]
    assert partial, "no part has partial credit: this test would check nothing"
    data = json.loads(to_gradescope(result))
    assert spec_problems(data) == []
    for number, (pid, part) in enumerate(result.parts.items(), 1):
        tests = [t for t in data["tests"] if t["number"].split(".")[0] == str(number)]
        assert abs(sum(t["score"] for t in tests) - part.score) <= 1e-4 * len(tests), (pid, part.score, tests)
        assert all(t["score"] < t["max_score"] for t in tests if t["status"] == "failed" and t["max_score"]), pid
    assert abs(sum(t["score"] for t in data["tests"]) - data["score"]) <= 1e-4 * len(data["tests"])
    assert abs(data["score"] - result.score) <= 1e-4 and result.score < result.max_score


def test_a_rule_break_shows_its_checks_failed_with_the_rule(grader, tmp_path):
    """Does a part zeroed for calling torch's own embedding show every check failed, each saying why?"""
    from autograder.report import to_gradescope
    result = grader.grade(compose(CORPUS / "wrong" / "bwd_autograd_through_F_embedding.py", tmp_path))
    data = json.loads(to_gradescope(result, visibility="hidden"))
    assert spec_problems(data) == []
    for number, (pid, part) in enumerate(result.parts.items(), 1):
        rule = next((t.message for t in part.tests if t.name == "uses_its_own_code" and not t.passed), "")
        tests = [t for t in data["tests"] if t["number"].split(".")[0] == str(number)]
        assert len(tests) == len(part.tests) and all(t["visibility"] == "hidden" for t in tests)
        if rule:
            assert all(t["status"] == "failed" and rule in t["output"] and t["score"] == 0 for t in tests), pid
        else:
            assert any(t["status"] == "passed" for t in tests), pid
    assert any(t.name == "uses_its_own_code" and not t.passed for p in result.parts.values() for t in p.tests), \
        "the corpus entry no longer breaks the rule: this test checks nothing"


# ---------------------------------------------------------------- run_autograder's choices

def test_of_a_solution_and_a_newer_stub_copy_the_solution_is_graded(tmp_path):
    """Several notebooks uploaded: is the one holding the student's answers graded, not a newer stub copy?"""
    config = json.loads(_config())
    shutil.copy(SOLUTION, tmp_path / "embedding.ipynb")
    shutil.copy(STUB, tmp_path / "embedding (1).ipynb")
    os.utime(tmp_path / "embedding.ipynb", (time.time() - 3600,) * 2)
    chosen, others, tie = choose(tmp_path, config["stubs"])
    assert chosen.name == "embedding.ipynb" and [p.name for p in others] == ["embedding (1).ipynb"] and not tie


def test_of_equal_copies_the_newest_is_graded_and_a_py_counts(tmp_path):
    """Equal notebooks: is the newest graded (as a tie)? And is a lone .py upload graded rather than nothing?"""
    config = json.loads(_config())
    for name, age in (("old.ipynb", 3600), ("new.ipynb", 0)):
        shutil.copy(SOLUTION, tmp_path / name)
        os.utime(tmp_path / name, (time.time() - age,) * 2)
    chosen, others, tie = choose(tmp_path, config["stubs"])
    assert chosen.name == "new.ipynb" and tie
    only_py = tmp_path / "py"
    only_py.mkdir()
    shutil.copy(BASE, only_py / "mine.py")
    (only_py / "notes.py").write_text("x = 1\n")
    chosen, others, _tie = choose(only_py, config["stubs"])
    assert chosen.name == "mine.py" and [p.name for p in others] == ["notes.py"]


def test_outputs_are_stripped_before_the_size_cap(tmp_path):
    """Does a correct notebook made too large by its outputs (never graded) still reach the grader?"""
    from autograder.extract import ExtractError, extract
    nb = json.loads(SOLUTION.read_text())
    code = next(c for c in nb["cells"] if c["cell_type"] == "code")
    code["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "x" * OVER_CAP}]
    big = tmp_path / "embedding.ipynb"
    big.write_text(json.dumps(nb))
    with pytest.raises(ExtractError):
        extract(big)
    (tmp_path / "work").mkdir()
    small = stripped(big, tmp_path / "work")
    assert small.name == big.name and extract(small).chunks == extract(SOLUTION).chunks


def test_run_grades_the_work_in_its_own_language_with_a_note(grader, tmp_path):
    """Through gradescope-run: a Chinese solution bloated by outputs, beside a newer stub copy, in a zip
    whose default language is English: is it graded as the grading command grades it, in Chinese, with a
    note naming the file left out?"""
    from autograder.i18n import _, use
    root = _root(tmp_path, lang="en")
    nb = json.loads(SOLUTION_ZH.read_text())
    next(c for c in nb["cells"] if c["cell_type"] == "code")["outputs"] = [
        {"output_type": "stream", "name": "stdout", "text": "y" * OVER_CAP}]
    (root / "submission" / "embedding.ipynb").write_text(json.dumps(nb, ensure_ascii=False))
    os.utime(root / "submission" / "embedding.ipynb", (time.time() - 3600,) * 2)
    shutil.copy(STUB, root / "submission" / "stub_copy.ipynb")
    out = _gradescope_run(root)
    assert out.returncode == 0, out.stdout + out.stderr
    data = json.loads((root / "results" / "results.json").read_text())
    assert spec_problems(data) == []
    expected = grader.grade(SOLUTION_ZH)
    assert data["score"] == round(expected.score, 4) and expected.lang == "zh"
    with use("zh"):
        assert data["tests"][0]["name"].startswith(_("part.one_hot_lookup"))
    assert "stub_copy.ipynb" in data["output"]


def test_a_py_upload_is_graded_in_the_zips_language(grader, tmp_path):
    """A lone .py (no language of its own) beside a symlink to the hidden checks: is the .py graded as
    the grading command grades it, in the zip's language, and the link ignored?"""
    from autograder.i18n import _, use
    root = _root(tmp_path, lang="zh")
    shutil.copy(BASE, root / "submission" / "mine.py")
    (root / "submission" / "zz_checks.py").symlink_to(ROOT / "autograder" / "graders" / "test_one_hot_lookup.py")
    out = _gradescope_run(root)
    assert out.returncode == 0, out.stdout + out.stderr
    data = json.loads((root / "results" / "results.json").read_text())
    assert data["score"] == round(grader.grade(BASE).score, 4) > 0
    with use("zh"):
        assert data["tests"][0]["name"].startswith(_("part.one_hot_lookup"))
    assert "zz_checks" not in data["output"] + out.stdout


def test_a_grader_failure_is_gradescopes_failure_state_not_a_zero(tmp_path):
    """When the grader itself fails, does run_autograder exit non-zero and write no results.json?"""
    root = _root(tmp_path)
    shutil.copy(BASE, root / "submission" / "mine.py")
    code = ("import sys; from pathlib import Path; from autograder import grade, gradescope_run\n"
            "def broken(self, *a, **k): raise RuntimeError('the grader broke')\n"
            "grade.Grader.grade = broken\n"
            f"sys.exit(gradescope_run.main(Path({str(root)!r})))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert out.returncode != 0 and "the grader broke" in out.stdout
    assert not (root / "results" / "results.json").exists()


def test_a_broken_sandbox_is_a_grader_failure_but_a_student_killing_every_job_is_not(tmp_path):
    """If the sandbox cannot run any job on the image (here: its zygote cannot import the kit),
    is that Gradescope's failure state rather than a 0 for every student? And does a submission that
    kills each of its own jobs still get its results?"""
    killer = tmp_path / "exits.py"
    killer.write_text(BASE.read_text() + "\n_gone = __import__('os')._exit(3)\n")   # runs as each job defines
    for broken, expect_results in ((True, False), (False, True)):
        root = _root(tmp_path / str(broken))
        shutil.copy(killer if not broken else BASE, root / "submission" / "mine.py")
        code = ("import sys; from pathlib import Path; from autograder import sandbox, gradescope_run\n"
                + ("sandbox.REPO = '/nonexistent'\n" if broken else "")
                + f"sys.exit(gradescope_run.main(Path({str(root)!r})))\n")
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
        results = root / "results" / "results.json"
        assert (out.returncode == 0) == expect_results == results.exists(), out.stdout + out.stderr
        if expect_results:
            assert json.loads(results.read_text())["score"] == 0
        else:
            assert "broken on this image" in out.stdout, out.stdout + out.stderr


def test_no_process_outlives_the_run(tmp_path):
    """Does a daemon (setsid + double fork) started during the run die when it ends, without any
    namespace or cgroup (as in a container)?"""
    pid_file = tmp_path / "daemon.pid"
    daemon = tmp_path / "daemon.py"   # what a student's code may do: a session of its own, a double fork
    daemon.write_text("import os, sys, time\n"
                      "if os.fork() == 0:\n"
                      "    os.setsid()\n"
                      "    if os.fork() == 0:\n"
                      "        fd = os.open(os.devnull, os.O_RDWR)\n"
                      "        for n in (0, 1, 2):\n"
                      "            os.dup2(fd, n)\n"
                      "        open(sys.argv[1], 'w').write(str(os.getpid()))\n"
                      "        time.sleep(600)\n"
                      "    os._exit(0)\n")
    code = ("import os, subprocess, sys, time\n"
            "from autograder.gradescope_run import become_subreaper, reap_descendants\n"
            "assert become_subreaper()\n"
            f"subprocess.run([sys.executable, {str(daemon)!r}, {str(pid_file)!r}], check=True)\n"
            f"while not os.path.exists({str(pid_file)!r}) or not open({str(pid_file)!r}).read():\n"
            "    time.sleep(0.05)\n"
            f"os.kill(int(open({str(pid_file)!r}).read()), 0)\n"   # alive (and orphaned) before the reaping
            "print(reap_descendants())\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    pid = int(pid_file.read_text()) if pid_file.exists() and pid_file.read_text() else None
    alive = pid is not None and Path(f"/proc/{pid}").exists()
    if alive:
        os.kill(pid, 9)   # the test's own daemon, left by a failed reaping
    assert out.returncode == 0, out.stderr
    assert int(out.stdout) >= 1 and not alive, f"the daemon {pid} outlived the run"


# ---------------------------------------------------------------- the simulation (make gradescope-check)

SIMULATE = os.environ.get("KIT_GRADESCOPE_CHECK") == "1"


DISTRIBUTION_PYTHON = Path("/usr/bin/python3.11")   # Debian's, in /usr as Ubuntu's apt Python is


@pytest.mark.slow
@pytest.mark.skipif(not SIMULATE, reason="installs a fresh venv (2-5 minutes here): make gradescope-check")
def test_simulated_gradescope_installs_and_grades_like_the_grading_command():
    """Without Docker: does setup.sh install the zip's pins into a fresh venv, leave the hidden checks
    readable by root alone (and the rest readable by `nobody`), and does run_autograder grade a .py, the
    stub and the solution as the grading command does, in results.json that follows Gradescope's spec?"""
    scratch = Path(tempfile.mkdtemp(prefix="kit-gradescope-"))   # under /tmp: `nobody` may traverse it,
    try:                                                          # as it may /autograder on Gradescope
        os.chmod(scratch, 0o755)
        _simulate(scratch / "autograder")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _simulate(root: Path) -> None:
    source = root / "source"
    source.mkdir(parents=True)
    unzip(gradescope.build(root.parent / "autograder.zip"), source)
    python = DISTRIBUTION_PYTHON if DISTRIBUTION_PYTHON.exists() else Path(sys._base_executable)
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "TORCH_INDEX": "",   # torch from the local disk here
           "KIT_PYTHON": str(python)}
    started = time.monotonic()
    setup = subprocess.run(["bash", str(source / "setup.sh")], env=env, capture_output=True, text=True,
                           timeout=1500)
    print(f"\nsetup.sh with {python}: {time.monotonic() - started:.0f} s")
    assert setup.returncode == 0, setup.stdout + setup.stderr
    _check_modes(source)
    for submission in (BASE, STUB, SOLUTION):
        for folder in ("submission", "results"):
            shutil.rmtree(root / folder, ignore_errors=True)
        (root / "submission").mkdir()
        shutil.copy(submission, root / "submission" / submission.name)
        started = time.monotonic()
        run = subprocess.run([str(source / "run_autograder")], env=env, capture_output=True, text=True,
                             timeout=600, cwd=root)
        print(f"run_autograder {submission.relative_to(ROOT)}: {time.monotonic() - started:.1f} s; {run.stdout.strip()}")
        assert run.returncode == 0, run.stdout + run.stderr
        data = json.loads((root / "results" / "results.json").read_text())
        assert spec_problems(data) == [], submission
        expected = json.loads(subprocess.run([sys.executable, "-m", "autograder", "grade", str(submission),
                                              "--format", "json", "--device", "cpu"], cwd=ROOT, check=True,
                                             capture_output=True, text=True).stdout)
        assert data["score"] == expected["score"], submission
        if os.geteuid() == 0 and python == DISTRIBUTION_PYTHON:
            assert "unprivileged uid" in run.stdout and "no capabilities" in run.stdout, \
                "student code ran as root: the modes kept the sandbox from dropping it"


def _check_modes(source: Path) -> None:
    hidden = [source / h for h in gradescope.HIDDEN if (source / h).exists()]
    assert hidden, "no hidden graders found in the zip"
    for folder in hidden:
        for path in [folder, *folder.rglob("*")]:
            assert not stat.S_IMODE(path.stat().st_mode) & 0o077, f"{path} is readable beyond root"
    assert not stat.S_IMODE((source / "gradescope.json").stat().st_mode) & 0o077
    site = next((source / ".venv" / "lib").glob("python3*/site-packages"))
    for path in [source / "autograder" / "landlock.py", *(site / "torch").glob("*.py")]:
        assert stat.S_IMODE(path.stat().st_mode) & 0o004, f"{path}: the sandbox's `nobody` must read it"
    if os.geteuid() == 0:   # effective access, as the sandbox's `nobody`
        def readable(path):
            return subprocess.run(["cat", str(path)], user=65534, group=65534, capture_output=True, cwd="/").returncode == 0
        assert readable(source / "autograder" / "landlock.py"), "nobody cannot read the grading tool"
        assert not readable(next(hidden[0].glob("*.py"))), "nobody can read the hidden checks"


# ---------------------------------------------------------------- helpers

def _config(lang: str = "en") -> str:
    return json.dumps({"lang": lang, "visibility": "visible", "stubs": gradescope.stub_digests()})


def _root(tmp_path: Path, lang: str = "en") -> Path:
    """A stand-in /autograder for gradescope-run with this environment's Python (no install)."""
    root = tmp_path / "autograder"
    for folder in ("source", "submission"):
        (root / folder).mkdir(parents=True)
    (root / "source" / "gradescope.json").write_text(_config(lang))
    return root


def _gradescope_run(root: Path):
    return subprocess.run([sys.executable, "-m", "autograder", "gradescope-run", "--root", str(root)],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)
