"""The grading command's output formats: JSON (CONTRACT §3), text for people, Gradescope's results.json.
This module is the only one that writes them."""
import json

from .grade import Result
from .i18n import _, use
from .textsafe import clean


def to_json(result: Result) -> str:
    return json.dumps(result.to_json(), ensure_ascii=False)


def to_text(result: Result, name: str = "") -> str:
    with use(result.lang):
        lines = [f"{name + ': ' if name else ''}{result.score:.2f} / {result.max_score:.0f}"]
        for pid, part in result.parts.items():
            lines.append(f"\n{pid} — {_('part.' + pid)}: {part.score:.2f} / {part.max_score:.0f}")
            lines += [part_line(t) for t in part.tests if t.max_score or not t.passed]
        if result.notes:
            lines.append("\n" + _("report.notes"))
            lines += [f"  - {n}" for n in result.notes]
        return "\n".join(lines)


def part_line(t) -> str:
    mark = _("report.pass") if t.passed else _("report.fail")
    head = f"  [{mark}] {t.question.splitlines()[0] if t.question else t.name}"
    if not t.passed and t.message:
        head += "\n         " + t.message.replace("\n", "\n         ")
    return head


def part_feedback(result: Result, pid: str) -> str:
    """What a student sees under the part's graded cell in nbgrader's feedback."""
    part = result.parts[pid]
    with use(result.lang):
        lines = [_("report.part_points", part=pid, score=part.score, max=part.max_score)]
        lines += [part_line(t) for t in part.tests if t.max_score or not t.passed]
        lines += ["  " + _("report.note", note=n) for n in result.notes]
        return clean("\n".join(lines) + "\n")


def graded_cell_outputs(result: Result, pid: str) -> list:
    """The outputs of a part's graded cell in nbgrader: the part's report, then its score as the
    cell's value (how nbgrader reads partial credit). Plain nodes: nbformat's per-output
    validation is slow and these are valid by construction."""
    from nbformat import NotebookNode
    return [NotebookNode(output_type="stream", name="stdout", text=part_feedback(result, pid)),
            NotebookNode(output_type="execute_result", execution_count=None, metadata=NotebookNode(),
                         data=NotebookNode({"text/plain": repr(round(result.parts[pid].score, 4))}))]


def to_gradescope(result: Result) -> str:
    """Gradescope's results.json: one test per check, scores per check."""
    tests = []
    for pid, part in result.parts.items():
        scale = part.max_score / max(sum(t.max_score for t in part.tests), 1e-12)
        for t in part.tests:
            tests.append({"name": f"{pid}: {t.question.splitlines()[0] if t.question else t.name}",
                          "score": round(t.score * scale if part.score else 0.0, 4),
                          "max_score": round(t.max_score * scale, 4),
                          "status": "passed" if t.passed else "failed", "output": t.message})
    return json.dumps({"score": round(result.score, 4), "tests": tests,
                       "output": "\n".join(result.notes), "visibility": "visible"}, ensure_ascii=False)


def _safe(fmt):
    """Every format's output is valid UTF-8 (lone surrogates escaped), whatever the student wrote."""
    return lambda result, *a, **k: clean(fmt(result, *a, **k))


FORMATS = {"json": _safe(to_json), "text": _safe(to_text), "gradescope": _safe(to_gradescope)}
