"""The grading command's formats (report.py) on a Result made by hand: what each line holds, which
checks are listed, wrapping, the cell's score, the comment and Gradescope's results.json. The
expected sentences come from the catalog (i18n), so a reworded message changes no test here."""
import json

import torch

import pytest

from autograder import report
from autograder.i18n import _, use
from autograder.report import (FORMATS, WIDTH, cell_score, comment_with_report, graded_cell_outputs, part_comment,
                               part_feedback, part_line, to_gradescope, to_json, to_text, wrap, zeroed)
from autograder.result import PartResult, Result
from autograder.result import TestResult as Check   # "Test..." would be collected by pytest


def make(lang="en", notes=("a <b> note",)):
    lookup = PartResult(15.5, 25.0, [
        Check("works", True, "", "Does it work?\nMore words.", 10.0, 10.0),
        Check("shape", False, "expected (2, 3)\ngot (3, 2)", "Is the shape right?", 0.0, 5.0),
        Check("free", True, "", "Unscored and passed?", 0.0, 0.0),
        Check("free_failed", False, "no points", "", 0.0, 0.0),
        Check("more", True, "", "", 5.5, 10.0)])
    ruled = PartResult(0.0, 25.0, [Check("works", True, "", "Works?", 0.0, 19.0),
                                   Check("grad", False, "grad differs", "Grad?", 0.0, 1.0),
                                   Check("uses_its_own_code", False, "calls F.embedding\nline 3", "Own code?", 0.0, 5.0, rule=True)],
                       zeroed_by="calls F.embedding\nline 3")
    return Result(15.5, 100.0, {"one_hot_lookup": lookup, "embedding_backward": ruled}, list(notes), ["cpu"], [], lang)


def test_part_line_marks_and_indents_the_message():
    passed, failed = Check("a", True, "ignored", "Q1?\nsecond line"), Check("b", False, "m1\nm2", "")
    assert part_line(passed) == f"  [{_('report.pass')}] Q1?"
    assert part_line(failed) == f"  [{_('report.fail')}] b\n         m1\n         m2"
    assert part_line(Check("c", False, "", "Q?")) == f"  [{_('report.fail')}] Q?"


def test_zeroed_names_the_rules_first_line_only():
    r = make()
    assert zeroed(r.parts["one_hot_lookup"]) == ""
    assert zeroed(r.parts["embedding_backward"]) == _("report.zeroed_by", why="calls F.embedding")


def test_text_lists_scored_checks_and_failures_with_notes():
    r = make()
    lines = to_text(r, "alice").split("\n")
    assert lines[0] == "alice: 15.50 / 100"
    assert to_text(r).split("\n")[0] == "15.50 / 100"
    assert lines[1] == ""
    assert lines[2] == f"one_hot_lookup — {_('part.one_hot_lookup')}: 15.50 / 25"
    body = to_text(r)
    assert part_line(r.parts["one_hot_lookup"].tests[1]) in body and "[FAIL] free_failed" in body
    assert "Unscored and passed?" not in body     # no points and passed: not listed
    assert f"embedding_backward — {_('part.embedding_backward')}: 0.00 / 25" + zeroed(r.parts["embedding_backward"]) in body
    assert body.endswith("\n" + _("report.notes") + "\n  - a <b> note")
    assert _("report.notes") not in to_text(make(notes=()))


def test_text_is_in_the_results_language():
    with use("en"):
        zh = to_text(make("zh"))
    with use("zh"):
        assert zh.split("\n")[2] == f"one_hot_lookup — {_('part.one_hot_lookup')}: 15.50 / 25"


def test_part_feedback_is_the_part_with_the_notes_wrapped():
    r = make(notes=["n" * 150])
    text = part_feedback(r, "one_hot_lookup")
    lines = text.split("\n")
    assert text.endswith("\n") and lines[-1] == ""
    assert lines[0] == _("report.part_points", part="one_hot_lookup", score=15.5, max=25.0)
    assert lines[1] == part_line(r.parts["one_hot_lookup"].tests[0])
    assert "Unscored and passed?" not in text and "free_failed" in text
    assert all(len(ln) <= WIDTH for ln in lines)
    note = [ln for ln in lines if "nnn" in ln]
    assert note[0].startswith("  " + _("report.note", note="")) and len(note) == 2 and note[1].startswith("    n")
    assert part_feedback(make(), "embedding_backward").split("\n")[0].endswith(zeroed(make().parts["embedding_backward"]))
    assert part_feedback(make(notes=["\udcff"]), "one_hot_lookup").count("\\udcff") == 1
    with use("zh"):
        zh_head = _("report.part_points", part="one_hot_lookup", score=15.5, max=25.0)
    with use("en"):   # the result's language, not the caller's
        assert part_feedback(make("zh"), "one_hot_lookup").split("\n")[0] == zh_head


def test_wrap_cuts_long_lines_and_keeps_short_ones():
    assert wrap("short\n\n  indented") == ["short", "", "  indented"]
    assert wrap("    ab cd ef", width=8) == ["    ab", "      cd", "      ef"]
    assert wrap("x" * 25, width=10) == ["x" * 10, "  " + "x" * 8, "  " + "x" * 7]
    assert wrap("a-b-c-d-e-f", width=6) == ["a-b-c-", "  d-e-", "  f"]
    assert wrap("a  ") == ["a"] and wrap("") == [""]
    assert wrap("y" * WIDTH) == ["y" * WIDTH] and len(wrap("y" * (WIDTH + 1))) == 2


def test_cell_score_is_rounded_to_two_places():
    assert cell_score(12.345678) == 12.35 and cell_score(3.0) == 3.0 and cell_score(0.004) == 0.0


def test_part_comment_says_the_score_the_failures_and_inert_notes():
    r = make(notes=["see <script>"])
    lines = part_comment(r, "one_hot_lookup").split("\n")
    assert lines[0] == _("report.comment", part=_("part.one_hot_lookup"), score=15.5, max=25.0)
    assert lines[1:3] == [f"- {_('report.fail')}: Is the shape right?", f"- {_('report.fail')}: free_failed"]
    assert lines[3] == f"- {_('report.note', note='see &lt;script&gt;')}"
    assert len(lines) == 4
    with use("zh"):
        zh_head = _("report.comment", part=_("part.one_hot_lookup"), score=15.5, max=25.0)
    assert part_comment(make("zh"), "one_hot_lookup").split("\n")[0] == zh_head
    ruled = part_comment(r, "embedding_backward").split("\n")
    assert ruled[0].endswith(zeroed(r.parts["embedding_backward"])) and ruled[1:3] == [f"- {_('report.fail')}: Grad?", f"- {_('report.fail')}: Own code?"]


def test_comment_with_report_keeps_nbgraders_comment_first():
    r = make()
    assert comment_with_report(None, r, "one_hot_lookup") == part_comment(r, "one_hot_lookup")
    assert comment_with_report("", r, "one_hot_lookup") == part_comment(r, "one_hot_lookup")
    assert comment_with_report("No response.", r, "one_hot_lookup") == "No response.\n\n" + part_comment(r, "one_hot_lookup")
    assert "\\udcff" in comment_with_report("\udcff", r, "one_hot_lookup")


def test_graded_cell_outputs_are_the_report_then_the_score():
    r = make()
    stream, value = graded_cell_outputs(r, "one_hot_lookup")
    assert dict(stream) == {"output_type": "stream", "name": "stdout", "text": part_feedback(r, "one_hot_lookup")}
    assert dict(value) == {"output_type": "execute_result", "execution_count": None, "metadata": {},
                           "data": {"text/plain": "15.5"}}
    r.parts["one_hot_lookup"].score = 2 / 3
    assert graded_cell_outputs(r, "one_hot_lookup")[1]["data"]["text/plain"] == "0.67"


def test_json_is_the_results_json_unescaped():
    r = make(notes=["中文"])
    assert json.loads(to_json(r)) == r.to_json() and "中文" in to_json(r)


def test_gradescope_one_test_per_check_scaled_to_the_part():
    r = make()
    data = json.loads(to_gradescope(r, visibility="hidden", execution_time=12.6))
    assert (data["score"], data["output"], data["execution_time"]) == (15.5, "a <b> note", 13)
    assert (data["output_format"], data["test_output_format"], data["visibility"], data["stdout_visibility"]) == \
        ("text", "text", "visible", "hidden")
    tests = data["tests"]
    assert [t["number"] for t in tests] == ["1.1", "1.2", "1.3", "1.4", "1.5", "2.1", "2.2", "2.3"]
    first = tests[0]
    assert first["name"] == f"{_('part.one_hot_lookup')}: Does it work?"
    assert tests[3]["name"] == f"{_('part.one_hot_lookup')}: free_failed"
    scale = 25.0 / 25.0
    assert (first["score"], first["max_score"], first["status"], first["output"], first["visibility"]) == \
        (10.0 * scale, 10.0 * scale, "passed", "", "hidden")
    assert (tests[1]["status"], tests[1]["output"], tests[1]["max_score"]) == ("failed", "expected (2, 3)\ngot (3, 2)", 5.0)
    assert sum(t["score"] for t in tests) == pytest.approx(r.score)
    # the part a rule zeroed: every check failed, each saying the rule first; the rule check itself as it is
    works, grad, rule = tests[5:]
    assert (works["status"], works["score"], works["max_score"]) == ("failed", 0.0, 19.0)
    assert works["output"] == "calls F.embedding\nline 3"
    assert grad["output"] == "calls F.embedding\nline 3\ngrad differs"
    assert (rule["status"], rule["output"], rule["max_score"]) == ("failed", "calls F.embedding\nline 3", 5.0)
    assert "execution_time" not in json.loads(to_gradescope(r)) and json.loads(to_gradescope(r))["tests"][0]["visibility"] == "visible"


def test_gradescope_scales_checks_to_the_parts_points_and_rounds():
    part = PartResult(10.0, 25.0, [Check("a", True, "", "A?", 1.0, 1.0), Check("b", False, "m", "B?", 0.0, 2.0)])
    data = json.loads(to_gradescope(Result(10.0, 100.0, {"embedding_renorm": part}, [], [], [], "en")))
    assert [t["max_score"] for t in data["tests"]] == [round(25 / 3, 4), round(50 / 3, 4)]
    assert [t["score"] for t in data["tests"]] == [round(25 / 3, 4), 0.0]
    assert data["score"] == 10.0 and data["output"] == ""
    ruled = PartResult(0.0, 25.0, [Check("a", False, "", "A?", 0.0, 1.0),
                                   Check("uses_its_own_code", False, "rule", "R?", 0.0, 1.0, rule=True)], zeroed_by="rule")
    data = json.loads(to_gradescope(Result(0.0, 100.0, {"embedding_renorm": ruled}, [], [], [], "en")))
    assert [t["output"] for t in data["tests"]] == ["rule", "rule"]
    empty = PartResult(0.0, 25.0, [Check("a", False, "x", "A?", 0.0, 0.0)])
    data = json.loads(to_gradescope(Result(0.0, 100.0, {"embedding_renorm": empty}, ["n1", "n2"], [], [], "en")))
    assert data["tests"][0]["max_score"] == 0.0 and data["output"] == "n1\nn2"
    # checks worth less than a point together are still scaled to the part's points
    small = PartResult(25.0, 25.0, [Check("a", True, "", "A?", 0.25, 0.25), Check("b", True, "", "B?", 0.25, 0.25)])
    data = json.loads(to_gradescope(Result(25.0, 100.0, {"embedding_renorm": small}, [], [], [], "en")))
    assert [t["max_score"] for t in data["tests"]] == [12.5, 12.5] and [t["score"] for t in data["tests"]] == [12.5, 12.5]
    # a part scored zero gives none of its checks points, whatever they hold
    zero = PartResult(0.0, 25.0, [Check("a", True, "", "A?", 1.0, 1.0)])
    assert json.loads(to_gradescope(Result(0.0, 100.0, {"embedding_renorm": zero}, [], [], [], "en")))["tests"][0]["score"] == 0.0
    # a part scored above zero keeps its checks' scores; rounded to 4 places
    odd = PartResult(1 / 3, 25.0, [Check("a", True, "", "A?", 1 / 3, 1.0)])
    data = json.loads(to_gradescope(Result(1 / 3, 100.0, {"embedding_renorm": odd}, [], [], [], "en"), execution_time=0.4))
    assert data["tests"][0]["score"] == round(25 / 3, 4) and data["score"] == 0.3333 and data["execution_time"] == 0


def test_gradescope_names_are_in_the_results_language():
    with use("zh"):
        title = _("part.one_hot_lookup")
    assert json.loads(to_gradescope(make("zh")))["tests"][0]["name"].startswith(title + ": ")


def test_gradescope_keeps_non_ascii_text_as_it_is():
    out = to_gradescope(make("zh", notes=["中文说明"]))
    assert "中文说明" in out and json.loads(out)["output"] == "中文说明"


def test_safe_passes_everything_through_and_cleans():
    seen = []
    fmt = report._safe(lambda result, *a, **k: seen.append((result, a, k)) or "x\udcff")
    assert fmt("r", 1, 2, visibility="v") == "x\\udcff" and seen == [("r", (1, 2), {"visibility": "v"})]


def test_every_format_is_valid_utf8():
    r = make(notes=["\udcff"])
    for name, fmt in FORMATS.items():
        out = fmt(r)
        out.encode("utf-8")
        assert "udcff" in out, name
    assert set(FORMATS) == {"json", "text", "gradescope"}
    assert json.loads(FORMATS["gradescope"](r, "hidden", 1.0))["tests"][0]["visibility"] == "hidden"
    assert FORMATS["text"](r, "bob").startswith("bob: ")
    assert report.WIDTH == 100


# ---------------------------------------------------------------- failures that share a symptom

def _said(key, **args):
    return _(key, **args)


RAISED = _said("judge.raised", error="RuntimeError", message="index out of range\nat line 3")
RAISED2 = _said("judge.raised", error="RuntimeError", message="index out of range\nat line 9")
DTYPE = _said("cmp.dtype", what="`out`", expected=torch.float64, got=torch.float32)
NOT_DONE = _said("judge.raised", error="NotImplementedError", message="write it")
VALUES = _said("cmp.value", what="`n`", expected="1", got="2")
NOT_GRADED = _said("run.not_graded_job", detail=_("run.no_result"))


def test_a_symptom_is_what_failures_can_share():
    """The same exception (type and first line), the same wrong dtype, a part not written, a job
    that gave no answer: each a key and a sentence; a wrong value is a failure of its own."""
    from autograder.i18n import failure
    assert report._symptom(NOT_DONE) == (("not_implemented",), _("report.not_implemented"))
    assert report._symptom(RAISED) == (("raised", "RuntimeError", "index out of range"),
                                        _("judge.raised", error="RuntimeError", message="index out of range"))
    assert report._symptom(RAISED)[0] == report._symptom(RAISED2)[0]
    long = _said("judge.raised", error="E", message="x" * 300)
    assert report._symptom(long)[0] == ("raised", "E", "x" * 200)
    assert report._symptom(_said("cmp.value", what="`r`", expected="'ok'", got="'raised E'"))[0] == ("raised", "E", "")
    f = failure(DTYPE)
    assert report._symptom(DTYPE) == (("dtype", f.got, f.expected), _("report.group_dtype", got=f.got, expected=f.expected))
    assert f.got and f.expected
    g = failure(NOT_GRADED)
    assert report._symptom(NOT_GRADED) == (("not_graded", g.message), g.message) and g.message
    assert report._symptom(VALUES) is None
    raised_without_type = _said("cmp.value", what="`raises`", expected="False", got="True")
    assert failure(raised_without_type).kind == "raised" and report._symptom(raised_without_type) is None


def _part(*tests):
    return PartResult(0.0, 25.0, [Check(name, passed, message, f"{name}?", 0.0, 1.0) for name, passed, message in tests])


def test_failures_with_one_symptom_make_a_group_in_order(monkeypatch):
    """Two or more failed checks with one symptom are a group, in the order of their first check;
    its cause is the part's cause for that symptom (asked with the first check's message), else the
    first check's own cause line; passed checks and checks without a message never join."""
    asked = []

    def cause(pid, name, message, symptoms_only=False):
        asked.append((pid, name, message, symptoms_only))
        return "the shared cause" if "RuntimeError" in message else ""
    monkeypatch.setattr(report, "cause", cause)
    own = NOT_DONE + "\n" + _("report.cause", cause="write the stub")
    part = _part(("a", False, DTYPE), ("b", False, RAISED), ("c", True, RAISED), ("d", False, ""),
                 ("e", False, own), ("f", False, RAISED2), ("g", False, VALUES), ("h", False, NOT_DONE),
                 ("i", False, DTYPE + "\n" + _("report.cause", cause="cast it")), ("j", True, DTYPE))
    found = report.groups("embedding_backward", part)
    assert [(g.tests, g.cause) for g in found] == [(["a", "i"], ""), (["b", "f"], "the shared cause"),
                                                    (["e", "h"], "write the stub")]
    assert [g.symptom for g in found] == [report._symptom(DTYPE)[1], report._symptom(RAISED)[1], _("report.not_implemented")]
    assert asked == [("embedding_backward", "*", DTYPE, True), ("embedding_backward", "*", RAISED, True),
                     ("embedding_backward", "*", own, True)]


def test_a_symptom_alone_is_no_group_and_does_not_stop_the_others():
    part = _part(("a", False, DTYPE), ("b", False, RAISED), ("c", False, RAISED2))
    found = report.groups("one_hot_lookup", part)
    assert [g.tests for g in found] == [["b", "c"]] and report.GROUPED == 2
    assert report.groups("one_hot_lookup", _part(("a", False, RAISED), ("b", False, RAISED2), ("c", False, RAISED))) \
        [0].tests == ["a", "b", "c"]


def test_a_cause_line_that_is_not_the_catalogs_is_kept_whole(monkeypatch):
    monkeypatch.setattr(report, "cause", lambda *a, **k: "")
    monkeypatch.setattr(report, "split_cause", lambda message: (message, "a line of its own"))
    found = report.groups("one_hot_lookup", _part(("a", False, RAISED), ("b", False, RAISED2)))
    assert found[0].cause == "a line of its own"


def test_a_groups_checks_say_as_above_and_a_cause_is_told_once(monkeypatch):
    """The part's lines: each group first (how many, the symptom, its cause once), then every check,
    a grouped failure saying "(as above)" instead of its message; a cause line already told is not
    repeated under a later check; passed checks with no points are left out."""
    monkeypatch.setattr(report, "cause", lambda pid, name, message, symptoms_only=False:
                        "the shared cause" if "RuntimeError" in message and pid == "one_hot_lookup" else "")
    told = "\n" + _("report.cause", cause="the shared cause")
    part = _part(("a", False, RAISED), ("b", False, RAISED2), ("c", False, VALUES + told),
                 ("d", False, VALUES + "\n" + _("report.cause", cause="other")), ("e", False, VALUES + "\n" +
                                                                                 _("report.cause", cause="other")))
    part.tests.append(Check("free", True, "", "Free?", 0.0, 0.0))
    lines = report.part_lines("one_hot_lookup", part)
    assert lines[0] == f"  {_('report.fail')}: " + _("report.group", n=2, symptom=report._symptom(RAISED)[1])
    assert lines[1] == "    " + _("report.cause", cause="the shared cause")
    assert lines[2] == part_line(part.tests[0], _("report.as_above"))
    assert lines[3] == part_line(part.tests[1], _("report.as_above"))
    assert lines[4] == part_line(part.tests[2], VALUES)                     # its cause told above
    assert lines[5] == part_line(part.tests[3])                             # told here the first time
    assert lines[6] == part_line(part.tests[4], VALUES)                     # and not again
    assert len(lines) == 7
    monkeypatch.setattr(report, "cause", lambda *a, **k: "")
    plain = report.part_lines("one_hot_lookup", _part(("a", False, RAISED), ("b", False, RAISED2)))
    assert plain[1] == part_line(_part(("a", False, RAISED)).tests[0], _("report.as_above"))   # no cause line
    passed_grouped = _part(("a", False, RAISED), ("b", False, RAISED2))
    passed_grouped.tests.append(Check("c", True, "", "C?", 1.0, 1.0))
    assert report.part_lines("one_hot_lookup", passed_grouped)[-1] == part_line(passed_grouped.tests[-1])


def _grouped(monkeypatch, lang="en"):
    """A result whose first part has two checks failing alike (with a cause for that part only)."""
    monkeypatch.setattr(report, "cause", lambda pid, name, message, symptoms_only=False:
                        "check the indices" if pid == "embedding_backward" and "RuntimeError" in message else "")
    own = "\n" + _("report.cause", cause="its own")
    part = _part(("a", False, RAISED + own), ("b", False, RAISED2 + own), ("c", False, VALUES))
    return Result(0.0, 100.0, {"embedding_backward": part}, ["<n>"], [], [], lang)


def test_every_format_groups_with_the_parts_own_causes(monkeypatch):
    """The text report, a graded cell's feedback and formgrader's comment each say the group with
    the cause found for its part; Gradescope gives the cause line to a group's first check only."""
    r = _grouped(monkeypatch)
    group = _("report.group", n=2, symptom=report._symptom(RAISED)[1])
    cause_line = _("report.cause", cause="check the indices")
    for text in (to_text(r), part_feedback(r, "embedding_backward")):
        assert f"  {_('report.fail')}: {group}" in text and "    " + cause_line in text
    comment = part_comment(r, "embedding_backward").split("\n")
    assert comment[1] == f"- {_('report.fail')}: " + report.markdown_text(group) + " " + report.markdown_text(cause_line)
    assert comment[2:] == [f"- {_('report.fail')}: a?", f"- {_('report.fail')}: b?", f"- {_('report.fail')}: c?",
                           f"- {_('report.note', note='&lt;n&gt;')}"]
    monkeypatch.setattr(report, "cause", lambda *a, **k: "")
    monkeypatch.setattr(report, "split_cause", lambda message: (message.split("\n")[0], ""))
    plain = part_comment(r, "embedding_backward").split("\n")
    assert plain[1] == f"- {_('report.fail')}: " + report.markdown_text(group)


def test_gradescope_tells_a_groups_cause_with_its_first_check(monkeypatch):
    r = _grouped(monkeypatch)
    outputs = [t["output"] for t in json.loads(to_gradescope(r))["tests"]]
    assert outputs == [RAISED + "\n" + _("report.cause", cause="its own"), RAISED2, VALUES]


def test_gradescope_fails_every_check_of_a_part_any_rule_zeroed():
    """A part zeroed by the one-hot rule (not only by the "own code" rule): is each of its checks
    failed on Gradescope, with the rule's message first, and the rule check shown as it is? (The
    rule was found by a test's name, so a one-hot break showed the other checks passed.)"""
    ruled = PartResult(0.0, 25.0, [Check("lecture_example", True, "", "Lecture?", 0.0, 4.0),
                                   Check("is_a_one_hot_product", False, "reads rows by position", "One-hot?", 0.0, 1.0,
                                         rule=True)], zeroed_by="reads rows by position")
    data = json.loads(to_gradescope(Result(0.0, 100.0, {"one_hot_lookup": ruled}, [], [], [], "en")))
    assert [(t["status"], t["output"], t["score"]) for t in data["tests"]] == [
        ("failed", "reads rows by position", 0.0), ("failed", "reads rows by position", 0.0)]
