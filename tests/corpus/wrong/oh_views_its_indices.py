"""The lookup flattens the indices with indices.view(-1), which raises for a transposed or expanded
index tensor (view needs strides it can keep): right for every contiguous input, and no test passed
a non-contiguous one (the old test's transposed indices reached the job contiguous: the wire sends
tensors contiguous, so a view must be made on the job's side) (issue 23)."""
BREAKS = ('one_hot_lookup',)
FAILS = (
    'one_hot_lookup::every_kind_of_input',
)


def one_hot_lookup(indices, weight):
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    _check_indices(indices, weight.shape[0])
    flat = indices.view(-1).long()
    one_hot = F.one_hot(flat, weight.shape[0]).to(weight.dtype)
    return (one_hot @ weight).reshape(*indices.shape, weight.shape[1])
