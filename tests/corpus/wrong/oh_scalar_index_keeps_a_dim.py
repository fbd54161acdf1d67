"""A 0-d index is turned into a 1-element vector "so that one_hot works", and never squeezed back:
weight[7] should be (D,), this gives (1, D)."""
BREAKS = ('one_hot_lookup',)
FAILS = (
    'one_hot_lookup::random_shapes',
    'one_hot_lookup::scalar_index',
)


def one_hot_lookup(indices, weight):
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    _check_indices(indices, weight.shape[0])
    if indices.dim() == 0:
        indices = indices.unsqueeze(0)
    return F.one_hot(indices.long(), weight.shape[0]).to(weight.dtype) @ weight
