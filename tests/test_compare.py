"""The comparison helper: steps, tolerances and messages a student can act on."""
import pytest
import torch

from autograder.compare import EXACT, GRAD, RENORM, Mismatch, Raised, check_value


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
