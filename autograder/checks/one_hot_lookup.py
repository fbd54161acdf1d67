"""How `one_hot_lookup(indices, weight)` is graded: against F.embedding(indices, weight).

The forward must equal torch's bit for bit (one nonzero term per sum makes the product exact), for
int64 and int32 indices of any shape, 0-d and empty included; its gradient w.r.t. weight must match
within the gradient tolerance; bad indices must raise. Every case runs under the "one_hot" rule:
the sandbox traces the ops, and an answer that indexes the table instead of multiplying a one-hot
matrix scores zero (grade.py). NaN spreading from inf weights and -0.0 -> +0.0 follow from the
one-hot product itself and are not tested.
"""
import torch
from hypothesis import strategies as st

from ..case import FLOATS, HALVES, case, drawn, examples, raises
from ..compare import EXACT, GRAD

FWD_GRAD = {"out": EXACT, "grad": GRAD}


def lookup_and_grad(api, idx, W, g):
    out = api.one_hot_lookup(idx, W)
    out.backward(g)
    grad = W.grad if W.grad is not None else torch.zeros_like(W)
    return {"out": out, "grad": grad, "one_hot_size": idx.numel() * W.shape[0]}


@case(points=3, dtypes=FLOATS, cuda_dtypes=HALVES, compare=FWD_GRAD, limit="one_hot")
def lecture_example(make):
    """Does (2,4) indices into a (10,3) table give torch's (2,4,3) output and gradient?"""
    idx = make.tensor([[1, 2, 4, 5], [4, 3, 2, 9]])
    W, g = make.weight(10, 3).requires_grad_(), make.randn(2, 4, 3)
    return lambda api: lookup_and_grad(api, idx, W, g)


@case(points=2, dtypes=FLOATS, compare=FWD_GRAD, limit="one_hot")
def int32_indices(make):
    """Do int32 indices work like int64 ones (F.one_hot alone rejects them)?"""
    idx = make.randint(10, (3, 5), dtype=torch.int32)
    W, g = make.weight(10, 4).requires_grad_(), make.randn(3, 5, 4)
    return lambda api: lookup_and_grad(api, idx, W, g)


@case(points=2, dtypes=FLOATS, compare=FWD_GRAD, limit="one_hot")
def scalar_index(make):
    """Does a 0-d index give a (D,) row, like weight[7]?"""
    idx = make.tensor(7)
    W, g = make.weight(10, 4).requires_grad_(), make.randn(4)
    return lambda api: lookup_and_grad(api, idx, W, g)


@case(points=2, dtypes=FLOATS, compare=FWD_GRAD)
def empty_indices(make):
    """Do empty index tensors of shape (0,), (3,0) and (0,4) give empty outputs and a zero gradient?"""
    W = make.weight(6, 3).requires_grad_()
    shapes = [(0,), (3, 0), (0, 4)]
    idxs = [make.randint(6, s) for s in shapes]

    def observe(api):
        outs = {f"out for indices of shape {s}": api.one_hot_lookup(i, W) for s, i in zip(shapes, idxs)}
        sum(o.sum() for o in outs.values()).backward()
        return {**outs, "grad": W.grad if W.grad is not None else torch.zeros_like(W)}
    return observe


@case(points=3, dtypes=FLOATS, compare=FWD_GRAD, limit="one_hot")
def largest_index_below_V(make):
    """With V=50 but indices only up to 39, is the one-hot still 50 wide (num_classes not inferred)?"""
    idx = make.randint(40, (2, 3, 4, 5))
    W, g = make.weight(50, 6).requires_grad_(), make.randn(2, 3, 4, 5, 6)
    return lambda api: lookup_and_grad(api, idx, W, g)


@case(points=2, dtypes=(torch.float32,))
def noncontiguous_inputs(make):
    """Do a transposed table, a strided table and transposed indices give the same values?"""
    Wt, Ws = make.randn(4, 9).t(), make.randn(9, 8)[:, ::2]
    idx = make.randint(9, (5, 3)).t()
    return lambda api: {"out with weight.t()": api.one_hot_lookup(idx, Wt),
                        "out with weight[:, ::2]": api.one_hot_lookup(idx, Ws)}


@case(points=1, dtypes=(torch.float32,))
def output_is_a_new_tensor(make):
    """Is the output a fresh tensor, so writing to it leaves the table alone?"""
    W, idx = make.weight(5, 3), make.tensor([0, 2, 2])

    def observe(api):
        out = api.one_hot_lookup(idx, W)
        out.mul_(0).add_(100)
        return {"weight after writing to the output": W}
    return observe


@case(points=2, devices=("cpu",))
def rejects_bad_index_dtypes(make):
    """Are float, int16, uint8 and bool indices refused with an exception (bool is not a mask)?"""
    W = make.weight(5, 3)
    bad = {str(dt): make.tensor([0, 1, 1]).to(dt) for dt in (torch.float32, torch.int16, torch.uint8, torch.bool)}
    return lambda api: {f"raises for {k} indices": raises(lambda t=t: api.one_hot_lookup(t, W)) for k, t in bad.items()}


@case(points=3, alone=("cuda",))   # on CUDA in a job of its own: a device-side assert poisons the context
def rejects_out_of_range_indices(make):
    """Do indices V and -1 and -V raise, instead of silently wrapping around like weight[-1]?"""
    W = make.weight(5, 3)
    bad = {"[0, 5]": [0, 5], "[-1]": [-1], "[-5]": [-5], "[[1, 7]] as int32": [[1, 7]]}
    idxs = {k: make.tensor(v, dtype=torch.int32 if "int32" in k else torch.int64) for k, v in bad.items()}
    return lambda api: {f"raises for indices {k}": raises(lambda t=t: api.one_hot_lookup(t, W))
                        for k, t in idxs.items()}


@case(points=1, devices=("cpu",))
def rejects_a_table_that_is_not_2d(make):
    """Is a 1-D or 3-D weight refused with an exception?"""
    idx = make.tensor([0, 1])
    Ws = {"1-D": make.randn(5), "3-D": make.randn(5, 3, 2)}
    return lambda api: {f"raises for a {k} weight": raises(lambda W=W: api.one_hot_lookup(idx, W)) for k, W in Ws.items()}


@case(points=3, dtypes=(torch.float32,), cuda_dtypes=HALVES, compare=FWD_GRAD, limit="one_hot")
def large_table(make):
    """Is a (1000, 64) table looked up exactly for (32, 32) indices with many repeats?"""
    idx = make.randint(1000, (32, 32))
    W, g = make.weight(1000, 64).requires_grad_(), make.randn(32, 32, 64)
    return lambda api: lookup_and_grad(api, idx, W, g)


SHAPES = examples(st.fixed_dictionaries({
    "V": st.integers(1, 40), "D": st.integers(0, 9),
    "shape": st.lists(st.integers(0, 5), min_size=0, max_size=4).map(tuple),
    "int32": st.booleans()}), 25)


@case(points=4, dtypes=FLOATS, compare=FWD_GRAD, limit="one_hot")
def random_shapes(make):
    """Do 25 shapes a property-based search picks (V, D, index rank 0-4, empty dims, int32; the first 8
    in float64) all match?"""
    inputs = []
    for ex in drawn(SHAPES, make):
        idx = make.randint(ex["V"], ex["shape"], dtype=torch.int32 if ex["int32"] else torch.int64)
        inputs.append((ex, idx, make.weight(ex["V"], ex["D"]).requires_grad_(), make.randn(*ex["shape"], ex["D"])))

    def observe(api):
        obs = {"one_hot_size": max(i.numel() * W.shape[0] for _, i, W, _ in inputs)}
        for ex, idx, W, g in inputs:
            label = f"indices {tuple(idx.shape)} {idx.dtype}, weight ({ex['V']}, {ex['D']})"
            r = lookup_and_grad(api, idx, W, g)
            obs[f"out for {label}"], obs[f"grad for {label}"] = r["out"], r["grad"]
        return obs
    return observe
