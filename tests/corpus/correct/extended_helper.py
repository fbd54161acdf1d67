"""The reference solution, with its helper extended: one_hot_lookup takes a keyword-only `columns`
(a cached arange) that the module passes. Correct code that extends a helper loses no point to the
stand-in that replaces the helper while another part is graded (issue 23)."""
import torch
import torch.nn.functional as F
from torch import nn


def _check_indices(indices, num_embeddings):
    if indices.dtype not in (torch.int64, torch.int32):
        raise RuntimeError(f"indices must be int64 or int32 (Long, Int), got {indices.dtype}")
    if indices.numel() and (indices.min() < 0 or indices.max() >= num_embeddings):
        raise IndexError(f"index out of range: indices must lie in [0, {num_embeddings})")


def one_hot_lookup(indices, weight, *, columns=None):
    """indices (*) int64/int32, weight (V, D) -> (*, D); `columns`, a cached arange(V) on weight's
    device, is the module's own extension: the one-hot is built as indices[..., None] == columns."""
    if weight.dim() != 2:
        raise RuntimeError(f"'weight' must be 2-D, got {weight.dim()}-D")
    V = weight.shape[0]
    _check_indices(indices, V)
    if columns is None:
        columns = torch.arange(V, device=weight.device)
    one_hot = (indices.long().unsqueeze(-1) == columns).to(weight.dtype)   # (*, V)
    return one_hot @ weight


def _normalise_padding_idx(padding_idx, num_embeddings):
    if padding_idx is None:
        return None
    if not -num_embeddings <= padding_idx < num_embeddings:
        raise AssertionError("Padding_idx must be within num_embeddings")
    return padding_idx + num_embeddings if padding_idx < 0 else padding_idx


def embedding_backward(grad_output, indices, num_embeddings, padding_idx=None, scale_grad_by_freq=False):
    """grad_output (*, D), indices (*) -> dense grad_weight (V, D): sum of grad rows per index."""
    padding_idx = _normalise_padding_idx(padding_idx, num_embeddings)
    _check_indices(indices, num_embeddings)
    D = grad_output.shape[-1]
    idx = indices.reshape(-1).long()           # (N,)
    grad = grad_output.reshape(idx.numel(), D)   # (N, D); not -1: with D = 0 that is ambiguous
    if scale_grad_by_freq:
        counts = torch.bincount(idx, minlength=num_embeddings)       # (V,)
        grad = grad / counts[idx].unsqueeze(1).to(grad.dtype)
    if padding_idx is not None:
        keep = idx != padding_idx              # skip, never add-then-zero: NaNs at padding stay out
        idx, grad = idx[keep], grad[keep]
    acc = torch.float64 if grad.dtype == torch.float64 else torch.float32
    out = torch.zeros(num_embeddings, D, dtype=acc, device=grad_output.device)
    out.index_add_(0, idx, grad.to(acc))
    return out.to(grad_output.dtype)


def embedding_renorm_(weight, indices, max_norm, norm_type=2.0):
    """In place: rows of weight (V, D) named in indices whose norm exceeds max_norm are scaled down."""
    with torch.no_grad():
        _check_indices(indices, weight.shape[0])
        rows = torch.unique(indices.reshape(-1).long())                        # each row once
        norms = torch.linalg.vector_norm(weight[rows], ord=norm_type, dim=1)  # in weight's dtype
        norms = norms.double()
        too_big = norms > max_norm
        rows, norms = rows[too_big], norms[too_big]
        scale = (max_norm / (norms + 1e-7)).to(weight.dtype)                  # scale rounded to dtype
        weight[rows] = weight[rows] * scale.unsqueeze(1)
    return weight


class _EmbeddingFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, indices, weight, padding_idx, scale_grad_by_freq):
        ctx.save_for_backward(indices)
        ctx.num_embeddings = weight.shape[0]
        ctx.padding_idx, ctx.scale_grad_by_freq = padding_idx, scale_grad_by_freq
        return one_hot_lookup(indices, weight, columns=torch.arange(weight.shape[0], device=weight.device))

    @staticmethod
    def backward(ctx, grad_output):
        (indices,) = ctx.saved_tensors
        grad_weight = embedding_backward(grad_output, indices, ctx.num_embeddings,
                                         ctx.padding_idx, ctx.scale_grad_by_freq)
        return None, grad_weight, None, None


class Embedding(nn.Module):
    """A drop-in for torch.nn.Embedding built on the three functions above."""

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, max_norm=None, norm_type=2.0,
                 scale_grad_by_freq=False, sparse=False, _weight=None, _freeze=False,
                 device=None, dtype=None):
        super().__init__()
        if sparse:
            raise NotImplementedError("Embedding(sparse=True): this implementation only makes dense gradients")
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.padding_idx = _normalise_padding_idx(padding_idx, num_embeddings)
        self.max_norm, self.norm_type = max_norm, norm_type
        self.scale_grad_by_freq, self.sparse = scale_grad_by_freq, sparse
        if _weight is None:
            self.weight = nn.Parameter(torch.empty(num_embeddings, embedding_dim, device=device, dtype=dtype),
                                       requires_grad=not _freeze)
            self.reset_parameters()
        else:
            if list(_weight.shape) != [num_embeddings, embedding_dim]:
                raise AssertionError("Shape of weight does not match num_embeddings and embedding_dim")
            self.weight = nn.Parameter(_weight, requires_grad=not _freeze)

    def reset_parameters(self):
        nn.init.normal_(self.weight)
        if self.padding_idx is not None:
            with torch.no_grad():
                self.weight[self.padding_idx].fill_(0)

    def forward(self, input):
        if self.max_norm is not None:
            input = input.contiguous()
            embedding_renorm_(self.weight.detach(), input, self.max_norm, self.norm_type)
        return _EmbeddingFunction.apply(input, self.weight, self.padding_idx, self.scale_grad_by_freq)

    def extra_repr(self):
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq is not False:
            s += f", scale_grad_by_freq={self.scale_grad_by_freq}"
        if self.sparse is not False:
            s += ", sparse=True"
        return s

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None, max_norm=None, norm_type=2.0,
                        scale_grad_by_freq=False, sparse=False):
        if embeddings.dim() != 2:
            raise AssertionError("Embeddings parameter is expected to be 2-dimensional")
        rows, cols = embeddings.shape
        return cls(rows, cols, _weight=embeddings, _freeze=freeze, padding_idx=padding_idx,
                   max_norm=max_norm, norm_type=norm_type, scale_grad_by_freq=scale_grad_by_freq,
                   sparse=sparse)
