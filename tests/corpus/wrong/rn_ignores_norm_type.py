"""norm_type is ignored: the renorm always measures rows with the 2-norm."""
BREAKS = ('embedding_renorm',)
FAILS = (
    'embedding_renorm::norm_types',
    'embedding_renorm::random_settings',
)


def embedding_renorm_(weight, indices, max_norm, norm_type=2.0):
    with torch.no_grad():
        _check_indices(indices, weight.shape[0])
        rows = torch.unique(indices.reshape(-1).long())
        norms = weight[rows].norm(dim=1).double()
        big = norms > max_norm
        rows, norms = rows[big], norms[big]
        weight[rows] = weight[rows] * (max_norm / (norms + 1e-7)).to(weight.dtype).unsqueeze(1)
    return weight
