"""Scoring (score.py) from pytest's reports, in process: partial credit, the rule and refusal rules,
skipped runs, messages and notes, each on made-up reports whose right score is worked out here."""
from types import SimpleNamespace

import pytest

from autograder import score as scoring
from autograder.i18n import _, use
from autograder.parts import MAX_SCORE, PARTS
from autograder.items import MESSAGE
from autograder.score import MAX_MESSAGE, MAX_NOTE, MAX_NOTES, all_zero, capped, score

P1, P2, P3, P4 = (p.id for p in PARTS)


class _Mark:
    def __init__(self, *args):
        self.args = args


def item(part, name, points=None, param=None, refusal=False, rule=False, doc=None):
    """A stand-in for a collected hidden test: what score() reads of a pytest item."""
    marks = {"points": _Mark(points) if points is not None else None,
             "refusal": _Mark() if refusal else None, "rule": _Mark() if rule else None}

    def function():
        pass
    function.__doc__ = doc
    it = SimpleNamespace(module=SimpleNamespace(__name__=f"autograder.graders.test_{part}"),
                         originalname=f"test_{name}", function=function,
                         get_closest_marker=lambda m: marks.get(m))
    if param is not None:
        it.callspec = SimpleNamespace(id=param)
    return it


def rep(outcome="passed", when="call", message=None):
    return SimpleNamespace(failed=outcome == "failed", skipped=outcome == "skipped", when=when,
                           user_properties=[(MESSAGE, message)] if message is not None else [("other", "x")])


def run(part, name, outcome="passed", message=None, **kw):
    """One run of a test: its setup, call and teardown reports (the call's outcome given)."""
    return (item(part, name, **kw), [rep(), rep(outcome, message=message), rep()])


def test_points_are_shared_among_runs_and_scaled_to_the_part():
    """A test of 3 points with 1 of 4 runs passed earns 0.75; beside a 1-point test passed, the
    part earns 25 x 1.75 / 4; the total adds the parts, out of the maximum."""
    reports = [run(P1, "a", "passed", points=3, param="p1"), run(P1, "a", "failed", "bad", points=3, param="p2"),
               run(P1, "a", "failed", "worse", points=3, param="p3"), run(P1, "a", "failed", points=3, param="p4"),
               run(P1, "b", points=1.0)]
    result = score(reports)
    part = result.parts[P1]
    a, b = part.tests
    assert (a.name, a.passed, a.score, a.max_score) == ("a", False, 0.75, 3.0)
    assert (b.name, b.passed, b.score, b.max_score) == ("b", True, 1.0, 1.0)
    assert a.message == "[p2] bad" and b.message == ""
    assert part.score == pytest.approx(25 * 1.75 / 4) and part.max_score == 25
    assert result.score == pytest.approx(part.score) and result.max_score == MAX_SCORE
    assert [p for p in result.parts] == [p.id for p in PARTS]
    for pid in (P2, P3, P4):   # no test ran: zero of the part's points
        assert result.parts[pid].score == 0.0 and result.parts[pid].max_score == 25 and result.parts[pid].tests == []


def test_a_test_without_points_counts_nothing_and_a_passed_part_is_full():
    result = score([run(P2, "a", points=2), run(P2, "b", "failed", "no")])   # b: no points marker
    part = result.parts[P2]
    assert part.score == 25.0 and [t.max_score for t in part.tests] == [2.0, 0.0]
    assert part.tests[1].message == "no" and not part.tests[1].passed


def test_the_first_failed_run_gives_the_message_with_its_parameter():
    """The message is the first failed run's, prefixed by its parameter id when it has one; a
    failure without the plugin's message (an error of the grader's) says which phase failed."""
    result = score([run(P1, "a", points=1, param="f32-cpu"),
                    run(P1, "a", "failed", "first", points=1, param="f64-cpu"),
                    run(P1, "a", "failed", "second", points=1, param="i32-cpu"),
                    (item(P1, "b", points=1), [rep("failed", "setup"), rep(), rep()])])
    a, b = result.parts[P1].tests
    assert a.message == "[f64-cpu] first"
    assert b.message == _("run.grader_error", error="setup")


def test_skipped_runs_count_neither_way():
    """A run skipped (a device not present) is not counted; a test all of whose runs skipped is not
    in the part at all; a run that failed and skipped (teardown) counts as failed."""
    skipped = (item(P3, "a", points=1, param="cuda"), [rep(), rep("skipped"), rep()])
    result = score([run(P3, "a", points=1, param="cpu"), skipped,
                    (item(P3, "b", points=5), [rep("skipped"), rep(), rep()]),
                    (item(P3, "c", points=1), [rep(), rep("failed", message="m"), rep("skipped", "teardown")])])
    part = result.parts[P3]
    assert [t.name for t in part.tests] == ["a", "c"]
    assert part.tests[0].score == 1.0 and part.tests[0].passed
    assert part.tests[1].message == "m"
    assert part.score == pytest.approx(12.5)


def test_a_failed_rule_zeroes_the_part_and_says_why():
    """A failed rule test zeroes every test of its part; its message is the part's zeroed_by and the
    rule test goes last; another part keeps its score."""
    result = score([run(P1, "a", points=2), run(P1, "b", "failed", "b's own", points=2),
                    run(P1, "rule", "failed", "uses F.embedding at line 3", points=1, rule=True),
                    run(P2, "rule", points=1, rule=True), run(P2, "a", points=1)])
    part = result.parts[P1]
    assert part.score == 0.0 and part.zeroed_by == "uses F.embedding at line 3"
    assert [t.name for t in part.tests] == ["a", "b", "rule"] and all(t.score == 0.0 for t in part.tests)
    assert [t.passed for t in part.tests] == [True, False, False]
    assert result.parts[P2].score == 25.0 and result.parts[P2].zeroed_by == ""
    assert [t.name for t in result.parts[P2].tests] == ["a", "rule"]
    assert result.score == 25.0


def test_a_rule_that_passes_on_one_run_and_fails_on_another_still_zeroes():
    result = score([run(P1, "rule", points=1, rule=True, param="x"),
                    run(P1, "rule", "failed", "broke", points=1, rule=True, param="y"), run(P1, "a", points=1)])
    assert result.parts[P1].score == 0.0 and result.parts[P1].zeroed_by == "[y] broke"


def test_refusals_earn_only_when_the_part_works():
    """A refusal test passed earns nothing, and fails with the rule's message, unless a test of the
    part with points (not a refusal, not a rule) passed at least once."""
    alone = score([run(P2, "refuse", points=2, refusal=True), run(P2, "a", "failed", "x", points=2),
                   run(P2, "rule", points=0, rule=True), run(P2, "free", points=0)])
    r = {t.name: t for t in alone.parts[P2].tests}
    assert alone.parts[P2].score == 0.0
    assert (r["refuse"].passed, r["refuse"].score, r["refuse"].message) == (False, 0.0, _("rule.refusal_needs_work"))
    works = score([run(P2, "refuse", points=2, refusal=True),
                   run(P2, "a", "failed", "x", points=2, param="1"), run(P2, "a", points=2, param="2")])
    r = {t.name: t for t in works.parts[P2].tests}
    assert (r["refuse"].passed, r["refuse"].score, r["refuse"].message) == (True, 2.0, "")
    assert works.parts[P2].score == pytest.approx(25 * 3 / 4)


def test_a_refusal_passing_does_not_make_another_refusal_count():
    result = score([run(P4, "r1", points=1, refusal=True), run(P4, "r2", points=1, refusal=True)])
    assert result.parts[P4].score == 0.0 and all(not t.passed for t in result.parts[P4].tests)


def test_a_failure_with_a_known_cause_says_it(monkeypatch):
    """A failed test for which the catalog knows a cause (i18n.cause, asked with the test's part and
    name) gets it after its message; a passed one, or one without a cause, does not."""
    asked = []

    def cause(part, name, message="", **kw):   # a cause only for how it failed: its message
        asked.append((part, name))
        return "the usual mistake" if name.startswith("known") and "wrong" in message else ""
    monkeypatch.setattr(scoring, "cause", cause)
    tests = score([run(P2, "known", "failed", "wrong", points=1), run(P2, "other", "failed", "bad", points=1),
                   run(P2, "known2", points=1), run(P2, "known3", "failed", "right?", points=1)]).parts[P2].tests
    assert tests[0].message == "wrong\n" + _("report.cause", cause="the usual mistake")
    assert tests[1].message == "bad" and tests[2].message == "" and tests[3].message == "right?"
    assert ("embedding_backward", "known") in asked and all(part == P2 for part, _n in asked)


def test_messages_are_bounded_and_valid_utf8():
    long = "x" * (MAX_MESSAGE * 2)
    t = score([run(P1, "a", "failed", long, points=1), run(P1, "b", "failed", "bad \udcff", points=1)]).parts[P1].tests
    assert len(t[0].message) == MAX_MESSAGE and t[0].message.endswith("…")
    assert t[1].message == "bad \\udcff"


def test_questions_are_docstrings_in_one_line():
    """A test's question is its docstring with the whitespace folded, or its name without one; in
    Chinese, the catalog's translation of that test's question."""
    result = score([(item(P1, "a", points=1, doc="""Is it
        right?  Really?"""), [rep()]), (item(P1, "b", points=1), [rep()])])
    assert [t.question for t in result.parts[P1].tests] == ["Is it right? Really?", "b"]
    from autograder.lang_zh import QUESTIONS
    key = next(k for k in QUESTIONS if k.startswith(f"{P2}/"))
    with use("zh"):
        [t] = score([(item(P2, key.split("/", 1)[1], points=1, doc="English?"), [rep()])]).parts[P2].tests
    assert t.question == QUESTIONS[key]


def test_notes_devices_confinement_and_language():
    """The notes are capped; a part below full marks other than the last adds a note that stand-ins
    hid its mistakes from the later parts; devices and confinement are passed on as lists, and the
    result is in the current language."""
    reports = [run(P1, "a", "failed", "x", points=1), run(P2, "a", points=1), run(P4, "a", "failed", "y", points=1)]
    result = score(reports, notes=("one", "two"), devices=("cpu",), confinement=("seccomp",))
    standin = [_("note.standin", names="`, `".join(p.defines), part=p.id) for p in (PARTS[0], PARTS[2])]
    assert result.notes == ["one", "two"] + standin
    assert result.devices == ["cpu"] and result.confinement == ["seccomp"] and result.lang == "en"
    with use("zh"):
        zh = score(reports)
    assert zh.lang == "zh" and zh.notes[0] != standin[0]


def test_capped_keeps_a_few_short_notes_and_counts_the_rest():
    notes = [f"n{i}" for i in range(MAX_NOTES)]
    assert capped(notes) == notes and capped(iter(notes[:2])) == notes[:2]
    many = [str(i) for i in range(MAX_NOTES + 3)] + ["y" * (MAX_NOTE + 5)]
    kept = capped(many)
    assert kept[:MAX_NOTES] == many[:MAX_NOTES]
    assert kept[MAX_NOTES:] == [_("note.more", n=4, shown=MAX_NOTES)]
    assert capped(["z" * (MAX_NOTE + 1), 7, "\udcff"]) == ["z" * (MAX_NOTE - 1) + "…", "7", "\\udcff"]
    assert len(capped(["z" * MAX_NOTE])[0]) == MAX_NOTE


def test_all_zero_gives_every_part_zero_with_the_reason():
    result = all_zero("not JSON \udcff", devices=("cpu", "cuda"))
    assert result.score == 0.0 and result.max_score == MAX_SCORE and result.lang == "en"
    assert result.notes == ["not JSON \\udcff"] and result.devices == ["cpu", "cuda"]
    assert list(result.parts) == [p.id for p in PARTS]
    for p in PARTS:
        part = result.parts[p.id]
        assert (part.score, part.max_score) == (0.0, p.points)
        [t] = part.tests
        assert (t.name, t.passed, t.message, t.question, t.score, t.max_score) == \
            ("submission_readable", False, "not JSON \\udcff", _("q.submission_readable"), 0.0, 0.0)
    assert all_zero("x" * (MAX_MESSAGE + 10)).notes[0] == "x" * (MAX_MESSAGE - 1) + "…"
    with use("zh"):
        assert all_zero("x").lang == "zh"


def test_the_bounds_are_as_documented():
    assert (scoring.MAX_NOTES, scoring.MAX_NOTE, scoring.MAX_MESSAGE) == (10, 600, 4000)
