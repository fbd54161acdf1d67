"""Padding positions are masked by multiplying their grad_output rows by 0 instead of being skipped:
where grad_output holds inf or NaN at a padding position, 0 * inf = NaN lands in the padding row,
which torch leaves exactly 0."""
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
    grad = grad_output.reshape(-1, D)
    if scale_grad_by_freq:
        counts = torch.bincount(idx, minlength=num_embeddings)
        grad = grad / counts[idx].unsqueeze(1).to(grad.dtype)
    if padding_idx is not None:
        grad = grad * (idx != padding_idx).unsqueeze(1).to(grad.dtype)
    acc = torch.float64 if grad.dtype == torch.float64 else torch.float32
    out = torch.zeros(num_embeddings, D, dtype=acc, device=grad_output.device)
    out.index_add_(0, idx, grad.to(acc))
    return out.to(grad_output.dtype)
