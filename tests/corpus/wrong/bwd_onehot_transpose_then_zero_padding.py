"""The backward is one_hot.T @ grad_output with the padding row zeroed afterwards, so a NaN or inf that grad_output holds at a padding position spreads (0 * NaN = NaN) into every other row."""
BREAKS = ('embedding_backward',)
FAILS = (
    'embedding_backward::embedding_dim_zero',
    'embedding_backward::padding_positions_are_skipped_not_zeroed',
)


def embedding_backward(grad_output, indices, num_embeddings, padding_idx=None, scale_grad_by_freq=False):
    padding_idx = _normalise_padding_idx(padding_idx, num_embeddings)
    _check_indices(indices, num_embeddings)
    D = grad_output.shape[-1]
    idx = indices.reshape(-1).long()
    one_hot = F.one_hot(idx, num_embeddings).to(grad_output.dtype)          # (N, V)
    if scale_grad_by_freq:
        one_hot = one_hot / one_hot.sum(0).clamp(min=1)
    grad = one_hot.T @ grad_output.reshape(-1, D)                           # (V, D)
    if padding_idx is not None:
        grad[padding_idx] = 0
    return grad
