"""How `class Embedding(nn.Module)` is graded: as a drop-in for torch.nn.Embedding.

The same construction, inputs and seeds go to the student's class and to nn.Embedding: attributes
(padding_idx normalised), a Parameter weight, N(0, 1) init with a zero padding row, forward and
backward through the three functions (torch's stand-ins while the module is graded), max_norm
renorming the weight in place, repr, state_dict both ways, from_pretrained (sharing storage,
freeze), _weight/_freeze, dtype/device. sparse=True may raise NotImplementedError instead of making
sparse gradients. Statistics (mean, std) and rows of a fetched weight or gradient are computed here,
on the trusted side, from fetched data; a padding row is always compared exactly.
"""
import pytest
import torch

from autograder.compare import EXACT, GRAD, RENORM
from autograder.inputs import FLOATS
from autograder.remote import StudentError, raises

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
@pytest.mark.dtypes(*FLOATS)
def test_forward_leaves_its_input_alone(check, make):
    """Are the indices passed to forward unchanged afterwards, and is the weight unchanged by a
    forward without max_norm?"""
    W = make.weight(9, 4)
    idxs = {"int64": make.tensor([[8, 0, 3], [3, 3, 1]]), "int32": make.tensor([2, 7, 2, 0], dtype=torch.int32)}

    def observe(api):
        m = loaded(api, W)
        given = {k: api.tensor(i) for k, i in idxs.items()}
        for idx in given.values():
            m(idx)
        return {**{f"{k} indices after the forward": idx for k, idx in given.items()},
                "weight after a forward without max_norm": m.weight}
    check(observe, int64=EXACT, int32=EXACT, weight=EXACT)


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
            m(idx).backward(g)
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
        m(idx).backward(g)
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
