"""From pytest's reports of the hidden graders to a Result with partial credit per part.

A test's points (its `points` marker) are shared among its runs (one per dtype and device): it
earns points × passed / ran. A part's score is its points (parts.py) × earned / the points of the
tests that ran. Then two rules, in this order:
- a failed `rule` test (the code breaks a rule) zeroes every test of its part, and its message
  becomes the part's `zeroed_by` (the score line says which rule and where);
- `refusal` tests (bad input must raise) earn nothing unless some other test of the part passed
  at least once: a function that only raises, or a stub, earns no points anywhere.
Skipped runs (a device that is not present) count neither way.

Every text of a Result is valid UTF-8 and bounded, whatever the submission made the grader read or
hear: a few notes (MAX_NOTES, each MAX_NOTE characters; then how many more there were), each
test's message MAX_MESSAGE characters. The reports, stored result, comments and autograded notebook
made from it are then bounded too, however many cells raised or however long their messages.
"""
import inspect
from dataclasses import dataclass, field

from .i18n import _, cause, question
from .i18n import lang as current_lang
from .parts import MAX_SCORE, PARTS
from .items import MESSAGE, part_of
from .result import PartResult, Result, TestResult
from .textsafe import clean, cut

MAX_NOTES = 10        # notes kept of the submission's (extraction's, the job's cells that raised)
MAX_NOTE = 600        # characters of one note
MAX_MESSAGE = 4000    # characters of one test's message


@dataclass
class _Tally:
    """One hidden test's runs (per dtype and device) gathered from pytest's reports."""
    part: str
    name: str
    points: float
    question: str
    refusal: bool
    rule: bool
    runs: list = field(default_factory=list)   # (param id, passed, message)


def score(reports: list, notes=(), devices=(), confinement=()) -> Result:
    """reports: [(item, [setup, call, teardown reports])] as engine.Service returns them."""
    tests: dict[tuple, _Tally] = {}
    for item, reps in reports:
        part = part_of(item)
        name = item.originalname.removeprefix("test_")
        key = (part, name)
        if key not in tests:
            mark = item.get_closest_marker("points")
            doc = " ".join(inspect.cleandoc(item.function.__doc__ or name).split())
            tests[key] = _Tally(part, name, float(mark.args[0]) if mark else 0.0, question(part, name, doc),
                               item.get_closest_marker("refusal") is not None,
                               item.get_closest_marker("rule") is not None)
        failed = [r for r in reps if r.failed]
        if not failed and any(r.skipped for r in reps):
            continue
        message = ""
        if failed:
            props = dict(failed[0].user_properties)
            message = props.get(MESSAGE) or _("run.grader_error", error=failed[0].when)
        param = item.callspec.id if hasattr(item, "callspec") else ""
        tests[key].runs.append((param, not failed, message))
    parts = {}
    for part in PARTS:
        mine = [t for t in tests.values() if t.part == part.id and t.runs]
        parts[part.id] = _score_part(part, mine)
    total = sum(p.score for p in parts.values())
    notes = capped(notes)
    for part in PARTS:   # graded with stand-ins elsewhere: say what that hid
        if parts[part.id].score < part.points and part.id != PARTS[-1].id:
            notes.append(_("note.standin", names="`, `".join(part.defines), part=part.id))
    return Result(total, MAX_SCORE, parts, notes, list(devices), list(confinement), current_lang())


def _score_part(part, tests: list) -> PartResult:
    results = []
    works = any(ok for t in tests if not (t.refusal or t.rule) and t.points for _p, ok, _m in t.runs)
    broken = any(not ok for t in tests if t.rule for _p, ok, _m in t.runs)
    for t in tests:
        passed = sum(ok for _p, ok, _m in t.runs)
        first_bad = next(((p, m) for p, ok, m in t.runs if not ok), None)
        message = "" if first_bad is None else (f"[{first_bad[0]}] {first_bad[1]}" if first_bad[0] else first_bad[1])
        earned = t.points * passed / len(t.runs)
        ok = passed == len(t.runs)
        if t.refusal and not works:
            ok, earned, message = False, 0.0, _("rule.refusal_needs_work")
        elif not ok and cause(t.part, t.name, message):   # a cause only where it matches how it failed
            message += "\n" + _("report.cause", cause=cause(t.part, t.name, message))
        results.append(TestResult(t.name, ok, clean(cut(message, MAX_MESSAGE)), t.question, earned, t.points, t.rule))
    zeroed_by = ""
    if broken:   # the part's score line says which rule and where (the rule test's own message)
        zeroed_by = next(r.message for r in results if r.rule and not r.passed)
        for r in results:
            r.score = 0.0
    # rule tests go last, as reports have always shown "uses its own code" last
    results.sort(key=lambda r: r.rule)
    total = sum(t.points for t in tests)
    earned = sum(r.score for r in results)
    return PartResult(part.points * earned / total if total else 0.0, part.points, results, zeroed_by)


def capped(notes) -> list:
    """The first MAX_NOTES notes, each cut at MAX_NOTE characters and valid UTF-8, and how many more there were."""
    notes = list(notes)
    kept = [clean(cut(str(n), MAX_NOTE)) for n in notes[:MAX_NOTES]]
    if len(notes) > MAX_NOTES:
        kept.append(_("note.more", n=len(notes) - MAX_NOTES, shown=MAX_NOTES))
    return kept


def all_zero(why: str, devices=()) -> Result:
    """Every part zero for one reason (the submission could not be read at all)."""
    why = clean(cut(why, MAX_MESSAGE))
    parts = {p.id: PartResult(0.0, p.points, [TestResult("submission_readable", False, why,
                                                         _("q.submission_readable"), 0.0, 0.0)]) for p in PARTS}
    return Result(0.0, MAX_SCORE, parts, [why], list(devices), lang=current_lang())

