"""The comparison helper: steps, tolerances and messages a student can act on."""
import pytest
import torch

from autograder import compare
from autograder.compare import EXACT, GRAD, HALF_EPS, RENORM, Mismatch, Raised, check_value


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
