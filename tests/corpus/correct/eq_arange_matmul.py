"""Style: a one-hot built by broadcasting `indices[..., None] == arange(V)`, the `@` operator, and a
backward that is the one-hot transpose product `one_hot.T @ grad_output`.

The backward is the same linear map as the forward, transposed: padding positions get zero rows
of grad_output first (torch.where, so a NaN there cannot reach the product), scale_grad_by_freq
divides each one-hot column by its count. The renorm computes one factor per row (1 for rows not
named or short enough) and multiplies the whole table once.
"""
import torch
from torch import nn


def _one_hot(indices, num_embeddings, dtype, device):
    """(*indices.shape, V) in `dtype`: 1 where the index matches the column, else 0."""
    if indices.dtype not in (torch.int64, torch.int32):
        raise RuntimeError(f"indices must be int64 or int32, not {indices.dtype}")
    if indices.numel() and (indices.min().item() < 0 or indices.max().item() >= num_embeddings):
        raise IndexError(f"an index is outside [0, {num_embeddings})")
    columns = torch.arange(num_embeddings, device=indices.device)
    return (indices.unsqueeze(-1) == columns).to(dtype=dtype, device=device)


def one_hot_lookup(indices, weight):
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    return _one_hot(indices, weight.shape[0], weight.dtype, weight.device) @ weight


def _padding(padding_idx, num_embeddings):
    if padding_idx is None:
        return None
    if not (-num_embeddings <= padding_idx <= num_embeddings - 1):
        raise AssertionError("Padding_idx must be within num_embeddings")
    return padding_idx if padding_idx >= 0 else num_embeddings + padding_idx


def embedding_backward(grad_output, indices, num_embeddings, padding_idx=None, scale_grad_by_freq=False):
    padding_idx = _padding(padding_idx, num_embeddings)
    D = grad_output.shape[-1]
    one_hot = _one_hot(indices.reshape(-1), num_embeddings, grad_output.dtype, grad_output.device)  # (N, V)
    grad = grad_output.reshape(indices.numel(), D)        # (N, D)
    if padding_idx is not None:
        at_padding = (indices.reshape(-1) == padding_idx).unsqueeze(-1).to(grad.device)
        grad = torch.where(at_padding, torch.zeros((), dtype=grad.dtype, device=grad.device), grad)
    if scale_grad_by_freq:
        counts = one_hot.sum(dim=0, dtype=torch.float64).clamp(min=1)                               # (V,)
        one_hot = one_hot / counts.to(one_hot.dtype)
    return one_hot.T @ grad                                                                          # (V, D)


def embedding_renorm_(weight, indices, max_norm, norm_type=2.0):
    V = weight.shape[0]
    named = _one_hot(indices.reshape(-1), V, torch.bool, weight.device).any(dim=0)                    # (V,)
    with torch.no_grad():
        norms = torch.linalg.vector_norm(weight, ord=norm_type, dim=1).double()
        factor = torch.where(named & (norms > max_norm), max_norm / (norms + 1e-7), torch.ones_like(norms))
        weight.mul_(factor.to(weight.dtype).unsqueeze(1))
    return weight


class _Lookup(torch.autograd.Function):
    @staticmethod
    def forward(ctx, weight, indices, padding_idx, scale_grad_by_freq):
        ctx.save_for_backward(indices)
        ctx.V, ctx.padding_idx, ctx.scale_grad_by_freq = weight.shape[0], padding_idx, scale_grad_by_freq
        return one_hot_lookup(indices, weight)

    @staticmethod
    def backward(ctx, grad_output):
        indices, = ctx.saved_tensors
        return embedding_backward(grad_output, indices, ctx.V, ctx.padding_idx, ctx.scale_grad_by_freq), None, None, None


class Embedding(nn.Module):
    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, max_norm=None, norm_type=2.0,
                 scale_grad_by_freq=False, sparse=False, _weight=None, _freeze=False, device=None, dtype=None):
        super().__init__()
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.padding_idx = _padding(padding_idx, num_embeddings)
        self.max_norm, self.norm_type = max_norm, norm_type
        self.scale_grad_by_freq, self.sparse = scale_grad_by_freq, sparse
        if sparse:
            raise NotImplementedError("sparse=True: only dense gradients are implemented")
        if _weight is None:
            self.weight = nn.Parameter(torch.randn(num_embeddings, embedding_dim, device=device, dtype=dtype),
                                       requires_grad=not _freeze)
            if self.padding_idx is not None:
                with torch.no_grad():
                    self.weight[self.padding_idx] = 0.0
        else:
            if _weight.dim() != 2 or tuple(_weight.shape) != (num_embeddings, embedding_dim):
                raise AssertionError("Shape of weight does not match num_embeddings and embedding_dim")
            self.weight = nn.Parameter(_weight, requires_grad=not _freeze)

    def reset_parameters(self):
        with torch.no_grad():
            self.weight.copy_(torch.randn_like(self.weight))
            if self.padding_idx is not None:
                self.weight[self.padding_idx] = 0.0

    def forward(self, input):
        if self.max_norm is not None:
            embedding_renorm_(self.weight.detach(), input, self.max_norm, self.norm_type)
        return _Lookup.apply(self.weight, input, self.padding_idx, self.scale_grad_by_freq)

    def extra_repr(self):
        out = [f"{self.num_embeddings}", f"{self.embedding_dim}"]
        if self.padding_idx is not None:
            out.append(f"padding_idx={self.padding_idx}")
        if self.max_norm is not None:
            out.append(f"max_norm={self.max_norm}")
        if self.norm_type != 2:
            out.append(f"norm_type={self.norm_type}")
        if self.scale_grad_by_freq is not False:
            out.append(f"scale_grad_by_freq={self.scale_grad_by_freq}")
        if self.sparse is not False:
            out.append("sparse=True")
        return ", ".join(out)

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None, max_norm=None, norm_type=2.0,
                        scale_grad_by_freq=False, sparse=False):
        if embeddings.dim() != 2:
            raise AssertionError("Embeddings parameter is expected to be 2-dimensional")
        return cls(embeddings.shape[0], embeddings.shape[1], padding_idx, max_norm, norm_type,
                   scale_grad_by_freq, sparse, _weight=embeddings, _freeze=freeze)
