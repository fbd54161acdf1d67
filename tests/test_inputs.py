"""A test's inputs (inputs.Make): drawn once per grader process, and every later submission gets the
very values a fresh generator would draw, in any order of draws, hit or miss."""
import pytest
import torch

from autograder import inputs
from autograder.inputs import Make


def fresh(seed, dtype, calls):
    """The draws of `calls` from a generator that never saw the cache."""
    saved = dict(inputs._DRAWN)
    inputs._DRAWN.clear()
    try:
        make = Make(seed, dtype, "cpu")
        return [draw(make, c) for c in calls]
    finally:
        inputs._DRAWN.clear()
        inputs._DRAWN.update(saved)


def draw(make, call):
    name, args, kwargs = call
    return getattr(make, name)(*args, **kwargs)


A = [("randn", (3, 4), {}), ("randint", (10, (5,)), {}), ("weight", (6, 2), {"scale": 0.5}),
     ("randn", (2,), {"dtype": torch.float64})]
B = A[:2] + [("randint", (7, (2, 3)), {"dtype": torch.int32}), ("randn", (4, 4), {}), ("arg", ((3, 4), "transposed"), {})]


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_draws_equal_a_fresh_generators_whatever_was_drawn_before(dtype):
    expected_a, expected_b = fresh(11, dtype, A), fresh(11, dtype, B)
    inputs._DRAWN.clear()
    m = Make(11, dtype, "cpu")
    got_a = [draw(m, c) for c in A]   # all misses
    m = Make(11, dtype, "cpu")
    again = [draw(m, c) for c in A]   # all hits
    m = Make(11, dtype, "cpu")
    got_b = [draw(m, c) for c in B]   # two hits, then misses: the generator must stand where the hits left it
    for got, want in ((got_a, expected_a), (again, expected_a), (got_b, expected_b)):
        for g, w in zip(got, want):
            g, w = (g.base, w.base) if isinstance(g, inputs.Arg) else (g, w)
            assert g.dtype == w.dtype and torch.equal(g, w)
    assert len(inputs._DRAWN) == len(A) + len(B) - 2


def test_a_draw_is_a_copy_a_test_may_change():
    inputs._DRAWN.clear()
    Make(5, torch.float32, "cpu").randn(3).zero_()
    assert Make(5, torch.float32, "cpu").randn(3).ne(0).all()
    a = Make(5, torch.float32, "cpu").randn(3)
    a.zero_()
    assert Make(5, torch.float32, "cpu").randn(3).ne(0).all()


def test_other_seeds_and_dtypes_draw_their_own():
    inputs._DRAWN.clear()
    x = Make(1, torch.float32, "cpu").randn(8)
    assert not torch.equal(x, Make(2, torch.float32, "cpu").randn(8))
    assert Make(1, torch.float64, "cpu").randn(8).dtype == torch.float64
