"""The gradebook on PostgreSQL (issue 14, point 3): nbgrader's CourseDirectory.db_url pointed at a real
server that this test starts on loopback, and two graders recording the same class at once."""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow


def _pg_bin() -> Path | None:
    for d in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (d / "initdb").exists() and (d / "pg_ctl").exists():
            return d
    return None


def _as_server_user() -> list[str]:
    """PostgreSQL refuses to run as root: as root, run its tools as the `postgres` user."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


@pytest.fixture(scope="module")
def postgres():
    """A throwaway PostgreSQL server on 127.0.0.1 and a free port; -> its URL prefix."""
    pg = _pg_bin()
    if pg is None:
        pytest.skip("PostgreSQL's server binaries (initdb, pg_ctl) are not installed: apt-get install postgresql "
                    "(.ci/run does)")
    pytest.importorskip("psycopg", reason="psycopg (requirements.lock: SQLAlchemy's PostgreSQL driver) is not installed")
    base = Path(tempfile.mkdtemp(prefix="kit-pg-"))   # not under pytest's root-only tmp: postgres must reach it
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    run = _as_server_user()
    subprocess.run(run + [str(pg / "initdb"), "-D", str(base / "data"), "-U", "kit", "--auth=trust", "-E", "UTF8"],
                   check=True, capture_output=True, timeout=300)
    subprocess.run(run + [str(pg / "pg_ctl"), "-D", str(base / "data"), "-l", str(base / "log"), "-w", "-t", "300",
                          "-o", f"-h 127.0.0.1 -p {port} -k {base}", "start"], check=True, capture_output=True,
                   timeout=360)
    try:
        yield f"postgresql://kit@127.0.0.1:{port}"
    finally:
        subprocess.run(run + [str(pg / "pg_ctl"), "-D", str(base / "data"), "-m", "fast", "-w", "stop"],
                       capture_output=True, timeout=300)
        shutil.rmtree(base, ignore_errors=True)


def create_database(server: str, name: str) -> str:
    import psycopg
    with psycopg.connect(server + "/postgres", autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"')
    return f"{server}/{name}"


def make_course(root: Path, n: int, db_url: str | None) -> Path:
    """A course with its own nbgrader_config.py (as an instructor's on a hub), generated, and a class
    of n submissions (the solution and the corpus's wrong variants)."""
    from autograder import bench, course
    root.mkdir(parents=True)
    course.copy_source(root)
    config = [f"c = get_config()\nload_subconfig({str(ROOT / 'nbgrader_config.py')!r})",
              f"c.CourseDirectory.root = {str(root)!r}"]
    if db_url:
        config.append(f"c.CourseDirectory.db_url = {db_url!r}")
    (root / "nbgrader_config.py").write_text("\n".join(config) + "\n")
    cfg = course.load_config(root)
    course._check(course.api(cfg).generate_assignment(course.ASSIGNMENT, force=True), "generate_assignment")
    bench.make_class(root, n)
    return root


def test_the_course_config_decides_the_gradebook(postgres, tmp_path):
    """Does a course whose nbgrader_config.py names a PostgreSQL db_url get its gradebook there (and no
    SQLite file), through the kit's own loading of the course?"""
    from autograder import course
    url = create_database(postgres, "config_decides")
    root = make_course(tmp_path / "course", 2, url)
    assert course._db_url(course.load_config(root)) == url
    assert not (root / "gradebook.db").exists()
    from nbgrader.api import Gradebook
    with Gradebook(url, course_id="embedding-kit") as gb:
        assert [a.name for a in gb.assignments] == ["embedding"]


RECORD = """import json, sys
from pathlib import Path
from autograder import course
from autograder.grade import Result
from autograder.record import Recorder
root, order = Path(sys.argv[1]), sys.argv[2]
results = {p.stem: Result.from_json(json.loads(p.read_text())["result"])
           for p in (root / "autograder_results" / "embedding").glob("*.json")}
students = sorted(results, reverse=order == "backward")
Path(sys.argv[3]).touch()                      # ready
while not Path(sys.argv[4]).exists():          # go
    pass
with Recorder(course.load_config(root), root) as rec:
    for s in students:
        rec.record(s, results[s])
"""


def test_two_graders_recording_one_class_at_once_lose_nothing(postgres, tmp_path):
    """Two processes record the same class into one PostgreSQL gradebook at the same moment, in the
    same order (so that they meet on every student): do both finish, and is every student's every
    score, comment and penalty there afterwards, equal to what one grader records into SQLite?"""
    from autograder import batch, course
    n = 12
    lite = make_course(tmp_path / "sqlite", n, None)
    results = batch.grade_class(lite, quiet=True)
    expected = course.gradebook_state(course.load_config(lite))
    assert len(expected) == n

    pg = make_course(tmp_path / "pg", n, create_database(postgres, "two_graders"))
    shutil.copytree(lite / "autograder_results", pg / "autograder_results")
    go = tmp_path / "go"
    procs, ready = [], []
    for grader in ("first", "second"):
        ready.append(tmp_path / f"ready-{grader}")
        procs.append(subprocess.Popen([sys.executable, "-c", RECORD, str(pg), "forward", str(ready[-1]), str(go)],
                                      cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    deadline = time.monotonic() + 600
    while not all(r.exists() for r in ready):
        assert time.monotonic() < deadline and all(p.poll() is None for p in procs), \
            [p.communicate()[0][-2000:] for p in procs if p.poll() is not None]
        time.sleep(0.1)
    go.touch()
    outs = [p.communicate(timeout=600)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[-3000:] for o in outs]
    got = course.gradebook_state(course.load_config(pg))
    assert got == expected
    for s in results:
        assert json.loads((pg / "autograded" / s / "embedding" / "embedding.ipynb").read_text())["cells"]
