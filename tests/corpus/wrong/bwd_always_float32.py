"""The gradient table is created with torch.zeros(V, D) and no dtype, so it is always float32, even for float64 grad_output."""
BREAKS = ('embedding_backward',)
FAILS = (
    'embedding_backward::any_index_shape',
    'embedding_backward::embedding_dim_zero',
    'embedding_backward::negative_padding_idx_counts_from_the_end',
    'embedding_backward::padding_idx_never_hit',
    'embedding_backward::padding_idx_zero',
    'embedding_backward::padding_positions_are_skipped_not_zeroed',
    'embedding_backward::padding_row_is_zero_when_hit',
    'embedding_backward::random_settings',
    'embedding_backward::scale_grad_by_freq',
    'embedding_backward::sums_repeated_rows',
)


def embedding_backward(grad_output, indices, num_embeddings, padding_idx=None, scale_grad_by_freq=False):
    padding_idx = _normalise_padding_idx(padding_idx, num_embeddings)
    _check_indices(indices, num_embeddings)
    D = grad_output.shape[-1]
    idx, grad = indices.reshape(-1).long(), grad_output.reshape(-1, D)
    if scale_grad_by_freq:
        grad = grad / torch.bincount(idx, minlength=num_embeddings)[idx].unsqueeze(1).to(grad.dtype)
    if padding_idx is not None:
        keep = idx != padding_idx
        idx, grad = idx[keep], grad[keep]
    out = torch.zeros(num_embeddings, D, device=grad.device)
    return out.index_add_(0, idx, grad.to(out.dtype))
