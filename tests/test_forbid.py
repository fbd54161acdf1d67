"""The rules judged by what code does (issue 21), in a real sandboxed job, without the static layer:
torch's embedding is switched off at the dispatcher however it is reached (autograder/forbid.py),
the stand-ins the job runs instead are torch's behaviour without those kernels
(autograder/reference.py), and the one-hot rule follows what the lookup computes
(autograder/onehot.py)."""
import subprocess
import sys

import pytest
import torch

from conftest import ROOT

# every spelling of torch's embedding that the static rules once missed (star import, an alias of a
# builtin, `match` keyword patterns) and the ones they never could see (the operator registry, vmap,
# inference mode, nn.Embedding's forward): each is tried in the job and must fail with the kit's
# sentence; the report says which got through
SPELLINGS = '''
import torch
import torch.nn.functional as F
from torch.nn.functional import *

W, IDX = torch.randn(5, 3), torch.tensor([1, 2])
ga = getattr


def _find():
    match torch:
        case object(nn=object(functional=object(embedding=e))):
            return e


TRIES = {
    "star import": lambda: embedding(IDX, W),
    "alias of getattr": lambda: ga(F, "embed" + "ding")(IDX, W),
    "match keyword patterns": lambda: _find()(IDX, W),
    "torch.embedding": lambda: torch.embedding(W, IDX),
    "torch.ops.aten.embedding.default": lambda: torch.ops.aten.embedding.default(W, IDX),
    "torch._VF.embedding": lambda: torch._VF.embedding(W, IDX),
    "no_grad": lambda: torch.no_grad()(lambda: F.embedding(IDX, W))(),
    "inference_mode": lambda: torch.inference_mode()(lambda: F.embedding(IDX, W))(),
    "nn.Embedding": lambda: torch.nn.Embedding(5, 3)(IDX),
    "embedding_renorm_": lambda: torch.embedding_renorm_(W.clone(), IDX, 1.0, 2.0),
    "embedding_bag": lambda: F.embedding_bag(IDX, W, torch.tensor([0])),
    "dense backward": lambda: torch.ops.aten.embedding_dense_backward(torch.ones(2, 3), IDX, 5, -1, False),
    "vmap": lambda: torch.vmap(lambda w: F.embedding(IDX, w))(torch.randn(2, 5, 3)),
    "meta device": lambda: F.embedding(IDX.to("meta"), W.to("meta")),
    "autograd through it": lambda: F.embedding(IDX, W.clone().requires_grad_()).sum().backward(),
}
REPORT = {}
for name, attempt in TRIES.items():
    try:
        attempt()
        REPORT[name] = "went through"
    except Exception as exc:
        REPORT[name] = f"{type(exc).__name__}: {exc}"
REPORT["index still works"] = str(W[IDX].shape)
'''


def _in_a_job(code: str, fetch: str):
    from autograder import wire
    from autograder.sandbox import Limits, Sandbox
    with Sandbox(Limits(wall_s=60, cpu_s=40)) as box:
        job = box.job(["cpu"])
        reply, tensors = job.request({"ops": [{"op": "load", "code": [["attack", code]], "standins": []},
                                              {"op": "fetch", "value": {"N": fetch}}]}, {})
        job.close()
    done = reply["done"]
    assert len(done) == 2 and "ok" in done[1], done
    return wire.decode(done[1]["ok"], tensors, lambda t, dev, rg: t)


def test_torch_embedding_fails_in_the_job_however_it_is_reached():
    """In a job, does every spelling of torch's embedding (star import, getattr alias, match patterns,
    torch.ops, _VF, no_grad, inference mode, nn.Embedding, renorm, bag, the backward, vmap, meta,
    autograd) fail with the kit's sentence, while indexing still works?"""
    from autograder.forbid import MESSAGE
    report = _in_a_job(SPELLINGS, "REPORT")
    through = {k: v for k, v in report.items() if k != "index still works" and MESSAGE not in v}
    assert not through, through
    assert report["index still works"] == "torch.Size([2, 3])", report


def test_no_kernel_of_torchs_embedding_is_left_once_forbidden():
    """In a fresh Python, after forbid_torch_embedding(), is every dispatch key of every aten
    embedding operator the refusing kernel (the alias keys fill the backends Python cannot name),
    and does a garbage collection leave them in place (the library handle is leaked on purpose)?"""
    code = ("import gc, torch\nfrom autograder import forbid\nassert forbid.kernels_left()\n"
            "assert forbid.forbid_torch_embedding() > 100\ngc.collect()\nprint(len(forbid.kernels_left()))\n"
            "try:\n    torch.nn.functional.embedding(torch.tensor([0]), torch.randn(2, 2))\n    print('through')\n"
            "except forbid.EmbeddingForbidden:\n    print('refused', forbid.HITS[0])\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["0", "refused", "1"], out.stdout


def test_the_standins_are_torchs_behaviour_without_its_kernels():
    """Do the stand-ins give torch's lookup, backward (padding, negative padding, scale_grad_by_freq)
    and renorm (p = 2, 1, 3, inf, 0) bit for bit on random shapes in float32 and float64, and the
    same module (forward, gradient, in-place renorm, repr)?"""
    from autograder.reference import STANDIN, TORCH
    gen = torch.Generator().manual_seed(0)
    for dtype in (torch.float32, torch.float64):
        for trial in range(60):
            V, D = int(torch.randint(1, 30, (), generator=gen)), int(torch.randint(0, 8, (), generator=gen))
            shape = tuple(torch.randint(0, 4, (int(torch.randint(0, 4, (), generator=gen)),), generator=gen).tolist())
            idx = torch.randint(0, V, shape, generator=gen).to(torch.int32 if trial % 2 else torch.int64)
            W, g = torch.randn(V, D, dtype=dtype, generator=gen), torch.randn(*shape, D, dtype=dtype, generator=gen)
            assert torch.equal(TORCH.one_hot_lookup(idx, W), STANDIN.one_hot_lookup(idx, W))
            for pad in (None, 0, -1, V // 2):
                for freq in (False, True):
                    assert torch.equal(TORCH.embedding_backward(g, idx, V, pad, freq),
                                       STANDIN.embedding_backward(g, idx, V, pad, freq)), (dtype, V, D, shape, pad, freq)
            for p in (2.0, 1.0, 3.0, float("inf"), 0.0) if D else (2.0,):
                a, b = W * 3, W * 3
                TORCH.embedding_renorm_(a, idx, 1.0, p)
                STANDIN.embedding_renorm_(b, idx, 1.0, p)
                assert torch.equal(a, b), (dtype, p)
    torch.manual_seed(1)
    theirs = torch.nn.Embedding(7, 3, padding_idx=2, max_norm=1.0, scale_grad_by_freq=True)
    mine = STANDIN.Embedding(7, 3, padding_idx=2, max_norm=1.0, scale_grad_by_freq=True)
    mine.load_state_dict(theirs.state_dict())
    idx = torch.tensor([[2, 3, 3], [0, 2, 6]])
    out_t, out_m = theirs(idx), mine(idx)
    g = torch.randn_like(out_t)
    out_t.backward(g)
    out_m.backward(g)
    assert torch.equal(out_t, out_m) and torch.equal(theirs.weight, mine.weight)
    assert torch.equal(theirs.weight.grad, mine.weight.grad)
    assert repr(mine) == repr(theirs)
    for bad in (torch.tensor([0, 7]), torch.tensor([-1]), torch.tensor([0.0]), torch.tensor([True])):
        for fn in (lambda: STANDIN.one_hot_lookup(bad, torch.randn(7, 3)),
                   lambda: STANDIN.embedding_backward(torch.ones(*bad.shape, 3), bad, 7),
                   lambda: STANDIN.embedding_renorm_(torch.randn(7, 3), bad, 1.0)):
            with pytest.raises(Exception):
                fn()
