"""Negative indices are silently wrapped around (-1 becomes the last row, like Python lists) instead of raising."""
BREAKS = ('one_hot_lookup',)
FAILS = (
    'one_hot_lookup::rejects_out_of_range_indices',
)


def one_hot_lookup(indices, weight):
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    V = weight.shape[0]
    if indices.dtype not in (torch.int64, torch.int32):
        raise RuntimeError("indices must be int64 or int32")
    wrapped = torch.where(indices < 0, indices + V, indices).long()
    return F.one_hot(wrapped, V).to(weight.dtype) @ weight
