"""A bool index tensor is treated as a mask (the positions of its True entries become the indices), as weight[mask] would, instead of being refused."""
BREAKS = ('one_hot_lookup',)
FAILS = (
    'one_hot_lookup::rejects_bad_index_dtypes',
)


def one_hot_lookup(indices, weight):
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    if indices.dtype == torch.bool:
        indices = indices.nonzero().squeeze(-1)
    _check_indices(indices, weight.shape[0])
    return F.one_hot(indices.long(), weight.shape[0]).to(weight.dtype) @ weight
