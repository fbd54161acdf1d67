"""Every row of the table whose norm exceeds max_norm is renormed, not only the rows named in the indices."""
BREAKS = ('embedding_renorm',)
FAILS = (
    'embedding_renorm::int32_indices',
    'embedding_renorm::leaves_the_indices_alone',
    'embedding_renorm::norm_types',
    'embedding_renorm::random_settings',
    'embedding_renorm::renorms_only_the_indexed_rows',
    'embedding_renorm::tiny_norms_need_the_epsilon',
    'embedding_renorm::works_on_a_leaf_that_requires_grad',
)


def embedding_renorm_(weight, indices, max_norm, norm_type=2.0):
    with torch.no_grad():
        _check_indices(indices, weight.shape[0])
        norms = torch.linalg.vector_norm(weight, ord=norm_type, dim=1).double()
        rows = torch.nonzero(norms > max_norm).squeeze(1)
        scale = (max_norm / (norms[rows] + 1e-7)).to(weight.dtype)
        weight[rows] = weight[rows] * scale.unsqueeze(1)
    return weight
