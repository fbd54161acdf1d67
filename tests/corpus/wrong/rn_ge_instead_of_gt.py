"""Rows whose norm equals max_norm exactly are renormed too (>= instead of >), which shrinks them by the epsilon."""
BREAKS = ('embedding_renorm',)
FAILS = (
    'embedding_renorm::only_norms_strictly_above_max_norm',
)


def embedding_renorm_(weight, indices, max_norm, norm_type=2.0):
    with torch.no_grad():
        _check_indices(indices, weight.shape[0])
        rows = torch.unique(indices.reshape(-1).long())
        norms = torch.linalg.vector_norm(weight[rows], ord=norm_type, dim=1).double()
        big = norms >= max_norm
        rows, norms = rows[big], norms[big]
        weight[rows] = weight[rows] * (max_norm / (norms + 1e-7)).to(weight.dtype).unsqueeze(1)
    return weight
