"""`make release`: authoring/ -> source/<assignment> (the nbgrader sources, English `embedding` and
Chinese `embedding-zh`) -> assignments/<assignment> (nbgrader generate_assignment) and
solutions/<assignment> (generate_solution: executed, for self-study). The gradebook nbgrader needs
on the way is a temporary one, so the tree stays clean.

`make student-release`: assignments/ as released, for students, as a folder and a zip (student_release)."""
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from . import course
from .i18n import ASSIGNMENT_LANG as EDITIONS   # assignment -> language of its prose

REPO = course.REPO


def build_source(lang: str = "en") -> None:
    subprocess.run([sys.executable, str(REPO / "authoring" / "build.py"), "--lang", lang], check=True)


def generate(course_root: Path = REPO, solutions: bool = True, db_dir: Path | None = None,
             assignments=tuple(EDITIONS)) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{db_dir or tmp}/gradebook.db"
        cfg = course.load_config(course_root, CourseDirectory={"db_url": db})
        api = course.api(cfg)
        for assignment in assignments:
            course._check(api.generate_assignment(assignment, force=True), "generate_assignment")
            if solutions:
                from nbgrader.converters import GenerateSolution
                from nbgrader.utils import capture_log, temp_attrs
                with temp_attrs(api.coursedir, assignment_id=assignment):
                    app = GenerateSolution(coursedir=api.coursedir, parent=api)
                    app.force = True
                    course._check(capture_log(app), "generate_solution")


def main() -> int:
    for lang in EDITIONS.values():
        build_source(lang)
    generate()
    print("source/, assignments/ and solutions/ regenerated; review `git diff` and commit them together.")
    return 0


# ---- the students' release (`make student-release`): what a course gives its students without an exchange

# what the released notebook and its rule files import, and what a student runs them in (nbgrader: the
# notebook's Validate button and `nbgrader validate`); everything else follows from their metadata
STUDENT_ROOTS = ("torch", "numpy", "matplotlib", "jupyterlab", "nbgrader")
# text that must never reach students: nbgrader's solution, hidden-test and mark-scheme markers, and
# what only the hidden graders (pytest tests, autograder/graders) are made of
FORBIDDEN = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "BEGIN MARK SCHEME",
             "END MARK SCHEME", "import pytest", "pytest.mark", "autograder.plugin", "autograder/graders")
ZIP_TIME = (2020, 1, 1, 0, 0, 0)   # every entry's date: the same release makes the same zip


def student_pins(lock: Path | None = None) -> dict:
    """{canonical name: (version, Requires-Python)}: the pins of requirements.lock that the released
    notebook needs (STUDENT_ROOTS and what they require on Linux with Python 3.11/3.12, the extras
    they ask for included: jupyter-events' jsonschema[format-nongpl], bleach[css]), walked through this
    environment's metadata as gradescope.grading_pins does. pip, setuptools and wheel are left to the
    student's venv. ValueError names what does not fit."""
    from importlib import metadata

    from packaging.requirements import Requirement

    from . import gradescope as gs
    locked, envs = gs.read_lock(lock or gs.LOCK), gs._marker_envs()
    found: dict = {}
    extras_done: dict[str, set] = {}
    todo, problems = [(name, frozenset()) for name in STUDENT_ROOTS], []
    while todo:
        raw, extras = todo.pop()
        name = gs.canonical(raw)
        if name in gs.FREEZE_HIDDEN or (name in found and extras <= extras_done[name]):
            continue
        extras_done.setdefault(name, set()).update(extras)
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            problems.append(f"{name} is needed by the notebook but not installed here (make venv)")
            found[name] = ("", "")
            continue
        if name not in found:
            installed, version = dist.version.split("+", 1)[0], locked.get(name)
            if version is None:
                problems.append(f"{name} is needed by the notebook but requirements.lock does not pin it")
            elif version != installed:
                problems.append(f"{name}: requirements.lock pins {version}, this environment has {installed} (make venv)")
            found[name] = (version or "", dist.metadata.get("Requires-Python") or "")
        for text in dist.requires or []:
            req = Requirement(text)
            if req.marker is None or any(req.marker.evaluate({**env, "extra": extra})
                                         for env in envs for extra in ("", *extras_done[name])):
                todo.append((req.name, frozenset(req.extras)))
    if problems:
        raise ValueError("; ".join(problems))
    return found


def oldest_python(pins: dict, minor: str = "3.11") -> tuple[str, list[str]]:
    """The oldest Python `minor`.x every pin admits, and the pins that need more than `minor`.0."""
    from packaging.specifiers import SpecifierSet
    need = []
    for micro in range(0, 40):
        python = f"{minor}.{micro}"
        refuse = [f"{n} {v} requires {spec}" for n, (v, spec) in sorted(pins.items())
                  if spec and not SpecifierSet(spec).contains(python, prereleases=True)]
        if micro == 0:
            need = refuse
        if not refuse:
            return python, need
    raise ValueError(f"no Python {minor}.x admits every pin: {', '.join(need)}")


def student_requirements(pins: dict) -> str:
    python, need = oldest_python(pins)
    lines = [f"{name}=={version}" for name, (version, _spec) in sorted(pins.items())]
    return ("# What the notebook needs, at the versions it was tested with (derived from the kit's\n"
            f"# requirements.lock). Python 3.11: {python} or later"
            + (f" ({'; '.join(need)})" if need else "") + ".\n"
            "# (pip and setuptools: the venv's own.)\n"
            "#   python3.11 -m venv .venv && .venv/bin/pip install -r requirements.txt\n"
            "# Linux without a GPU: install torch first from PyTorch's CPU index (the default one brings\n"
            "# gigabytes of CUDA libraries):\n"
            f"#   .venv/bin/pip install torch=={pins['torch'][0]} --index-url https://download.pytorch.org/whl/cpu\n"
            + "\n".join(lines) + "\n"), python


STUDENT_README = """\
# The nn.Embedding exercise: what you need

You re-implement `torch.nn.Embedding` piece by piece: the lookup as a one-hot product, the
backward with `padding_idx`, `max_norm`'s in-place renorm, and a drop-in `Embedding` module —
four parts of 25 points, graded automatically, and five written questions (20 points) graded by
hand. There are two editions of the same assignment; take the one your course gives you:

| folder | edition |
|---|---|
| `embedding/` | English: `embedding/embedding.ipynb` |
| `embedding-zh/` | Chinese (中文): `embedding-zh/embedding.ipynb` |

Each folder holds the notebook, its `data/`, and two files the notebook's checks import
(`graded_code_rules.py`, `one_hot_rule.py`): keep them beside it.

## Set up (once)

Python 3.11 ({python} or later), then, in this folder:

    python3.11 -m venv .venv
    .venv/bin/pip install -r requirements.txt

(Windows: `.venv\\Scripts\\pip`. On Linux without a GPU, first install torch's CPU build, as
`requirements.txt` says: it saves gigabytes.) The Chinese edition's figures need a CJK font
(`apt-get install fonts-noto-cjk` on Debian/Ubuntu); without one the notebook says so.

## Work

Start Jupyter **in this folder** — the one that holds `embedding/` and `embedding-zh/` — and open
the notebook from its file browser:

    .venv/bin/jupyter lab

then open `embedding/embedding.ipynb` (or `embedding-zh/embedding.ipynb`). This is the layout
nbgrader's tools in Jupyter work with: the server's root holds one folder per assignment, as
`nbgrader fetch_assignment` makes it (`jupyter lab embedding/embedding.ipynb` would make
`embedding/` the root instead).

Fill in each stub (the docstrings give shapes and dtypes; hints are folded). The cell after each
stub runs quick visible checks and prints what differs; the hidden graders test far more. Write
your answers to the five questions in their answer cells. The notebook's "Rules for graded code"
say what the grader runs and refuses. Do not rename the notebook or copy cells from another copy of
it: the grader finds the parts by the cells' metadata.

## Hand in

Check it first: the notebook's **Validate** button (nbgrader) runs it as a grader would. Then hand
in the notebook, `embedding/embedding.ipynb` (or `embedding-zh/embedding.ipynb`), as your course
says.

---

中文版：打开 `embedding-zh/embedding.ipynb`。在本文件夹中按上面的步骤安装依赖，然后**在本文件夹中**
（也就是包含 `embedding/` 和 `embedding-zh/` 的这一层）运行 `.venv/bin/jupyter lab`，再从文件浏览器中打开
`embedding-zh/embedding.ipynb`；不要在 `embedding-zh/` 里面启动 Jupyter。图中的中文需要中文字体（Debian/Ubuntu：
`apt-get install fonts-noto-cjk`）。完成后先用 notebook 的 **Validate** 按钮检查，再按课程要求提交这个 notebook。
"""


def _released_files(edition: str) -> list[Path]:
    """assignments/<edition>/ as released: every file but what nbgrader's CourseDirectory.ignore skips
    (checkpoints, caches, feedback, hidden files). A link is refused, not followed."""
    import fnmatch
    cfg = course.load_config(REPO)
    ignore = list(cfg.CourseDirectory.ignore)
    root = REPO / "assignments" / edition
    out = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if any(fnmatch.fnmatch(part, pat) for part in rel.parts for pat in ignore):
            continue
        if path.is_symlink():
            raise ValueError(f"{path} is a symbolic link: the release copies files only")
        if path.is_file():
            out.append(path)
    return out


def leaks(name: str, data: bytes) -> list[str]:
    """What in one file of the students' release must not be there (FORBIDDEN text, a path of
    source/, solutions/ or autograder/)."""
    found = [f"{name}: a path of {top}/" for top in ("source", "solutions", "autograder")
             if top in Path(name).parts]
    text = data.decode("utf-8", errors="replace")
    found += [f"{name}: contains {word!r}" for word in FORBIDDEN if word in text]
    return found


def student_release(out: Path) -> tuple[Path, Path]:
    """`make student-release`: OUT/ and OUT.zip (one top folder, OUT's name) holding README.md for
    students, requirements.txt, and each edition's released folder as it is in assignments/ (the
    notebook byte for byte, data/, the rule files) — no solutions, source, graders or autograder/.
    Refuses (ValueError) if a file would carry solution or hidden-test text."""
    import io
    import zipfile
    out = Path(out).resolve()
    if out == REPO or REPO.is_relative_to(out):
        raise ValueError(f"{out} holds the kit: choose a folder of its own")
    pins = student_pins()
    requirements, python = student_requirements(pins)
    files: dict[str, bytes] = {"README.md": STUDENT_README.replace("{python}", python).encode(),
                               "requirements.txt": requirements.encode()}
    for edition in EDITIONS:
        root = REPO / "assignments" / edition
        for path in _released_files(edition):
            files[f"{edition}/{path.relative_to(root).as_posix()}"] = path.read_bytes()
    problems = [p for name, data in files.items() for p in leaks(name, data)]
    if problems:
        raise ValueError("the students' release would leak: " + "; ".join(problems))
    if out.exists():
        shutil.rmtree(out)
    for name, data in files.items():
        dest = out / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)
    archive = out.with_name(out.name + ".zip")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name in sorted(files):
            info = zipfile.ZipInfo(f"{out.name}/{name}", date_time=ZIP_TIME)
            info.external_attr, info.compress_type = 0o644 << 16, zipfile.ZIP_DEFLATED
            z.writestr(info, files[name])
    archive.write_bytes(buf.getvalue())
    return out, archive
