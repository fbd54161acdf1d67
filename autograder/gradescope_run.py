"""One Gradescope submission, as run_autograder calls it: choose the file, grade it, write results.json.

    python -m autograder gradescope-run [--root /autograder]

Steps, in order:
1. choose: of the uploads, the notebook whose cells carry the assignment's grade ids (`<part>_code`),
   preferring cells changed from the released stub (an old stub copy beside the work loses); a `.py`
   that defines the API competes by the parts it defines; ties go to the newest, then the largest.
   When other files were left out, a note says which.
2. strip: a notebook's outputs (never graded) are dropped before the grader's size cap sees it.
3. grade: in the notebook's own language (its metadata), else the zip's default.
4. write results.json (report.to_gradescope). A grader failure exits 1 and writes none: Gradescope's
   "autograder failed" state, with the traceback in the output only the instructor sees. A sandbox
   that brings nothing back counts as one when an empty canary submission does not come back either.
Nothing started during grading outlives it: this process is a child subreaper and, at the end, kills
every descendant still alive (a student's daemon, double-forked, included).
"""
import ast
import json
import os
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path

from .parts import PARTS

MAX_NOTEBOOK = 512 << 20   # bytes read to strip outputs; above that the grader's own cap speaks
SKIP_DIRS = {".ipynb_checkpoints", "__MACOSX", "__pycache__"}
NOTES = {
    "en": {"chose": "Graded {chosen}; not graded: {others} (the graded file holds the most of the "
                    "assignment's answer cells{newest}).",
           "newest": "; of equals, the newest or largest"},
    "zh": {"chose": "已评分 {chosen}；未评分：{others}（被评分的文件包含最多的作业答案单元{newest}）。",
           "newest": "；同等时取最新或最大者"},
}


def main(root: Path) -> int:
    """run_autograder's body: 0 with results.json written, 1 (and no results.json) if the grader failed."""
    become_subreaper()
    started = time.monotonic()
    try:
        config = json.loads((root / "source" / "gradescope.json").read_text())
        text = grade_submission(root / "submission", config, started)
    except Exception:  # noqa: BLE001 - any failure of the grader is Gradescope's failure state, never a 0
        traceback.print_exc(file=sys.stdout)
        print("gradescope-run: the grader itself failed; no results.json was written")
        return 1
    finally:
        reap_descendants()
    results = root / "results"
    results.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = results / "results.json.tmp"
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, results / "results.json")
    return 0


def grade_submission(folder: Path, config: dict, started: float) -> str:
    from .sandbox import zygote_first
    with zygote_first() as zygote:   # first: it starts while this process imports torch and the graders
        return _grade_submission(folder, config, started, zygote)


def _grade_submission(folder: Path, config: dict, started: float, zygote) -> str:
    from .extract import ExtractError, extract
    from .grade import Grader, present_devices
    from .i18n import LANGS
    from .report import to_gradescope
    chosen, others, tie = choose(folder, config.get("stubs", {}))
    default = config.get("lang", "en")
    with tempfile.TemporaryDirectory(prefix="kit-gradescope-") as work:   # mode 0700: the grader's alone
        empty = Path(work) / folder.name     # nothing to grade: the grader says so, of an empty folder
        empty.mkdir()
        target = stripped(chosen, Path(work)) if chosen else empty
        try:
            sub = extract(target)
            lang = sub.lang if sub.lang in LANGS else default
        except ExtractError:
            sub, lang = target, default          # the grader says why it cannot read it, in `lang`
        with Grader(present_devices(), zygote=zygote) as grader:
            result = grader.grade(sub, lang=lang)
            if result.score == 0:   # the student's doing, or a sandbox broken on this image?
                check_sandbox(grader)
    # for the instructor (Gradescope shows run_autograder's stdout to staff only)
    print(f"gradescope-run: graded {rel(chosen, folder) if chosen else folder}; score {result.score:.2f}; "
          f"confinement: {', '.join(getattr(result, 'confinement', None) or ['none reported'])}")
    if others:
        words = NOTES.get(result.lang, NOTES["en"])
        result.notes.append(words["chose"].format(
            chosen=rel(chosen, folder), others=", ".join(rel(p, folder) for p in others),
            newest=words["newest"] if tie else ""))
    return to_gradescope(result, visibility=config.get("visibility", "visible"),
                         execution_time=time.monotonic() - started)


def check_sandbox(grader) -> None:
    """When a submission scores 0, the student's code may have earned it (or killed its own jobs),
    or the sandbox may be broken on this image (every student would get a silent 0). A canary tells
    which: a job holding no code must answer (0.3 s); if it does not, the grader has failed."""
    from .remote import self_check
    why = self_check(grader.sandbox)
    if why:
        raise RuntimeError("the sandbox brought nothing back, even for an empty submission: the grader "
                           f"is broken on this image, not the student's code. {why}")


# ---------------------------------------------------------------- 1. choose

def choose(folder: Path, stubs: dict):
    """-> (the file to grade or None, the other candidates, whether a tie was broken by date/size)."""
    files = [p for p in sorted(folder.rglob("*")) if p.suffix in (".ipynb", ".py") and not p.is_symlink()
             and p.is_file() and not SKIP_DIRS & set(p.relative_to(folder).parts)]   # a link could name our files
    if not files:
        return None, [], False
    ranked = sorted(((rank(p, stubs), p) for p in files), key=lambda rp: rp[0], reverse=True)
    best = ranked[0][0]
    tie = len(ranked) > 1 and ranked[1][0][:2] == best[:2]
    return ranked[0][1], [p for _r, p in ranked[1:]], tie


def rank(path: Path, stubs: dict) -> tuple:
    """(parts answered, parts changed from the stub, newest, largest): larger is more likely the work."""
    st = path.stat()
    found, changed = (notebook_parts(path, stubs) if path.suffix == ".ipynb" else script_parts(path))
    return found, changed, st.st_mtime, st.st_size


def notebook_parts(path: Path, stubs: dict) -> tuple[int, int]:
    from .gradescope import source_digest
    ids = {p.solution_cell for p in PARTS}
    try:
        if path.stat().st_size > MAX_NOTEBOOK:
            return 0, 0
        cells = json.loads(path.read_bytes()).get("cells", [])
    except (OSError, ValueError, AttributeError, RecursionError):
        return 0, 0
    found, changed = set(), set()
    for cell in cells if isinstance(cells, list) else []:
        meta = cell.get("metadata") if isinstance(cell, dict) else None
        gid = (meta.get("nbgrader") or {}).get("grade_id") if isinstance(meta, dict) else None
        if gid in ids:
            found.add(gid)
            if source_digest(cell.get("source", "")) not in stubs.get(gid, ()):
                changed.add(gid)
    return len(found), len(changed)


def script_parts(path: Path) -> tuple[int, int]:
    """A .py: the parts whose names it defines at the top level (read, never run)."""
    try:
        tree = ast.parse(path.read_bytes())
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return 0, 0
    names = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    names |= {t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}
    n = sum(1 for p in PARTS if set(p.defines) <= names)
    return n, n


def rel(path: Path, folder: Path) -> str:
    return str(path.relative_to(folder))


# ---------------------------------------------------------------- 2. strip

def stripped(path: Path, work: Path) -> Path:
    """A notebook without outputs (same file name, in `work`); anything else, or a notebook that is not
    JSON, as it is (the grader reports what is wrong with it)."""
    if path.suffix != ".ipynb" or path.stat().st_size > MAX_NOTEBOOK:
        return path
    try:
        nb = json.loads(path.read_bytes())
        for cell in nb["cells"]:
            if cell.get("cell_type") == "code":
                cell["outputs"], cell["execution_count"] = [], None
            cell.pop("attachments", None)
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return path
    out = work / path.name
    out.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    return out


# ---------------------------------------------------------------- processes

def become_subreaper() -> bool:
    """Orphans of our descendants (a daemon's double fork) become our children, not init's (Linux)."""
    from .linux import PR_SET_CHILD_SUBREAPER, prctl
    try:
        return prctl(PR_SET_CHILD_SUBREAPER, 1) == 0
    except (OSError, AttributeError):
        return False


def children(pid: int) -> list:
    kids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                kids.append(int(entry))
    return kids


def reap_descendants(rounds: int = 100) -> int:
    """SIGKILL and reap our children until none is left (orphans keep arriving: we are their
    subreaper). -> how many were killed."""
    killed = 0
    for _ in range(rounds):
        kids = children(os.getpid())
        if not kids:
            break
        for pid in kids:
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except ProcessLookupError:
                pass
        for pid in kids:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
    return killed
