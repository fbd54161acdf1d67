"""How `embedding_renorm_(weight, indices, max_norm, norm_type)` is graded: against
torch.embedding_renorm_, which max_norm runs before every lookup.

In place: the same tensor object comes back, in the same storage, with its version counter bumped
once (so autograd can tell it changed); each distinct row named in the indices whose norm exceeds
max_norm is scaled by max_norm / (norm + 1e-7); every other row stays bit-identical; it records no
autograd history, so it works on a leaf that requires grad. Rows are compared with the renorm
tolerance (float64 tight enough to catch a missing or misplaced eps). On CUDA only norm_type 1 and
2 are tested (torch's own kernel is wrong for other p there).
"""
import math

import pytest
import torch
from hypothesis import strategies as st

from autograder.compare import EXACT, RENORM
from autograder.inputs import (FLOATS, HALVES, bad_index_dtypes, drawn, each, examples, index_matrix, left_alone,
                               out_of_range, pick, refusals)


def renorm(api, W0, idx, max_norm, p=2.0):
    W = api.tensor(W0)
    out = api.embedding_renorm_(W, idx, max_norm, p)
    return W, {"weight": W, "returns the same tensor": api.same(out, W)}


@pytest.mark.points(4)
@pytest.mark.dtypes(*FLOATS)
@pytest.mark.cuda_dtypes(*HALVES)
def test_renorms_only_the_indexed_rows(check, make):
    """Are rows 0, 1, 3 and 5 (named in the indices) renormed to max_norm=1, and rows 2, 4, 6 and 7
    left bit-identical?"""
    W0, idx = make.weight(8, 5, scale=2.0), make.tensor([[1, 3, 1], [5, 5, 0]])

    def observe(api):
        W, obs = renorm(api, W0, idx, 1.0)
        return {**obs, "untouched rows 2, 4, 6, 7": W[[2, 4, 6, 7]]}
    check(observe, weight=RENORM, returns=EXACT, untouched=EXACT)


@pytest.mark.points(3)
@pytest.mark.dtypes(torch.float64)
def test_tiny_norms_need_the_epsilon(check, make):
    """With norms around 1e-6 and max_norm=1e-6, is the scale max_norm / (norm + 1e-7), eps included?"""
    W, idx = make.weight(50, 16, scale=1e-6), make.randint(50, (30,))
    check(lambda api: renorm(api, W, idx, 1e-6)[1], weight=RENORM, returns=EXACT)


@pytest.mark.points(3)
@pytest.mark.dtypes(*FLOATS)
@pytest.mark.devices("cpu")
def test_norm_types(check, make):
    """Is norm_type honoured: p = 1, 3, 0.5 and inf (the max of |x|)?"""
    Ws = {p: make.weight(12, 6, scale=3.0) for p in (1.0, 3.0, 0.5, math.inf)}
    idx = make.randint(12, (10,))
    check(lambda api: {f"weight with norm_type={p}": renorm(api, W, idx, 1.5, p)[0] for p, W in Ws.items()},
          weight=RENORM)


@pytest.mark.points(1)
@pytest.mark.dtypes(*FLOATS)
@pytest.mark.devices("cuda")
def test_norm_types_cuda(check, make):
    """Is norm_type=1 honoured on CUDA?"""
    W, idx = make.weight(12, 6, scale=3.0), make.randint(12, (10,))
    check(lambda api: {"weight with norm_type=1": renorm(api, W, idx, 1.5, 1.0)[0]}, weight=RENORM)


@pytest.mark.points(2)
@pytest.mark.dtypes(torch.float64)
def test_only_norms_strictly_above_max_norm(check, make):
    """With max_norm=5, is [3, 4] (norm exactly 5) left alone, [0.6, 0.8] left alone, [6, 8] scaled?"""
    W, idx = make.tensor([[3.0, 4.0], [0.6, 0.8], [6.0, 8.0]]), make.tensor([0, 1, 2])
    check(lambda api: renorm(api, W, idx, 5.0)[1], weight=RENORM, returns=EXACT)


@pytest.mark.points(2)
def test_repeated_indices_renorm_once(check, make):
    """When every row is named twice, is each renormed once (not twice)?"""
    W = make.weight(2000, 64, scale=5.0)
    idx = torch.cat([torch.arange(2000), torch.arange(2000).flip(0)]).to(W.device)
    check(lambda api: renorm(api, W, idx, 1.0)[1], weight=RENORM, returns=EXACT)


@pytest.mark.points(3)
@pytest.mark.dtypes(*FLOATS)
def test_works_on_a_leaf_that_requires_grad(check, make):
    """Does it work on a leaf with requires_grad=True, in place, with no autograd history?"""
    W0, idx = make.weight(6, 4, scale=3.0), make.tensor([0, 2, 5])

    def observe(api):
        W = api.leaf(W0)
        before = api.fetch(W.untyped_storage().data_ptr())
        out = api.embedding_renorm_(W, idx, 1.0, 2.0)
        return {"weight": W, "returns the same tensor": api.same(out, W),
                "same storage afterwards": api.fetch(W.untyped_storage().data_ptr()) == before,
                "still a leaf (no grad_fn)": api.fetch(W.grad_fn) is None, "still requires grad": W.requires_grad}
    check(observe, weight=RENORM, returns=EXACT, same=EXACT, still=EXACT)


@pytest.mark.points(1)
@pytest.mark.dtypes(*FLOATS)
def test_bumps_the_version(check, make):
    """Does each call change the weight in place so that autograd sees it (its version counter goes
    up, as with torch's own; writing through weight.data hides the change)?"""
    W0, idx = make.weight(6, 4, scale=3.0), make.tensor([0, 2, 5, 2])

    def observe(api):
        W = api.leaf(W0)
        before = api.fetch(W._version)
        api.embedding_renorm_(W, idx, 1.0, 2.0)
        once = api.fetch(W._version)
        api.embedding_renorm_(W, idx, 0.5, 2.0)
        twice = api.fetch(W._version)
        ints = all(type(x) is int for x in (before, once, twice))
        return {"version counter went up in the first call": ints and once > before,
                "version counter went up in the second call": ints and twice > once}
    check(observe, version=EXACT)


@pytest.mark.points(1)
def test_int32_indices(check, make):
    """Do int32 indices work?"""
    W, idx = make.weight(9, 3, scale=3.0), make.tensor([[1, 8], [1, 4]], dtype=torch.int32)
    check(lambda api: renorm(api, W, idx, 2.0)[1], weight=RENORM, returns=EXACT)


def weight_layouts(make) -> tuple:
    """The layouts a weight is renormed through: any view that can be written in place (not an
    expanded one); on CUDA contiguous only (torch's own CUDA kernel takes a row's width from
    stride(0), so its answer for other layouts is wrong)."""
    return ("contiguous", "transposed", "sliced", "offset") if make.device == "cpu" else ("contiguous",)


@pytest.mark.points(1)
def test_leaves_the_indices_alone(check, make):
    """Are the indices (0-d, 1-d, 2-d, sliced, transposed, expanded) left unchanged by the call (values,
    shape, dtype and strides), the weight renormed in place keeping its shape and strides (contiguous,
    transposed, sliced, offset views), and do empty indices and a (4, 0) table change nothing?"""
    def build(make):
        idxs = [make.arg((), "contiguous", high=5), make.arg((5,), "sliced", high=5, dtype=torch.int32),
                make.arg((2, 2), "contiguous", high=5, dtype=torch.int32), make.arg((3, 4), "transposed", high=5),
                make.arg((2, 5), "expanded", high=5, dtype=torch.int32)]
        Ws = [make.arg((5, 3), pick((5, 3), n, weight_layouts(make)), scale=3.0) for n in range(len(idxs))]
        return idxs, Ws, make.randint(5, (0,)), make.weight(4, 0), make.weight(5, 3, scale=3.0), make.tensor([3, 0])
    idxs, Ws, empty, flat, W0, few = make.once(build)

    def observe(api):
        calls, inputs = {}, {}
        for n, (idx, W) in enumerate(zip(idxs, Ws)):
            i, w = idx.on(api), W.on(api)
            calls[n] = lambda i=i, w=w: api.embedding_renorm_(w, i, 1.0)
            inputs[f"indices {idx.label}"], inputs[f"weight {W.label} (call {n + 1})"] = i, w
        return {**left_alone(api, calls, inputs), "weight after empty indices": renorm(api, W0, empty, 1.0)[0],
                "weight (4, 0) after the call": renorm(api, flat, few, 1.0)[0]}
    check(observe, any=EXACT, indices=EXACT, weight=RENORM, strides=EXACT)


@pytest.mark.points(3)
def test_every_kind_of_input(check, make):
    """Do index tensors of every kind (0-d, 1-d, 2-d, 4-d and empty; int64 and int32; contiguous,
    transposed, sliced, expanded and offset views) renorm tables in every layout that can be written
    in place (contiguous, transposed, sliced and offset views; on CUDA contiguous), a 1-row table and
    tables with embedding_dim 0 (CPU), like torch?"""
    def build(make):
        cases = {}
        for n, (idx, V, D) in enumerate(index_matrix(make)):
            if D == 0 and make.device != "cpu":
                continue   # torch's own CUDA renorm of a (V, 0) table is an illegal memory access
            W = make.arg((V, D), pick((V, D), n, weight_layouts(make)), scale=2.0)
            cases[f"indices {idx.label}, weight {W.label}"] = (idx, W)
        return cases
    cases = make.once(build)

    def call(api, idx, W):
        w = W.on(api)
        api.embedding_renorm_(w, idx.on(api), 1.0)
        return {"weight": w}
    check(lambda api: each(api, {k: (lambda a=a: call(api, *a)) for k, a in cases.items()}, ("weight",)),
          weight=RENORM)


@pytest.mark.points(1)
@pytest.mark.devices("cpu")
@pytest.mark.refusal
def test_rejects_bad_index_dtypes(check, make):
    """Are float, int16, uint8 and bool indices (0-d, 1-D and 2-D) refused with an exception, as in
    every part, while the same indices as int64 are accepted?"""
    W, cases = make.once(lambda make: (make.weight(5, 3, scale=3.0), bad_index_dtypes(make, 5)))
    check(lambda api: refusals(api, {label: (lambda t=bad, w=w: api.embedding_renorm_(w, t, 1.0),
                                             lambda t=good, w=w: api.embedding_renorm_(w, t, 1.0), n)
                                     for w in [api.tensor(W)] for label, bad, good, n in cases}), raises=EXACT)


@pytest.mark.points(1)
@pytest.mark.refusal
@pytest.mark.alone("cuda")   # on CUDA in a job of its own: a device-side assert poisons the context
def test_rejects_out_of_range_indices(check, make):
    """Do indices V, -1 and -V (0-d, 1-D and 2-D, int64 and int32) raise rather than renorm a
    wrapped-around row, while the same shape in range is accepted?"""
    W, cases = make.once(lambda make: (make.weight(5, 3, scale=3.0), out_of_range(make, 5)))
    check(lambda api: refusals(api, {label: (lambda t=bad, w=w: api.embedding_renorm_(w, t, 1.0),
                                             lambda t=good, w=w: api.embedding_renorm_(w, t, 1.0), n)
                                     for w in [api.tensor(W)] for label, bad, good, n in cases}), raises=EXACT)


SETTINGS = examples(st.fixed_dictionaries({
    "V": st.integers(1, 20), "D": st.integers(1, 8), "n": st.integers(0, 25),
    "max_norm": st.sampled_from([0.5, 1.0, 2.0, 3.5]), "p": st.sampled_from([1.0, 2.0]),
    "scale": st.sampled_from([0.1, 1.0, 4.0])}), 20)


@pytest.mark.points(4)
@pytest.mark.dtypes(*FLOATS)
def test_random_settings(check, make):
    """Do 20 settings a property-based search picks (V, D, how many indices, max_norm, norm_type
    1 or 2, small and large rows; the first 8 in float64) all match torch?"""
    inputs = [(ex, make.weight(ex["V"], ex["D"], scale=ex["scale"]), make.randint(ex["V"], (ex["n"],)))
              for ex in drawn(SETTINGS, make)]
    check(lambda api: {f"weight for V={ex['V']}, D={ex['D']}, {ex['n']} indices, max_norm={ex['max_norm']}, "
                       f"norm_type={ex['p']}": renorm(api, W, idx, ex["max_norm"], ex["p"])[0]
                       for ex, W, idx in inputs}, weight=RENORM)


@pytest.mark.points(0)
@pytest.mark.rule
def test_uses_its_own_code(rules):
    """Does the code compute the result itself, without torch's own embedding ops?"""
    rules.check()
