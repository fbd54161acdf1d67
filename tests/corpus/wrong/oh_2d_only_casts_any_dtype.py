"""Written for (B, T) batches only (B, T = indices.shape) and casting whatever it is given with
.long(): 2-D float or bool indices are looked up instead of refused. It passed the refusal test
because that test's 1-D indices crashed the unpacking, a refusal for the wrong reason (issue 23)."""
BREAKS = ('one_hot_lookup',)
FAILS = (
    'one_hot_lookup::rejects_bad_index_dtypes',
    'one_hot_lookup::scalar_index',
    'one_hot_lookup::every_kind_of_input',
)


def one_hot_lookup(indices, weight):
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    B, T = indices.shape
    V, D = weight.shape
    flat = indices.reshape(B * T).long()
    if flat.numel() and (flat.min() < 0 or flat.max() >= V):
        raise IndexError("index out of range")
    return (F.one_hot(flat, V).to(weight.dtype) @ weight).reshape(B, T, D)
