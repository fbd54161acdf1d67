"""The product uses weight.detach(), so the lookup's output carries no gradient back to the table."""
BREAKS = ("one_hot_lookup",)


def one_hot_lookup(indices, weight):
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    _check_indices(indices, weight.shape[0])
    return F.one_hot(indices.long(), weight.shape[0]).to(weight.dtype) @ weight.detach()
