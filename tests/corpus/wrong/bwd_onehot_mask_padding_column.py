"""The padding column of the one-hot matrix is zeroed before one_hot.T @ grad_output, which still multiplies the NaN/inf at padding positions by zero and spreads NaN into every row."""
BREAKS = ('embedding_backward',)
FAILS = (
    'embedding_backward::embedding_dim_zero',
    'embedding_backward::padding_positions_are_skipped_not_zeroed',
)


def embedding_backward(grad_output, indices, num_embeddings, padding_idx=None, scale_grad_by_freq=False):
    padding_idx = _normalise_padding_idx(padding_idx, num_embeddings)
    _check_indices(indices, num_embeddings)
    D = grad_output.shape[-1]
    one_hot = F.one_hot(indices.reshape(-1).long(), num_embeddings).to(grad_output.dtype)
    if scale_grad_by_freq:
        one_hot = one_hot / one_hot.sum(0).clamp(min=1)
    if padding_idx is not None:
        one_hot[:, padding_idx] = 0
    return one_hot.T @ grad_output.reshape(-1, D)
