"""From a submission (notebook, nbgrader folder or .py file) to the code the sandbox runs.

Only what grading needs is kept: imports, definitions and assignments at the top level (plus `if`
and `try` blocks); calls, loops, prints and plots are dropped, so a notebook's training loop or a
student's own experiments never run during grading. Cells the course provides (nbgrader cells that
are not solution cells, and cells tagged "provided") contribute only imports and definitions.
Nothing here executes student code.
"""
import ast
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path

from .i18n import _

MAX_SOURCE = 2 << 20  # bytes of code kept from one submission
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


# CPython 3.11's ast.parse is not thread-safe ("AST constructor recursion depth mismatch" when two
# threads parse at once): the batch extracts in worker threads, so parsing is serialised here.
_PARSE = threading.Lock()


def extract(path) -> Submission:
    """A path (notebook, folder of notebooks, .py) -> what grading runs of it; ExtractError if unreadable."""
    with _PARSE:
        return _extract(Path(path))


def _extract(path: Path) -> Submission:
    if path.is_dir():
        notebooks = sorted(p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
        if not notebooks:
            raise ExtractError(_("extract.no_notebook_in_folder", name=path.name))
        sub = Submission()
        for nb in notebooks:
            part = _from_notebook(nb)
            sub.chunks += part.chunks
            sub.trees += part.trees
            sub.notes += part.notes
            sub.lang = sub.lang or part.lang
        return sub
    if not path.exists():
        raise ExtractError(_("extract.missing", path=path))
    if path.suffix == ".ipynb":
        return _from_notebook(path)
    if path.suffix == ".py":
        sub = Submission()
        _add(sub, path.name, _read_text(path), keep=KEEP)
        return sub
    raise ExtractError(_("extract.wrong_kind", name=path.name))


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    if len(data) > 8 * MAX_SOURCE:
        raise ExtractError(_("extract.too_large", name=path.name, mb=len(data) >> 20))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ExtractError(_("extract.not_utf8", name=path.name, reason=exc.reason, start=exc.start)) from None


def from_notebook_node(nb, name: str = "notebook") -> Submission:
    """The same as extract() for a notebook already in memory (nbgrader's preprocessors hold one)."""
    with _PARSE:
        return _from_nb(nb, name)


def _from_notebook(path: Path) -> Submission:
    import nbformat
    text = _read_text(path)
    if not text.strip():
        raise ExtractError(_("extract.empty", name=path.name))
    try:  # plain JSON, not nbformat.reads: its schema validation cost 30 ms a notebook, and grading
        data = json.loads(text)  # needs only the cells (a malformed one is skipped, not trusted)
    except json.JSONDecodeError as exc:
        raise ExtractError(_("extract.not_json", name=path.name, error=exc)) from None
    if not isinstance(data, dict) or not isinstance(data.get("cells", []), list):
        raise ExtractError(_("extract.unreadable", name=path.name, error="not a JSON object with a list of cells"))
    nb = nbformat.from_dict(data)
    return _from_nb(nb, path.stem, path.name)


def _from_nb(nb, stem: str, filename: str = "") -> Submission:
    if nb.get("nbformat") != 4:
        raise ExtractError(_("extract.nbformat", name=filename or stem, version=nb.get("nbformat")))
    sub = Submission()
    kit = (nb.get("metadata") or {}).get("embedding_kit") if isinstance(nb.get("metadata"), dict) else None
    sub.lang = str(kit.get("lang", "")) if isinstance(kit, dict) else ""
    for i, cell in enumerate(nb.get("cells", [])):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        cell_meta = cell.get("metadata") if isinstance(cell.get("metadata"), dict) else {}
        meta = cell_meta.get("nbgrader") if isinstance(cell_meta.get("nbgrader"), dict) else {}
        label = f"{stem} cell {i + 1}" + (f" ({meta['grade_id']})" if meta.get("grade_id") else "")
        tags = cell_meta.get("tags") if isinstance(cell_meta.get("tags"), list) else []
        provided = (bool(meta) and not meta.get("solution", False)) or "provided" in tags
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        _add(sub, label, source, keep=PROVIDED_KEEP if provided else KEEP, tell=bool(meta.get("solution")))
    return sub


def _add(sub: Submission, label: str, source: str, keep, tell: bool = False) -> None:
    """Keep the statements of one cell that grading runs; with `tell` (a solution cell), say which
    top-level statements it does not run."""
    source = _strip_magics(source)
    try:
        tree = ast.parse(source)
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
    if sum(len(s) for _, s in sub.chunks) + len(code) > MAX_SOURCE:
        sub.notes.append(_("extract.code_too_large", label=label, mb=MAX_SOURCE >> 20))
        return
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
