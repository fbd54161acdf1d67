"""Every named row is multiplied by min(1, max_norm / (norm + 1e-7)) instead of testing norm > max_norm, so a row whose norm is exactly max_norm is shrunk."""
BREAKS = ('embedding_renorm',)
FAILS = (
    'embedding_renorm::only_norms_strictly_above_max_norm',
)


def embedding_renorm_(weight, indices, max_norm, norm_type=2.0):
    with torch.no_grad():
        _check_indices(indices, weight.shape[0])
        rows = torch.unique(indices.reshape(-1).long())
        norms = torch.linalg.vector_norm(weight[rows], ord=norm_type, dim=1).double()
        factor = (max_norm / (norms + 1e-7)).clamp(max=1.0).to(weight.dtype)
        weight[rows] = weight[rows] * factor.unsqueeze(1)
    return weight
