"""The one-hot width is inferred from the data (F.one_hot without num_classes, i.e. indices.max() + 1), so it is too narrow whenever the last rows are not looked up, and empty indices fail."""
BREAKS = ("one_hot_lookup", "embedding_module")


def one_hot_lookup(indices, weight):
    _check_indices(indices, weight.shape[0])
    one_hot = F.one_hot(indices.long()).to(weight.dtype)
    return one_hot @ weight
