"""The lookup indexes the table (weight[indices]) instead of multiplying a one-hot matrix by it: right values, but not the one-hot product the part asks for."""
BREAKS = ('one_hot_lookup',)
FAILS = (
    'one_hot_lookup::is_a_one_hot_product',
)


def one_hot_lookup(indices, weight):
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    _check_indices(indices, weight.shape[0])
    return weight[indices.long()]
