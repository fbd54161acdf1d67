"""nbgrader's course cycle through its own Python API, in one process (each `nbgrader ...` command
costs ~4.5 s of start-up here). The verbs an instructor and a student use, one function each."""
import copy
import os
import shutil
import sys
from pathlib import Path

import warnings

from traitlets.config.loader import PyFileConfigLoader

from . import REPO as ROOT
from .parts import DEFAULT_EDITION, EDITIONS

REPO = Path(ROOT).resolve()
ASSIGNMENT = DEFAULT_EDITION     # the English edition (parts.EDITIONS holds every edition)
ASSIGNMENTS = tuple(EDITIONS)     # both editions (parts.py)
NOTEBOOK = "embedding.ipynb"      # the one notebook of either edition
# nbgrader's gradebook runs the `alembic` script from PATH: make this environment's scripts found
# even when it is used as .venv/bin/python without an activated venv.
if str(Path(sys.executable).parent) not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")


def load_config(course_root: Path, exchange_root: Path | None = None, **extra):
    """The course's own nbgrader_config.py where it has one (a hub's course, the demo's: its db_url,
    its exchange), else the repository's; with the course root (and exchange) moved."""
    _quiet_gradebook()
    own = Path(course_root) / "nbgrader_config.py"
    where = Path(course_root) if own.is_file() else REPO
    cfg = PyFileConfigLoader("nbgrader_config.py", path=str(where)).load_config()
    cfg.CourseDirectory.root = str(course_root)
    if exchange_root is not None:
        cfg.Exchange.root = str(exchange_root)
    for section, values in extra.items():
        for k, v in values.items():
            setattr(cfg[section], k, v)
    return cfg


def api(cfg):
    from nbgrader.apps.api import NbGraderAPI
    _quiet_gradebook()
    return NbGraderAPI(config=cfg)


def _quiet_gradebook():
    """nbgrader's own session handling warns (SAWarning): not ours to fix. Set where a course is
    first opened, not at import: importing SQLAlchemy delayed the batch's zygote by 0.3 s."""
    from sqlalchemy.exc import SAWarning
    warnings.filterwarnings("ignore", category=SAWarning)


def _check(res: dict, what: str):
    if not res.get("success", False):
        raise RuntimeError(f"nbgrader {what} failed:\n{res.get('error') or res.get('log')}")
    return res


def generate_and_release(cfg, assignment: str = ASSIGNMENT):
    a = api(cfg)
    _check(a.generate_assignment(assignment, force=True), "generate_assignment")
    _check(a.release_assignment(assignment), "release_assignment")


def student_config(cfg, student: str, home: Path, assignment: str = ASSIGNMENT):
    """`student`'s nbgrader configuration, everything of theirs in `home`: the fetched assignment and
    nbgrader's submission cache (by default $JUPYTER_DATA_DIR/nbgrader_cache, i.e. the real user's
    ~/.local/share/jupyter: every simulated submission would show in that user's own Assignments tab)."""
    scfg = copy.deepcopy(cfg)
    scfg.CourseDirectory.root = str(home)
    scfg.CourseDirectory.student_id = student
    scfg.CourseDirectory.assignment_id = assignment
    scfg.Exchange.assignment_dir = str(home)
    scfg.Exchange.cache = str(student_cache(home))
    return scfg


def student_cache(home: Path) -> Path:
    """Where a simulated student's nbgrader keeps its copies of their submissions: as a real student's
    would be, ~/.local/share/jupyter/nbgrader_cache, with `home` as their home."""
    return Path(home) / ".local" / "share" / "jupyter" / "nbgrader_cache"


def fetch(cfg, student: str, home: Path, assignment: str = ASSIGNMENT) -> Path:
    """`nbgrader fetch_assignment embedding`, run by `student` in `home`; returns the notebook folder."""
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange.default import ExchangeFetchAssignment
    home.mkdir(parents=True, exist_ok=True)
    scfg = student_config(cfg, student, home, assignment)
    cd = CourseDirectory(config=scfg)
    ExchangeFetchAssignment(coursedir=cd, authenticator=Authenticator(config=scfg), config=scfg).start()
    return home / assignment


def submit(cfg, student: str, home: Path, assignment: str = ASSIGNMENT):
    """`nbgrader submit embedding`, run by `student` in `home`."""
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange.default import ExchangeSubmit
    scfg = student_config(cfg, student, home, assignment)
    cd = CourseDirectory(config=scfg)
    ExchangeSubmit(coursedir=cd, authenticator=Authenticator(config=scfg), config=scfg).start()


def collect(cfg, assignment: str = ASSIGNMENT) -> list[str]:
    """`nbgrader collect`, made safe: nbgrader copies the exchange's inbound folder following symbolic
    links (a student's link to the gradebook or to another student's files would be copied as theirs),
    so links in inbound are removed first (the link, never its target); and the collected folders are
    made not writable by others. Returns the links removed (relative to inbound)."""
    removed = strip_links(inbound_dir(cfg))
    _check(api(cfg).collect(assignment), "collect")
    no_world_write(Path(cfg.CourseDirectory.root) / "submitted")
    return removed


def inbound_dir(cfg) -> Path:
    return Path(cfg.Exchange.root) / cfg.CourseDirectory.course_id / "inbound"


def strip_links(folder: Path) -> list[str]:
    """Remove every symbolic link below `folder` (without following any); returns their paths."""
    import os
    removed = []
    if folder.is_symlink():
        raise OSError(f"{folder} is a symbolic link: refusing to collect from it")
    for root, dirs, files in os.walk(folder, followlinks=False):
        for name in dirs + files:
            p = os.path.join(root, name)
            if os.path.islink(p):
                os.unlink(p)
                removed.append(os.path.relpath(p, folder))
        dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(root, d))]
    return removed


def no_world_write(folder: Path):
    """Clear the write bit for others on `folder` and everything in it (links untouched)."""
    import os
    import stat
    if not folder.is_dir() or folder.is_symlink():
        return
    for root, dirs, files in os.walk(folder, followlinks=False):
        for p in [root] + [os.path.join(root, n) for n in dirs + files]:
            try:
                st = os.lstat(p)
                if not stat.S_ISLNK(st.st_mode) and st.st_mode & 0o002:
                    os.chmod(p, stat.S_IMODE(st.st_mode) & ~0o002)
            except OSError:
                pass


def submitted_students(cfg, assignment: str = ASSIGNMENT) -> list[str]:
    root = Path(cfg.CourseDirectory.root) / "submitted"
    return sorted(p.name for p in root.iterdir() if (p / assignment).is_dir()) if root.is_dir() else []


def autograde(cfg, student: str, force: bool = True, assignment: str = ASSIGNMENT) -> dict:
    """One student's autograde (its own gradebook transactions); never raises for that student."""
    return api(cfg).autograde(assignment, student, force=force)


def generate_feedback(cfg, student: str | None = None, assignment: str = ASSIGNMENT):
    _check(api(cfg).generate_feedback(assignment, student), "generate_feedback")


def export_csv(cfg, dest: Path) -> Path:
    from nbgrader.api import Gradebook
    from nbgrader.plugins import CsvExportPlugin
    dest.parent.mkdir(parents=True, exist_ok=True)
    plugin = CsvExportPlugin(config=cfg)
    plugin.to = str(dest)
    with Gradebook(_db_url(cfg), course_id=cfg.CourseDirectory.course_id) as gb:
        plugin.export(gb)
    return dest


def export_columns() -> tuple[str, ...]:
    from .parts import PARTS
    return (("student_id", "last_name", "first_name", "email", "edition", "timestamp", "raw_score",
             "late_submission_penalty", "score", "max_score") + tuple(p.id for p in PARTS)
            + ("written", "needs_manual_grade"))


def edition_rows(cfg, editions=ASSIGNMENTS) -> tuple[list[dict], list[str]]:
    """One row per student of the gradebook, for the edition they took (`nbgrader export` gives every
    student a row per edition, 0 for the one not taken). Returns (rows, notes).

    edition: the edition submitted ("" for a student with no submission: score 0, out of the first
    edition's max score, as nbgrader's export gives); a student with a submission of each edition is
    counted by the later one, and a note names them. score = max(0, raw_score - late penalty), as
    nbgrader's; one column per automatically graded part; written: the written answers together;
    needs_manual_grade: how many of the student's cells still wait for a grader (0: the score is final)."""
    from nbgrader.api import Gradebook, MissingEntry

    from .parts import BY_ID, PARTS
    rows, notes = [], []
    with Gradebook(_db_url(cfg), course_id=cfg.CourseDirectory.course_id) as gb:
        known = {a.name: a for a in gb.assignments}
        present = [e for e in editions if e in known]
        if not present:
            raise ValueError(f"the gradebook has none of the editions {', '.join(editions)}: nothing to export")
        for student in sorted(gb.students, key=lambda s: s.id):
            subs = []
            for edition in present:
                try:
                    subs.append(gb.find_submission(edition, student.id))
                except MissingEntry:
                    pass
            row = {"student_id": student.id, "last_name": student.last_name or "",
                   "first_name": student.first_name or "", "email": student.email or ""}
            if not subs:
                row.update(edition="", timestamp="", raw_score=0.0, late_submission_penalty=0.0, score=0.0,
                           max_score=known[present[0]].max_score)
                rows.append(row)
                continue
            sub = max(subs, key=lambda s: (s.timestamp is not None, s.timestamp or 0))
            if len(subs) > 1:
                notes.append(f"{student.id} submitted {' and '.join(s.assignment.name for s in subs)}: "
                             f"counted by the later one, {sub.assignment.name}")
            penalty = sub.late_submission_penalty or 0.0
            grades = [g for nb in sub.notebooks for g in nb.grades]
            row.update(edition=sub.assignment.name, timestamp=_utc(sub.timestamp),
                       raw_score=sub.score, late_submission_penalty=penalty, score=max(0.0, sub.score - penalty),
                       max_score=sub.max_score)
            for p in PARTS:
                row[p.id] = sum(g.score for g in grades if g.name == p.id)
            row["written"] = sum(g.score for g in grades if g.name not in BY_ID)
            row["needs_manual_grade"] = sum(1 for g in grades if g.needs_manual_grade)
            rows.append(row)
    return rows, notes


def _utc(when) -> str:
    """nbgrader's gradebook keeps timestamps in UTC without a time zone: say it."""
    from datetime import timezone
    if when is None:
        return ""
    return (when.replace(tzinfo=timezone.utc) if when.tzinfo is None else when).isoformat()


def export_editions(cfg, dest: Path, editions=ASSIGNMENTS) -> tuple[Path, list[dict], list[str]]:
    """edition_rows as a CSV file (UTF-8, a header row, scores rounded to 2 places): what an LMS upload
    takes. Returns (dest, rows, notes)."""
    import csv
    rows, notes = edition_rows(cfg, editions)
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)

    def cell(v):
        return format(round(v, 2), "g") if isinstance(v, float) else v
    tmp = dest.with_name(dest.name + ".tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=export_columns(), restval="")
        w.writeheader()
        for row in rows:
            w.writerow({k: cell(v) for k, v in row.items()})
    os.replace(tmp, dest)
    return dest, rows, notes


def part_scores(cfg, assignment: str = ASSIGNMENT) -> dict[str, dict[str, float]]:
    """student -> {part id -> score} from the gradebook, as formgrader shows them (the written
    answers, graded by hand, are left out)."""
    from nbgrader.api import Gradebook

    from .parts import BY_ID
    out: dict[str, dict[str, float]] = {}
    with Gradebook(_db_url(cfg), course_id=cfg.CourseDirectory.course_id) as gb:
        for sub in gb.assignment_submissions(assignment):
            for nb in sub.notebooks:
                for grade in nb.grades:
                    if grade.name in BY_ID:
                        out.setdefault(sub.student_id, {})[grade.name] = grade.score
    return out


def _db_url(cfg) -> str:
    from nbgrader.coursedir import CourseDirectory
    return CourseDirectory(config=cfg).db_url


def copy_source(course_root: Path, assignments=(ASSIGNMENT,)):
    """A scratch course: the repository's nbgrader source of the assignments, nothing else."""
    for assignment in assignments:
        dest = course_root / "source" / assignment
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(REPO / "source" / assignment, dest)


def gradebook_state(cfg, assignment: str = ASSIGNMENT) -> dict:
    """Everything autograde writes for each student, as plain data (to compare two ways of grading)."""
    from nbgrader.api import Gradebook
    out = {}
    with Gradebook(_db_url(cfg), course_id=cfg.CourseDirectory.course_id) as gb:
        for sub in gb.assignment_submissions(assignment):
            state = out.setdefault(sub.student_id, {"timestamp": str(sub.timestamp)})
            for nb in sub.notebooks:
                state["late_penalty"] = nb.late_submission_penalty
                for g in nb.grades:
                    state[g.name] = (g.auto_score, g.manual_score, g.needs_manual_grade)
                for c in nb.comments:
                    state[f"comment on {c.name}"] = c.auto_comment
    return out
