"""`make release`: authoring/ -> source/<assignment> (the nbgrader sources, English `embedding` and
Chinese `embedding-zh`) -> assignments/<assignment> (nbgrader generate_assignment) and
solutions/<assignment> (generate_solution: executed, for self-study). The gradebook nbgrader needs
on the way is a temporary one, so the tree stays clean."""
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
