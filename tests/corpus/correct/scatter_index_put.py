"""Style: a hand-made one-hot (torch.zeros(...).scatter_(...)) times the table with torch.mm,
index_put_(accumulate=True) for the backward, torch.renorm for the max_norm rows.

Nothing from torch.nn.functional: the one-hot rows are scattered ones; the backward lets
index_put_ sum repeated indices (a different summation order from torch's, within tolerance);
the renorm hands the distinct named rows to torch.renorm, which scales rows whose p-norm exceeds
maxnorm by maxnorm / (norm + 1e-7), the same rule as torch.embedding_renorm_.
"""
import torch
from torch import nn


def _checked_long(indices, num_embeddings):
    """indices as a flat int64 tensor, after checking dtype and range."""
    if indices.dtype not in (torch.long, torch.int):
        raise RuntimeError(f"Expected tensor for 'indices' to have one of the following scalar types: "
                           f"Long, Int; but got {indices.dtype} instead")
    flat = indices.flatten().long()
    if flat.numel() and not bool(((flat >= 0) & (flat < num_embeddings)).all()):
        raise IndexError("index out of range in self")
    return flat


def one_hot_lookup(indices, weight):
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    num_embeddings, embedding_dim = weight.size()
    flat = _checked_long(indices, num_embeddings)
    one_hot = torch.zeros(flat.numel(), num_embeddings, dtype=weight.dtype, device=weight.device)
    one_hot.scatter_(1, flat.unsqueeze(1), 1.0)
    return torch.mm(one_hot, weight).view(*indices.shape, embedding_dim)


def _normalise(padding_idx, num_embeddings):
    if padding_idx is None:
        return None
    if padding_idx < -num_embeddings or padding_idx > num_embeddings - 1:
        raise AssertionError("Padding_idx must be within num_embeddings")
    return padding_idx % num_embeddings


def embedding_backward(grad_output, indices, num_embeddings, padding_idx=None, scale_grad_by_freq=False):
    padding_idx = _normalise(padding_idx, num_embeddings)
    flat = _checked_long(indices, num_embeddings)
    embedding_dim = grad_output.size(-1)
    rows = grad_output.reshape(flat.numel(), embedding_dim)
    if padding_idx is not None:
        kept = flat != padding_idx
    else:
        kept = torch.ones_like(flat, dtype=torch.bool)
    if scale_grad_by_freq:
        _, inverse, counts = torch.unique(flat, return_inverse=True, return_counts=True)
        rows = rows / counts[inverse].to(rows.dtype).unsqueeze(1)
    grad_weight = grad_output.new_zeros(num_embeddings, embedding_dim)
    grad_weight.index_put_((flat[kept],), rows[kept], accumulate=True)
    return grad_weight


def embedding_renorm_(weight, indices, max_norm, norm_type=2.0):
    flat = _checked_long(indices, weight.size(0))
    rows = torch.unique(flat)
    with torch.no_grad():
        weight[rows] = torch.renorm(weight[rows], p=norm_type, dim=0, maxnorm=max_norm)
    return weight


class _OneHotEmbedding(torch.autograd.Function):
    @staticmethod
    def forward(ctx, indices, weight, num_embeddings, padding_idx, scale_grad_by_freq):
        ctx.save_for_backward(indices)
        ctx.args = (num_embeddings, padding_idx, scale_grad_by_freq)
        return one_hot_lookup(indices, weight)

    @staticmethod
    def backward(ctx, grad_output):
        indices, = ctx.saved_tensors
        return None, embedding_backward(grad_output, indices, *ctx.args), None, None, None


class Embedding(nn.Module):
    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, max_norm=None, norm_type=2.0,
                 scale_grad_by_freq=False, sparse=False, _weight=None, _freeze=False, device=None, dtype=None):
        super().__init__()
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.padding_idx = _normalise(padding_idx, num_embeddings)
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.sparse = sparse
        if _weight is None:
            weight = torch.empty(num_embeddings, embedding_dim, device=device, dtype=dtype)
            self.weight = nn.Parameter(weight, requires_grad=not _freeze)
            self.reset_parameters()
        else:
            if _weight.shape != (num_embeddings, embedding_dim):
                raise AssertionError("Shape of weight does not match num_embeddings and embedding_dim")
            self.weight = nn.Parameter(_weight, requires_grad=not _freeze)

    def reset_parameters(self):
        with torch.no_grad():
            self.weight.normal_(0.0, 1.0)
            if self.padding_idx is not None:
                self.weight[self.padding_idx].zero_()

    def forward(self, input):
        if self.sparse:
            raise NotImplementedError("Embedding(sparse=True) is not supported by this implementation")
        if self.max_norm is not None:
            embedding_renorm_(self.weight.detach(), input, self.max_norm, self.norm_type)
        return _OneHotEmbedding.apply(input, self.weight, self.num_embeddings, self.padding_idx,
                                      self.scale_grad_by_freq)

    def extra_repr(self):
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            text += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            text += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            text += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq is not False:
            text += f", scale_grad_by_freq={self.scale_grad_by_freq}"
        if self.sparse is not False:
            text += ", sparse=True"
        return text

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None, max_norm=None, norm_type=2.0,
                        scale_grad_by_freq=False, sparse=False):
        if embeddings.dim() != 2:
            raise AssertionError("Embeddings parameter is expected to be 2-dimensional")
        module = cls(*embeddings.shape, _weight=embeddings, _freeze=freeze, padding_idx=padding_idx,
                     max_norm=max_norm, norm_type=norm_type, scale_grad_by_freq=scale_grad_by_freq,
                     sparse=sparse)
        return module
