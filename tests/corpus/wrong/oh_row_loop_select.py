"""The lookup picks rows one at a time with weight[k] in a Python loop and stacks them: no one-hot product at all."""
BREAKS = ('one_hot_lookup',)
FAILS = (
    'one_hot_lookup::empty_indices',
    'one_hot_lookup::is_a_one_hot_product',
    'one_hot_lookup::random_shapes',
)


def one_hot_lookup(indices, weight):
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    _check_indices(indices, weight.shape[0])
    rows = [weight[k] for k in indices.reshape(-1).tolist()]
    out = torch.stack(rows) if rows else weight.new_zeros(0, weight.shape[1])
    return out.reshape(*indices.shape, weight.shape[1])
