"""The renorm writes the scaled rows through weight.data: the values are right, but the weight's
version counter does not move, so autograd cannot see the change (torch's documented in-place
error silently disappears)."""
BREAKS = ("embedding_renorm",)
FAILS = ("embedding_renorm::bumps_the_version",)


def embedding_renorm_(weight, indices, max_norm, norm_type=2.0):
    with torch.no_grad():
        _check_indices(indices, weight.shape[0])
        rows = torch.unique(indices.reshape(-1).long())
        norms = torch.linalg.vector_norm(weight[rows], ord=norm_type, dim=1).double()
        too_big = norms > max_norm
        rows, norms = rows[too_big], norms[too_big]
        scale = (max_norm / (norms + 1e-7)).to(weight.dtype)
        weight.data[rows] = weight.data[rows] * scale.unsqueeze(1)
    return weight
