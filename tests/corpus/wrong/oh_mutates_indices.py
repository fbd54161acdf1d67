"""The lookup reshapes the caller's indices in place (indices.unsqueeze_(-1)) to build its one-hot:
right values, but the caller's tensor comes back changed."""
BREAKS = ("one_hot_lookup",)
FAILS = ("one_hot_lookup::leaves_its_inputs_alone",)


def one_hot_lookup(indices, weight):
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    _check_indices(indices, weight.shape[0])
    shape = tuple(indices.shape)
    indices.unsqueeze_(-1)
    one_hot = (indices.long() == torch.arange(weight.shape[0], device=indices.device)).to(weight.dtype)
    return (one_hot @ weight).reshape(*shape, weight.shape[1])
