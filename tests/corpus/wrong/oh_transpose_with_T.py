"""The product is written transposed as (weight.T @ one_hot.T).T, but .T reverses every dimension of an N-d one-hot, so anything but 1-D indices fails."""
BREAKS = ("one_hot_lookup", "embedding_module")


def one_hot_lookup(indices, weight):
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    _check_indices(indices, weight.shape[0])
    one_hot = F.one_hot(indices.long(), weight.shape[0]).to(weight.dtype)
    return (weight.T @ one_hot.T).T
