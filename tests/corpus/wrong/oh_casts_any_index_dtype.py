"""Any index dtype is accepted by casting with .long(), so float, int16, uint8 and bool indices are looked up instead of refused."""
BREAKS = ('one_hot_lookup',)
FAILS = (
    'one_hot_lookup::rejects_bad_index_dtypes',
)


def one_hot_lookup(indices, weight):
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    indices = indices.long()
    _check_indices(indices, weight.shape[0])
    return F.one_hot(indices, weight.shape[0]).to(weight.dtype) @ weight
