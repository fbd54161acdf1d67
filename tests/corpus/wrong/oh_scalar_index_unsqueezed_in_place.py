"""A 0-d index is made 1-D in place (indices.unsqueeze_(0)) so the one-hot has a row, and the output
squeezed back: right values, but the caller's 0-d index tensor comes back with shape (1,). The
inputs-left-alone test passed one 2-D tensor only, so this got full marks (issue 23)."""
BREAKS = ('one_hot_lookup',)
FAILS = (
    'one_hot_lookup::leaves_its_inputs_alone',
)


def one_hot_lookup(indices, weight):
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    _check_indices(indices, weight.shape[0])
    scalar = indices.dim() == 0
    if scalar:
        indices.unsqueeze_(0)
    out = F.one_hot(indices.long(), weight.shape[0]).to(weight.dtype) @ weight
    return out[0] if scalar else out
