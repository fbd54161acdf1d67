"""How `embedding_backward(grad_output, indices, V, padding_idx, scale_grad_by_freq)` is graded:
against the gradient torch's nn.Embedding gives its weight (autograd through F.embedding).

padding_idx is graded here and only here: the padding row of the gradient must be exactly zero,
whether the indices hit it or not (contributions are skipped, so NaN at padding positions never
leaks); a negative padding_idx counts from the end; values outside [-V, V) raise. Gradients are
compared with the gradient tolerance (sums may run in any order), padding rows exactly;
float16/bfloat16 (CUDA only) against the float64 gradient, since torch's own half-precision
backward rounds after every add.
"""
import pytest
import torch
from hypothesis import strategies as st

from autograder.compare import EXACT, GRAD
from autograder.inputs import (FLOATS, HALVES, bad_index_dtypes, drawn, each, examples, index_matrix, left_alone,
                               out_of_range, pick, refusals)
from autograder.remote import raises


def grad_with_padding(api, g, idx, V, padding_idx, **kw):
    """The gradient, and its padding row fetched apart so it is compared exactly."""
    grad = api.fetch(api.embedding_backward(g, idx, V, padding_idx=padding_idx, **kw))
    row = padding_idx % V
    pad = grad[row] if isinstance(grad, torch.Tensor) and grad.dim() == 2 and grad.shape[0] == V else grad
    return grad, pad


@pytest.mark.points(3)
@pytest.mark.dtypes(*FLOATS)
def test_sums_repeated_rows(check, make):
    """Are the rows of grad_output summed per index, with 5000 indices over 100 rows (many repeats)?"""
    idx, g = make.randint(100, (50, 100)), make.randn(50, 100, 8)
    idx_small, g_small = make.randint(100, (100,)), make.randn(100, 8)
    check(lambda api: {"grad for 5000 indices": api.embedding_backward(g, idx, 100),
                       "grad for 100 indices": api.embedding_backward(g_small, idx_small, 100)}, grad=GRAD)


@pytest.mark.points(3)
@pytest.mark.dtypes(*FLOATS)
def test_padding_row_is_zero_when_hit(check, make):
    """With padding_idx=3 and 3 among the indices, is row 3 of the gradient exactly zero?"""
    idx, g = make.tensor([[3, 1, 3, 0], [2, 3, 3, 9]]), make.randn(2, 4, 5)

    def observe(api):
        grad, pad = grad_with_padding(api, g, idx, 10, 3)
        return {"grad": grad, "padding row (3) of the grad": pad}
    check(observe, grad=GRAD, padding=EXACT)


@pytest.mark.points(2)
@pytest.mark.dtypes(torch.float64)
def test_padding_idx_zero(check, make):
    """Is padding_idx=0 honoured (0 is a valid padding index, not 'no padding')?"""
    idx, g = make.tensor([0, 1, 0, 2]), make.randn(4, 3)

    def observe(api):
        grad, pad = grad_with_padding(api, g, idx, 5, 0)
        return {"grad": grad, "padding row (0) of the grad": pad}
    check(observe, grad=GRAD, padding=EXACT)


@pytest.mark.points(3)
@pytest.mark.dtypes(torch.float64)
def test_negative_padding_idx_counts_from_the_end(check, make):
    """With V=10, does padding_idx=-2 zero row 8 (not row 2), and padding_idx=-1 row 9?"""
    idx, g = make.tensor([[8, 2, 9], [8, 9, 2]]), make.randn(2, 3, 4)

    def observe(api):
        g2, p2 = grad_with_padding(api, g, idx, 10, -2)
        g1, p1 = grad_with_padding(api, g, idx, 10, -1)
        return {"grad with padding_idx=-2": g2, "padding row (8) with padding_idx=-2": p2,
                "grad with padding_idx=-1": g1, "padding row (9) with padding_idx=-1": p1}
    check(observe, grad=GRAD, padding=EXACT)


@pytest.mark.points(1)
@pytest.mark.dtypes(torch.float64)
def test_padding_idx_never_hit(check, make):
    """When padding_idx is never among the indices, is the gradient the ordinary one?"""
    idx, g = make.tensor([1, 2, 2, 4]), make.randn(4, 3)
    check(lambda api: {"grad": api.embedding_backward(g, idx, 6, padding_idx=5)}, grad=GRAD)


@pytest.mark.points(2)
@pytest.mark.dtypes(*FLOATS)
def test_padding_positions_are_skipped_not_zeroed(check, make):
    """If grad_output holds NaN and inf at padding positions, does the padding row stay exactly
    zero and every other row finite (skip those contributions; do not add them and zero later)?"""
    idx, g = make.tensor([[1, 0, 2, 0], [0, 3, 3, 1]]), make.randn(2, 4, 3)
    g[0, 1] = float("nan")
    g[1, 0] = float("inf")

    def observe(api):
        grad, pad = grad_with_padding(api, g, idx, 4, 0)
        return {"grad": grad, "padding row (0) of the grad": pad}
    check(observe, grad=GRAD, padding=EXACT)


@pytest.mark.points(1)
def test_leaves_its_inputs_alone(check, make):
    """Are grad_output (contiguous, transposed, sliced, offset, expanded) and the indices (0-d, 1-d,
    2-d, sliced, transposed, expanded) left unchanged by the call: values, shape, dtype and strides?"""
    def build(make):
        idxs = [make.arg((), "contiguous", high=3), make.arg((5,), "sliced", high=3, dtype=torch.int32),
                make.arg((2, 2), "contiguous", high=3, dtype=torch.int32), make.arg((3, 4), "transposed", high=3),
                make.arg((2, 5), "expanded", high=3, dtype=torch.int32)]
        order = ("contiguous", "transposed", "sliced", "offset", "expanded")
        return idxs, [make.arg(idx.shape + (4,), pick(idx.shape + (4,), n, order)) for n, idx in enumerate(idxs)]
    idxs, gs = make.once(build)

    def observe(api):
        calls, inputs = {}, {}
        for n, (idx, G) in enumerate(zip(idxs, gs)):
            i, g = idx.on(api), G.on(api)
            calls[n] = lambda i=i, g=g: api.embedding_backward(g, i, 3, padding_idx=1, scale_grad_by_freq=True)
            inputs[f"grad_output {G.label}"], inputs[f"indices {idx.label}"] = g, i
        return left_alone(api, calls, inputs)
    check(observe, any=EXACT, grad_output=EXACT, indices=EXACT, strides=EXACT)


@pytest.mark.points(3)
def test_every_kind_of_input(check, make):
    """Do index tensors of every kind (0-d, 1-d, 2-d, 4-d and empty; int64 and int32; contiguous,
    transposed, sliced, expanded and offset views) with grad_output in every layout (the same views),
    V = 1 and embedding_dim 0, with padding_idx and scale_grad_by_freq in turn, give torch's gradient?"""
    def build(make):
        cases = {}
        for n, (idx, V, D) in enumerate(index_matrix(make)):
            G = make.arg(idx.shape + (D,), pick(idx.shape + (D,), n))
            pad, sgbf = (None, 2, -1)[n % 3] if V > 2 else None, n % 4 == 1
            cases[f"indices {idx.label}, grad_output {G.label}, padding_idx={pad}, scale_grad_by_freq={sgbf}"] = \
                (idx, G, V, pad, sgbf)
        return cases
    cases = make.once(build)

    def call(api, idx, G, V, pad, sgbf):
        return {"grad": api.embedding_backward(G.on(api), idx.on(api), V, padding_idx=pad, scale_grad_by_freq=sgbf)}
    check(lambda api: each(api, {k: (lambda a=a: call(api, *a)) for k, a in cases.items()}, ("grad",)), grad=GRAD)


@pytest.mark.points(3)
@pytest.mark.dtypes(*FLOATS)
def test_scale_grad_by_freq(check, make):
    """With scale_grad_by_freq=True, is each index's contribution divided by how often it occurs in
    the whole indices tensor (all rows of the batch together), with and without padding?"""
    idx = make.tensor([[0, 1, 1, 2, 2, 2], [3, 3, 3, 3, 3, 3], [5, 2, 0, 4, 4, 1]])
    g = make.randn(3, 6, 4)

    def observe(api):
        padded, pad = grad_with_padding(api, g, idx, 6, 2, scale_grad_by_freq=True)
        return {"grad": api.embedding_backward(g, idx, 6, scale_grad_by_freq=True),
                "grad with padding_idx=2": padded, "padding row (2) with padding_idx=2": pad}
    check(observe, grad=GRAD, padding=EXACT)


@pytest.mark.points(2)
@pytest.mark.devices("cpu")
@pytest.mark.refusal
def test_padding_idx_must_be_in_range(check, make):
    """With V=5, do padding_idx 5, 6 and -6 raise while 4, 0 and -5 are accepted?"""
    idx, g = make.tensor([0, 1]), make.randn(2, 3)
    check(lambda api: {f"raises for padding_idx={p}": raises(api, lambda p=p: api.embedding_backward(g, idx, 5, padding_idx=p))
                       for p in (5, 6, -6, 4, 0, -5)}, raises=EXACT)


def with_grads(make, cases) -> list:
    """Each (label, bad, good, neighbour) refusal case with a grad_output of its indices' shape."""
    return [(label, bad, good, n, make.randn(*bad.shape, 3)) for label, bad, good, n in cases]


def refused_by_backward(api, cases) -> dict:
    """refusals() of embedding_backward (V = 5) for each case of with_grads."""
    return refusals(api, {label: (lambda t=bad, g=g: api.embedding_backward(g, t, 5),
                                  lambda t=good, g=g: api.embedding_backward(g, t, 5), n)
                          for label, bad, good, n, g in cases})


@pytest.mark.points(1)
@pytest.mark.refusal
@pytest.mark.alone("cuda")   # on CUDA in a job of its own: a device-side assert poisons the context
def test_rejects_out_of_range_indices(check, make):
    """Do indices V, -1 and -V (0-d, 1-D and 2-D, int64 and int32) raise instead of being dropped or
    wrapped, while the same shape in range is accepted?"""
    check(lambda api: refused_by_backward(api, make.once(lambda make: with_grads(make, out_of_range(make, 5)))),
          raises=EXACT)


@pytest.mark.points(1)
@pytest.mark.devices("cpu")
@pytest.mark.refusal
def test_rejects_bad_index_dtypes(check, make):
    """Are float, int16, uint8 and bool indices (0-d, 1-D and 2-D) refused with an exception, as in
    every part, while the same indices as int64 are accepted?"""
    check(lambda api: refused_by_backward(api, make.once(lambda make: with_grads(make, bad_index_dtypes(make, 5)))),
          raises=EXACT)


@pytest.mark.points(2)
@pytest.mark.dtypes(*FLOATS)
def test_any_index_shape(check, make):
    """Do a 0-d index, empty indices, int32 indices and 4-d indices all give a (V, D) gradient?"""
    cases = {"0-d index 3": (make.tensor(3), make.randn(4)),
             "empty (0,) indices": (make.randint(7, (0,)), make.randn(0, 4)),
             "empty (2, 0) indices": (make.randint(7, (2, 0)), make.randn(2, 0, 4)),
             "int32 (3, 5) indices": (make.randint(7, (3, 5), dtype=torch.int32), make.randn(3, 5, 4)),
             "(2, 2, 3, 2) indices": (make.randint(7, (2, 2, 3, 2)), make.randn(2, 2, 3, 2, 4))}
    check(lambda api: {f"grad for {k}": api.embedding_backward(g, i, 7, padding_idx=2) for k, (i, g) in cases.items()},
          grad=GRAD)


@pytest.mark.points(1)
@pytest.mark.dtypes(*FLOATS)
def test_embedding_dim_zero(check, make):
    """With embedding_dim 0 (a (7, 0) table), is the gradient an empty (7, 0) tensor, for empty and
    non-empty indices?"""
    cases = {"(2, 3) indices": (make.randint(7, (2, 3)), make.randn(2, 3, 0)),
             "empty (0,) indices": (make.randint(7, (0,)), make.randn(0, 0))}
    check(lambda api: {f"grad for {k}": api.embedding_backward(g, i, 7, padding_idx=1) for k, (i, g) in cases.items()},
          grad=GRAD)


@pytest.mark.points(2)
@pytest.mark.dtypes()
@pytest.mark.cuda_dtypes(*HALVES)
def test_half_precision(check, make):
    """In float16/bfloat16, is the gradient as accurate as torch's (judged against float64)?"""
    idx, g = make.randint(50, (40, 20)), make.randn(40, 20, 16)
    check(lambda api: {"grad": api.embedding_backward(g, idx, 50, padding_idx=7)},
          ref64=lambda api: {"grad": api.embedding_backward(g.double(), idx, 50, padding_idx=7)}, count_max=40,
          grad=GRAD)


SETTINGS = examples(st.fixed_dictionaries({
    "V": st.integers(1, 30), "D": st.integers(1, 6),
    "shape": st.lists(st.integers(0, 6), min_size=1, max_size=3).map(tuple),
    "padding": st.one_of(st.none(), st.integers(-3, 2)), "sgbf": st.booleans(), "int32": st.booleans()}), 25)


@pytest.mark.points(3)
@pytest.mark.dtypes(*FLOATS)
def test_random_settings(check, make):
    """Do 25 settings a property-based search picks (V, D, shapes, padding_idx, scale_grad_by_freq,
    int32; the first 8 in float64) all match torch?"""
    inputs = []
    for ex in drawn(SETTINGS, make):
        pad = None if ex["padding"] is None else ex["padding"] % ex["V"] - (ex["V"] if ex["padding"] < 0 else 0)
        idx = make.randint(ex["V"], ex["shape"], dtype=torch.int32 if ex["int32"] else torch.int64)
        inputs.append((ex, pad, idx, make.randn(*ex["shape"], ex["D"])))
    check(lambda api: {f"grad for V={ex['V']}, indices {tuple(idx.shape)} {idx.dtype}, padding_idx={pad}, "
                       f"scale_grad_by_freq={ex['sgbf']}": api.embedding_backward(g, idx, ex["V"], padding_idx=pad,
                                                                                  scale_grad_by_freq=ex["sgbf"])
                       for ex, pad, idx, g in inputs}, grad=GRAD)


@pytest.mark.points(0)
@pytest.mark.rule
def test_uses_its_own_code(rules):
    """Does the code compute the result itself, without torch's own embedding ops?"""
    rules.check()
