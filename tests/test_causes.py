"""Feedback that diagnoses (issue 24): every hidden test has a likely cause in the catalog
(autograder/i18n.py CAUSES), a cause is given only for a failure it matches (a wrong value or an
exception, the exception's type and message, what differs), and failures that share a symptom are
told once, first, with one cause -- in both languages, in the grader's reports and the notebooks'."""
import json

import pytest

from autograder.i18n import EN, WHEN, _, cause, failure, use
from autograder.report import part_comment, part_feedback, to_gradescope, to_text
from autograder.result import PartResult, Result
from autograder.result import TestResult as Checked
from conftest import CORPUS, compose

# failures as the graders' messages say them: (template, its fields)
LONG = ("judge.raised", {"error": "RuntimeError", "message": "one_hot is only applicable to index tensor of type LongTensor."})
DTYPE = ("cmp.dtype", {"what": "`out`", "expected": "torch.float64", "got": "torch.float32"})
VALUE = ("cmp.differ", {"what": "`grad`", "bad": 3, "total": 15, "tol": "exact", "where": [0, 0], "got": "1.40",
                        "expected": "0.0"})
SHAPE = ("cmp.shape", {"what": "`out`", "expected": (2, 3), "got": (6,)})
ODD = ("judge.raised", {"error": "ValueError", "message": "no"})


def said(lang, failed, param="f64-cpu"):
    """A failure message as a report in `lang` writes it, with its run's [param] in front."""
    with use(lang):
        return f"[{param}] " + _(failed[0], **failed[1])


def test_every_hidden_test_has_a_cause():
    """Does the catalog hold a cause of its own for every hidden test, in English and Chinese?"""
    from autograder.lang_zh import MESSAGES
    from autograder.items import questions
    own = {key.split(":")[0] for key in WHEN}
    assert not [k for k in questions() if k not in own]
    assert all("cause." + key in EN and "cause." + key in MESSAGES for key in WHEN)


def test_every_cause_names_a_check_a_part_or_every_part():
    """Is each cause's key a hidden test, a visible check or step of the notebook, a part's symptom
    ("part/*") or any part's ("*/*") -- no cause for a check that no longer exists?"""
    from autograder.parts import PARTS
    from autograder.items import questions
    import authoring.build as build
    visible = {f"{part}/{key.split(':')[0]}" for part, keys in build.visible_checks(build.load_source().CELLS).items()
               for key in keys}
    for key in WHEN:
        check = key.split(":")[0]
        part, name = check.split("/")
        assert check in questions() or check in visible or (name == "*" and part in {p.id for p in PARTS} | {"*"}), key


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_cause_is_matched_to_how_the_check_failed(lang):
    """Does the same check get the cause of its symptom (int64-only one_hot, a wrong dtype), the
    check's own cause for a wrong value, and no cause for an exception no cause explains -- whatever
    the report's language?"""
    with use(lang):
        assert cause("one_hot_lookup", "int32_indices", said(lang, LONG)) == _("cause.one_hot_lookup/*:long")
        assert cause("one_hot_lookup", "int32_indices", said(lang, DTYPE)) == \
            cause("one_hot_lookup", "lecture_example", said(lang, DTYPE)) == _("cause.one_hot_lookup/*:dtype")
        assert cause("embedding_backward", "padding_idx_zero", said(lang, VALUE)) == \
            _("cause.embedding_backward/padding_idx_zero")
        assert cause("embedding_backward", "padding_idx_zero", said(lang, ODD)) == ""    # not what it explains
        assert cause("one_hot_lookup", "rejects_out_of_range_indices", said(lang, VALUE)) == ""


def test_failures_are_read_by_kind():
    """Are the graders' failure sentences read as the right kind: an exception (with its type), a
    stub, a missing refusal, a refusal for another reason (a crash), a wrong dtype or value?"""
    for lang in ("en", "zh"):
        assert (failure(said(lang, LONG)).kind, failure(said(lang, LONG)).error) == ("raised", "RuntimeError")
        assert (failure(said(lang, DTYPE)).kind, failure(said(lang, DTYPE)).got) == ("dtype", "torch.float32")
        assert failure(said(lang, VALUE)).kind == "values" and failure(said(lang, SHAPE)).kind == "shape"
    assert failure("[f32-cpu] yours raised NotImplementedError: x").kind == "not_implemented"
    assert failure("[f32-cpu] `raises for indices 5`: expected 'raises (and does not for indices 4)', "
                   "got 'does not raise'.").kind == "not_raised"
    assert failure("[f32-cpu] `raises for indices 5`: expected 'raises (and does not for indices 4)', got "
                   "'raises, but also for indices 4, which is valid input'.").kind == "other_reason"
    each = failure("[f32-cpu] `grad for indices 0-d`: expected a tensor of shape (6, 3) and dtype torch.float32, "
                   "got 'raised TypeError: len() of a 0-d tensor'.")
    assert (each.kind, each.error, each.message) == ("raised", "TypeError", "len() of a 0-d tensor")
    assert failure("[f32-cpu] `raises for a _weight of the wrong shape`: expected True, got False.").kind == "not_raised"


def _result(lang="en"):
    """Part 1 with three checks that raise the same error (each with its matched cause, as score.py
    writes it), one wrong shape, and one pass."""
    with use(lang):
        tests = []
        for name in ("lecture_example", "int32_indices", "scalar_index"):
            message = said(lang, LONG)
            tests.append(Checked(name, False, message + "\n" + _("report.cause", cause=cause("one_hot_lookup", name, message)),
                                 name + "?", 0, 2))
        tests.append(Checked("largest_index_below_V", False, said(lang, SHAPE), "wide?", 0, 2))
        tests.append(Checked("empty_indices", True, "", "empty?", 2, 2))
        return Result(2.0, 100.0, {"one_hot_lookup": PartResult(2.0, 25.0, tests)}, lang=lang)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_graded_feedback_tells_a_shared_exception_once_first(lang):
    """In the feedback under a graded cell, in the text report and in formgrader's comment, do three
    checks that raised the same error come first as one group with its cause once, each then saying
    "(as above)", while a check that failed otherwise keeps its own message? On Gradescope, does only
    the first of them carry the cause?"""
    result = _result(lang)
    with use(lang):
        c = " ".join(_("cause.one_hot_lookup/*:long").split())
        head = _("report.group", n=3, symptom="").strip()
        as_above = _("report.as_above")
    for text in (part_feedback(result, "one_hot_lookup"), to_text(result)):
        flat = " ".join(text.split())
        assert flat.count(c) == 1, text
        assert flat.index(head) < flat.index(c) < flat.index("lecture_example?"), text
        assert text.count(as_above) == 3, text
        assert "(6,)" in text                                     # the wrong shape keeps its own message
    assert " ".join(part_comment(result, "one_hot_lookup").split()).count(c) == 1
    outputs = [" ".join(t["output"].split()) for t in json.loads(to_gradescope(result))["tests"]]
    assert sum(c in o for o in outputs) == 1, outputs


MISTAKES = {   # a typical mistake -> (its part, the cause its feedback must name first, once)
    "oh_output_float32.py": ("one_hot_lookup", "one_hot_lookup/*:dtype"),
    "oh_rejects_int32.py": ("one_hot_lookup", "one_hot_lookup/*:long"),
    "bwd_always_float32.py": ("embedding_backward", "embedding_backward/*:dtype"),
    "mod_reset_padding_zero_is_falsy.py": ("embedding_module",
                                           "embedding_module/init_is_standard_normal_with_zero_padding_row:padding"),
    "rn_not_under_no_grad.py": ("embedding_renorm", "embedding_renorm/*:leaf"),
    "mod_forward_under_no_grad.py": ("embedding_module", "embedding_module/*:no_grad"),
    "mod_dtype_ignored.py": ("embedding_module", "embedding_module/*:dtype"),
}


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name", MISTAKES)
def test_a_typical_mistake_is_told_its_cause_once_first(grader, tmp_path, name, lang):
    """Graded by the real grader, does the part's feedback name this mistake's cause before any other
    cause, and only once?"""
    part, key = MISTAKES[name]
    result = grader.grade(compose(CORPUS / "wrong" / name, tmp_path), lang=lang)
    text = " ".join(part_feedback(result, part).split())
    with use(lang):
        want = " ".join(_("report.cause", cause=_("cause." + key)).split())
        head = _("report.cause", cause="").strip()
    assert text.count(want) == 1, text
    assert text.index(want) == text.index(head), text


def test_each_cause_asks_for_kinds_of_failure_there_are():
    """Does every cause name only kinds of failure the reader makes (a misspelt kind would never match)?"""
    from autograder.i18n import KINDS
    assert not [key for key, when in WHEN.items() if not set(when.kinds) <= set(KINDS)]
