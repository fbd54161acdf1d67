"""How `embedding_renorm_(weight, indices, max_norm, norm_type)` is graded: against
torch.embedding_renorm_, which max_norm runs before every lookup.

In place: the same tensor object comes back, in the same storage; each distinct row named in the
indices whose norm exceeds max_norm is scaled by max_norm / (norm + 1e-7); every other row stays
bit-identical; it records no autograd history, so it works on a leaf that requires grad. Rows are
compared with the renorm tolerance (float64 tight enough to catch a missing or misplaced eps).
On CUDA only norm_type 1 and 2 are tested (torch's own kernel is wrong for other p there).
"""
import math

import torch
from hypothesis import strategies as st

from ..case import FLOATS, HALVES, case, drawn, examples, raises
from ..compare import EXACT, RENORM


def renorm(api, W, idx, max_norm, p=2.0):
    out = api.embedding_renorm_(W, idx, max_norm, p)
    return {"weight": W, "returns the same tensor": out is W}


@case(points=4, dtypes=FLOATS, cuda_dtypes=HALVES, compare={"weight": RENORM, "untouched": EXACT})
def renorms_only_the_indexed_rows(make):
    """Are rows 0, 1, 3 and 5 (named in the indices) renormed to max_norm=1, and rows 2, 4, 6 and 7
    left bit-identical?"""
    W, idx = make.weight(8, 5, scale=2.0), make.tensor([[1, 3, 1], [5, 5, 0]])

    def observe(api):
        obs = renorm(api, W, idx, 1.0)
        return {**obs, "untouched rows 2, 4, 6, 7": W[[2, 4, 6, 7]]}
    return observe


@case(points=3, dtypes=(torch.float64,), compare=RENORM)
def tiny_norms_need_the_epsilon(make):
    """With norms around 1e-6 and max_norm=1e-6, is the scale max_norm / (norm + 1e-7), eps included?"""
    W, idx = make.weight(50, 16, scale=1e-6), make.randint(50, (30,))
    return lambda api: renorm(api, W, idx, 1e-6)


@case(points=3, dtypes=FLOATS, devices=("cpu",), compare=RENORM)
def norm_types(make):
    """Is norm_type honoured: p = 1, 3, 0.5 and inf (the max of |x|)?"""
    Ws = {p: make.weight(12, 6, scale=3.0) for p in (1.0, 3.0, 0.5, math.inf)}
    idx = make.randint(12, (10,))
    return lambda api: {f"weight with norm_type={p}": renorm(api, W, idx, 1.5, p)["weight"] for p, W in Ws.items()}


@case(points=1, dtypes=FLOATS, devices=("cuda",), compare=RENORM)
def norm_types_cuda(make):
    """Is norm_type=1 honoured on CUDA?"""
    W, idx = make.weight(12, 6, scale=3.0), make.randint(12, (10,))
    return lambda api: {"weight with norm_type=1": renorm(api, W, idx, 1.5, 1.0)["weight"]}


@case(points=2, dtypes=(torch.float64,), compare=RENORM)
def only_norms_strictly_above_max_norm(make):
    """With max_norm=5, is [3, 4] (norm exactly 5) left alone, [0.6, 0.8] left alone, [6, 8] scaled?"""
    W, idx = make.tensor([[3.0, 4.0], [0.6, 0.8], [6.0, 8.0]]), make.tensor([0, 1, 2])
    return lambda api: renorm(api, W, idx, 5.0)


@case(points=2, dtypes=(torch.float32,), compare=RENORM)
def repeated_indices_renorm_once(make):
    """When every row is named twice, is each renormed once (not twice)?"""
    W = make.weight(2000, 64, scale=5.0)
    idx = torch.cat([torch.arange(2000), torch.arange(2000).flip(0)]).to(W.device)
    return lambda api: renorm(api, W, idx, 1.0)


@case(points=3, dtypes=FLOATS, compare=RENORM)
def works_on_a_leaf_that_requires_grad(make):
    """Does it work on a leaf with requires_grad=True, in place, with no autograd history?"""
    W, idx = make.weight(6, 4, scale=3.0).requires_grad_(), make.tensor([0, 2, 5])

    def observe(api):
        ptr = W.untyped_storage().data_ptr()
        obs = renorm(api, W, idx, 1.0)
        return {**obs, "same storage afterwards": W.untyped_storage().data_ptr() == ptr,
                "still a leaf (no grad_fn)": W.grad_fn is None, "still requires grad": W.requires_grad}
    return observe


@case(points=1, dtypes=(torch.float32,), compare=RENORM)
def int32_indices(make):
    """Do int32 indices work?"""
    W, idx = make.weight(9, 3, scale=3.0), make.tensor([[1, 8], [1, 4]], dtype=torch.int32)
    return lambda api: renorm(api, W, idx, 2.0)


@case(points=1, alone=("cuda",))   # on CUDA in a job of its own: a device-side assert poisons the context
def rejects_out_of_range_indices(make):
    """Do indices V and -1 raise rather than renorm a wrapped-around row?"""
    W = make.weight(5, 3, scale=3.0)
    idxs = {"[0, 5]": make.tensor([0, 5]), "[-1]": make.tensor([-1])}
    return lambda api: {f"raises for indices {k}": raises(lambda i=i: api.embedding_renorm_(W.clone(), i, 1.0))
                        for k, i in idxs.items()}


SETTINGS = examples(st.fixed_dictionaries({
    "V": st.integers(1, 20), "D": st.integers(1, 8), "n": st.integers(0, 25),
    "max_norm": st.sampled_from([0.5, 1.0, 2.0, 3.5]), "p": st.sampled_from([1.0, 2.0]),
    "scale": st.sampled_from([0.1, 1.0, 4.0])}), 20)


@case(points=4, dtypes=FLOATS, compare=RENORM)
def random_settings(make):
    """Do 20 settings a property-based search picks (V, D, how many indices, max_norm, norm_type
    1 or 2, small and large rows; the first 8 in float64) all match torch?"""
    inputs = [(ex, make.weight(ex["V"], ex["D"], scale=ex["scale"]), make.randint(ex["V"], (ex["n"],)))
              for ex in drawn(SETTINGS, make)]
    return lambda api: {f"weight for V={ex['V']}, D={ex['D']}, {ex['n']} indices, max_norm={ex['max_norm']}, "
                        f"norm_type={ex['p']}": renorm(api, W, idx, ex["max_norm"], ex["p"])["weight"]
                        for ex, W, idx in inputs}
