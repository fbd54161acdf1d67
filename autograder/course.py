"""nbgrader's course cycle through its own Python API, in one process (each `nbgrader ...` command
costs ~4.5 s of start-up here). The verbs an instructor and a student use, one function each."""
import copy
import os
import shutil
import sys
from pathlib import Path

import warnings

from sqlalchemy.exc import SAWarning
from traitlets.config.loader import PyFileConfigLoader

warnings.filterwarnings("ignore", category=SAWarning)  # nbgrader's own session handling; not ours to fix

REPO = Path(__file__).resolve().parent.parent
ASSIGNMENT = "embedding"
# nbgrader's gradebook runs the `alembic` script from PATH: make this environment's scripts found
# even when it is used as .venv/bin/python without an activated venv.
if str(Path(sys.executable).parent) not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")


def load_config(course_root: Path, exchange_root: Path | None = None, **extra):
    """The repository's nbgrader_config.py, with the course root (and exchange) moved."""
    cfg = PyFileConfigLoader("nbgrader_config.py", path=str(REPO)).load_config()
    cfg.CourseDirectory.root = str(course_root)
    if exchange_root is not None:
        cfg.Exchange.root = str(exchange_root)
    for section, values in extra.items():
        for k, v in values.items():
            setattr(cfg[section], k, v)
    return cfg


def api(cfg):
    from nbgrader.apps.api import NbGraderAPI
    return NbGraderAPI(config=cfg)


def _check(res: dict, what: str):
    if not res.get("success", False):
        raise RuntimeError(f"nbgrader {what} failed:\n{res.get('error') or res.get('log')}")
    return res


def generate_and_release(cfg):
    a = api(cfg)
    _check(a.generate_assignment(ASSIGNMENT, force=True), "generate_assignment")
    _check(a.release_assignment(ASSIGNMENT), "release_assignment")


def student_config(cfg, student: str, home: Path):
    scfg = copy.deepcopy(cfg)
    scfg.CourseDirectory.root = str(home)
    scfg.CourseDirectory.student_id = student
    scfg.CourseDirectory.assignment_id = ASSIGNMENT
    scfg.Exchange.assignment_dir = str(home)
    return scfg


def fetch(cfg, student: str, home: Path) -> Path:
    """`nbgrader fetch_assignment embedding`, run by `student` in `home`; returns the notebook folder."""
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange.default import ExchangeFetchAssignment
    home.mkdir(parents=True, exist_ok=True)
    scfg = student_config(cfg, student, home)
    cd = CourseDirectory(config=scfg)
    ExchangeFetchAssignment(coursedir=cd, authenticator=Authenticator(config=scfg), config=scfg).start()
    return home / ASSIGNMENT


def submit(cfg, student: str, home: Path):
    """`nbgrader submit embedding`, run by `student` in `home`."""
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange.default import ExchangeSubmit
    scfg = student_config(cfg, student, home)
    cd = CourseDirectory(config=scfg)
    ExchangeSubmit(coursedir=cd, authenticator=Authenticator(config=scfg), config=scfg).start()


def collect(cfg):
    _check(api(cfg).collect(ASSIGNMENT), "collect")


def submitted_students(cfg) -> list[str]:
    root = Path(cfg.CourseDirectory.root) / "submitted"
    return sorted(p.name for p in root.iterdir() if (p / ASSIGNMENT).is_dir()) if root.is_dir() else []


def autograde(cfg, student: str, force: bool = True) -> dict:
    """One student's autograde (its own gradebook transactions); never raises for that student."""
    return api(cfg).autograde(ASSIGNMENT, student, force=force)


def generate_feedback(cfg, student: str | None = None):
    _check(api(cfg).generate_feedback(ASSIGNMENT, student), "generate_feedback")


def export_csv(cfg, dest: Path) -> Path:
    from nbgrader.api import Gradebook
    from nbgrader.plugins import CsvExportPlugin
    plugin = CsvExportPlugin(config=cfg)
    plugin.to = str(dest)
    with Gradebook(_db_url(cfg), course_id=cfg.CourseDirectory.course_id) as gb:
        plugin.export(gb)
    return dest


def part_scores(cfg) -> dict[str, dict[str, float]]:
    """student -> {grade cell (part id) -> score} from the gradebook, as formgrader shows them."""
    from nbgrader.api import Gradebook
    out: dict[str, dict[str, float]] = {}
    with Gradebook(_db_url(cfg), course_id=cfg.CourseDirectory.course_id) as gb:
        for sub in gb.assignment_submissions(ASSIGNMENT):
            for nb in sub.notebooks:
                for grade in nb.grades:
                    out.setdefault(sub.student_id, {})[grade.name] = grade.score
    return out


def _db_url(cfg) -> str:
    from nbgrader.coursedir import CourseDirectory
    return CourseDirectory(config=cfg).db_url


def copy_source(course_root: Path):
    """A scratch course: the repository's nbgrader source of the assignment, nothing else."""
    dest = course_root / "source" / ASSIGNMENT
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(REPO / "source" / ASSIGNMENT, dest)


def record_scores(cfg, student: str, scores: dict[str, float]) -> None:
    """Write part scores straight into the gradebook, for a submission nbgrader itself cannot read
    (a notebook that is not JSON): the student gets the grader's zeros, not a missing row."""
    from nbgrader.api import Gradebook
    with Gradebook(_db_url(cfg), course_id=cfg.CourseDirectory.course_id) as gb:
        gb.update_or_create_student(student)
        sub = gb.update_or_create_submission(ASSIGNMENT, student)
        for nb in sub.notebooks:
            for grade in nb.grades:
                if grade.name in scores:
                    grade.auto_score = scores[grade.name]
                    grade.needs_manual_grade = False
        gb.db.commit()
