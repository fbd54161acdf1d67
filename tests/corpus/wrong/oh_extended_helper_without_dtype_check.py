"""The lookup takes an extra keyword-only `columns` (a cached arange the module passes) and casts any
index dtype with .long() instead of refusing it. Part 1 loses its refusal points; the module, graded
with the stand-in in place of this helper, must not lose any for the extra keyword (issue 23)."""
BREAKS = ('one_hot_lookup',)
FAILS = (
    'one_hot_lookup::rejects_bad_index_dtypes',
)


def one_hot_lookup(indices, weight, *, columns=None):
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    V = weight.shape[0]
    indices = indices.long()                      # float and bool indices are cast, not refused
    if indices.numel() and (indices.min() < 0 or indices.max() >= V):
        raise IndexError("index out of range")
    if columns is None:
        columns = torch.arange(V, device=weight.device)
    return (indices.unsqueeze(-1) == columns).to(weight.dtype) @ weight


class _EmbeddingFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, indices, weight, padding_idx, scale_grad_by_freq):
        ctx.save_for_backward(indices)
        ctx.num_embeddings = weight.shape[0]
        ctx.padding_idx, ctx.scale_grad_by_freq = padding_idx, scale_grad_by_freq
        return one_hot_lookup(indices, weight, columns=torch.arange(weight.shape[0], device=weight.device))

    @staticmethod
    def backward(ctx, grad_output):
        (indices,) = ctx.saved_tensors
        grad_weight = embedding_backward(grad_output, indices, ctx.num_embeddings,
                                         ctx.padding_idx, ctx.scale_grad_by_freq)
        return None, grad_weight, None, None
