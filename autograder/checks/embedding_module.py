"""How `class Embedding(nn.Module)` is graded: as a drop-in for torch.nn.Embedding.

The same construction, inputs and seeds go to the student's class and to nn.Embedding: attributes
(padding_idx normalised), a Parameter weight, N(0, 1) init with a zero padding row, forward and
backward through the three functions, max_norm renorming the weight in place, repr, state_dict both
ways, from_pretrained (sharing storage, freeze), _weight/_freeze, dtype/device. sparse=True may
raise NotImplementedError instead of making sparse gradients.
"""
import torch
from torch import nn

from ..case import FLOATS, case, raises
from ..compare import EXACT, GRAD, RENORM

CONFIGS = [dict(), dict(padding_idx=3), dict(padding_idx=-2, max_norm=1.0, norm_type=1.0),
           dict(scale_grad_by_freq=True, max_norm=2)]


def attributes(m):
    return {"num_embeddings": m.num_embeddings, "embedding_dim": m.embedding_dim, "padding_idx": m.padding_idx,
            "max_norm": m.max_norm, "norm_type": m.norm_type, "scale_grad_by_freq": m.scale_grad_by_freq,
            "sparse": m.sparse, "weight is a Parameter": isinstance(m.weight, nn.Parameter),
            "weight shape": list(m.weight.shape), "weight dtype": str(m.weight.dtype),
            "weight requires grad": m.weight.requires_grad}


@case(points=2, devices=("cpu",))
def constructor_attributes(make):
    """Does the constructor store nn.Embedding's attributes (padding_idx=-2 stored as V-2)?"""
    def observe(api):
        obs = {}
        for cfg in CONFIGS:
            for k, v in attributes(api.Embedding(10, 4, **cfg)).items():
                obs[f"{k} of Embedding(10, 4, **{cfg})"] = v
        return obs
    return observe


@case(points=2, devices=("cpu",))
def init_is_standard_normal_with_zero_padding_row(make):
    """Is the weight initialised N(0, 1), with the padding row zero (padding_idx 3 and 0)?"""
    def observe(api):
        torch.manual_seed(0)
        w = api.Embedding(2000, 32).weight.detach()
        p = api.Embedding(10, 4, padding_idx=3).weight.detach()
        p0 = api.Embedding(10, 4, padding_idx=0).weight.detach()
        return {"padding row (0) after init with padding_idx=0": p0[0],"mean of a (2000, 32) weight is within 0.02 of 0": abs(w.mean().item()) < 0.02,
                "std of a (2000, 32) weight is within 0.02 of 1": abs(w.std().item() - 1) < 0.02,
                "padding row (3) after init": p[3], "other rows are not all zero": bool(p[[0, 1, 2]].abs().sum() > 0)}
    return observe


@case(points=2, devices=("cpu",))
def reset_parameters(make):
    """Does reset_parameters() redraw the weight N(0, 1) and zero the padding row again?"""
    def observe(api):
        m = api.Embedding(500, 20, padding_idx=1)
        with torch.no_grad():
            m.weight.fill_(5.0)
        m.reset_parameters()
        w = m.weight.detach()
        return {"padding row (1) after reset": w[1], "std after reset is about 1": abs(w.std().item() - 1) < 0.05}
    return observe


@case(points=1, devices=("cpu",))
def padding_idx_must_be_in_range(make):
    """With V=5, do padding_idx 5, 6 and -6 raise while 4, 0 and -5 are accepted?"""
    return lambda api: {f"raises for padding_idx={p}": raises(lambda p=p: api.Embedding(5, 2, padding_idx=p))
                        for p in (5, 6, -6, 4, 0, -5)}


def loaded(api, W, **cfg):
    """A module of the student's or torch's class holding a copy of W."""
    m = api.Embedding(W.shape[0], W.shape[1], device=W.device, dtype=W.dtype, **cfg)
    with torch.no_grad():
        m.weight.copy_(W)
    return m


@case(points=3, dtypes=FLOATS)
def forward_matches(make):
    """Does forward give nn.Embedding's output for (B, T), int32, 0-d and empty indices?"""
    W = make.weight(12, 5)
    idxs = {"(3, 7)": make.randint(12, (3, 7)), "int32 (4,)": make.randint(12, (4,), dtype=torch.int32),
            "0-d": make.tensor(11), "empty (2, 0)": make.randint(12, (2, 0))}

    def observe(api):
        m = loaded(api, W)
        return {f"output for {k} indices": m(i) for k, i in idxs.items()}
    return observe


@case(points=4, dtypes=FLOATS, compare=GRAD)
def backward_matches(make):
    """After loss.backward(), is weight.grad nn.Embedding's, with padding_idx and scale_grad_by_freq?"""
    W, idx, g = make.weight(10, 4), make.randint(10, (6, 8)), make.randn(6, 8, 4)

    def observe(api):
        obs = {}
        for cfg in (dict(), dict(padding_idx=2), dict(padding_idx=-1, scale_grad_by_freq=True)):
            m = loaded(api, W, **cfg)
            m(idx).backward(g)
            obs[f"grad of weight with {cfg}"] = m.weight.grad
        return obs
    return observe


@case(points=1, compare=GRAD)
def padding_positions_are_skipped_in_backward(make):
    """Through the module, do NaN and inf in grad_output at padding positions leave the padding row's
    gradient exactly zero and every other row finite (skipped, not added and zeroed)?"""
    W, idx, g = make.weight(6, 3), make.tensor([[2, 0, 2], [1, 2, 5]]), make.randn(2, 3, 3)
    g[0, 0], g[1, 1] = float("nan"), float("inf")      # both at positions holding index 2

    def observe(api):
        m = loaded(api, W, padding_idx=2)
        m(idx).backward(g)
        return {"grad of weight with padding_idx=2": m.weight.grad}
    return observe


@case(points=3, dtypes=FLOATS, compare=RENORM)
def max_norm_renorms_before_the_lookup(make):
    """With max_norm=1, are the looked-up rows renormed in place before the lookup, and the output
    the renormed rows?"""
    W, idx = make.weight(10, 6, scale=2.0), make.tensor([[0, 4, 4], [9, 0, 1]])

    def observe(api):
        obs = {}
        for p in (2.0, 1.0):
            m = loaded(api, W, max_norm=1.0, norm_type=p)
            obs[f"output with norm_type={p}"] = m(idx)
            obs[f"weight after the forward with norm_type={p}"] = m.weight
        return obs
    return observe


@case(points=1, dtypes=(torch.float32,), compare={"*": EXACT})
def max_norm_bumps_the_version(make):
    """Does a max_norm forward on a weight used before raise autograd's in-place error, as in torch's
    docs (renorm through weight.detach(), not weight.data)?"""
    W, idx = make.weight(3, 5, scale=3.0), make.tensor([1, 2])
    W2 = make.randn(7, 5).requires_grad_()  # so the product saves the weight, as in torch's docs

    def observe(api):
        def hazard(clone):
            m = loaded(api, W, max_norm=1.0)
            a = (m.weight.clone() if clone else m.weight) @ W2.t()
            b = m(idx) @ W2.t()
            (a.unsqueeze(1) + b.unsqueeze(0)).sum().backward()
        return {"raises without .clone()": raises(lambda: hazard(False)),
                "raises with .clone()": raises(lambda: hazard(True))}
    return observe


@case(points=2, devices=("cpu",))
def repr_matches(make):
    """Does repr() print like nn.Embedding's (extra_repr)?"""
    cfgs = CONFIGS + [dict(padding_idx=-1, max_norm=1, norm_type=1.0, scale_grad_by_freq=True)]
    return lambda api: {f"repr of Embedding(10, 3, **{cfg})": repr(api.Embedding(10, 3, **cfg)) for cfg in cfgs}


@case(points=2, dtypes=FLOATS, devices=("cpu",))
def state_dict_both_ways(make):
    """Does state_dict() hold just 'weight', and does a torch state_dict load into yours?"""
    W = make.weight(7, 3)

    def observe(api):
        sd = loaded(api, W).state_dict()
        fresh = api.Embedding(7, 3, dtype=W.dtype)
        fresh.load_state_dict({"weight": W.clone()})
        return {"state_dict keys": sorted(sd.keys()), "state_dict weight": sd.get("weight"),
                "weight after load_state_dict": fresh.weight}
    return observe


@case(points=3, dtypes=FLOATS)
def from_pretrained(make):
    """Does from_pretrained share the given tensor (max_norm renorms the caller's tensor), keep a
    non-zero padding row, freeze by default, and train with freeze=False?"""
    E = make.tensor([[3.0, 4.0], [1.0, 1.0], [6.0, 8.0]])
    P, idx = make.weight(4, 3), make.tensor([0, 2, 2])

    def observe(api):
        shared = E.clone()
        frozen = api.Embedding.from_pretrained(shared, padding_idx=0, max_norm=1.0)
        out = frozen(make_idx(idx, 0, 2))
        trainable = api.Embedding.from_pretrained(P.clone(), freeze=False, padding_idx=2)
        trainable(idx).sum().backward()
        return {"frozen weight requires grad": frozen.weight.requires_grad,
                "caller's tensor after a max_norm forward": shared, "output": out,
                "trainable weight requires grad": trainable.weight.requires_grad,
                "trainable output of the non-zero padding row": trainable(make_idx(idx, 2)),
                "trainable grad (padding row 2 zero)": trainable.weight.grad}
    return observe


def make_idx(like, *values):
    return torch.tensor(values, dtype=like.dtype, device=like.device)


@case(points=2, dtypes=FLOATS)
def private_weight_and_freeze(make):
    """Do _weight (used as is, padding row not zeroed, shape checked) and _freeze behave like torch's?"""
    W = make.weight(5, 3)

    def observe(api):
        m = api.Embedding(5, 3, padding_idx=1, _weight=W.clone(), _freeze=True)
        return {"weight": m.weight, "requires grad with _freeze=True": m.weight.requires_grad,
                "raises for a _weight of the wrong shape": raises(lambda: api.Embedding(4, 3, _weight=W.clone()))}
    return observe


@case(points=1, dtypes=(torch.float64,))
def dtype_and_device_arguments(make):
    """Do dtype= and device= place the weight, and does the forward stay there?"""
    def observe(api):
        m = api.Embedding(6, 2, dtype=make.dtype, device=make.device)
        out = m(make.tensor([1, 5]))
        return {"weight dtype": str(m.weight.dtype), "weight device": m.weight.device.type,
                "output dtype": str(out.dtype), "output device": out.device.type}
    return observe


@case(points=1, dtypes=(torch.float32,), devices=("cpu",))
def sparse_is_refused_or_right(make):
    """Does sparse=True either raise NotImplementedError or give the right (sparse) gradient?"""
    W, idx = make.weight(6, 3), make.tensor([[1, 2, 2, 5]])

    def observe(api):
        dense = loaded(api, W)
        dense(idx).sum().backward()
        try:
            m = loaded(api, W, sparse=True)
            m(idx).sum().backward()
            g = m.weight.grad
            ok = g is not None and g.is_sparse and bool(torch.equal(g.to_dense(), dense.weight.grad))
        except NotImplementedError:
            ok = True
        return {"sparse=True raises NotImplementedError or matches the dense gradient": ok}
    return observe
