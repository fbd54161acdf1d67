"""The renorm casts the indices with .long() before checking them, so float, int16, uint8 and bool
indices renorm rows instead of raising (CONTRACT §1: every part refuses them). Only the lookup's
tests passed bad index dtypes, so this got full marks (issue 23)."""
BREAKS = ('embedding_renorm',)
FAILS = (
    'embedding_renorm::rejects_bad_index_dtypes',
)


def embedding_renorm_(weight, indices, max_norm, norm_type=2.0):
    with torch.no_grad():
        indices = indices.long()
        _check_indices(indices, weight.shape[0])
        rows = torch.unique(indices.reshape(-1))
        norms = torch.linalg.vector_norm(weight[rows], ord=norm_type, dim=1).double()
        big = norms > max_norm
        rows, norms = rows[big], norms[big]
        weight[rows] = weight[rows] * (max_norm / (norms + 1e-7)).to(weight.dtype).unsqueeze(1)
    return weight
