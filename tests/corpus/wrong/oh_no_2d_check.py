"""The table's shape is never checked, so a 1-D weight is silently accepted (the product becomes a matrix-vector product)."""
BREAKS = ("one_hot_lookup",)


def one_hot_lookup(indices, weight):
    _check_indices(indices, weight.shape[0])
    return F.one_hot(indices.long(), weight.shape[0]).to(weight.dtype) @ weight
