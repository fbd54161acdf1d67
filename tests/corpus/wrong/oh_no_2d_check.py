"""The table's shape is never checked, so a 1-D weight is silently accepted (the product becomes a matrix-vector product)."""
BREAKS = ('one_hot_lookup',)
FAILS = (
    'one_hot_lookup::rejects_a_table_that_is_not_2d',
)


def one_hot_lookup(indices, weight):
    _check_indices(indices, weight.shape[0])
    return F.one_hot(indices.long(), weight.shape[0]).to(weight.dtype) @ weight
