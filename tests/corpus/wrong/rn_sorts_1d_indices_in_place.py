"""The renorm sorts the indices in place so repeated rows sit together, on a copy when they are not
1-D (reshape(-1).clone()) but on the caller's own tensor when they are: right rows renormed, but
the caller's 1-D indices come back sorted. The inputs-left-alone test passed one 2-D tensor only,
so this got full marks (issue 23)."""
BREAKS = ('embedding_renorm',)
FAILS = (
    'embedding_renorm::leaves_the_indices_alone',
)


def embedding_renorm_(weight, indices, max_norm, norm_type=2.0):
    with torch.no_grad():
        _check_indices(indices, weight.shape[0])
        flat = indices if indices.dim() == 1 else indices.reshape(-1).clone()
        flat.copy_(flat.sort().values)
        rows = torch.unique_consecutive(flat).long()
        norms = torch.linalg.vector_norm(weight[rows], ord=norm_type, dim=1).double()
        big = norms > max_norm
        rows, norms = rows[big], norms[big]
        weight[rows] = weight[rows] * (max_norm / (norms + 1e-7)).to(weight.dtype).unsqueeze(1)
    return weight
