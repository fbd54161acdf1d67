"""From a submission (notebook, nbgrader folder or .py file) to the code the sandbox runs.

Only what grading needs is kept: imports, definitions and assignments at the top level (plus `if`
and `try` blocks); calls, loops, prints and plots are dropped, so a notebook's training loop or a
student's own experiments never run during grading. Cells the course provides (nbgrader cells that
are not solution cells, and cells tagged "provided") contribute only imports and definitions.
Nothing here executes student code.
"""
import ast
import json
import os
import stat
import threading
from dataclasses import dataclass, field
from pathlib import Path

from .i18n import _
from .textsafe import clean, cut

MAX_SOURCE = 2 << 20  # bytes of code kept from one submission
MAX_FILES = 8 * MAX_SOURCE   # bytes of files read from one submission (all its notebooks together)
MAX_CELLS = 2000      # code cells read from one submission; the course's notebook has a few dozen
MAX_LABEL_ID = 64     # characters of a cell's grade_id in its label (in notes, tracebacks); the course's: 21 at most
KEEP = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef,
        ast.Assign, ast.AnnAssign, ast.AugAssign, ast.If, ast.Try)
PROVIDED_KEEP = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef)


class ExtractError(Exception):
    """The submission could not be read at all; the message says why (every part scores zero)."""


@dataclass
class Submission:
    chunks: list = field(default_factory=list)     # [label, source] pairs, in notebook order
    notes: list = field(default_factory=list)      # cells that could not be parsed, etc.
    trees: list = field(default_factory=list, repr=False, compare=False)  # [label, kept top-level nodes]
    lang: str = ""                                  # the edition's language, from the notebook's metadata
    size: int = field(default=0, repr=False, compare=False)    # bytes of code in chunks
    cells: int = field(default=0, repr=False, compare=False)   # code cells seen


# CPython 3.11's ast.parse is not thread-safe ("AST constructor recursion depth mismatch" when two
# threads parse at once; nbgrader's preprocessors may run in threads): each parse of one cell is
# serialised here, never a whole notebook, so one large submission does not hold up the others.
_PARSE = threading.Lock()
# Parsed cells by source: a class's notebooks share most of their cells (every provided cell, and
# whatever a student left as released), and parsing was most of the time spent here. The trees are
# only read (extract, policy), never changed. Bounded by the source it holds, since a tree takes 45
# bytes per character of the course's notebook and up to ~180 of dense code (measured): at most
# ~50 MB a worker, whatever a class submits. A cell that does not parse is parsed again each time.
_PARSED: dict = {}
PARSED_CHARS = 256_000   # characters of source kept parsed; the course's notebook: ~100k in 42 code cells
PARSED_CELL_CHARS = 64_000   # a longer cell is not kept (the course's longest: ~35k)
_parsed_chars = [0]


def _parse(source: str) -> ast.Module:
    tree = _PARSED.get(source)
    if tree is None:
        with _PARSE:
            tree = ast.parse(source)
            if len(source) <= PARSED_CELL_CHARS and source not in _PARSED:
                while _PARSED and _parsed_chars[0] + len(source) > PARSED_CHARS:
                    oldest = next(iter(_PARSED))   # the oldest first
                    del _PARSED[oldest]
                    _parsed_chars[0] -= len(oldest)
                _PARSED[source] = tree
                _parsed_chars[0] += len(source)
    return tree


def extract(path) -> Submission:
    """A path (notebook, folder of notebooks, .py) -> what grading runs of it; ExtractError if
    unreadable. Symbolic links are never followed (a linked notebook is not the student's own)."""
    return _extract(Path(path))


def _lstat(path: Path):
    try:
        st = os.lstat(path)
    except OSError:
        raise ExtractError(_("extract.missing", path=path)) from None
    if stat.S_ISLNK(st.st_mode):
        raise ExtractError(_("extract.symlink", name=path.name))
    return st


def _notebooks_in(folder: Path) -> tuple[list, list]:
    """The folder's notebooks (no link followed, none in a checkpoint folder), and notes on links."""
    found, notes = [], []
    for root, dirs, files in os.walk(folder, followlinks=False):
        for d in list(dirs):
            if d == ".ipynb_checkpoints" or os.path.islink(os.path.join(root, d)):
                if d != ".ipynb_checkpoints":
                    notes.append(_("extract.symlink", name=d))
                dirs.remove(d)
        for f in files:
            if f.endswith(".ipynb"):
                p = Path(root, f)
                if p.is_symlink():
                    notes.append(_("extract.symlink", name=f))
                else:
                    found.append(p)
    return sorted(found), notes


def _extract(path: Path) -> Submission:
    st = _lstat(path)
    if stat.S_ISDIR(st.st_mode):
        notebooks, notes = _notebooks_in(path)
        if not notebooks:
            raise ExtractError(_("extract.no_notebook_in_folder", name=path.name))
        total = sum(_lstat(nb).st_size for nb in notebooks)   # the cap is per submission, checked before reading
        if total > MAX_FILES:
            raise ExtractError(_("extract.too_large", name=path.name, mb=total >> 20))
        sub = Submission(notes=notes)
        for nb in notebooks:
            _from_notebook(nb, into=sub)
        return sub
    if path.suffix == ".ipynb":
        return _from_notebook(path)
    if path.suffix == ".py":
        sub = Submission()
        _add(sub, path.name, _read_text(path), keep=KEEP)
        return sub
    raise ExtractError(_("extract.wrong_kind", name=path.name))


def _read_text(path: Path) -> str:
    st = _lstat(path)   # size checked before reading; a link is refused, never followed
    if not stat.S_ISREG(st.st_mode):
        raise ExtractError(_("extract.wrong_kind", name=path.name))
    if st.st_size > MAX_FILES:
        raise ExtractError(_("extract.too_large", name=path.name, mb=st.st_size >> 20))
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        raise ExtractError(_("extract.unreadable", name=path.name, error=exc.strerror)) from None
    with os.fdopen(fd, "rb") as f:
        data = f.read(MAX_FILES + 1)
    if len(data) > MAX_FILES:
        raise ExtractError(_("extract.too_large", name=path.name, mb=len(data) >> 20))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ExtractError(_("extract.not_utf8", name=path.name, reason=exc.reason, start=exc.start)) from None


def from_notebook_node(nb, name: str = "notebook") -> Submission:
    """The same as extract() for a notebook already in memory (nbgrader's preprocessors hold one)."""
    return _from_nb(nb, name)


def _from_notebook(path: Path, into: Submission | None = None) -> Submission:
    text = _read_text(path)
    if not text.strip():
        raise ExtractError(_("extract.empty", name=path.name))
    try:  # plain JSON, not nbformat.reads: its schema validation cost 30 ms a notebook, and grading
        data = json.loads(text)  # needs only the cells (a malformed one is skipped, not trusted)
    except json.JSONDecodeError as exc:
        raise ExtractError(_("extract.not_json", name=path.name, error=exc)) from None
    except RecursionError:
        raise ExtractError(_("extract.too_deep", name=path.name)) from None
    except MemoryError:
        raise ExtractError(_("extract.too_large", name=path.name, mb=len(text) >> 20)) from None
    if not isinstance(data, dict) or not isinstance(data.get("cells", []), list):
        raise ExtractError(_("extract.unreadable", name=path.name, error="not a JSON object with a list of cells"))
    return _from_nb(data, path.stem, path.name, into)


def _from_nb(nb, stem: str, filename: str = "", into: Submission | None = None) -> Submission:
    """Reads only plain dict/list/str fields of the notebook (JSON as loaded, or a NotebookNode)."""
    if nb.get("nbformat") != 4:
        raise ExtractError(_("extract.nbformat", name=filename or stem, version=nb.get("nbformat")))
    sub = into if into is not None else Submission()
    kit = (nb.get("metadata") or {}).get("embedding_kit") if isinstance(nb.get("metadata"), dict) else None
    sub.lang = str(kit.get("lang", "")) if isinstance(kit, dict) else ""
    cells = nb.get("cells", [])
    for i, cell in enumerate(cells if isinstance(cells, list) else []):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        sub.cells += 1
        if sub.cells > MAX_CELLS:
            sub.notes.append(_("extract.too_many_cells", label=f"{stem} cell {i + 1}", cells=MAX_CELLS))
            break
        cell_meta = cell.get("metadata") if isinstance(cell.get("metadata"), dict) else {}
        meta = cell_meta.get("nbgrader") if isinstance(cell_meta.get("nbgrader"), dict) else {}
        label = f"{stem} cell {i + 1}" + (f" ({cut(str(meta['grade_id']), MAX_LABEL_ID)})" if meta.get("grade_id") else "")
        tags = cell_meta.get("tags") if isinstance(cell_meta.get("tags"), list) else []
        provided = (bool(meta) and not meta.get("solution", False)) or "provided" in tags
        source = cell.get("source", "")
        source = "".join(s for s in source if isinstance(s, str)) if isinstance(source, list) else \
            source if isinstance(source, str) else ""
        source, label = clean(source), clean(label)   # as autograde reads the notebook (TolerantNotebookExporter)
        _add(sub, label, source, keep=PROVIDED_KEEP if provided else KEEP, tell=bool(meta.get("solution")))
    return sub


def _add(sub: Submission, label: str, source: str, keep, tell: bool = False) -> None:
    """Keep the statements of one cell that grading runs; with `tell` (a solution cell), say which
    top-level statements it does not run."""
    source = _strip_magics(source)
    if sub.size + len(source) > MAX_SOURCE and len(source) > MAX_SOURCE // 2:   # not worth parsing
        sub.notes.append(_("extract.code_too_large", label=label, mb=MAX_SOURCE >> 20))
        return
    try:
        tree = _parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        where = _("extract.syntax_line", line=exc.lineno) if getattr(exc, "lineno", None) else ""
        sub.notes.append(_("extract.syntax", label=label, where=where, error=getattr(exc, "msg", exc)))
        return
    body = [node for node in tree.body if isinstance(node, keep) or _extends_a_class(node)]
    if tell:
        skipped = [n for n in tree.body if n not in body and not _is_docstring(n)]
        for node in skipped[:5]:
            sub.notes.append(_("extract.skipped", label=label, line=node.lineno, code=_first_line(source, node)))
    if not body:
        return
    lines, kept = source.splitlines(), [""] * len(source.splitlines())
    for node in body:  # keep each statement on its own line numbers, so tracebacks point at the cell
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        kept[first - 1:node.end_lineno] = lines[first - 1:node.end_lineno]
    code = "\n".join(kept)
    if sub.size + len(code) > MAX_SOURCE:   # a running total: linear in the number of cells
        sub.notes.append(_("extract.code_too_large", label=label, mb=MAX_SOURCE >> 20))
        return
    sub.size += len(code)
    sub.chunks.append([label, code])
    sub.trees.append((label, body))


def _extends_a_class(node) -> bool:
    """`setattr(Embedding, "extra_repr", f)` at top level: kept, like `Embedding.extra_repr = f`."""
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) and \
        isinstance(node.value.func, ast.Name) and node.value.func.id == "setattr" and \
        len(node.value.args) == 3 and not node.value.keywords and isinstance(node.value.args[0], ast.Name) and \
        isinstance(node.value.args[1], ast.Constant) and isinstance(node.value.args[1].value, str)


def _is_docstring(node) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)


def _first_line(source: str, node) -> str:
    line = source.splitlines()[node.lineno - 1].strip()
    return line if len(line) <= 60 else line[:57] + "..."


def _strip_magics(source: str) -> str:
    """IPython syntax (%magic, !shell, %%cell) is not Python: turn those lines into comments."""
    lines = source.splitlines()
    if lines and lines[0].lstrip().startswith("%%"):
        return ""
    return "\n".join("#" + ln if ln.lstrip().startswith(("%", "!")) else ln for ln in lines)
