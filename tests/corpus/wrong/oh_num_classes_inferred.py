"""The one-hot width is inferred from the data (F.one_hot without num_classes, i.e. indices.max() + 1), so it is too narrow whenever the last rows are not looked up, and empty indices fail."""
BREAKS = ('one_hot_lookup',)
FAILS = (
    'one_hot_lookup::empty_indices',
    'one_hot_lookup::large_table',
    'one_hot_lookup::largest_index_below_V',
    'one_hot_lookup::output_is_a_new_tensor',
    'one_hot_lookup::random_shapes',
    'one_hot_lookup::scalar_index',
)


def one_hot_lookup(indices, weight):
    _check_indices(indices, weight.shape[0])
    one_hot = F.one_hot(indices.long()).to(weight.dtype)
    return one_hot @ weight
