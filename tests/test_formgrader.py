"""The course as an instructor meets it in formgrader (issue 14, point 4): a Jupyter server started as
the README says (.venv/bin/jupyter, no activated venv), in the demo course, asked through the REST API
that formgrader's pages use; and nbgrader's own command line in a fresh course."""
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent
TOKEN = "kit-test-token"
# what a shell that never activated the venv has on PATH
BARE_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}
ROOT_FLAG = ["--allow-root"] if os.geteuid() == 0 else []   # CI runs as root


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from autograder import demo as demo_module
    return demo_module.run(tmp_path_factory.mktemp("demo"), quiet=True)


@pytest.fixture(scope="module")
def formgrader(demo, tmp_path_factory):
    """`jupyter server` in the demo course, as the README starts it; -> a function GET/POSTing its API."""
    course, home = demo["root"] / "course", tmp_path_factory.mktemp("home")
    port = free_port()
    log = open(home / "server.log", "wb")
    proc = subprocess.Popen(
        [str(BIN / "jupyter"), "server", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={TOKEN}", *ROOT_FLAG, f"--ServerApp.root_dir={course}"],
        cwd=course, env={**BARE_ENV, "HOME": str(home), "JUPYTER_RUNTIME_DIR": str(home / "runtime")},
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def call(path, method="GET", timeout=300):
        req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                                     data=b"{}" if method == "POST" else None,
                                     headers={"Authorization": f"token {TOKEN}"})
        with urllib.request.urlopen(req, timeout=timeout) as r:
            body = r.read().decode()
            return json.loads(body) if r.headers.get_content_type() == "application/json" or \
                path.startswith("/formgrader/api") else body
    deadline = time.monotonic() + 240   # a loaded machine: the server imports torch through the config
    while True:
        try:
            call("/api/status", timeout=10)
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("the Jupyter server did not start:\n" + (home / "server.log").read_text()[-3000:])
            time.sleep(1)
    call.log = home / "server.log"
    yield call
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    log.close()


def test_formgrader_opens_without_an_activated_venv(formgrader):
    """Does formgrader's first page answer (not HTTP 500: `alembic` is found without the venv on PATH)?"""
    page = formgrader("/formgrader")
    assert "Manage Assignments" in page or "manage_assignments" in page


def test_formgrader_shows_the_demo_assignments_and_submissions(formgrader, demo):
    """Does formgrader, opened in build/demo/course, list both released editions with their submissions?"""
    assignments = {a["name"]: a for a in formgrader("/formgrader/api/assignments")}
    assert set(assignments) == {"embedding", "embedding-zh"}
    assert all(a["status"] == "released" for a in assignments.values())
    from autograder.demo import EDITION
    took = [EDITION.get(s, "embedding") for s in demo["results"]]
    assert {e: a["num_submissions"] for e, a in assignments.items()} == {e: took.count(e) for e in assignments}


def test_each_student_is_scored_out_of_the_edition_they_took(formgrader, demo):
    """Does Manage Students show every student out of 100 (one edition), not out of 200 (both)?"""
    students = {s["id"]: s for s in formgrader("/formgrader/api/students")}
    assert set(students) == set(demo["results"])
    assert {s["max_score"] for s in students.values()} == {120.0}   # 100 automatic + 20 written, once
    for sid, row in students.items():
        assert row["score"] == pytest.approx(sum(demo["gradebook"][sid].values()), abs=1e-6), sid


def test_a_broken_notebook_has_a_zero_and_a_reason_in_formgrader(formgrader):
    """Is dave's notebook (not JSON) autograded, not 'needs autograding'; does formgrader's autograde
    button grade it again without a traceback; and does his submission page say why it scored 0?"""
    dave = {s["student"]: s for s in formgrader("/formgrader/api/submissions/embedding")}["dave"]
    assert dave["autograded"] and dave["score"] == 0
    res = formgrader("/formgrader/api/submission/embedding/dave/autograde", method="POST")
    assert res["success"], res
    assert "Traceback" not in res.get("log", "") and "NotJSONError" not in res.get("log", "")
    notebooks = {n["student"]: n for n in formgrader("/formgrader/api/submitted_notebooks/embedding/embedding")}
    assert notebooks["dave"]["score"] == 0 and not notebooks["dave"]["needs_manual_grade"]
    page = formgrader(f"/formgrader/submissions/{notebooks['dave']['id']}")
    assert "not a valid notebook" in page and "Revert Notebook to Checkpoint" in page


def test_formgrader_shows_math_without_mathjax(formgrader):
    """Is the notebook's math on a submission's page MathML, which the browser renders without
    MathJax (formgrader loads that from a CDN, unreachable offline)?"""
    notebooks = {n["student"]: n for n in formgrader("/formgrader/api/submitted_notebooks/embedding/embedding")}
    page = formgrader(f"/formgrader/submissions/{notebooks['bob']['id']}")
    assert "<math" in page and "$e_k$" not in page


def test_the_comment_boxes_hold_the_graders_verdict(formgrader, demo):
    """Does each answer cell's comment box in formgrader carry the part's score and failed checks?"""
    notebooks = {n["student"]: n for n in formgrader("/formgrader/api/submitted_notebooks/embedding/embedding")}
    comments = {c["name"]: c for c in formgrader(f"/formgrader/api/comments?submission_id={notebooks['bob']['id']}")}
    lookup = comments["one_hot_lookup_code"]["auto_comment"]
    bob = demo["results"]["bob"].parts["one_hot_lookup"]
    assert f"{bob.score:.2f} / 25" in lookup
    failed = [t for t in bob.tests if not t.passed]
    assert failed and all(t.question.splitlines()[0] in lookup for t in failed)
    assert "FAIL" not in comments["embedding_renorm_code"]["auto_comment"]   # bob's renorm is right


@pytest.fixture
def fresh_course(tmp_path):
    """A course folder with a config that points at the repository's, and nothing else."""
    course = tmp_path / "course"
    course.mkdir()
    (course / "nbgrader_config.py").write_text(
        f"c = get_config()\nload_subconfig({str(ROOT / 'nbgrader_config.py')!r})\n"
        f"c.CourseDirectory.root = {str(course)!r}\nc.Exchange.root = {str(tmp_path / 'exchange')!r}\n")
    return course


def test_nbgrader_cli_makes_a_whole_gradebook_without_an_activated_venv(fresh_course, tmp_path):
    """Does `.venv/bin/nbgrader db assignment list`, run from a shell without the venv, succeed, make a
    gradebook with its alembic_version row, and warn about no unknown config option?"""
    proc = subprocess.run([str(BIN / "nbgrader"), "db", "assignment", "list"], cwd=fresh_course,
                          env={**BARE_ENV, "HOME": str(tmp_path)}, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "not recognized" not in proc.stderr, proc.stderr[-3000:]
    with sqlite3.connect(fresh_course / "gradebook.db") as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchall()


def test_the_default_exchange_exists_and_everyone_may_write_it(tmp_path, monkeypatch):
    """Loading the course config (as the Assignments tab does) with no exchange set up yet: is the
    exchange folder there afterwards, world-writable and sticky, as nbgrader's docs ask?"""
    from traitlets.config.loader import PyFileConfigLoader
    exchange = tmp_path / "exchange"
    monkeypatch.setenv("NBGRADER_EXCHANGE", str(exchange))
    cfg = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()
    assert cfg.Exchange.root == str(exchange)
    assert exchange.is_dir() and exchange.stat().st_mode & 0o7777 == 0o1777


def test_the_assignments_tab_lists_without_errors(demo, tmp_path):
    """Does the Assignments tab's REST call (GET /assignments) succeed for a student whose server runs
    in a folder with the course config and the demo's exchange, listing the released assignment?"""
    home = tmp_path / "student"
    home.mkdir()
    (home / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.course_id = 'embedding-kit'\n"
        f"c.Exchange.root = {str(demo['root'] / 'exchange')!r}\n")
    port = free_port()
    proc = subprocess.Popen([str(BIN / "jupyter"), "server", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
                             f"--IdentityProvider.token={TOKEN}", *ROOT_FLAG, f"--ServerApp.root_dir={home}"],
                            cwd=home, env={**BARE_ENV, "HOME": str(home), "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt")},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline, body = time.monotonic() + 240, None
        while body is None:
            try:
                req = urllib.request.Request(f"http://127.0.0.1:{port}/assignments?course_id=embedding-kit",
                                             headers={"Authorization": f"token {TOKEN}"})
                body = json.loads(urllib.request.urlopen(req, timeout=120).read())
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "the student's server did not start"
                time.sleep(1)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(60)
    assert body["success"], body
    assert {a["assignment_id"] for a in body["value"] if a["status"] == "released"} >= {"embedding"}
