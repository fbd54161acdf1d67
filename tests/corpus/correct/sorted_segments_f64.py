"""Style: sort first, sum per segment in float64. The backward sorts the indices (stable argsort),
sums each run of equal indices with torch.segment_reduce in float64 and casts back once; the
lookup is torch.tensordot of an F.one_hot matrix and the table; the renorm is a Python loop over
the distinct rows, measuring each with torch.norm.

The backward's summation order (sorted, float64) differs from torch's (input order, storage
dtype), which the gradient tolerance allows: the result is as close or closer to the exact sum.
"""
import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["one_hot_lookup", "embedding_backward", "embedding_renorm_", "Embedding"]


def _flat_indices(indices, num_embeddings):
    if indices.dtype not in {torch.int32, torch.int64}:
        raise RuntimeError(f"indices must be Long or Int, got {indices.dtype}")
    flat = indices.reshape(-1).to(torch.int64)
    if flat.numel() > 0:
        if flat.min().item() < 0:
            raise IndexError("negative indices are not allowed (no wrap-around)")
        if flat.max().item() >= num_embeddings:
            raise IndexError(f"index {flat.max().item()} is out of range for {num_embeddings} rows")
    return flat


def one_hot_lookup(indices, weight):
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    V, D = weight.shape
    flat = _flat_indices(indices, V)
    one_hot = F.one_hot(flat, V).to(dtype=weight.dtype)
    return torch.tensordot(one_hot, weight, dims=1).reshape(*indices.shape, D)


def _resolve_padding(padding_idx, num_embeddings):
    if padding_idx is None:
        return None
    resolved = padding_idx + num_embeddings if padding_idx < 0 else padding_idx
    if resolved < 0 or resolved >= num_embeddings:
        raise AssertionError("Padding_idx must be within num_embeddings")
    return resolved


def embedding_backward(grad_output, indices, num_embeddings, padding_idx=None, scale_grad_by_freq=False):
    padding_idx = _resolve_padding(padding_idx, num_embeddings)
    flat = _flat_indices(indices, num_embeddings)
    D = grad_output.shape[-1]
    result = torch.zeros(num_embeddings, D, dtype=torch.float64, device=grad_output.device)
    if flat.numel() == 0:
        return result.to(grad_output.dtype)
    g = grad_output.reshape(indices.numel(), D)
    order = torch.argsort(flat, stable=True)
    sorted_idx, sorted_g = flat[order], g[order].to(torch.float64)
    rows, lengths = torch.unique_consecutive(sorted_idx, return_counts=True)
    sums = torch.segment_reduce(sorted_g, "sum", lengths=lengths, axis=0)   # (n_rows, D), float64
    if scale_grad_by_freq:
        sums = sums / lengths.to(torch.float64).unsqueeze(1)
    if padding_idx is not None:
        keep = rows != padding_idx            # the padding segment (NaN or not) is dropped whole
        rows, sums = rows[keep], sums[keep]
    result[rows] = sums
    return result.to(grad_output.dtype)


def embedding_renorm_(weight, indices, max_norm, norm_type=2.0):
    flat = _flat_indices(indices, weight.shape[0])
    with torch.no_grad():
        for row in torch.unique(flat).tolist():
            norm = float(torch.norm(weight[row], p=norm_type))
            if norm > max_norm:
                factor = torch.tensor(max_norm / (norm + 1e-7), dtype=torch.float64).to(weight.dtype)
                weight[row].mul_(factor)
    return weight


class _EmbeddingLookup(torch.autograd.Function):
    @staticmethod
    def forward(ctx, indices, weight, padding_idx, scale_grad_by_freq):
        ctx.save_for_backward(indices)
        ctx.num_weights = weight.size(0)
        ctx.padding_idx = padding_idx
        ctx.scale_grad_by_freq = scale_grad_by_freq
        return one_hot_lookup(indices, weight)

    @staticmethod
    def backward(ctx, grad_output):
        indices, = ctx.saved_tensors
        grad_weight = None
        if ctx.needs_input_grad[1]:
            grad_weight = embedding_backward(grad_output, indices, ctx.num_weights, ctx.padding_idx,
                                             ctx.scale_grad_by_freq)
        return None, grad_weight, None, None


class Embedding(nn.Module):
    """nn.Embedding's interface over one_hot_lookup / embedding_backward / embedding_renorm_."""

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, max_norm=None, norm_type=2.0,
                 scale_grad_by_freq=False, sparse=False, _weight=None, _freeze=False, device=None, dtype=None):
        super().__init__()
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.padding_idx = _resolve_padding(padding_idx, num_embeddings)
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.sparse = sparse
        if _weight is None:
            self.register_parameter("weight", nn.Parameter(
                torch.empty(num_embeddings, embedding_dim, device=device, dtype=dtype), requires_grad=not _freeze))
            self.reset_parameters()
        else:
            assert list(_weight.shape) == [num_embeddings, embedding_dim], \
                "Shape of weight does not match num_embeddings and embedding_dim"
            self.register_parameter("weight", nn.Parameter(_weight, requires_grad=not _freeze))

    def reset_parameters(self):
        nn.init.normal_(self.weight, mean=0.0, std=1.0)
        if self.padding_idx is not None:
            with torch.no_grad():
                self.weight[self.padding_idx].fill_(0.0)

    def forward(self, input):
        if self.sparse:
            raise NotImplementedError("sparse gradients are not supported; construct with sparse=False")
        if self.max_norm is not None:
            embedding_renorm_(self.weight.detach(), input, self.max_norm, self.norm_type)
        return _EmbeddingLookup.apply(input, self.weight, self.padding_idx, self.scale_grad_by_freq)

    def extra_repr(self):
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        for name, shown in (("padding_idx", self.padding_idx is not None), ("max_norm", self.max_norm is not None),
                            ("norm_type", self.norm_type != 2),
                            ("scale_grad_by_freq", self.scale_grad_by_freq is not False)):
            if shown:
                s += f", {name}={getattr(self, name)}"
        if self.sparse is not False:
            s += ", sparse=True"
        return s

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None, max_norm=None, norm_type=2.0,
                        scale_grad_by_freq=False, sparse=False):
        assert embeddings.dim() == 2, "Embeddings parameter is expected to be 2-dimensional"
        num_embeddings, embedding_dim = embeddings.shape
        return cls(num_embeddings, embedding_dim, padding_idx=padding_idx, max_norm=max_norm,
                   norm_type=norm_type, scale_grad_by_freq=scale_grad_by_freq, sparse=sparse,
                   _weight=embeddings, _freeze=freeze)
