"""Style: torch.einsum for the one-hot product, scatter_add_ for the backward, masks for the renorm.

The lookup is einsum("nv,vd->nd") of an F.one_hot matrix and the table; the backward scatters
grad rows into a zero table with an index expanded to (N, D); the renorm builds a boolean mask of
the rows named by the indices and rescales the masked rows that are too long, all at once.
"""
import torch
import torch.nn.functional as F
from torch import nn

INDEX_DTYPES = (torch.int64, torch.int32)


def validate_indices(indices, num_embeddings):
    if indices.dtype not in INDEX_DTYPES:
        raise RuntimeError(f"Expected indices of dtype Long or Int, got {indices.dtype}")
    if indices.numel() > 0:
        lo, hi = int(indices.min()), int(indices.max())
        if lo < 0 or hi >= num_embeddings:
            raise IndexError(f"indices must be in [0, {num_embeddings}); found {lo if lo < 0 else hi}")


def one_hot_lookup(indices, weight):
    if weight.ndim != 2:
        raise RuntimeError("'weight' must be 2-D")
    V, D = weight.shape
    validate_indices(indices, V)
    one_hot = F.one_hot(indices.reshape(-1).to(torch.int64), num_classes=V).to(weight.dtype)  # (N, V)
    out = torch.einsum("nv,vd->nd", one_hot, weight)                                        # (N, D)
    return out.reshape(indices.shape + (D,))


def normalise_padding_idx(padding_idx, num_embeddings):
    if padding_idx is not None:
        if padding_idx > 0:
            if padding_idx >= num_embeddings:
                raise AssertionError("Padding_idx must be within num_embeddings")
        elif padding_idx < 0:
            if padding_idx < -num_embeddings:
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx = num_embeddings + padding_idx
    return padding_idx


def embedding_backward(grad_output, indices, num_embeddings, padding_idx=None, scale_grad_by_freq=False):
    padding_idx = normalise_padding_idx(padding_idx, num_embeddings)
    validate_indices(indices, num_embeddings)
    D = grad_output.shape[-1]
    idx = indices.reshape(-1).to(torch.int64)
    g = grad_output.reshape(indices.numel(), D)
    if scale_grad_by_freq:
        counts = torch.zeros(num_embeddings, dtype=g.dtype, device=g.device)
        counts.scatter_add_(0, idx, torch.ones_like(idx, dtype=g.dtype))
        g = g * counts.reciprocal()[idx].unsqueeze(-1)
    if padding_idx is not None:
        keep = idx != padding_idx
        idx, g = idx[keep], g[keep]
    grad_weight = torch.zeros(num_embeddings, D, dtype=grad_output.dtype, device=grad_output.device)
    grad_weight.scatter_add_(0, idx.unsqueeze(-1).expand(-1, D), g)
    return grad_weight


@torch.no_grad()
def embedding_renorm_(weight, indices, max_norm, norm_type=2.0):
    V = weight.shape[0]
    validate_indices(indices, V)
    named = torch.zeros(V, dtype=torch.bool, device=weight.device)
    named[indices.reshape(-1).to(torch.int64)] = True
    norms = torch.linalg.vector_norm(weight, ord=norm_type, dim=-1).to(torch.float64)
    rows = torch.nonzero(named & (norms > max_norm)).squeeze(-1)
    factors = (max_norm / (norms[rows] + 1e-7)).to(weight.dtype)
    weight.index_copy_(0, rows, weight.index_select(0, rows) * factors[:, None])
    return weight


class EmbeddingFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, weight, indices, padding_idx, scale_grad_by_freq):
        ctx.save_for_backward(indices)
        ctx.config = (weight.shape[0], padding_idx, scale_grad_by_freq)
        return one_hot_lookup(indices, weight)

    @staticmethod
    def backward(ctx, grad_output):
        indices, = ctx.saved_tensors
        V, padding_idx, sgbf = ctx.config
        return embedding_backward(grad_output, indices, V, padding_idx, sgbf), None, None, None


class Embedding(nn.Module):
    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, max_norm=None, norm_type=2.0,
                 scale_grad_by_freq=False, sparse=False, _weight=None, _freeze=False, device=None, dtype=None):
        super().__init__()
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.padding_idx = normalise_padding_idx(padding_idx, num_embeddings)
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        if sparse:
            raise NotImplementedError("sparse gradients are not implemented; use sparse=False")
        self.sparse = sparse
        if _weight is not None:
            if list(_weight.shape) != [num_embeddings, embedding_dim]:
                raise AssertionError("Shape of weight does not match num_embeddings and embedding_dim")
            self.weight = nn.Parameter(_weight, requires_grad=not _freeze)
        else:
            factory = {"device": device, "dtype": dtype}
            self.weight = nn.Parameter(torch.empty((num_embeddings, embedding_dim), **factory),
                                       requires_grad=not _freeze)
            self.reset_parameters()

    def reset_parameters(self):
        nn.init.normal_(self.weight)
        if self.padding_idx is not None:
            with torch.no_grad():
                self.weight[self.padding_idx] = 0

    def forward(self, input):
        if self.max_norm is not None:
            embedding_renorm_(self.weight.detach(), input.contiguous(), self.max_norm, self.norm_type)
        return EmbeddingFn.apply(self.weight, input, self.padding_idx, self.scale_grad_by_freq)

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
        return s.format(**self.__dict__)

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None, max_norm=None, norm_type=2.0,
                        scale_grad_by_freq=False, sparse=False):
        assert embeddings.dim() == 2, "Embeddings parameter is expected to be 2-dimensional"
        V, D = embeddings.shape
        return cls(num_embeddings=V, embedding_dim=D, _weight=embeddings, _freeze=freeze,
                   padding_idx=padding_idx, max_norm=max_norm, norm_type=norm_type,
                   scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)
