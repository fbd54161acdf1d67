"""The renorm range-checks with indices.min() and indices.max() without guarding for empty tensors, so empty indices raise instead of changing nothing."""
BREAKS = ('embedding_renorm',)
FAILS = (
    'embedding_renorm::leaves_the_indices_alone',
    'embedding_renorm::random_settings',
)


def embedding_renorm_(weight, indices, max_norm, norm_type=2.0):
    with torch.no_grad():
        if indices.min() < 0 or indices.max() >= weight.shape[0]:
            raise IndexError("index out of range")
        rows = torch.unique(indices.reshape(-1).long())
        norms = torch.linalg.vector_norm(weight[rows], ord=norm_type, dim=1).double()
        big = norms > max_norm
        rows, norms = rows[big], norms[big]
        weight[rows] = weight[rows] * (max_norm / (norms + 1e-7)).to(weight.dtype).unsqueeze(1)
    return weight
