"""The product is written transposed as (weight.T @ one_hot.T).T, but .T reverses every dimension of an N-d one-hot, so anything but 1-D indices fails."""
BREAKS = ('one_hot_lookup',)
FAILS = (
    'one_hot_lookup::empty_indices',
    'one_hot_lookup::every_kind_of_input',
    'one_hot_lookup::int32_indices',
    'one_hot_lookup::large_table',
    'one_hot_lookup::largest_index_below_V',
    'one_hot_lookup::lecture_example',
    'one_hot_lookup::noncontiguous_inputs',
    'one_hot_lookup::random_shapes',
)


def one_hot_lookup(indices, weight):
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    _check_indices(indices, weight.shape[0])
    one_hot = F.one_hot(indices.long(), weight.shape[0]).to(weight.dtype)
    return (weight.T @ one_hot.T).T
