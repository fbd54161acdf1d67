"""`make release`: authoring/ -> source/embedding (the nbgrader source) -> assignments/embedding
(nbgrader generate_assignment) and solutions/embedding (generate_solution: executed, for
self-study). The gradebook nbgrader needs on the way is a temporary one, so the tree stays clean."""
import subprocess
import sys
import tempfile
from pathlib import Path

from . import course

REPO = course.REPO


def build_source(lang: str = "en") -> None:
    subprocess.run([sys.executable, str(REPO / "authoring" / "build.py"), "--lang", lang], check=True)


def generate(course_root: Path = REPO, solutions: bool = True, db_dir: Path | None = None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{db_dir or tmp}/gradebook.db"
        cfg = course.load_config(course_root, CourseDirectory={"db_url": db})
        api = course.api(cfg)
        course._check(api.generate_assignment(course.ASSIGNMENT, force=True), "generate_assignment")
        if solutions:
            from nbgrader.converters import GenerateSolution
            from nbgrader.utils import capture_log, temp_attrs
            with temp_attrs(api.coursedir, assignment_id=course.ASSIGNMENT):
                app = GenerateSolution(coursedir=api.coursedir, parent=api)
                app.force = True
                course._check(capture_log(app), "generate_solution")


def main() -> int:
    build_source()
    generate()
    print("source/, assignments/ and solutions/ regenerated; review `git diff` and commit them together.")
    return 0
