"""Style: plain Python loops over the indices (slow, but right).

The one-hot matrix is filled one index at a time and multiplied once; the backward walks the
indices in order and adds one grad_output row at a time (exactly torch's CPU order); the renorm
walks the sorted distinct rows and rescales each with Python floats. Only `.tolist()` and
per-row tensor ops: no vectorised tricks.
"""
import torch
from torch import nn


def _as_list(indices, num_embeddings):
    if indices.dtype != torch.int64 and indices.dtype != torch.int32:
        raise RuntimeError("indices must be a Long or Int tensor, got " + str(indices.dtype))
    flat = indices.reshape(-1).tolist()
    for k in flat:
        if k < 0 or k >= num_embeddings:
            raise IndexError(f"index {k} is out of range for {num_embeddings} embeddings")
    return flat


def one_hot_lookup(indices, weight):
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    num_embeddings, embedding_dim = weight.shape
    flat = _as_list(indices, num_embeddings)
    one_hot = torch.zeros(len(flat), num_embeddings, dtype=weight.dtype, device=weight.device)
    for position, k in enumerate(flat):
        one_hot[position, k] = 1
    out = one_hot @ weight
    return out.reshape(*indices.shape, embedding_dim)


def _padding(padding_idx, num_embeddings):
    if padding_idx is None:
        return None
    if padding_idx >= num_embeddings or padding_idx < -num_embeddings:
        raise AssertionError("Padding_idx must be within num_embeddings")
    if padding_idx < 0:
        padding_idx = padding_idx + num_embeddings
    return padding_idx


def embedding_backward(grad_output, indices, num_embeddings, padding_idx=None, scale_grad_by_freq=False):
    padding_idx = _padding(padding_idx, num_embeddings)
    flat = _as_list(indices, num_embeddings)
    embedding_dim = grad_output.shape[-1]
    rows = grad_output.reshape(len(flat), embedding_dim)
    counts = {}
    for k in flat:
        counts[k] = counts.get(k, 0) + 1
    grad_weight = torch.zeros(num_embeddings, embedding_dim, dtype=grad_output.dtype, device=grad_output.device)
    for position, k in enumerate(flat):
        if k == padding_idx:
            continue                      # skipped, never added: a NaN there cannot leak
        if scale_grad_by_freq:
            grad_weight[k].add_(rows[position], alpha=1.0 / counts[k])
        else:
            grad_weight[k].add_(rows[position])
    return grad_weight


def embedding_renorm_(weight, indices, max_norm, norm_type=2.0):
    flat = _as_list(indices, weight.shape[0])
    with torch.no_grad():
        for k in sorted(set(flat)):
            norm = torch.linalg.vector_norm(weight[k], ord=norm_type).item()
            if norm > max_norm:
                weight[k] *= max_norm / (norm + 1e-7)
    return weight


class _Lookup(torch.autograd.Function):
    @staticmethod
    def forward(ctx, weight, indices, padding_idx, scale_grad_by_freq):
        ctx.save_for_backward(indices)
        ctx.num_embeddings = weight.shape[0]
        ctx.padding_idx = padding_idx
        ctx.scale_grad_by_freq = scale_grad_by_freq
        return one_hot_lookup(indices, weight)

    @staticmethod
    def backward(ctx, grad_output):
        indices, = ctx.saved_tensors
        grad = embedding_backward(grad_output, indices, ctx.num_embeddings, ctx.padding_idx,
                                  ctx.scale_grad_by_freq)
        return grad, None, None, None


class Embedding(nn.Module):
    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, max_norm=None, norm_type=2.0,
                 scale_grad_by_freq=False, sparse=False, _weight=None, _freeze=False, device=None, dtype=None):
        super().__init__()
        if sparse:
            raise NotImplementedError("sparse=True is not supported: gradients here are always dense")
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.padding_idx = _padding(padding_idx, num_embeddings)
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.sparse = sparse
        if _weight is None:
            self.weight = nn.Parameter(torch.empty(num_embeddings, embedding_dim, device=device, dtype=dtype),
                                       requires_grad=not _freeze)
            self.reset_parameters()
        else:
            if tuple(_weight.shape) != (num_embeddings, embedding_dim):
                raise AssertionError("Shape of weight does not match num_embeddings and embedding_dim")
            self.weight = nn.Parameter(_weight, requires_grad=not _freeze)

    def reset_parameters(self):
        with torch.no_grad():
            self.weight.normal_()
            if self.padding_idx is not None:
                for j in range(self.embedding_dim):
                    self.weight[self.padding_idx, j] = 0

    def forward(self, input):
        if self.max_norm is not None:
            embedding_renorm_(self.weight.detach(), input, self.max_norm, self.norm_type)
        return _Lookup.apply(self.weight, input, self.padding_idx, self.scale_grad_by_freq)

    def extra_repr(self):
        parts = [str(self.num_embeddings), str(self.embedding_dim)]
        if self.padding_idx is not None:
            parts.append("padding_idx=" + str(self.padding_idx))
        if self.max_norm is not None:
            parts.append("max_norm=" + str(self.max_norm))
        if self.norm_type != 2:
            parts.append("norm_type=" + str(self.norm_type))
        if self.scale_grad_by_freq is not False:
            parts.append("scale_grad_by_freq=" + str(self.scale_grad_by_freq))
        if self.sparse is not False:
            parts.append("sparse=True")
        return ", ".join(parts)

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None, max_norm=None, norm_type=2.0,
                        scale_grad_by_freq=False, sparse=False):
        if embeddings.dim() != 2:
            raise AssertionError("Embeddings parameter is expected to be 2-dimensional")
        return cls(embeddings.shape[0], embeddings.shape[1], padding_idx=padding_idx, max_norm=max_norm,
                   norm_type=norm_type, scale_grad_by_freq=scale_grad_by_freq, sparse=sparse,
                   _weight=embeddings, _freeze=freeze)
