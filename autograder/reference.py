"""torch's own implementation of the student API (CONTRACT §1), twice:

- TORCH: torch's embedding itself. What every observation is compared with, in the trusted grader.
- STANDIN: the same behaviour written without any of torch's embedding kernels, for the sandboxed
  job, where those kernels are switched off before the student's code loads (forbid.py). It stands
  in for the parts not being graded, so a bug in one part costs only that part. Its lookup, backward
  and renorm follow the measured recipes of shared/reference/torch-embedding-semantics.md (§4.1,
  §6.1: index_add_ and a unique-row renorm are bit-exact against torch in float32/float64).
Both are public, like torch itself: neither holds a check, an input or an expected value. A stand-in
takes the contract's arguments and ignores any others, so a student's module that calls its own
extended helper (a cached arange as a keyword, say) is not charged for the extension.

`backward(out, g)` is out.backward(g) as the graders write it (remote.py hands it to them), here
because TORCH.embedding_backward uses it too."""
from types import SimpleNamespace

import torch
import torch.nn.functional as F
from torch import nn


def backward(out, g) -> None:
    """out.backward(g), written as the gradient of (out * g).sum(), on whichever side `out` lives
    (a tensor here, a proxy to the student's job there). The same gradient bit for bit (the
    product's backward multiplies g by ones, and the backward of `out` receives those values),
    without torch's check of g against out's shape in torch.autograd.backward, which imports
    symbolic_shapes and sympy: ~0.4-0.5 s of CPU in the grader and in every zygote, on the critical
    path of a student's self-check, and 30 MB more in every job's parent. A wrong shape still
    fails: the product raises, or the gradient differs from torch's."""
    out.mul(g).sum().backward()


def one_hot_lookup(indices, weight):
    return F.embedding(indices, weight)


def embedding_backward(grad_output, indices, num_embeddings, padding_idx=None, scale_grad_by_freq=False):
    weight = torch.zeros(num_embeddings, grad_output.shape[-1], dtype=grad_output.dtype,
                         device=grad_output.device, requires_grad=True)
    with torch.enable_grad():   # as a stand-in it is called inside a module's own backward, where grad is off
        backward(F.embedding(indices, weight, padding_idx, scale_grad_by_freq=scale_grad_by_freq), grad_output)
    return weight.grad


def embedding_renorm_(weight, indices, max_norm, norm_type=2.0):
    _check_indices(indices, weight.shape[0])
    with torch.no_grad():
        return torch.embedding_renorm_(weight, indices, max_norm, norm_type)


TORCH = SimpleNamespace(one_hot_lookup=one_hot_lookup, embedding_backward=embedding_backward,
                        embedding_renorm_=embedding_renorm_, Embedding=nn.Embedding)


# -- the stand-ins: no aten::embedding* kernel below this line ---------------------------------------

def _check_indices(indices, rows: int):
    """CONTRACT §1 asks more than torch here: torch's CPU renorm wraps a negative index (-1 renorms
    the last row) before its lookup raises; every part must raise instead, and change nothing."""
    if indices.dtype not in (torch.int64, torch.int32):
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                           f"Long, Int; but got {indices.dtype} instead")
    if indices.numel() and (indices.min() < 0 or indices.max() >= rows):
        raise IndexError("index out of range in self")


def _lookup(indices, weight, *_more, **_extra):   # extra arguments a student's helper takes: ignored
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    _check_indices(indices, weight.shape[0])
    return weight.index_select(0, indices.reshape(-1)).reshape(*indices.shape, weight.shape[1])


def _backward(grad_output, indices, num_embeddings, padding_idx=None, scale_grad_by_freq=False, *_more, **_extra):
    _check_indices(indices, num_embeddings)
    if padding_idx is not None and not -num_embeddings <= padding_idx < num_embeddings:
        raise ValueError("Padding_idx must be within num_embeddings")
    dim = grad_output.shape[-1]
    idx = indices.reshape(-1).long()
    grad = grad_output.reshape(idx.numel(), dim)
    counts = torch.bincount(idx, minlength=num_embeddings)[idx] if scale_grad_by_freq else None
    if padding_idx is not None:   # skipped, not added and zeroed: NaN there reaches no other row
        keep = idx != padding_idx % num_embeddings
        idx, grad = idx[keep], grad[keep]
        counts = counts[keep] if counts is not None else None
    out = torch.zeros(num_embeddings, dim, dtype=grad_output.dtype, device=grad_output.device)
    if counts is None:
        return out.index_add_(0, idx, grad)
    # counted over every index, padding included (§4.4); all of a row's terms share its count, so
    # adding each count's rows with alpha=1/count keeps torch's order and its fused rounding
    for count in counts.unique().tolist():
        mine = counts == count
        out.index_add_(0, idx[mine], grad[mine], alpha=1.0 / count)
    return out


def _renorm_(weight, indices, max_norm, norm_type=2.0, *_more, **_extra):
    if weight.dim() != 2:
        raise RuntimeError("Expected 2-dimensional tensor for argument #1 'self' (while checking arguments for "
                           "embedding_renorm_)")
    _check_indices(indices, weight.shape[0])
    if weight.shape[1] == 0:   # rows without entries: nothing to scale (and no inf-norm of nothing)
        return weight
    with torch.no_grad():
        rows = indices.reshape(-1).long().unique()
        norms = torch.linalg.vector_norm(weight.index_select(0, rows), norm_type, dim=1).double()
        over = norms > max_norm
        rows, norms = rows[over], norms[over]
        scale = (max_norm / (norms + 1e-7)).to(weight.dtype).unsqueeze(1)
        weight.index_copy_(0, rows, weight.index_select(0, rows) * scale)
    return weight


class _Lookup(torch.autograd.Function):
    @staticmethod
    def forward(ctx, indices, weight, padding_idx, scale_grad_by_freq):
        ctx.save_for_backward(indices)
        ctx.rows, ctx.padding_idx, ctx.scale = weight.shape[0], padding_idx, scale_grad_by_freq
        return _lookup(indices, weight)

    @staticmethod
    def backward(ctx, grad):
        (indices,) = ctx.saved_tensors
        return None, _backward(grad, indices, ctx.rows, ctx.padding_idx, ctx.scale), None, None


class Embedding(nn.Embedding):
    """nn.Embedding with its forward on the stand-ins (its constructor allocates no embedding kernel)."""

    def forward(self, input):
        if self.sparse:
            raise NotImplementedError("sparse=True is not available in the stand-in Embedding")
        if self.max_norm is not None:
            _renorm_(self.weight.detach(), input.contiguous(), self.max_norm, self.norm_type)
        return _Lookup.apply(input, self.weight, self.padding_idx, self.scale_grad_by_freq)


STANDIN = SimpleNamespace(one_hot_lookup=_lookup, embedding_backward=_backward, embedding_renorm_=_renorm_,
                          Embedding=Embedding)
