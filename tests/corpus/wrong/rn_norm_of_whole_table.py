"""The renorm measures the norm of the whole table (all rows at once) instead of each looked-up row,
then scales every looked-up row by that one factor."""
BREAKS = ("embedding_renorm", "embedding_module")


def embedding_renorm_(weight, indices, max_norm, norm_type=2.0):
    with torch.no_grad():
        _check_indices(indices, weight.shape[0])
        rows = torch.unique(indices.reshape(-1).long())
        norm = torch.linalg.vector_norm(weight, ord=norm_type)
        if norm > max_norm:
            weight[rows] = weight[rows] * (max_norm / (norm + 1e-7))
    return weight
