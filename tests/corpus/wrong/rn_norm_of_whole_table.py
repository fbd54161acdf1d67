"""The renorm measures the norm of the whole table (all rows at once) instead of each looked-up row,
then scales every looked-up row by that one factor."""
BREAKS = ('embedding_renorm',)
FAILS = (
    'embedding_renorm::int32_indices',
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
        norm = torch.linalg.vector_norm(weight, ord=norm_type)
        if norm > max_norm:
            weight[rows] = weight[rows] * (max_norm / (norm + 1e-7))
    return weight
