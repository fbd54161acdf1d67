"""remote.backward(out, g) (defined in reference.py), how the graders write out.backward(g): the same gradient bit for bit
(what the student's backward receives and what reaches the weight), and no sympy — torch imports it
(through symbolic_shapes) for a backward given a gradient tensor, ~0.5 s and 30 MB that neither the
zygote nor the grader need to pay (README, Speed: "No sympy")."""
import subprocess
import sys

import pytest
import torch

from autograder import REPO
from autograder.remote import backward

BITS = {torch.float32: torch.int32, torch.float64: torch.int64}


def same_bits(a, b) -> bool:
    return a.shape == b.shape and a.dtype == b.dtype and \
        torch.equal(a.contiguous().view(BITS[a.dtype]), b.contiguous().view(BITS[b.dtype]))


class Spy(torch.autograd.Function):
    """A custom backward, as a student's Embedding has one: keeps the gradient it is given."""
    seen: list = []

    @staticmethod
    def forward(ctx, w, idx):
        ctx.save_for_backward(idx)
        ctx.rows = w.shape[0]
        return w[idx]

    @staticmethod
    def backward(ctx, grad):
        Spy.seen.append(grad.clone())
        (idx,) = ctx.saved_tensors
        out = torch.zeros(ctx.rows, grad.shape[-1], dtype=grad.dtype)
        return out.index_add_(0, idx.reshape(-1), grad.reshape(-1, grad.shape[-1])), None


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("through", ["custom backward", "one-hot product"])
def test_the_same_gradient_bit_for_bit(dtype, through):
    gen = torch.Generator().manual_seed(7)
    W = torch.randn(7, 4, dtype=dtype, generator=gen)
    idx = torch.tensor([[0, 3, 3], [6, 1, 0]])
    g = torch.randn(2, 3, 4, dtype=dtype, generator=gen)
    g[0, 0, 0], g[0, 1, 1], g[1, 2, 2] = float("nan"), float("inf"), -0.0
    g[1, 0, 3] = torch.finfo(dtype).tiny / 4      # subnormal
    g = g.transpose(0, 1).contiguous().transpose(0, 1)   # and not contiguous

    def run(step):
        Spy.seen.clear()
        w = W.clone().requires_grad_()
        out = Spy.apply(w, idx) if through == "custom backward" else \
            torch.nn.functional.one_hot(idx, 7).to(dtype) @ w
        step(out)
        return w.grad, list(Spy.seen)
    want, want_seen = run(lambda out: out.backward(g))
    got, got_seen = run(lambda out: backward(out, g))
    assert same_bits(got, want)
    assert len(got_seen) == len(want_seen) and all(same_bits(a, b) for a, b in zip(got_seen, want_seen))


def test_a_wrong_shape_still_fails():
    out = torch.zeros(2, 3, requires_grad=True) * 1
    with pytest.raises(RuntimeError):
        backward(out, torch.ones(3, 2))


@pytest.mark.parametrize("where", ["the zygote's warm-up", "the workers' preload", "the grader's grading"])
def test_grading_does_not_import_sympy(where):
    code = {"the zygote's warm-up": "from autograder import driver\ndriver.warm_up()\n",
            "the workers' preload": "import autograder.worker\n",
            "the grader's grading": "from autograder.grade import Grader\n"
                                    "with Grader(['cpu']) as g:\n"
                                    "    assert g.grade('tests/corpus/correct/vectorised.py').score == 100\n"}[where]
    code += "import sys\nprint('sympy' in sys.modules, 'torch.fx.experimental.symbolic_shapes' in sys.modules)\n"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=600,
                         env={"PATH": "/usr/bin:/bin", "MPLBACKEND": "Agg", "PYTHONPATH": REPO, "HOME": "/tmp"})
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split()[-2:] == ["False", "False"], out.stdout
