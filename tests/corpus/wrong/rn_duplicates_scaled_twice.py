"""The norms are measured once, then a loop over every index (duplicates included) applies the scale, so a row named twice is scaled twice."""
BREAKS = ('embedding_renorm',)
FAILS = (
    'embedding_renorm::int32_indices',
    'embedding_renorm::norm_types',
    'embedding_renorm::random_settings',
    'embedding_renorm::renorms_only_the_indexed_rows',
    'embedding_renorm::repeated_indices_renorm_once',
    'embedding_renorm::tiny_norms_need_the_epsilon',
)


def embedding_renorm_(weight, indices, max_norm, norm_type=2.0):
    with torch.no_grad():
        _check_indices(indices, weight.shape[0])
        norms = torch.linalg.vector_norm(weight, ord=norm_type, dim=1).tolist()
        for k in indices.reshape(-1).tolist():
            if norms[k] > max_norm:
                weight[k] *= max_norm / (norms[k] + 1e-7)
    return weight
