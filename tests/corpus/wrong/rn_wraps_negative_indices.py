"""The renorm never checks the indices, so -1 silently renorms the last row and an index >= V raises only by accident of indexing."""
BREAKS = ('embedding_renorm',)
FAILS = (
    'embedding_renorm::rejects_out_of_range_indices',
)


def embedding_renorm_(weight, indices, max_norm, norm_type=2.0):
    with torch.no_grad():
        rows = torch.unique(indices.reshape(-1).long()) % weight.shape[0]
        norms = torch.linalg.vector_norm(weight[rows], ord=norm_type, dim=1).double()
        big = norms > max_norm
        rows, norms = rows[big], norms[big]
        weight[rows] = weight[rows] * (max_norm / (norms + 1e-7)).to(weight.dtype).unsqueeze(1)
    return weight
