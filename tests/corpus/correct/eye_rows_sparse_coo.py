"""Style: one-hot rows picked from an identity matrix (torch.eye(V)[indices]), a backward that builds
a sparse COO gradient and lets coalesce() sum the duplicates, and a hand-written p-norm in the renorm.

The identity matrix is the one-hot table: row k of eye(V) is one_hot(k), so eye(V)[indices] @ W
is the one-hot product (the table W itself is never indexed). The backward drops padding
positions, divides by the counts when asked, and densifies torch.sparse_coo_tensor(...).coalesce().
The renorm computes (sum |x|^p)^(1/p) itself, with max |x| for p = inf and a non-zero count for p = 0.
"""
import math

import torch
from torch import nn


def check_indices(indices, rows):
    if indices.dtype not in (torch.int64, torch.int32):
        raise RuntimeError("Expected indices of type Long or Int, but got " + str(indices.dtype))
    if indices.numel() == 0:
        return
    if bool((indices < 0).any()) or bool((indices >= rows).any()):
        raise IndexError("index out of range in self")


def one_hot_lookup(indices, weight):
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    check_indices(indices, weight.shape[0])
    eye = torch.eye(weight.shape[0], dtype=weight.dtype, device=weight.device)
    return eye[indices.long()] @ weight


def normalised_padding(padding_idx, rows):
    if padding_idx is None:
        return None
    if padding_idx > 0:
        assert padding_idx < rows, "Padding_idx must be within num_embeddings"
    elif padding_idx < 0:
        assert padding_idx >= -rows, "Padding_idx must be within num_embeddings"
        padding_idx = rows + padding_idx
    return padding_idx


def embedding_backward(grad_output, indices, num_embeddings, padding_idx=None, scale_grad_by_freq=False):
    padding_idx = normalised_padding(padding_idx, num_embeddings)
    check_indices(indices, num_embeddings)
    dim = grad_output.shape[-1]
    idx = indices.reshape(-1).long()
    values = grad_output.reshape(indices.numel(), dim)
    if scale_grad_by_freq and idx.numel():
        uniq, inverse, counts = idx.unique(return_inverse=True, return_counts=True)
        values = values * (1.0 / counts.double())[inverse].to(values.dtype).unsqueeze(1)
    if padding_idx is not None:
        keep = idx.ne(padding_idx)
        idx, values = idx[keep], values[keep]
    grad = torch.sparse_coo_tensor(idx.unsqueeze(0), values, (num_embeddings, dim),
                                   dtype=grad_output.dtype, device=grad_output.device,
                                   check_invariants=True)
    return grad.coalesce().to_dense()


def p_norms(rows, p):
    """The p-norm of each row of a (n, D) tensor, in its dtype, like torch.linalg.vector_norm."""
    a = rows.abs()
    if p == math.inf:
        return a.amax(dim=1) if rows.shape[1] else a.sum(dim=1)
    if p == -math.inf:
        return a.amin(dim=1)
    if p == 0:
        return (a != 0).sum(dim=1).to(rows.dtype)
    if p == 1:
        return a.sum(dim=1)
    if p == 2:
        return (a * a).sum(dim=1).sqrt()
    return a.pow(p).sum(dim=1).pow(1.0 / p)


def embedding_renorm_(weight, indices, max_norm, norm_type=2.0):
    check_indices(indices, weight.shape[0])
    with torch.no_grad():
        rows = indices.reshape(-1).long().unique()
        norms = p_norms(weight[rows], norm_type).double()
        over = norms > max_norm
        rows = rows[over]
        factors = (max_norm / (norms[over] + 1e-7)).to(weight.dtype)
        weight[rows] *= factors.unsqueeze(1)
    return weight


class LookupWithGrad(torch.autograd.Function):
    @staticmethod
    def forward(ctx, weight, indices, padding_idx, scale_grad_by_freq):
        ctx.save_for_backward(indices)
        ctx.rows, ctx.padding_idx, ctx.scale = weight.shape[0], padding_idx, scale_grad_by_freq
        return one_hot_lookup(indices, weight)

    @staticmethod
    def backward(ctx, grad_output):
        (indices,) = ctx.saved_tensors
        return (embedding_backward(grad_output.contiguous(), indices, ctx.rows, ctx.padding_idx, ctx.scale),
                None, None, None)


class Embedding(nn.Module):
    __constants__ = ["num_embeddings", "embedding_dim", "padding_idx", "max_norm", "norm_type",
                     "scale_grad_by_freq", "sparse"]

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, max_norm=None, norm_type=2.0,
                 scale_grad_by_freq=False, sparse=False, _weight=None, _freeze=False, device=None, dtype=None):
        super().__init__()
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.padding_idx = normalised_padding(padding_idx, num_embeddings)
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.sparse = sparse
        if self.sparse:
            raise NotImplementedError("sparse=True is not supported here; the gradient is always dense")
        if _weight is None:
            self.weight = nn.Parameter(torch.empty((num_embeddings, embedding_dim), device=device, dtype=dtype),
                                       requires_grad=not _freeze)
            self.reset_parameters()
        else:
            assert list(_weight.shape) == [num_embeddings, embedding_dim], \
                "Shape of weight does not match num_embeddings and embedding_dim"
            self.weight = nn.Parameter(_weight, requires_grad=not _freeze)

    def reset_parameters(self):
        nn.init.normal_(self.weight)
        self._fill_padding_with_zero()

    def _fill_padding_with_zero(self):
        if self.padding_idx is not None:
            with torch.no_grad():
                self.weight[self.padding_idx].fill_(0)

    def forward(self, input):
        if self.max_norm is not None:
            embedding_renorm_(self.weight.detach(), input, self.max_norm, self.norm_type)
        return LookupWithGrad.apply(self.weight, input, self.padding_idx, self.scale_grad_by_freq)

    def extra_repr(self):
        s = "{num_embeddings}, {embedding_dim}"
        if self.padding_idx is not None:
            s += ", padding_idx={padding_idx}"
        if self.max_norm is not None:
            s += ", max_norm={max_norm}"
        if self.norm_type != 2:
            s += ", norm_type={norm_type}"
        if self.scale_grad_by_freq is not False:
            s += ", scale_grad_by_freq={scale_grad_by_freq}"
        if self.sparse is not False:
            s += ", sparse=True"
        return s.format(**{k: getattr(self, k) for k in self.__constants__})

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None, max_norm=None, norm_type=2.0,
                        scale_grad_by_freq=False, sparse=False):
        assert embeddings.dim() == 2, "Embeddings parameter is expected to be 2-dimensional"
        rows, cols = embeddings.shape
        return cls(num_embeddings=rows, embedding_dim=cols, _weight=embeddings, _freeze=freeze,
                   padding_idx=padding_idx, max_norm=max_norm, norm_type=norm_type,
                   scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)
