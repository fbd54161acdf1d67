"""The norm is written out as (sum |x|^p)^(1/p), which is wrong for norm_type=inf (it should be max |x|)."""
BREAKS = ('embedding_renorm',)
FAILS = (
    'embedding_renorm::norm_types',
)


def embedding_renorm_(weight, indices, max_norm, norm_type=2.0):
    with torch.no_grad():
        _check_indices(indices, weight.shape[0])
        rows = torch.unique(indices.reshape(-1).long())
        norms = weight[rows].abs().pow(norm_type).sum(dim=1).pow(1.0 / norm_type).double()
        big = norms > max_norm
        rows, norms = rows[big], norms[big]
        weight[rows] = weight[rows] * (max_norm / (norms + 1e-7)).to(weight.dtype).unsqueeze(1)
    return weight
