"""The students' release (`make student-release`): both released editions, the pins the notebook
needs, a README for students — and nothing of the solutions, the source or the graders."""
import re
import zipfile

import pytest

from conftest import ROOT

MARKERS = re.compile(r"BEGIN SOLUTION|END SOLUTION|BEGIN HIDDEN TESTS|END HIDDEN TESTS|BEGIN MARK SCHEME")
EDITIONS = ("embedding", "embedding-zh")


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    from autograder import release as release_module
    folder, archive = release_module.student_release(tmp_path_factory.mktemp("out") / "embedding-student-release")
    return folder, archive


def _files(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_it_holds_each_released_edition_as_released(release):
    """Does the release hold, per edition, exactly assignments/<edition>/'s files (the notebook byte
    for byte, data/, the two rule files), plus README.md and requirements.txt, and nothing else?"""
    folder, _ = release
    files = _files(folder)
    expected = {"README.md", "requirements.txt"}
    for edition in EDITIONS:
        src = ROOT / "assignments" / edition
        released = {f"{edition}/{p.relative_to(src).as_posix()}": p.read_bytes() for p in src.rglob("*")
                    if p.is_file() and ".ipynb_checkpoints" not in p.parts and "__pycache__" not in p.parts}
        assert {f"{edition}/embedding.ipynb", f"{edition}/graded_code_rules.py", f"{edition}/one_hot_rule.py",
                f"{edition}/data/sonnets.txt"} <= set(released)
        for name, data in released.items():
            assert files[name] == data, name
        expected |= set(released)
    assert set(files) == expected


def test_nothing_of_solutions_source_or_graders(release):
    """No path of solutions/, source/ or autograder/, no solution or hidden-test marker, no text of a
    hidden grader; no file equal to a solution or source notebook; the only files equal to the
    grader's own are the two rule files released beside each notebook (the data is the same
    everywhere)."""
    folder, _ = release
    files = _files(folder)
    assert not [n for n in files if {"solutions", "source", "autograder", "graders"} & set(n.split("/"))]
    for name, data in files.items():
        text = data.decode("utf-8", errors="replace")
        assert not MARKERS.search(text), name
        assert not re.search(r"import pytest|pytest\.mark|autograder[./](graders|plugin)|def test_", text), name
    secret = {p.read_bytes(): p for p in (ROOT / "autograder").rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    secret.update({p.read_bytes(): p for top in ("source", "solutions") for p in (ROOT / top).rglob("*.ipynb")})
    shared = {name: secret[data].relative_to(ROOT).as_posix() for name, data in files.items() if data in secret}
    assert shared == {f"{e}/{n}": f"autograder/{src}" for e in EDITIONS
                      for n, src in (("graded_code_rules.py", "rules.py"), ("one_hot_rule.py", "onehot.py"))}


def test_the_zip_is_the_folder(release):
    """Does OUT.zip hold the folder's files under one top folder named like it, byte for byte?"""
    folder, archive = release
    assert archive == folder.with_name(folder.name + ".zip")
    with zipfile.ZipFile(archive) as z:
        assert z.testzip() is None
        unzipped = {i.filename.split("/", 1)[1]: z.read(i) for i in z.infolist() if not i.is_dir()}
        assert {i.filename.split("/", 1)[0] for i in z.infolist()} == {folder.name}
    assert unzipped == _files(folder)


def test_requirements_are_the_locks_pins_the_notebook_needs(release):
    """Is every line of requirements.txt a pin of requirements.lock, with torch, numpy, matplotlib,
    jupyterlab and nbgrader among them, the closure of their dependencies (on Linux) and no grading
    tool (pytest, hypothesis)?"""
    from importlib import metadata

    from packaging.requirements import Requirement

    from autograder.gradescope import canonical, read_lock
    folder, _ = release
    text = (folder / "requirements.txt").read_text()
    pins = dict(line.split("==") for line in text.splitlines() if line and not line.startswith("#"))
    lock = read_lock()
    assert all(lock[canonical(n)] == v for n, v in pins.items())
    assert {"torch", "numpy", "matplotlib", "jupyterlab", "nbgrader"} <= set(pins)
    assert not {"pytest", "hypothesis", "safetensors", "rich", "jupyterhub", "psycopg"} & set(pins)
    env = {"python_version": "3.11", "python_full_version": "3.11.9", "sys_platform": "linux",
           "platform_system": "Linux", "platform_machine": "x86_64", "extra": ""}
    reqs = {name: [Requirement(r) for r in metadata.distribution(name).requires or []] for name in pins}
    extras = {}   # the extras some pin asks of another (jsonschema[format-nongpl], bleach[css])
    for rs in reqs.values():
        for r in rs:
            if r.marker is None or r.marker.evaluate(env):
                extras.setdefault(canonical(r.name), set()).update(r.extras)
    for name, rs in reqs.items():   # closed over what each pin requires on Linux, asked-for extras included
        for r in rs:
            if canonical(r.name) in ("setuptools", "pip"):
                continue
            if r.marker is None or any(r.marker.evaluate({**env, "extra": e}) for e in ("", *extras.get(name, ()))):
                assert canonical(r.name) in pins, (name, str(r))
    assert {"tinycss2", "jsonpointer", "webcolors"} <= set(pins)   # bleach[css], jsonschema[format-nongpl]
    assert "3.11.5 or later" in text   # soupsieve's Requires-Python, said where students read it


def test_the_readme_says_where_to_start_jupyter(release):
    """Does the students' README name both notebooks, the pins, and Jupyter started in the folder that
    holds the assignment folders (not inside one)?"""
    folder, _ = release
    readme = (folder / "README.md").read_text()
    assert "embedding/embedding.ipynb" in readme and "embedding-zh/embedding.ipynb" in readme
    assert "pip install -r requirements.txt" in readme and "{python}" not in readme
    assert "in this folder" in readme and "\n    .venv/bin/jupyter lab\n" in readme


def test_a_leak_stops_the_release(tmp_path, monkeypatch):
    """Would a solution marker in a file of assignments/ stop the release, with nothing written?"""
    import shutil
    from autograder import release
    shutil.copytree(ROOT / "assignments", tmp_path / "kit" / "assignments")
    (tmp_path / "kit" / "assignments" / "embedding" / "helper.py").write_text("### BEGIN SOLUTION\nx = 1\n")
    monkeypatch.setattr(release, "REPO", tmp_path / "kit")
    with pytest.raises(ValueError, match="embedding/helper.py: contains 'BEGIN SOLUTION'"):
        release.student_release(tmp_path / "out")
    assert not (tmp_path / "out").exists() and not (tmp_path / "out.zip").exists()
