"""The indices go to F.one_hot as they are, so int32 indices raise (F.one_hot only takes int64)."""
BREAKS = ('one_hot_lookup',)
FAILS = (
    'one_hot_lookup::every_kind_of_input',
    'one_hot_lookup::int32_indices',
    'one_hot_lookup::random_shapes',
)


def one_hot_lookup(indices, weight):
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    _check_indices(indices, weight.shape[0])
    return F.one_hot(indices, weight.shape[0]).to(weight.dtype) @ weight
