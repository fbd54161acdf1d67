"""How `class Embedding(nn.Module)` is graded: as a drop-in for torch.nn.Embedding.

The same construction, inputs and seeds go to the student's class and to nn.Embedding: attributes
(padding_idx normalised), a Parameter weight, N(0, 1) init with a zero padding row, forward and
backward through the three functions (torch's stand-ins while the module is graded), max_norm
renorming the weight in place, repr, state_dict both ways, from_pretrained (sharing storage,
freeze), _weight/_freeze, dtype/device. sparse=True may raise NotImplementedError instead of making
sparse gradients. Statistics (mean, std) and rows of a fetched weight or gradient are computed here,
on the trusted side, from fetched data; a padding row is always compared exactly.
"""
import math

import numpy
import pytest
import torch

from autograder.compare import EXACT, GRAD, RENORM
from autograder.inputs import (FLOATS, LAYOUTS, bad_index_dtypes, each, index_matrix, left_alone, out_of_range, pick,
                               refusals)
from autograder.remote import StudentError, backward, raises

CONFIGS = [dict(), dict(padding_idx=3), dict(padding_idx=-2, max_norm=1.0, norm_type=1.0),
           dict(scale_grad_by_freq=True, max_norm=2)]
ATTRIBUTES = ("num_embeddings", "embedding_dim", "padding_idx", "max_norm", "norm_type", "scale_grad_by_freq",
              "sparse", "weight")


def attributes(api, m):
    return {"num_embeddings": m.num_embeddings, "embedding_dim": m.embedding_dim, "padding_idx": m.padding_idx,
            "max_norm": m.max_norm, "norm_type": m.norm_type, "scale_grad_by_freq": m.scale_grad_by_freq,
            "sparse": m.sparse, "weight type": api.kind(m.weight),
            "weight shape": m.weight.shape, "weight dtype": m.weight.dtype,
            "weight requires grad": m.weight.requires_grad}


def table(value):
    """A fetched value as a floating (V, D) tensor, or None when it is not one (then the observations
    built from it are None and differ from torch's)."""
    if isinstance(value, torch.Tensor) and value.dim() == 2 and value.is_floating_point():
        return value
    return None


def row(value, i):
    """Row i of a fetched (V, D) table; what came back instead when it is not such a table."""
    t = table(value)
    return t[i] if t is not None and t.shape[0] > i else value


def within(value, stat, target, tol):
    """Is stat (mean or std) of a fetched table within tol of target? None when it is not a table."""
    t = table(value)
    if t is None or t.numel() < 2:
        return None
    return abs(getattr(t.double(), stat)().item() - target) < tol


@pytest.mark.points(2)
@pytest.mark.devices("cpu")
def test_constructor_attributes(check, make):
    """Does the constructor store nn.Embedding's attributes (padding_idx=-2 stored as V-2)?"""
    def observe(api):
        obs = {}
        for cfg in CONFIGS:
            for k, v in attributes(api, api.Embedding(10, 4, **cfg)).items():
                obs[f"{k} of Embedding(10, 4, **{cfg})"] = v
        return obs
    check(observe, **dict.fromkeys(ATTRIBUTES, EXACT))


@pytest.mark.points(2)
@pytest.mark.devices("cpu")
def test_init_is_standard_normal_with_zero_padding_row(check, make):
    """Is the weight initialised N(0, 1), with the padding row zero (padding_idx 3, 0 and -2)?"""
    def observe(api):
        api.seed(0)
        w = api.fetch(api.Embedding(2000, 32).weight)
        p = api.fetch(api.Embedding(10, 4, padding_idx=3).weight)
        p0 = api.fetch(api.Embedding(10, 4, padding_idx=0).weight)
        pn = api.fetch(api.Embedding(10, 4, padding_idx=-2).weight)
        others = table(p)
        return {"padding row (0) after init with padding_idx=0": row(p0, 0),
                "mean of a (2000, 32) weight is within 0.02 of 0": within(w, "mean", 0.0, 0.02),
                "std of a (2000, 32) weight is within 0.02 of 1": within(w, "std", 1.0, 0.02),
                "padding row (3) after init": row(p, 3),
                "padding row (8) after init with padding_idx=-2": row(pn, 8),
                "other rows are not all zero": None if others is None or others.shape[0] < 3
                else bool(others[[0, 1, 2]].abs().sum() > 0)}
    check(observe, padding=EXACT, mean=EXACT, std=EXACT, other=EXACT)


# N(0, 1) told from near misses by 64,000 values of one weight (a fixed seed; a correct module that
# draws its values in another order than torch's is a fresh sample of N(0, 1)): the count beyond ±3
# (a truncated normal has none; N(0, 1) about 173) and the Kolmogorov-Smirnov distance from N(0, 1)
# (uniform, logistic and other shapes with the right std). Each bound is exceeded by a true N(0, 1)
# sample with probability at most ALPHA (the count: at most ALPHA / 2 on each side, exact binomial
# tails; the distance: Kolmogorov's limiting law, which overstates the tail for finite n), so a
# correct module fails test_init_is_standard_normal_in_distribution's 4 statistics (2 weights) with
# probability below 4 * ALPHA = 1e-6. Measured: 10,000 seeds of torch's N(0, 1) all pass (counts 124 to
# 221, distances up to 0.0099); the same code at ALPHA = 0.01 rejects 0.72% (counts, discrete) and
# 0.98% (distance), as the theory says. Caught: truncated at ±3 (0 beyond), U(-√3, √3), logistic,
# Laplace and t(10) with std 1; not caught (by design, too close for 64,000 values): N(0, 0.985²).
N_DRAWN = 2000 * 32
ALPHA = 2.5e-7


def binomial_bounds(n: int, p: float, alpha: float) -> tuple[int, int]:
    """(lo, hi): the widest-excluding counts with P(X < lo) <= alpha / 2 and P(X > hi) <= alpha / 2
    for X ~ Binomial(n, p), summed exactly (log-gamma pmf)."""
    top = int(n * p + 20 * math.sqrt(n * p) + 20)
    pmf = [math.exp(math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1) + k * math.log(p)
                    + (n - k) * math.log1p(-p)) for k in range(top + 1)]
    below, lo = 0.0, 0
    while below + pmf[lo] <= alpha / 2:
        below, lo = below + pmf[lo], lo + 1
    above, hi = 0.0, top
    while above + pmf[hi] <= alpha / 2:      # pmf beyond top is below 1e-80: nothing to add
        above, hi = above + pmf[hi], hi - 1
    return lo, hi


def ks_bound(n: int, alpha: float) -> float:
    """d with P(D_n > d) <= alpha for the Kolmogorov-Smirnov distance D_n of n draws of the law
    itself, by Kolmogorov's limit P(sqrt(n) D_n > t) -> 2 sum_k (-1)^(k-1) exp(-2 k^2 t^2); for
    finite n the tail is smaller (Stephens: t = (sqrt(n) + 0.12 + 0.11 / sqrt(n)) d)."""
    def tail(t):
        return 2 * sum((-1) ** (k - 1) * math.exp(-2 * k * k * t * t) for k in range(1, 60))
    lo, hi = 0.5, 10.0
    for _ in range(100):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if tail(mid) > alpha else (lo, mid)
    return hi / math.sqrt(n)


TAILS = binomial_bounds(N_DRAWN, math.erfc(3 / math.sqrt(2)), ALPHA)   # (110, 245) for 64,000 values
KS = ks_bound(N_DRAWN, ALPHA)                                            # 0.01114
STEPS = torch.arange(N_DRAWN + 1, dtype=torch.float64) / N_DRAWN         # the empirical CDF's steps


def normal_fit(value, what: str) -> dict:
    """Observations of a fetched weight, computed here: is it 64,000 values that N(0, 1) could give?
    Each is a sentence that is the same for every passing weight and says what was found otherwise."""
    t = table(value)
    keys = (f"values beyond ±3 among the 64,000 of {what}", f"Kolmogorov-Smirnov distance from N(0, 1) of {what}")
    if t is None or t.numel() != N_DRAWN:
        return dict.fromkeys(keys, "not a (2000, 32) floating weight")
    # sorted by numpy: torch's CPU sort of 64,000 values took 7 ms here, numpy's 0.3 ms
    x = torch.from_numpy(numpy.sort(t.detach().cpu().float().numpy().ravel()).astype(numpy.float64))
    beyond = int((x.abs() > 3).sum())
    cdf = torch.special.ndtr(x)
    d = torch.maximum(STEPS[1:] - cdf, cdf - STEPS[:-1]).max().item()
    lo, hi = TAILS
    return {keys[0]: f"between {lo} and {hi}" if lo <= beyond <= hi else f"{beyond}, not between {lo} and {hi}",
            keys[1]: f"at most {KS:.4f}" if d <= KS else f"{d:.4f}, over {KS:.4f}"}


@pytest.mark.points(2)
@pytest.mark.devices("cpu")
def test_init_is_standard_normal_in_distribution(check, make):
    """Are the 64,000 values of a new Embedding(2000, 32), and of one after reset_parameters(), shaped
    like N(0, 1): about as many beyond ±3 (a truncated normal has none) and a Kolmogorov-Smirnov
    distance that N(0, 1) exceeds less than once in a million?"""
    def observe(api):
        api.seed(0)
        new, reset = api.Embedding(2000, 32), api.Embedding(2000, 32)
        with api.no_grad():
            reset.weight.fill_(5.0)
        reset.reset_parameters()
        got = api.fetch([new.weight, reset.weight])
        w, r = got if isinstance(got, list) and len(got) == 2 else (got, got)
        return {**normal_fit(w, "a new Embedding(2000, 32)"),
                **normal_fit(r, "an Embedding(2000, 32) after reset_parameters()")}
    check(observe, values=EXACT, **{"Kolmogorov-Smirnov": EXACT})


@pytest.mark.points(2)
@pytest.mark.devices("cpu")
def test_reset_parameters(check, make):
    """Does reset_parameters() redraw the weight N(0, 1) and zero the padding row again (padding_idx
    1 and -1)?"""
    def reset(api, V, D, padding_idx):
        m = api.Embedding(V, D, padding_idx=padding_idx)
        with api.no_grad():
            m.weight.fill_(5.0)
        m.reset_parameters()
        return api.fetch(m.weight)

    def observe(api):
        w = reset(api, 500, 20, 1)
        wn = reset(api, 500, 20, -1)
        return {"padding row (1) after reset": row(w, 1), "std after reset is about 1": within(w, "std", 1.0, 0.05),
                "padding row (499) after reset with padding_idx=-1": row(wn, 499),
                "std after reset with padding_idx=-1 is about 1": within(wn, "std", 1.0, 0.05)}
    check(observe, padding=EXACT, std=EXACT)


@pytest.mark.points(1)
@pytest.mark.devices("cpu")
@pytest.mark.refusal
def test_padding_idx_must_be_in_range(check, make):
    """With V=5, do padding_idx 5, 6 and -6 raise while 4, 0 and -5 are accepted?"""
    check(lambda api: {f"raises for padding_idx={p}": raises(api, lambda p=p: api.Embedding(5, 2, padding_idx=p))
                       for p in (5, 6, -6, 4, 0, -5)}, raises=EXACT)


def loaded(api, W, **cfg):
    """A module of the student's or torch's class holding a copy of W."""
    m = api.Embedding(W.shape[0], W.shape[1], device=W.device.type, dtype=W.dtype, **cfg)
    with api.no_grad():
        m.weight.copy_(W)
    return m


@pytest.mark.points(3)
@pytest.mark.dtypes(*FLOATS)
def test_forward_matches(check, make):
    """Does forward give nn.Embedding's output for (B, T), int32, 0-d and empty indices?"""
    W = make.weight(12, 5)
    idxs = {"(3, 7)": make.randint(12, (3, 7)), "int32 (4,)": make.randint(12, (4,), dtype=torch.int32),
            "0-d": make.tensor(11), "empty (2, 0)": make.randint(12, (2, 0))}

    def observe(api):
        m = loaded(api, W)
        return {f"output for {k} indices": m(i) for k, i in idxs.items()}
    check(observe, output=EXACT)


@pytest.mark.points(1)
def test_forward_leaves_its_input_alone(check, make):
    """Are the indices passed to forward (0-d, 1-d, 2-d, sliced, transposed, expanded) unchanged
    afterwards (values, shape, dtype and strides), and is the weight unchanged by a forward without
    max_norm?"""
    W, idxs = make.once(lambda make: (make.weight(9, 4), [
        make.arg((), "contiguous", high=9), make.arg((5,), "sliced", high=9, dtype=torch.int32),
        make.arg((2, 3), "contiguous", high=9), make.arg((3, 4), "transposed", high=9, dtype=torch.int32),
        make.arg((2, 5), "expanded", high=9)]))

    def observe(api):
        m = loaded(api, W)
        given = {f"indices {idx.label}": idx.on(api) for idx in idxs}
        obs = left_alone(api, {k: (lambda i=i: m(i)) for k, i in given.items()}, given)
        return {**obs, "weight after a forward without max_norm": m.weight}
    check(observe, any=EXACT, indices=EXACT, strides=EXACT, weight=EXACT)


@pytest.mark.points(3)
def test_every_kind_of_input(check, make):
    """Does forward take index tensors of every kind (0-d, 1-d, 2-d, 4-d and empty; int64 and int32;
    contiguous, transposed, sliced, expanded and offset views), with a weight given to from_pretrained
    in every layout, V = 1 and embedding_dim 0, and padding_idx, max_norm and scale_grad_by_freq in
    turn, and give nn.Embedding's output and gradient?"""
    def build(make):
        cases = {}
        for n, (idx, V, D) in enumerate(index_matrix(make)):
            cfg = (dict(), dict(padding_idx=1), dict(max_norm=1.0), dict(scale_grad_by_freq=True))[n % 4]
            if ("padding_idx" in cfg and V < 2) or ("max_norm" in cfg and D == 0):
                cfg = dict()
            allowed = LAYOUTS if "max_norm" not in cfg else \
                ("contiguous", "transposed", "sliced", "offset") if make.device == "cpu" else ("contiguous",)
            W = make.arg((V, D), pick((V, D), n, allowed), scale=2.0)
            options = ", ".join(f"{k}={v}" for k, v in cfg.items()) or "no options"
            cases[f"indices {idx.label}, weight {W.label}, {options}"] = (idx, W, cfg, make.randn(*idx.shape, D))
        return cases
    cases = make.once(build)

    def call(api, idx, W, cfg, g):
        m = api.Embedding.from_pretrained(W.on(api), freeze=False, **cfg)
        out = m(idx.on(api))
        backward(out, g)
        return {"output": out, "grad": m.weight.grad}
    check(lambda api: each(api, {k: (lambda a=a: call(api, *a)) for k, a in cases.items()}, ("output", "grad")),
          output=RENORM, grad=GRAD)


def refused_by_forward(api, W, cases) -> dict:
    """refusals() of forward, each case in turn through a module with and without max_norm."""
    plain, renorming = loaded(api, W), loaded(api, W, max_norm=1.0)
    return refusals(api, {label: (lambda t=bad, m=m: m(t), lambda t=good, m=m: m(t), n)
                          for k, (label, bad, good, n) in enumerate(cases) for m in [(plain, renorming)[k % 2]]})


@pytest.mark.points(1)
@pytest.mark.devices("cpu")
@pytest.mark.refusal
def test_rejects_bad_index_dtypes(check, make):
    """Does forward refuse float, int16, uint8 and bool indices (0-d, 1-D and 2-D; with and without
    max_norm) with an exception, while the same indices as int64 are accepted?"""
    W, cases = make.once(lambda make: (make.weight(5, 3, scale=3.0), bad_index_dtypes(make, 5)))

    check(lambda api: refused_by_forward(api, W, cases), raises=EXACT)


# CPU only: on CUDA torch's own module would be built there too (alone("cuda") moves tensor arguments to
# the CPU, not device=), and its device-side assert would poison the grader's own CUDA context
@pytest.mark.points(1)
@pytest.mark.devices("cpu")
@pytest.mark.refusal
def test_rejects_out_of_range_indices(check, make):
    """Does forward raise for indices V, -1 and -V (0-d, 1-D and 2-D, int64 and int32; with and without
    max_norm) instead of wrapping around, while the same shape in range is accepted?"""
    W, cases = make.once(lambda make: (make.weight(5, 3, scale=3.0), out_of_range(make, 5)))

    check(lambda api: refused_by_forward(api, W, cases), raises=EXACT)


@pytest.mark.points(4)
@pytest.mark.dtypes(*FLOATS)
def test_backward_matches(check, make):
    """After loss.backward(), is weight.grad nn.Embedding's, with padding_idx and scale_grad_by_freq?"""
    W, idx, g = make.weight(10, 4), make.randint(10, (6, 8)), make.randn(6, 8, 4)
    idx[0, :3] = torch.tensor([2, 9, 2])      # both padding rows are hit

    def observe(api):
        obs = {}
        for cfg, pad in ((dict(), None), (dict(padding_idx=2), 2), (dict(padding_idx=-1, scale_grad_by_freq=True), 9)):
            m = loaded(api, W, **cfg)
            backward(m(idx), g)
            obs[f"grad of weight with {cfg}"] = m.weight.grad
            if pad is not None:
                obs[f"padding row ({pad}) of the grad with {cfg}"] = row(api.fetch(m.weight.grad), pad)
        return obs
    check(observe, grad=GRAD, padding=EXACT)


@pytest.mark.points(1)
def test_padding_positions_are_skipped_in_backward(check, make):
    """Through the module, do NaN and inf in grad_output at padding positions leave the padding row's
    gradient exactly zero and every other row finite (skipped, not added and zeroed)?"""
    W, idx, g = make.weight(6, 3), make.tensor([[2, 0, 2], [1, 2, 5]]), make.randn(2, 3, 3)
    g[0, 0], g[1, 1] = float("nan"), float("inf")      # both at positions holding index 2

    def observe(api):
        m = loaded(api, W, padding_idx=2)
        backward(m(idx), g)
        return {"grad of weight with padding_idx=2": m.weight.grad,
                "padding row (2) of the grad with padding_idx=2": row(api.fetch(m.weight.grad), 2)}
    check(observe, grad=GRAD, padding=EXACT)


@pytest.mark.points(3)
@pytest.mark.dtypes(*FLOATS)
def test_max_norm_renorms_before_the_lookup(check, make):
    """With max_norm=1, are the looked-up rows renormed in place before the lookup, and the output
    the renormed rows?"""
    W, idx = make.weight(10, 6, scale=2.0), make.tensor([[0, 4, 4], [9, 0, 1]])

    def observe(api):
        obs = {}
        for p in (2.0, 1.0):
            m = loaded(api, W, max_norm=1.0, norm_type=p)
            obs[f"output with norm_type={p}"] = m(idx)
            obs[f"weight after the forward with norm_type={p}"] = api.fetch(m.weight)
        return obs
    check(observe, output=RENORM, weight=RENORM)


@pytest.mark.points(1)
def test_max_norm_bumps_the_version(check, make):
    """Does a max_norm forward on a weight used before raise autograd's in-place error, as in torch's
    docs (renorm through weight.detach(), not weight.data)?"""
    W, idx = make.weight(3, 5, scale=3.0), make.tensor([1, 2])
    W2 = make.randn(7, 5)   # a leaf that requires grad, so the product saves the weight, as in torch's docs

    def observe(api):
        def hazard(clone):
            m = loaded(api, W, max_norm=1.0)
            w2 = api.leaf(W2)
            a = (m.weight.clone() if clone else m.weight) @ w2.t()
            b = m(idx) @ w2.t()
            (a.unsqueeze(1) + b.unsqueeze(0)).sum().backward()
        return {"raises without .clone()": raises(api, lambda: hazard(False)),
                "raises with .clone()": raises(api, lambda: hazard(True))}
    check(observe, raises=EXACT)


@pytest.mark.points(2)
@pytest.mark.devices("cpu")
def test_repr_matches(check, make):
    """Does repr() print like nn.Embedding's (extra_repr)?"""
    cfgs = CONFIGS + [dict(padding_idx=-1, max_norm=1, norm_type=1.0, scale_grad_by_freq=True)]
    check(lambda api: {f"repr of Embedding(10, 3, **{cfg})": api.repr(api.Embedding(10, 3, **cfg)) for cfg in cfgs},
          repr=EXACT)


@pytest.mark.points(2)
@pytest.mark.dtypes(*FLOATS)
@pytest.mark.devices("cpu")
def test_state_dict_both_ways(check, make):
    """Does state_dict() hold just 'weight', and does a torch state_dict load into yours?"""
    W = make.weight(7, 3)

    def observe(api):
        sd = api.fetch(loaded(api, W).state_dict())
        fresh = api.Embedding(7, 3, dtype=W.dtype)
        fresh.load_state_dict({"weight": W.clone()})
        if not isinstance(sd, dict):
            return {"state_dict keys": sd, "state_dict weight": sd, "weight after load_state_dict": fresh.weight}
        return {"state_dict keys": sorted(sd.keys()), "state_dict weight": sd.get("weight"),
                "weight after load_state_dict": fresh.weight}
    check(observe, state_dict=EXACT, weight=EXACT)


def make_idx(like, *values):
    return torch.tensor(values, dtype=like.dtype, device=like.device)


@pytest.mark.points(3)
@pytest.mark.dtypes(*FLOATS)
def test_from_pretrained(check, make):
    """Does from_pretrained share the given tensor (max_norm renorms the caller's tensor), keep a
    non-zero padding row, freeze by default, and train with freeze=False?"""
    E = make.tensor([[3.0, 4.0], [1.0, 1.0], [6.0, 8.0]])
    P, idx = make.weight(4, 3), make.tensor([0, 2, 2])

    def observe(api):
        shared = api.tensor(E)
        frozen = api.Embedding.from_pretrained(shared, padding_idx=0, max_norm=1.0)
        out = frozen(make_idx(idx, 0, 2))
        trainable = api.Embedding.from_pretrained(api.tensor(P), freeze=False, padding_idx=2)
        trainable(idx).sum().backward()
        return {"frozen weight requires grad": frozen.weight.requires_grad,
                "caller's tensor after a max_norm forward": shared, "output": out,
                "trainable weight requires grad": trainable.weight.requires_grad,
                "trainable output of the non-zero padding row": trainable(make_idx(idx, 2)),
                "trainable grad (padding row 2 zero)": trainable.weight.grad}
    check(observe, frozen=EXACT, **{"caller's": EXACT}, output=EXACT, trainable=EXACT)


@pytest.mark.points(2)
@pytest.mark.dtypes(*FLOATS)
def test_private_weight_and_freeze(check, make):
    """Do _weight (used as is, padding row not zeroed, shape checked) and _freeze behave like torch's?"""
    W = make.weight(5, 3)

    def observe(api):
        m = api.Embedding(5, 3, padding_idx=1, _weight=api.tensor(W), _freeze=True)
        return {"weight": m.weight, "requires grad with _freeze=True": m.weight.requires_grad,
                "raises for a _weight of the wrong shape": raises(api, lambda: api.Embedding(4, 3, _weight=api.tensor(W)))}
    check(observe, weight=EXACT, requires=EXACT, raises=EXACT)


@pytest.mark.points(1)
@pytest.mark.dtypes(torch.float64)
def test_dtype_and_device_arguments(check, make):
    """Do dtype= and device= place the weight, and does the forward stay there?"""
    def observe(api):
        m = api.Embedding(6, 2, dtype=make.dtype, device=make.device)
        out = m(make.tensor([1, 5]))
        return {"weight dtype": m.weight.dtype, "weight device": m.weight.device.type,
                "output dtype": out.dtype, "output device": out.device.type}
    check(observe, weight=EXACT, output=EXACT)


@pytest.mark.points(1)
@pytest.mark.devices("cpu")
def test_sparse_is_refused_or_right(check, make):
    """Does sparse=True either raise NotImplementedError or give the right (sparse) gradient?"""
    W, idx = make.weight(6, 3), make.tensor([[1, 2, 2, 5]])

    def observe(api):
        dense = loaded(api, W)
        dense(idx).sum().backward()
        want = api.fetch(dense.weight.grad)
        try:
            m = loaded(api, W, sparse=True)
            m(idx).sum().backward()
            is_sparse = api.fetch(m.weight.grad.is_sparse)
            got = api.fetch(m.weight.grad.to_dense())
            ok = is_sparse is True and isinstance(got, torch.Tensor) and isinstance(want, torch.Tensor) \
                and got.shape == want.shape and got.dtype == want.dtype and bool(torch.equal(got, want))
        except StudentError as exc:   # the student's side: an exception comes back by its type's name
            ok = exc.type == "NotImplementedError"
        except NotImplementedError:
            ok = True
        return {"sparse=True raises NotImplementedError or matches the dense gradient": ok}
    check(observe, **{"sparse=True": EXACT})


@pytest.mark.points(1)
@pytest.mark.devices("cpu")
def test_embedding_dim_zero(check, make):
    """Does Embedding(5, 0) give a (2, 3, 0) output for (2, 3) indices, and a (5, 0) gradient?"""
    idx = make.randint(5, (2, 3))

    def observe(api):
        m = api.Embedding(5, 0)
        out = m(idx)
        out.sum().backward()
        return {"output of Embedding(5, 0) for (2, 3) indices": out, "grad of Embedding(5, 0)'s weight": m.weight.grad}
    check(observe, output=EXACT, grad=GRAD)


@pytest.mark.points(0)
@pytest.mark.rule
def test_uses_its_own_code(rules):
    """Does the code compute the result itself, without torch's own embedding ops?"""
    rules.check()
