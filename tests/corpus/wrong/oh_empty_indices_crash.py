"""The range check calls indices.min() and indices.max() without guarding for empty tensors, so empty index tensors raise."""
BREAKS = ('one_hot_lookup',)
FAILS = (
    'one_hot_lookup::empty_indices',
    'one_hot_lookup::random_shapes',
)


def one_hot_lookup(indices, weight):
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    if indices.dtype not in (torch.int64, torch.int32):
        raise RuntimeError("indices must be int64 or int32")
    if indices.min() < 0 or indices.max() >= weight.shape[0]:
        raise IndexError("index out of range")
    return F.one_hot(indices.long(), weight.shape[0]).to(weight.dtype) @ weight
