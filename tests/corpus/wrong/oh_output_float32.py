"""The one-hot product is done in float32 (.float() on both sides), so a float64 table gives a float32 result."""
BREAKS = ("one_hot_lookup", "embedding_module")


def one_hot_lookup(indices, weight):
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    _check_indices(indices, weight.shape[0])
    return F.one_hot(indices.long(), weight.shape[0]).float() @ weight.float()
