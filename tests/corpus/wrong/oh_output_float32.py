"""The one-hot product is done in float32 (.float() on both sides), so a float64 table gives a float32 result."""
BREAKS = ('one_hot_lookup',)
FAILS = (
    'one_hot_lookup::empty_indices',
    'one_hot_lookup::int32_indices',
    'one_hot_lookup::largest_index_below_V',
    'one_hot_lookup::lecture_example',
    'one_hot_lookup::random_shapes',
    'one_hot_lookup::scalar_index',
)


def one_hot_lookup(indices, weight):
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    _check_indices(indices, weight.shape[0])
    return F.one_hot(indices.long(), weight.shape[0]).float() @ weight.float()
