"""Gradescope: the autograder.zip holds the graders and the two scripts Gradescope runs, and the
results.json the grader writes for it is well formed, with scores that add up."""
import json
import stat
import subprocess
import sys
import zipfile

from conftest import BASE, ROOT


def test_zip_holds_the_graders_and_runnable_scripts(tmp_path):
    from autograder import gradescope
    path = gradescope.build(tmp_path / "autograder.zip", lang="zh")
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        for script in ("setup.sh", "run_autograder"):
            assert stat.S_IMODE(z.getinfo(script).external_attr >> 16) & 0o111, script
        assert "--lang zh" in z.read("run_autograder").decode()
    assert {"requirements.lock", "autograder/grade.py", "autograder/checks/embedding_backward.py"} <= names
    assert not any(n.startswith(("tests/", "solutions/", "source/")) for n in names)


def test_results_json_is_what_gradescope_reads():
    out = subprocess.run([sys.executable, "-m", "autograder", "grade", str(BASE), "--format", "gradescope",
                          "--device", "cpu"], capture_output=True, text=True, cwd=ROOT, check=True)
    data = json.loads(out.stdout)
    assert data["score"] == 100
    # each test's score is rounded to 4 decimals; Gradescope takes the top-level score when present
    assert abs(sum(t["score"] for t in data["tests"]) - 100) <= 1e-4 * len(data["tests"])
    assert all({"name", "score", "max_score", "status"} <= t.keys() for t in data["tests"])
