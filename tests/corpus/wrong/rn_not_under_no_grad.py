"""The in-place update runs outside torch.no_grad(), so it fails on a leaf tensor that requires grad."""
BREAKS = ('embedding_renorm',)
FAILS = (
    'embedding_renorm::bumps_the_version',
    'embedding_renorm::works_on_a_leaf_that_requires_grad',
)


def embedding_renorm_(weight, indices, max_norm, norm_type=2.0):
    _check_indices(indices, weight.shape[0])
    rows = torch.unique(indices.reshape(-1).long())
    norms = torch.linalg.vector_norm(weight[rows], ord=norm_type, dim=1).double()
    big = norms > max_norm
    rows, norms = rows[big], norms[big]
    weight[rows] = weight[rows] * (max_norm / (norms + 1e-7)).to(weight.dtype).unsqueeze(1)
    return weight
