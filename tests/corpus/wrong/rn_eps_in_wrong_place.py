"""The epsilon is added to the ratio (max_norm / norm + 1e-7) instead of to the norm (max_norm / (norm + 1e-7))."""
BREAKS = ('embedding_renorm',)
FAILS = (
    'embedding_renorm::norm_types',
    'embedding_renorm::only_norms_strictly_above_max_norm',
    'embedding_renorm::random_settings',
    'embedding_renorm::renorms_only_the_indexed_rows',
    'embedding_renorm::repeated_indices_renorm_once',
    'embedding_renorm::tiny_norms_need_the_epsilon',
    'embedding_renorm::works_on_a_leaf_that_requires_grad',
)


def embedding_renorm_(weight, indices, max_norm, norm_type=2.0):
    with torch.no_grad():
        _check_indices(indices, weight.shape[0])
        rows = torch.unique(indices.reshape(-1).long())
        norms = torch.linalg.vector_norm(weight[rows], ord=norm_type, dim=1).double()
        big = norms > max_norm
        rows, norms = rows[big], norms[big]
        weight[rows] = weight[rows] * (max_norm / norms + 1e-7).to(weight.dtype).unsqueeze(1)
    return weight
