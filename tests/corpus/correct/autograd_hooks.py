"""Style: no custom autograd.Function; the module wires its gradient with tensor hooks.

The forward value is one_hot_lookup on the detached table, plus an exact zero taken from an
empty slice of a view of the weight, which links the output to the weight in autograd's graph
without multiplying anything (so an inf or NaN in the table cannot spread through it). A hook on
the output saves grad_output; a hook on the view replaces the (all-zero) gradient autograd would
send to the weight with embedding_backward's. Because the hook sits on a per-call view, tied
weights used elsewhere keep their own gradients, and padding positions are skipped exactly as in
embedding_backward (a NaN there never reaches the table). The functions use torch.bincount for
the counts, index_add_ in the storage dtype for the backward, and a gathered renorm.
"""
import torch
import torch.nn.functional as F
from torch import nn


def _check(indices, n):
    if indices.dtype is not torch.int64 and indices.dtype is not torch.int32:
        raise RuntimeError(f"indices: expected int64 or int32, got {indices.dtype}")
    if indices.numel() and not (0 <= int(indices.min()) and int(indices.max()) < n):
        raise IndexError(f"index out of range for a table of {n} rows")


def one_hot_lookup(indices, weight):
    if weight.ndim != 2:
        raise RuntimeError("'weight' must be 2-D")
    _check(indices, weight.shape[0])
    return F.one_hot(indices.long(), weight.shape[0]).type(weight.dtype).matmul(weight)


def _pad(padding_idx, n):
    if padding_idx is None:
        return None
    if padding_idx >= n or padding_idx < -n:
        raise AssertionError("Padding_idx must be within num_embeddings")
    return padding_idx + n if padding_idx < 0 else padding_idx


def embedding_backward(grad_output, indices, num_embeddings, padding_idx=None, scale_grad_by_freq=False):
    padding_idx = _pad(padding_idx, num_embeddings)
    _check(indices, num_embeddings)
    idx = indices.flatten().long()
    g = grad_output.reshape(idx.numel(), grad_output.shape[-1])
    out = grad_output.new_zeros(num_embeddings, grad_output.shape[-1])
    if padding_idx is not None:
        mask = idx != padding_idx
        idx_kept, g = idx[mask], g[mask]
    else:
        idx_kept = idx
    if scale_grad_by_freq:
        freq = torch.bincount(idx, minlength=num_embeddings).to(g.dtype)
        g = g / freq[idx_kept].unsqueeze(-1)
    return out.index_add_(0, idx_kept, g)


def embedding_renorm_(weight, indices, max_norm, norm_type=2.0):
    _check(indices, weight.shape[0])
    with torch.no_grad():
        rows = indices.flatten().long().unique()
        picked = weight.index_select(0, rows)
        norms = picked.norm(p=norm_type, dim=1).double()
        big = norms > max_norm
        scale = torch.where(big, max_norm / (norms + 1e-7), torch.ones_like(norms)).to(weight.dtype)
        weight.index_copy_(0, rows[big], picked[big] * scale[big].unsqueeze(1))
    return weight


class Embedding(nn.Module):
    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, max_norm=None, norm_type=2.0,
                 scale_grad_by_freq=False, sparse=False, _weight=None, _freeze=False, device=None, dtype=None):
        super().__init__()
        if sparse:
            raise NotImplementedError("sparse=True is not implemented (dense gradients only)")
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.padding_idx = _pad(padding_idx, num_embeddings)
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.sparse = sparse
        if _weight is None:
            self.weight = nn.Parameter(torch.empty(num_embeddings, embedding_dim, device=device, dtype=dtype))
            self.reset_parameters()
        elif list(_weight.shape) == [num_embeddings, embedding_dim]:
            self.weight = nn.Parameter(_weight)
        else:
            raise AssertionError("Shape of weight does not match num_embeddings and embedding_dim")
        self.weight.requires_grad_(not _freeze)

    def reset_parameters(self):
        torch.nn.init.normal_(self.weight)
        if self.padding_idx is not None:
            with torch.no_grad():
                self.weight[self.padding_idx] = torch.zeros_like(self.weight[self.padding_idx])

    def forward(self, input):
        if self.max_norm is not None:
            embedding_renorm_(self.weight.detach(), input, self.max_norm, self.norm_type)
        out = one_hot_lookup(input, self.weight.detach())
        if not (torch.is_grad_enabled() and self.weight.requires_grad):
            return out
        link = self.weight.view_as(self.weight)          # a per-call alias: its hook sees only this call
        out = out + link[:0].sum()                       # adds an exact 0 (sum of an empty slice)
        saved = {}
        V, padding_idx, sgbf = self.num_embeddings, self.padding_idx, self.scale_grad_by_freq

        def keep_grad_output(grad):
            saved["grad_output"] = grad

        def weight_grad(_zeros):
            return embedding_backward(saved["grad_output"], input, V, padding_idx, sgbf)

        out.register_hook(keep_grad_output)
        link.register_hook(weight_grad)
        return out

    def extra_repr(self):
        s = "{}, {}".format(self.num_embeddings, self.embedding_dim)
        if self.padding_idx is not None:
            s += ", padding_idx={}".format(self.padding_idx)
        if self.max_norm is not None:
            s += ", max_norm={}".format(self.max_norm)
        if self.norm_type != 2:
            s += ", norm_type={}".format(self.norm_type)
        if self.scale_grad_by_freq is not False:
            s += ", scale_grad_by_freq={}".format(self.scale_grad_by_freq)
        if self.sparse is not False:
            s += ", sparse=True"
        return s

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None, max_norm=None, norm_type=2.0,
                        scale_grad_by_freq=False, sparse=False):
        if embeddings.dim() != 2:
            raise AssertionError("Embeddings parameter is expected to be 2-dimensional")
        return cls(embeddings.size(0), embeddings.size(1), padding_idx=padding_idx, max_norm=max_norm,
                   norm_type=norm_type, scale_grad_by_freq=scale_grad_by_freq, sparse=sparse,
                   _weight=embeddings, _freeze=freeze)
