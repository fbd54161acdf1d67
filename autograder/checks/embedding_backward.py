"""How `embedding_backward(grad_output, indices, V, padding_idx, scale_grad_by_freq)` is graded:
against the gradient torch's nn.Embedding gives its weight (autograd through F.embedding).

padding_idx is graded here and only here: the padding row of the gradient must be exactly zero,
whether the indices hit it or not (contributions are skipped, so NaN at padding positions never
leaks); a negative padding_idx counts from the end; values outside [-V, V) raise. Gradients are
compared with the gradient tolerance (sums may run in any order); float16/bfloat16 (CUDA only)
against the float64 gradient, since torch's own half-precision backward rounds after every add.
"""
import torch
from hypothesis import strategies as st

from ..case import FLOATS, HALVES, case, drawn, examples, raises
from ..compare import EXACT, GRAD


def backward(api, g, idx, V, **kw):
    return api.embedding_backward(g, idx, V, **kw)


@case(points=3, dtypes=FLOATS, compare=GRAD)
def sums_repeated_rows(make):
    """Are the rows of grad_output summed per index, with 5000 indices over 100 rows (many repeats)?"""
    idx, g = make.randint(100, (50, 100)), make.randn(50, 100, 8)
    idx_small, g_small = make.randint(100, (100,)), make.randn(100, 8)
    return lambda api: {"grad for 5000 indices": backward(api, g, idx, 100),
                        "grad for 100 indices": backward(api, g_small, idx_small, 100)}


@case(points=3, dtypes=FLOATS, compare={"grad": GRAD, "padding": EXACT})
def padding_row_is_zero_when_hit(make):
    """With padding_idx=3 and 3 among the indices, is row 3 of the gradient exactly zero?"""
    idx = make.tensor([[3, 1, 3, 0], [2, 3, 3, 9]])
    g = make.randn(2, 4, 5)

    def observe(api):
        grad = backward(api, g, idx, 10, padding_idx=3)
        return {"grad": grad, "padding row (3) of the grad": grad[3]}
    return observe


@case(points=2, dtypes=(torch.float64,), compare={"grad": GRAD, "padding": EXACT})
def padding_idx_zero(make):
    """Is padding_idx=0 honoured (0 is a valid padding index, not 'no padding')?"""
    idx, g = make.tensor([0, 1, 0, 2]), make.randn(4, 3)

    def observe(api):
        grad = backward(api, g, idx, 5, padding_idx=0)
        return {"grad": grad, "padding row (0) of the grad": grad[0]}
    return observe


@case(points=3, dtypes=(torch.float64,), compare={"grad": GRAD, "padding": EXACT})
def negative_padding_idx_counts_from_the_end(make):
    """With V=10, does padding_idx=-2 zero row 8 (not row 2), and padding_idx=-1 row 9?"""
    idx, g = make.tensor([[8, 2, 9], [8, 9, 2]]), make.randn(2, 3, 4)

    def observe(api):
        g2, g1 = backward(api, g, idx, 10, padding_idx=-2), backward(api, g, idx, 10, padding_idx=-1)
        return {"grad with padding_idx=-2": g2, "padding row (8) with padding_idx=-2": g2[8],
                "grad with padding_idx=-1": g1, "padding row (9) with padding_idx=-1": g1[9]}
    return observe


@case(points=1, dtypes=(torch.float64,), compare=GRAD)
def padding_idx_never_hit(make):
    """When padding_idx is never among the indices, is the gradient the ordinary one?"""
    idx, g = make.tensor([1, 2, 2, 4]), make.randn(4, 3)
    return lambda api: {"grad": backward(api, g, idx, 6, padding_idx=5)}


@case(points=2, dtypes=FLOATS, compare={"grad": GRAD, "padding": EXACT})
def padding_positions_are_skipped_not_zeroed(make):
    """If grad_output holds NaN and inf at padding positions, does the padding row stay exactly
    zero and every other row finite (skip those contributions; do not add them and zero later)?"""
    idx = make.tensor([[1, 0, 2, 0], [0, 3, 3, 1]])
    g = make.randn(2, 4, 3)
    g[0, 1] = float("nan")
    g[1, 0] = float("inf")

    def observe(api):
        grad = backward(api, g, idx, 4, padding_idx=0)
        return {"grad": grad, "padding row (0) of the grad": grad[0]}
    return observe


@case(points=1, dtypes=(torch.float32,))
def leaves_grad_output_alone(make):
    """Is grad_output left unchanged by the call?"""
    idx, g = make.tensor([0, 1, 1]), make.randn(3, 4)

    def observe(api):
        backward(api, g, idx, 3, padding_idx=1, scale_grad_by_freq=True)
        return {"grad_output after the call": g}
    return observe


@case(points=3, dtypes=FLOATS, compare={"grad": GRAD, "padding": EXACT})
def scale_grad_by_freq(make):
    """With scale_grad_by_freq=True, is each index's contribution divided by how often it occurs in
    the whole indices tensor (all rows of the batch together), with and without padding?"""
    idx = make.tensor([[0, 1, 1, 2, 2, 2], [3, 3, 3, 3, 3, 3], [5, 2, 0, 4, 4, 1]])
    g = make.randn(3, 6, 4)

    def observe(api):
        plain = backward(api, g, idx, 6, scale_grad_by_freq=True)
        padded = backward(api, g, idx, 6, padding_idx=2, scale_grad_by_freq=True)
        return {"grad": plain, "grad with padding_idx=2": padded, "padding row (2) with padding_idx=2": padded[2]}
    return observe


@case(points=2, devices=("cpu",))
def padding_idx_must_be_in_range(make):
    """With V=5, do padding_idx 5, 6 and -6 raise while 4, 0 and -5 are accepted?"""
    idx, g = make.tensor([0, 1]), make.randn(2, 3)
    return lambda api: {f"raises for padding_idx={p}": raises(lambda p=p: backward(api, g, idx, 5, padding_idx=p))
                        for p in (5, 6, -6, 4, 0, -5)}


@case(points=1, alone=("cuda",))   # on CUDA in a job of its own: a device-side assert poisons the context
def rejects_out_of_range_indices(make):
    """Do indices V and -1 raise instead of being dropped or wrapped?"""
    g = make.randn(2, 3)
    idxs = {"[0, 5]": make.tensor([0, 5]), "[-1, 0]": make.tensor([-1, 0])}
    return lambda api: {f"raises for indices {k}": raises(lambda i=i: backward(api, g, i, 5)) for k, i in idxs.items()}


@case(points=2, dtypes=FLOATS, compare=GRAD)
def any_index_shape(make):
    """Do a 0-d index, empty indices, int32 indices and 4-d indices all give a (V, D) gradient?"""
    cases = {"0-d index 3": (make.tensor(3), make.randn(4)),
             "empty (0,) indices": (make.randint(7, (0,)), make.randn(0, 4)),
             "empty (2, 0) indices": (make.randint(7, (2, 0)), make.randn(2, 0, 4)),
             "int32 (3, 5) indices": (make.randint(7, (3, 5), dtype=torch.int32), make.randn(3, 5, 4)),
             "(2, 2, 3, 2) indices": (make.randint(7, (2, 2, 3, 2)), make.randn(2, 2, 3, 2, 4))}
    return lambda api: {f"grad for {k}": backward(api, g, i, 7, padding_idx=2) for k, (i, g) in cases.items()}


@case(points=2, dtypes=(), cuda_dtypes=HALVES, compare=GRAD)
def half_precision(make):
    """In float16/bfloat16, is the gradient as accurate as torch's (judged against float64)?"""
    idx, g = make.randint(50, (40, 20)), make.randn(40, 20, 16)
    return lambda api: {"grad": backward(api, g, idx, 50, padding_idx=7), "count_max": 40}


SETTINGS = examples(st.fixed_dictionaries({
    "V": st.integers(1, 30), "D": st.integers(1, 6),
    "shape": st.lists(st.integers(0, 6), min_size=1, max_size=3).map(tuple),
    "padding": st.one_of(st.none(), st.integers(-3, 2)), "sgbf": st.booleans(), "int32": st.booleans()}), 25)


@case(points=3, dtypes=FLOATS, compare=GRAD)
def random_settings(make):
    """Do 25 settings a property-based search picks (V, D, shapes, padding_idx, scale_grad_by_freq,
    int32; the first 8 in float64) all match torch?"""
    inputs = []
    for ex in drawn(SETTINGS, make):
        pad = None if ex["padding"] is None else ex["padding"] % ex["V"] - (ex["V"] if ex["padding"] < 0 else 0)
        idx = make.randint(ex["V"], ex["shape"], dtype=torch.int32 if ex["int32"] else torch.int64)
        inputs.append((ex, pad, idx, make.randn(*ex["shape"], ex["D"])))

    def observe(api):
        return {f"grad for V={ex['V']}, indices {tuple(idx.shape)} {idx.dtype}, padding_idx={pad}, "
                f"scale_grad_by_freq={ex['sgbf']}": backward(api, g, idx, ex["V"], padding_idx=pad,
                                                             scale_grad_by_freq=ex["sgbf"])
                for ex, pad, idx, g in inputs}
    return observe
