"""The renorm adds the correction w * (scale - 1) with index_add_ over all indices, so a row named twice gets the correction twice."""
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
        idx = indices.reshape(-1).long()
        norms = torch.linalg.vector_norm(weight[idx], ord=norm_type, dim=1).double()
        scale = torch.where(norms > max_norm, max_norm / (norms + 1e-7), torch.ones_like(norms))
        weight.index_add_(0, idx, weight[idx] * (scale.to(weight.dtype) - 1).unsqueeze(1))
    return weight
