"""The grading command's output formats: JSON (CONTRACT §3), text for people, Gradescope's results.json.
This module is the only one that writes them."""
import json
import textwrap

from .result import Result
from .i18n import _, use
from .textsafe import clean, markdown_text

WIDTH = 100   # feedback and formgrader show a cell's output in a fixed-width box that does not wrap


def to_json(result: Result) -> str:
    return json.dumps(result.to_json(), ensure_ascii=False)


def to_text(result: Result, name: str = "") -> str:
    with use(result.lang):
        lines = [f"{name + ': ' if name else ''}{result.score:.2f} / {result.max_score:.0f}"]
        for pid, part in result.parts.items():
            lines.append(f"\n{pid} — {_('part.' + pid)}: {part.score:.2f} / {part.max_score:.0f}" + zeroed(part))
            lines += [part_line(t) for t in part.tests if t.max_score or not t.passed]
        if result.notes:
            lines.append("\n" + _("report.notes"))
            lines += [f"  - {n}" for n in result.notes]
        return "\n".join(lines)


def zeroed(part) -> str:
    """What a part's score line adds when a rule zeroed it: the rule, and where."""
    return _("report.zeroed_by", why=part.zeroed_by.splitlines()[0]) if part.zeroed_by else ""


def part_line(t) -> str:
    mark = _("report.pass") if t.passed else _("report.fail")
    head = f"  [{mark}] {t.question.splitlines()[0] if t.question else t.name}"
    if not t.passed and t.message:
        head += "\n         " + t.message.replace("\n", "\n         ")
    return head


def part_feedback(result: Result, pid: str) -> str:
    """What a student sees under the part's graded cell in nbgrader's feedback (lines wrapped at WIDTH)."""
    part = result.parts[pid]
    with use(result.lang):
        lines = [_("report.part_points", part=pid, score=part.score, max=part.max_score) + zeroed(part)]
        lines += [part_line(t) for t in part.tests if t.max_score or not t.passed]
        lines += ["  " + _("report.note", note=n) for n in result.notes]
        return clean("\n".join(wrap("\n".join(lines))) + "\n")


def wrap(text: str, width: int = WIDTH) -> list[str]:
    """Each line cut at `width`, its continuations indented two more than it (tensor listings included)."""
    out = []
    for line in text.split("\n"):
        indent = line[:len(line) - len(line.lstrip())]
        out += textwrap.wrap(line, width, subsequent_indent=indent + "  ", break_long_words=True,
                             break_on_hyphens=False, drop_whitespace=True) or [line]
    return out


def cell_score(score: float) -> float:
    """A part's score as its graded cell's value and in the gradebook (nbgrader reads one from the other)."""
    return round(score, 2)


def part_comment(result: Result, pid: str) -> str:
    """The grader's verdict on a part in a few lines: formgrader's comment box and the feedback's Comments,
    which nbgrader renders as Markdown: the notes (the submission's words) are made inert there."""
    part = result.parts[pid]
    with use(result.lang):
        lines = [_("report.comment", part=_("part." + pid), score=part.score, max=part.max_score) + zeroed(part)]
        lines += [f"- {_('report.fail')}: {t.question.splitlines()[0] if t.question else t.name}"
                  for t in part.tests if not t.passed]
        lines += [f"- {_('report.note', note=markdown_text(n))}" for n in result.notes]
        return "\n".join(lines)


def comment_with_report(auto_comment: str | None, result: Result, pid: str) -> str:
    """nbgrader's own auto comment ("No response." for an untouched answer), then the grader's verdict
    (valid UTF-8: the gradebook stores it)."""
    return clean("\n\n".join(c for c in (auto_comment, part_comment(result, pid)) if c))


def graded_cell_outputs(result: Result, pid: str) -> list:
    """The outputs of a part's graded cell in nbgrader: the part's report, then its score as the
    cell's value (how nbgrader reads partial credit). Plain nodes: nbformat's per-output
    validation is slow and these are valid by construction."""
    from nbformat import NotebookNode
    return [NotebookNode(output_type="stream", name="stdout", text=part_feedback(result, pid)),
            NotebookNode(output_type="execute_result", execution_count=None, metadata=NotebookNode(),
                         data=NotebookNode({"text/plain": repr(cell_score(result.parts[pid].score))}))]


def to_gradescope(result: Result, visibility: str = "visible", execution_time: float | None = None) -> str:
    """Gradescope's results.json (its documented format): one test per check, named by its part and
    question; a part zeroed by a rule break shows each of its checks failed, with the rule's message.
    visibility: each test's (visible, after_due_date, after_published or hidden); the total score and
    the notes stay visible, and the run's stdout (the instructor's debugging aid) hidden. Every output
    is plain text (output_format "text": Gradescope shows it escaped, never as HTML or Markdown)."""
    tests = []
    with use(result.lang):
        for number, (pid, part) in enumerate(result.parts.items(), 1):
            rule = next((t.message for t in part.tests if t.name == "uses_its_own_code" and not t.passed), "")
            scale = part.max_score / max(sum(t.max_score for t in part.tests), 1e-12)
            for i, t in enumerate(part.tests, 1):
                output = t.message if t.name == "uses_its_own_code" or not rule else \
                    "\n".join(m for m in (rule, t.message) if m)
                tests.append({"name": f"{_('part.' + pid)}: {t.question.splitlines()[0] if t.question else t.name}",
                              "number": f"{number}.{i}",
                              "score": round(t.score * scale if part.score else 0.0, 4),
                              "max_score": round(t.max_score * scale, 4),
                              "status": "passed" if t.passed and not rule else "failed",
                              "output": output, "visibility": visibility})
    data = {"score": round(result.score, 4), "output": "\n".join(result.notes), "output_format": "text",
            "test_output_format": "text", "visibility": "visible", "stdout_visibility": "hidden", "tests": tests}
    if execution_time is not None:
        data["execution_time"] = round(execution_time)
    return json.dumps(data, ensure_ascii=False)


def _safe(fmt):
    """Every format's output is valid UTF-8 (lone surrogates escaped), whatever the student wrote."""
    return lambda result, *a, **k: clean(fmt(result, *a, **k))


FORMATS = {"json": _safe(to_json), "text": _safe(to_text), "gradescope": _safe(to_gradescope)}
