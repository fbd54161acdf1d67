"""The renorm works on a clone and returns it, leaving the caller's weight unchanged (not in place)."""
BREAKS = ("embedding_renorm", "embedding_module")


def embedding_renorm_(weight, indices, max_norm, norm_type=2.0):
    with torch.no_grad():
        _check_indices(indices, weight.shape[0])
        weight = weight.clone()
        rows = torch.unique(indices.reshape(-1).long())
        norms = torch.linalg.vector_norm(weight[rows], ord=norm_type, dim=1).double()
        big = norms > max_norm
        rows, norms = rows[big], norms[big]
        weight[rows] = weight[rows] * (max_norm / (norms + 1e-7)).to(weight.dtype).unsqueeze(1)
    return weight
