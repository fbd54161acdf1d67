"""The renorm collects the distinct rows by iterating over the indices (`for row in indices`), which
raises for a 0-d index tensor (iteration over a 0-d tensor), then renorms row by row as torch does.
No renorm test passed a 0-d index, so this got full marks (issue 23)."""
BREAKS = ('embedding_renorm',)
FAILS = (
    'embedding_renorm::every_kind_of_input',
    'embedding_renorm::leaves_the_indices_alone',
)


def embedding_renorm_(weight, indices, max_norm, norm_type=2.0):
    with torch.no_grad():
        _check_indices(indices, weight.shape[0])
        seen = sorted({int(k) for row in indices for k in row.reshape(-1)})
        for k in seen:
            norm = torch.linalg.vector_norm(weight[k], ord=norm_type).double().item()
            if norm > max_norm:
                weight[k] *= torch.tensor(max_norm / (norm + 1e-7), dtype=torch.float64).to(weight.dtype)
    return weight
