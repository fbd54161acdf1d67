"""Every row of the table whose norm exceeds max_norm is renormed, not only the rows named in the indices."""
BREAKS = ("embedding_renorm", "embedding_module")


def embedding_renorm_(weight, indices, max_norm, norm_type=2.0):
    with torch.no_grad():
        _check_indices(indices, weight.shape[0])
        norms = torch.linalg.vector_norm(weight, ord=norm_type, dim=1).double()
        rows = torch.nonzero(norms > max_norm).squeeze(1)
        scale = (max_norm / (norms[rows] + 1e-7)).to(weight.dtype)
        weight[rows] = weight[rows] * scale.unsqueeze(1)
    return weight
