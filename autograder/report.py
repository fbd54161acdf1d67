"""The grading command's output formats: JSON (CONTRACT §3), text for people, Gradescope's results.json.
This module is the only one that writes them."""
import functools
import json
import textwrap
from dataclasses import dataclass

from .result import Result
from .i18n import _, cause, failure, split_cause, use
from .textsafe import clean, markdown_text

WIDTH = 100   # feedback and formgrader show a cell's output in a fixed-width box that does not wrap


def to_json(result: Result) -> str:
    return json.dumps(result.to_json(), ensure_ascii=False)


def to_text(result: Result, name: str = "") -> str:
    with use(result.lang):
        lines = [f"{name + ': ' if name else ''}{result.score:.2f} / {result.max_score:.0f}"]
        for pid, part in result.parts.items():
            lines.append(f"\n{pid} — {_('part.' + pid)}: {part.score:.2f} / {part.max_score:.0f}" + zeroed(part))
            lines += part_lines(pid, part)
        if result.notes:
            lines.append("\n" + _("report.notes"))
            lines += [f"  - {n}" for n in result.notes]
        return "\n".join(lines)


def zeroed(part) -> str:
    """What a part's score line adds when a rule zeroed it: the rule, and where."""
    return _("report.zeroed_by", why=part.zeroed_by.splitlines()[0]) if part.zeroed_by else ""


# ---- failures that share one symptom are told once, first, with their cause (issue 24)
GROUPED = 2   # this many failed checks with one symptom make a group


@dataclass
class Group:
    symptom: str        # what they share, in a sentence
    cause: str          # its likely cause ("" if none matches)
    tests: list         # the names of the checks in it


def _symptom(message: str):
    """(key, sentence) of what a failure shares with others: the same exception, the same wrong dtype,
    a part not written; None for a failure of its own (a value that differs)."""
    f = failure(message)
    if f.kind == "not_implemented":
        return ("not_implemented",), _("report.not_implemented")
    if f.kind == "raised" and f.error:
        said = (f.message.strip().splitlines() or [""])[0][:200]
        return ("raised", f.error, said), _("judge.raised", error=f.error, message=said)
    if f.kind == "dtype":
        return ("dtype", f.got, f.expected), _("report.group_dtype", got=f.got, expected=f.expected)
    if f.kind == "not_graded":
        return ("not_graded", f.message), f.message
    return None


def groups(pid: str, part) -> list[Group]:
    """The part's failed checks that share a symptom, in the order of their first check."""
    found: dict = {}
    for t in part.tests:
        if t.passed or not t.message:
            continue
        said = _symptom(t.message)
        if said is None:
            continue
        key, symptom = said
        if key not in found:
            found[key] = Group(symptom, "", [])
        found[key].tests.append(t.name)
    out = []
    for g in found.values():
        if len(g.tests) < GROUPED:
            continue
        first = next(t for t in part.tests if t.name == g.tests[0])
        g.cause = cause(pid, "*", first.message, symptoms_only=True)
        if not g.cause:   # no symptom of the part's explains it: the first check's own cause, if any
            line, head = split_cause(first.message)[1], _("report.cause", cause="")
            g.cause = line[len(head):] if line.startswith(head) else line
        out.append(g)
    return out


def part_lines(pid: str, part) -> list[str]:
    """A part's checks as report lines: first each group of failures that share a symptom (with its
    cause, once), then every check, a grouped one saying "(as above)" instead of its message."""
    lines, grouped, told = [], {}, set()
    for g in groups(pid, part):
        lines.append(f"  {_('report.fail')}: " + _("report.group", n=len(g.tests), symptom=g.symptom))
        if g.cause:
            lines.append("    " + _("report.cause", cause=g.cause))
            told.add(_("report.cause", cause=g.cause))
        grouped.update({name: g for name in g.tests})
    for t in part.tests:
        if not (t.max_score or not t.passed):
            continue
        if t.name in grouped and not t.passed:
            lines.append(part_line(t, _("report.as_above")))
            continue
        failed, said = split_cause(t.message)
        if said and said in told:          # a cause is named once: the first time
            lines.append(part_line(t, failed))
            continue
        told.add(said)
        lines.append(part_line(t))
    return lines


def part_line(t, message: str | None = None) -> str:
    mark = _("report.pass") if t.passed else _("report.fail")
    head = f"  [{mark}] {t.question.splitlines()[0] if t.question else t.name}"
    message = t.message if message is None else message
    if not t.passed and message:
        head += "\n         " + message.replace("\n", "\n         ")
    return head


def part_feedback(result: Result, pid: str) -> str:
    """What a student sees under the part's graded cell in nbgrader's feedback (lines wrapped at WIDTH)."""
    part = result.parts[pid]
    with use(result.lang):
        lines = [_("report.part_points", part=pid, score=part.score, max=part.max_score) + zeroed(part)]
        lines += part_lines(pid, part)
        lines += ["  " + _("report.note", note=n) for n in result.notes]
        return clean("\n".join(wrap("\n".join(lines))) + "\n")


def wrap(text: str, width: int = WIDTH) -> list[str]:
    """Each line cut at `width`, its continuations indented two more than it (tensor listings included)."""
    out = []
    for line in text.split("\n"):
        out += _wrapped(line, width)
    return out


def _wrap_line(line: str, width: int) -> tuple[str, ...]:
    indent = line[:len(line) - len(line.lstrip())]
    return tuple(textwrap.wrap(line, width, subsequent_indent=indent + "  ", break_long_words=True,
                               break_on_hyphens=False, drop_whitespace=True) or [line])


# a class's reports share most lines (a question that passed): each is wrapped once per process, not
# once per student (textwrap was 5 ms of a student's record). Not a decorator: mutmut mutates only
# undecorated functions (make mutation)
_wrapped = functools.lru_cache(maxsize=4096)(_wrap_line)


def cell_score(score: float) -> float:
    """A part's score as its graded cell's value and in the gradebook (nbgrader reads one from the other)."""
    return round(score, 2)


def part_comment(result: Result, pid: str) -> str:
    """The grader's verdict on a part in a few lines: formgrader's comment box and the feedback's Comments,
    which nbgrader renders as Markdown: the notes (the submission's words) are made inert there."""
    part = result.parts[pid]
    with use(result.lang):
        lines = [_("report.comment", part=_("part." + pid), score=part.score, max=part.max_score) + zeroed(part)]
        for g in groups(pid, part):
            lines.append(f"- {_('report.fail')}: " + markdown_text(_("report.group", n=len(g.tests), symptom=g.symptom))
                         + (" " + markdown_text(_("report.cause", cause=g.cause)) if g.cause else ""))
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
            rule = part.zeroed_by   # the rule test's own message, when one zeroed the part
            scale = part.max_score / max(sum(t.max_score for t in part.tests), 1e-12)
            later = {name for g in groups(pid, part) for name in g.tests[1:]}   # their cause: the group's first
            for i, t in enumerate(part.tests, 1):
                message = split_cause(t.message)[0] if t.name in later else t.message
                output = message if t.rule or not rule else \
                    "\n".join(m for m in (rule, message) if m)
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
