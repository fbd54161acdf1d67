"""The comparison helper: steps, tolerances and messages a student can act on."""
import pytest
import torch

from autograder import compare
from autograder.compare import EXACT, GRAD, HALF_EPS, RENORM, Mismatch, Raised, check_value
from autograder.i18n import _


def test_stops_at_the_first_difference_with_a_sentence():
    """Is a shape difference reported before values, in words?"""
    with pytest.raises(Mismatch, match=r"expected shape \(2, 3\), got \(3, 2\)"):
        check_value("out", torch.zeros(3, 2), torch.zeros(2, 3))
    with pytest.raises(Mismatch, match="expected dtype torch.float64, got torch.float32"):
        check_value("out", torch.zeros(2), torch.zeros(2, dtype=torch.float64))


def test_value_message_names_the_index_and_both_values():
    """Does a value difference say where, what was got and what was expected?"""
    exp = torch.arange(6.0).reshape(2, 3)
    got = exp.clone()
    got[1, 2] = 9.0
    with pytest.raises(Mismatch, match=r"1 of 6 positions.*index \[1, 2\]: got 9.0, expected 5.0"):
        check_value("out", got, exp, EXACT)


def test_gradient_tolerance_accepts_other_summation_orders():
    """Is a 1-ulp float32 difference accepted for gradients but not for exact outputs?"""
    exp = torch.tensor([1.0, 2.0, 3.0])
    got = torch.nextafter(exp, torch.tensor(10.0))
    check_value("grad", got, exp, GRAD)
    with pytest.raises(Mismatch):
        check_value("out", got, exp, EXACT)


def test_renorm_tolerance_catches_a_missing_epsilon():
    """Does float64 renorm tolerance reject a scale computed without the 1e-7 epsilon?"""
    norm, max_norm = 2e-6, 1e-6
    exp = torch.tensor([max_norm / (norm + 1e-7)], dtype=torch.float64)
    got = torch.tensor([max_norm / norm], dtype=torch.float64)
    with pytest.raises(Mismatch):
        check_value("weight", got, exp, RENORM)


def test_nan_matches_nan_and_exceptions_match_exceptions():
    """Do NaN positions and 'both raised' count as agreement, and 'only torch raised' not?"""
    check_value("out", torch.tensor([float("nan"), 1.0]), torch.tensor([float("nan"), 1.0]), EXACT)
    check_value("out", Raised("IndexError", "x"), Raised("RuntimeError", "y"))
    with pytest.raises(Mismatch, match="torch raises here"):
        check_value("out", torch.zeros(1), Raised("IndexError", "index out of range"))



# The tolerances promised (../shared/reference/torch-embedding-semantics.md, "Tolerance policy"; the
# float32 gradient's atol is the reference's 1e-5 without its sqrt(c_max) widening), written here
# apart from compare.py: each is probed at half (must pass) and twice (must fail), so a tolerance
# loosened or tightened 2x or more in compare.py fails here. (policy name, dtype) -> (rtol, atol).
PROMISED = {("gradient", torch.float64): (1e-12, 1e-12), ("gradient", torch.float32): (1e-5, 1e-5),
            ("renorm", torch.float64): (1e-14, 0.0), ("renorm", torch.float32): (1e-6, 0.0),
            ("renorm", torch.float16): (2e-3, 0.0), ("renorm", torch.bfloat16): (1.6e-2, 0.0)}
HALF_EPS_PROMISED = {torch.float16: 2.0 ** -10, torch.bfloat16: 2.0 ** -7}
POLICIES = {p.name: p for p in vars(compare).values() if isinstance(p, compare.Policy)}


def _moved(expected: torch.Tensor, shift: torch.Tensor) -> torch.Tensor:
    """expected + shift (float64), rounded to expected's dtype; checked to have moved by the shift
    within 20% after that rounding (else the test using it would check nothing)."""
    got = (expected.double() + shift).to(expected.dtype)
    moved = (got.double() - expected.double()).abs()
    assert ((moved - shift.abs()).abs() <= 0.2 * shift.abs()).all(), (expected, got, shift)
    return got


def test_every_declared_tolerance_is_a_promised_one():
    """Does every policy compare.py defines hold exactly the dtypes promised for it (none without a
    promise, none promised and missing), and the exact policy none?"""
    declared = {(p.name, d) for p in POLICIES.values() for d, _t in p.rtol + p.atol}
    assert declared == set(PROMISED), declared ^ set(PROMISED)
    assert EXACT.rtol == EXACT.atol == () and set(HALF_EPS) == set(HALF_EPS_PROMISED)


@pytest.mark.parametrize("name,dtype", sorted(PROMISED, key=str), ids=lambda x: str(x).removeprefix("torch."))
def test_each_tolerance_holds_at_half_and_fails_at_twice(name, dtype):
    """For each promised (policy, dtype): is a difference of half the promised tolerance accepted and
    one of twice it refused, at several magnitudes (and at 0 where atol > 0)? (Powers of two:
    float16/bfloat16 tolerances are about 2 ulps, which halving and doubling keep representable.)"""
    rtol, atol = PROMISED[name, dtype]
    for v in [0.5, 1.0, -4.0] + ([0.0] if atol else []):
        expected = torch.tensor([v], dtype=dtype)
        allowed = atol + rtol * abs(v)
        for sign in (1, -1):
            check_value("x", _moved(expected, torch.tensor([sign * allowed / 2], dtype=torch.float64)), expected,
                        POLICIES[name])
            with pytest.raises(Mismatch):
                check_value("x", _moved(expected, torch.tensor([sign * allowed * 2], dtype=torch.float64)), expected,
                            POLICIES[name])


def test_exact_policy_refuses_one_ulp_in_every_dtype():
    """Does the exact policy refuse a one-ulp difference in float64, float32, float16 and bfloat16?"""
    for dtype in (torch.float64, torch.float32, torch.float16, torch.bfloat16):
        expected = torch.tensor([1.0, -3.0], dtype=dtype)
        with pytest.raises(Mismatch):
            check_value("out", torch.nextafter(expected, torch.tensor(10.0, dtype=dtype)), expected, EXACT)


@pytest.mark.parametrize("dtype", sorted(HALF_EPS_PROMISED, key=str), ids=lambda d: str(d).removeprefix("torch."))
def test_half_precision_allowance_holds_at_half_and_fails_at_twice(dtype):
    """float16/bfloat16 gradients judged against float64 (GRAD's half_ref64): where torch's own
    half-precision result is exact, the allowance is count_max * eps * max(|ref|, 1): is half of it
    accepted and twice it refused?"""
    count_max = 4
    ref64 = torch.tensor([2.0, -1.0, 0.5], dtype=torch.float64)
    expected = ref64.to(dtype)               # torch's half result, exact here
    allowed = count_max * HALF_EPS_PROMISED[dtype] * 2.0   # max |ref| is 2
    for sign in (1, -1):
        half, twice = (torch.full_like(ref64, sign * allowed * f) for f in (0.5, 2.0))
        check_value("grad", _moved(expected, half), expected, GRAD, ref64=ref64, count_max=count_max)
        with pytest.raises(Mismatch):
            check_value("grad", _moved(expected, twice), expected, GRAD, ref64=ref64, count_max=count_max)


# ---------------------------------------------------------------- every step's sentence, and what passes

def _mismatch(*args, **kw) -> str:
    with pytest.raises(Mismatch) as info:
        check_value(*args, **kw)
    return str(info.value)


def test_each_step_says_what_it_expected_and_what_it_got():
    """Exceptions, plain values, type, shape, dtype and device: each step's sentence, with the key
    named as code (the catalog's wording, so rewording it changes nothing here)."""
    t = torch.zeros(2, 3)
    assert _mismatch("out", t, Raised("IndexError", "index 9")) == \
        _("cmp.torch_raises", what="`out`", error="IndexError", got=compare._describe(t))
    assert _mismatch("out", Raised("ValueError", "bad"), t) == \
        _("cmp.yours_raised", what="`out`", got="ValueError: bad", expected=compare._describe(t))
    assert _mismatch("n", 3, 4) == _("cmp.value", what="`n`", expected="4", got="3")
    assert _mismatch("n", "x" * 400, "y") == _("cmp.value", what="`n`", expected="'y'", got=repr("x" * 400)[:300])
    assert _mismatch("n", t, 4) == _("cmp.value", what="`n`", expected="4", got=compare._describe(t))
    assert _mismatch("out", [1.0], t) == _("cmp.value", what="`out`", expected=compare._describe(t), got="[1.0]")
    assert _mismatch("out", torch.zeros(3, 2), t) == _("cmp.shape", what="`out`", expected=(2, 3), got=(3, 2))
    assert _mismatch("out", t.double(), t) == _("cmp.dtype", what="`out`", expected=torch.float32, got=torch.float64)
    assert _mismatch("out", torch.empty(2, 3, device="meta"), t) == \
        _("cmp.device", what="`out`", expected="cpu", got="meta")
    check_value("n", 4, 4)
    check_value("out", Raised("A", ""), Raised("B", "b"))


def test_descriptions_never_ask_the_value_itself():
    t = torch.zeros(2, dtype=torch.int32)
    assert compare._describe(t) == _("cmp.a_tensor", shape=(2,), dtype=torch.int32)
    assert compare._describe(Raised("E", "m")) == _("cmp.an_exception", error=Raised("E", "m"))
    assert compare._describe([1, "a"]) == "[1, 'a']"
    assert compare._short(t) == compare._describe(t) and compare._short("a" * 500) == repr("a" * 500)[:300]
    assert str(Raised("E", "m")) == "E: m" and str(Raised("E", "")) == "E"
    assert compare._fmt(torch.tensor(2.5)) == "2.5" and compare._fmt(torch.tensor([[1, 2]])) == "[[1, 2]]"


def test_plain_values_are_equal_only_as_plain_values():
    """Numbers, strings, lists (list or tuple alike), dicts: equal by value; a tensor, a list or a
    dict where a number is expected differs; so does a bool where an int is expected."""
    eq = compare._plain_equal
    assert eq(1, 1) and eq(1, 1.0) and eq("a", "a") and eq(None, None) and eq(True, True)
    assert eq([1, (2, 3)], (1, [2, 3])) and eq({"a": [1]}, {"a": (1,)}) and eq([], ())
    assert not eq([1, 2], [1]) and not eq([1, 2], [1, 3]) and not eq((1,), 1) and not eq(1, [1])
    assert not eq({"a": 1}, {"a": 2}) and not eq({"a": 1, "b": 1}, {"a": 1}) and not eq([("a", 1)], {"a": 1})
    assert not eq({"a": 1}, [1]) and not eq(torch.tensor(1), 1) and not eq({"a": 1}, 1) and not eq([1], 1)
    assert not eq(True, 1) and not eq(1, True) and not eq(0, False) and not eq(False, True) and eq(False, False)
    assert not eq(1, 2) and not eq("a", "b")


def test_an_observation_agrees_when_every_key_of_torchs_agrees():
    """Both raised, or every key torch gave is in the student's (extra keys ignored) and agrees under
    its declared policy (by the key or its first word); an undeclared key is the grader's error."""
    policies = {"out": EXACT, "grad": GRAD}
    compare.compare_observations({"out": 1, "grad for V=3": torch.ones(2), "extra": 5},
                                 {"out": 1, "grad for V=3": torch.ones(2)}, policies)
    compare.compare_observations(Raised("E", "x"), Raised("F", "y"), policies)
    with pytest.raises(Mismatch) as info:
        compare.compare_observations({"out": 1}, Raised("IndexError", "m" * 200), policies)
    assert str(info.value) == _("judge.not_raised", error="IndexError", message="m" * 120)
    with pytest.raises(Mismatch) as info:
        compare.compare_observations(Raised("KeyError", "k" * 400), {"out": 1}, policies)
    assert str(info.value) == _("judge.raised", error="KeyError", message="k" * 300)
    with pytest.raises(Mismatch) as info:
        compare.compare_observations([1], {"out": 1}, policies)
    assert str(info.value) == _("cmp.value", what="the observation", expected="a dict", got="[1]")
    with pytest.raises(Mismatch) as info:
        compare.compare_observations({"out": 2}, {"out": 1}, policies)
    assert str(info.value) == _("cmp.value", what="`out`", expected="1", got="2")
    with pytest.raises(compare.Undeclared, match="no compare policy declared for 'weight after'"):
        compare.compare_observations({}, {"weight after": 1}, policies)


def test_a_key_missing_from_the_students_observation_is_named():
    """When the student's observation lacks one of torch's keys, is that a failed check that names the
    key? (It crashed the grader: the catalog's {key} placeholder met `_`'s own parameter name.)"""
    with pytest.raises(Mismatch) as info:
        compare.compare_observations({"grad": 1}, {"out": 1}, {"out": EXACT, "grad": GRAD})
    assert str(info.value) == _("judge.missing_key", key="out")


def test_each_key_is_judged_under_its_own_policy_and_reference():
    """A gradient key gets GRAD's tolerance where an exact key does not; its float64 reference and
    count go with it (float16: judged against float64)."""
    exp = torch.tensor([1.0, 2.0])
    near = torch.nextafter(exp, torch.tensor(10.0))
    compare.compare_observations({"grad": near}, {"grad": exp}, {"grad": GRAD, "out": EXACT})
    with pytest.raises(Mismatch):
        compare.compare_observations({"out": near}, {"out": exp}, {"grad": GRAD, "out": EXACT})
    ref64 = torch.tensor([1.0, 2.0], dtype=torch.float64)
    half = ref64.half()
    off = half + torch.tensor([0.0, 2.0 ** -8]).half()   # twice the allowance of count 1 (eps * max|ref| = 2**-9)
    with pytest.raises(Mismatch):
        compare.compare_observations({"grad": off}, {"grad": half}, {"grad": GRAD}, want64={"grad": ref64})
    compare.compare_observations({"grad": off}, {"grad": half}, {"grad": GRAD}, want64={"grad": ref64}, count_max=4)
    with pytest.raises(Mismatch):   # without the reference, float16 has no tolerance
        compare.compare_observations({"grad": off}, {"grad": half}, {"grad": GRAD}, count_max=4)


def test_policies_name_their_tolerances_and_compare_the_rest_exactly():
    assert GRAD.tolerances(torch.float32) == (1e-5, 1e-5) and GRAD.tolerances(torch.float16) == (0.0, 0.0)
    assert RENORM.tolerances(torch.float16) == (2e-3, 0.0) and EXACT.tolerances(torch.float64) == (0.0, 0.0)
    assert compare.policy_for("grad for V=3", {"grad": GRAD}) is GRAD
    assert compare.policy_for("grad", {"grad": GRAD, "grad x": EXACT}) is GRAD
    assert compare.policy_for("grad x", {"grad": GRAD, "grad x": EXACT}) is EXACT
    with pytest.raises(compare.Undeclared):   # the first word ends at a space only
        compare.policy_for("grad\tx", {"grad": GRAD})
    with pytest.raises(compare.Undeclared, match="'out'"):
        compare.policy_for("out", {"grad": GRAD})


def test_a_value_difference_says_how_many_where_and_the_largest():
    """The count of positions outside the tolerance, the first of them, the largest difference where
    it is elsewhere, the tolerance in words, and a listing of both for small tensors only."""
    exp = torch.zeros(2, 3)
    got = exp.clone()
    got[0, 1], got[1, 2] = 0.5, 3.0
    msg = _mismatch("out", got, exp, EXACT)
    head = _("cmp.differ", what="`out`", bad=2, total=6, tol=_("cmp.tol_exact"), where=[0, 1], got="0.5",
             expected="0.0")
    assert msg == head + _("cmp.largest", where=[1, 2], got="3.0", expected="0.0") + \
        _("cmp.listing", got=str(got.tolist()), expected=str(exp.tolist()))
    got[0, 1] = 5.0   # the first is the largest: said once
    assert _mismatch("out", got, exp, EXACT) == \
        _("cmp.differ", what="`out`", bad=2, total=6, tol=_("cmp.tol_exact"), where=[0, 1], got="5.0", expected="0.0") \
        + _("cmp.listing", got=str(got.tolist()), expected=str(exp.tolist()))
    big_e = torch.zeros(compare.SMALL + 1)
    big_g = big_e.clone()
    big_g[3] = 1.0
    assert _mismatch("w", big_g, big_e, GRAD) == _("cmp.differ", what="`w`", bad=1, total=compare.SMALL + 1,
                                                   tol=_("cmp.tol_close", atol=1e-5, rtol=1e-5), where=[3],
                                                   got="1.0", expected="0.0") + "."
    small_e, small_g = torch.zeros(compare.SMALL), torch.zeros(compare.SMALL)
    small_g[0] = 1.0
    assert _mismatch("w", small_g, small_e).endswith(_("cmp.listing", got=str(small_g.tolist()), expected=str(small_e.tolist())))
    scalar = _mismatch("s", torch.tensor(1.5), torch.tensor(1.0))
    assert scalar == _("cmp.differ", what="`s`", bad=1, total=1, tol=_("cmp.tol_exact"), where=[], got="1.5",
                       expected="1.0") + _("cmp.listing", got="1.5", expected="1.0")


def test_integers_and_bools_are_compared_exactly():
    e = torch.tensor([1, 2, 3])
    msg = _mismatch("idx", torch.tensor([1, 5, 2]), e, GRAD)   # integers: no tolerance, whatever the policy
    assert msg == _("cmp.differ", what="`idx`", bad=2, total=3, tol=_("cmp.tol_exact"), where=[1], got="5",
                    expected="2") + _("cmp.listing", got="[1, 5, 2]", expected="[1, 2, 3]")   # |5 - 2| the largest
    msg = _mismatch("idx", torch.tensor([1, 3, 9]), e)
    assert _("cmp.largest", where=[2], got="9", expected="3") in msg
    msg = _mismatch("idx", torch.tensor([11, 5]), torch.tensor([10, 0]))   # the largest by difference, not by value
    assert _("cmp.largest", where=[1], got="5", expected="0") in msg
    b = _mismatch("mask", torch.tensor([True, False, True]), torch.tensor([True, True, False]))
    assert b == _("cmp.differ", what="`mask`", bad=2, total=3, tol=_("cmp.tol_exact"), where=[1], got="False",
                  expected="True") + _("cmp.listing", got="[True, False, True]", expected="[True, True, False]")
    check_value("idx", torch.tensor([1, 2, 3], dtype=torch.int32), torch.tensor([1, 2, 3], dtype=torch.int32))
    assert _mismatch("u8", torch.tensor([0, 200], dtype=torch.uint8), torch.tensor([255, 100], dtype=torch.uint8)) \
        .startswith(_("cmp.differ", what="`u8`", bad=2, total=2, tol=_("cmp.tol_exact"), where=[0], got="0",
                      expected="255"))


def test_special_values_agree_only_with_themselves():
    """NaN where torch has NaN and the same infinity agree under every policy; a NaN or an infinity
    anywhere else does not, and a negative zero is a zero."""
    inf, nan = float("inf"), float("nan")
    check_value("g", torch.tensor([inf, -inf, nan, 0.0]), torch.tensor([inf, -inf, nan, -0.0]), GRAD)
    for got, exp in (([-inf], [inf]), ([nan], [1.0]), ([1.0], [nan]), ([inf], [1.0]), ([1.0], [inf]), ([nan], [inf])):
        with pytest.raises(Mismatch):
            check_value("g", torch.tensor(got), torch.tensor(exp), GRAD)
    msg = _mismatch("g", torch.tensor([nan, 0.0, 5.0]), torch.tensor([1.0, 0.0, 0.0]), GRAD)
    assert msg == _("cmp.differ", what="`g`", bad=2, total=3, tol=_("cmp.tol_close", atol=1e-5, rtol=1e-5), where=[0],
                    got="nan", expected="1.0") + _("cmp.listing", got="[nan, 0.0, 5.0]", expected="[1.0, 0.0, 0.0]")
    # (a NaN's difference counts as the largest: no "largest difference" at 5.0)


def test_half_precision_is_judged_against_float64_when_asked():
    """GRAD with a float64 reference: float16/bfloat16 values within twice torch's own error (or
    count·eps·max|ref|) of float64 pass, said as such when they do not; float32 ignores the
    reference; an empty reference gives a scale of 1."""
    ref64 = torch.tensor([0.1, 0.2, 0.3], dtype=torch.float64)
    exp = ref64.half()
    ok = (ref64 + 2.0 ** -11).half()
    check_value("grad", ok, exp, GRAD, ref64=ref64, count_max=1)
    between = (ref64 + 1.5 * 2.0 ** -10).half()   # 1.5 allowances of count 1 and scale 1 (|ref| < 1)
    with pytest.raises(Mismatch):
        check_value("grad", between, exp, GRAD, ref64=ref64)
    check_value("grad", between, exp, GRAD, ref64=ref64, count_max=2)
    far = (ref64 + 2.0 ** -7).half()
    msg = _mismatch("grad", far, exp, GRAD, ref64=ref64, count_max=1)
    assert _("cmp.tol_half") in msg and msg.startswith(_("cmp.differ", what="`grad`", bad=3, total=3,
                                                                tol=_("cmp.tol_half"), where=[0], got=compare._fmt(far[0]),
                                                                expected=compare._fmt(exp[0])))
    check_value("grad", far, exp, GRAD, ref64=ref64, count_max=16)   # 16 * 2**-10 * 1: allowed
    # torch's own half result off by much: twice its error is allowed
    torch_off = (ref64 + 2.0 ** -6).half()
    check_value("grad", (ref64 + 2.0 ** -6).half() + 0.0, torch_off, GRAD, ref64=ref64)
    check_value("grad", ref64.half(), torch_off, GRAD, ref64=ref64)
    with pytest.raises(Mismatch):
        check_value("grad", (ref64 - 2.0 ** -5).half(), torch_off, GRAD, ref64=ref64)
    # the scale is the reference's largest magnitude when above 1
    big64 = torch.tensor([8.0, -16.0], dtype=torch.float64)
    check_value("grad", (big64 + 0.04).half(), big64.half(), GRAD, ref64=big64, count_max=4)   # 4 * 2**-10 * 16
    with pytest.raises(Mismatch):
        check_value("grad", (big64 + 0.1).half(), big64.half(), GRAD, ref64=big64, count_max=4)
    empty = torch.zeros(0, dtype=torch.float64)
    check_value("grad", empty.half(), empty.half(), GRAD, ref64=empty)
    f32 = ref64.float()
    with pytest.raises(Mismatch):   # float32 is judged against float32, the reference unused
        check_value("grad", f32 + 1e-3, f32, GRAD, ref64=ref64, count_max=10 ** 6)
    with pytest.raises(Mismatch):   # RENORM does not judge against float64
        check_value("w", far, exp, RENORM, ref64=ref64, count_max=16)
