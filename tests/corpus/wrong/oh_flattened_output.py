"""The indices are flattened for the one-hot but the result is never reshaped back, so (B, T) indices give (B*T, D) instead of (B, T, D) and a 0-d index gives (1, D)."""
BREAKS = ("one_hot_lookup", "embedding_module")


def one_hot_lookup(indices, weight):
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    _check_indices(indices, weight.shape[0])
    return F.one_hot(indices.reshape(-1).long(), weight.shape[0]).to(weight.dtype) @ weight
