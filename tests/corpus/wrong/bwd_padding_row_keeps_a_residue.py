"""A near miss: the padding row is not exactly zero but keeps a rounding residue, as zeroing it by
subtracting the padding positions' sum back out can leave: one epsilon of the dtype (1.2e-7 in
float32, 2.2e-16 in float64). That is inside the gradient tolerance, so only the exact comparison
of the padding row catches it: the padding row must be exactly zero."""
BREAKS = ('embedding_backward',)
FAILS = (
    'embedding_backward::negative_padding_idx_counts_from_the_end',
    'embedding_backward::padding_idx_zero',
    'embedding_backward::padding_positions_are_skipped_not_zeroed',
    'embedding_backward::padding_row_is_zero_when_hit',
    'embedding_backward::scale_grad_by_freq',
)


def embedding_backward(grad_output, indices, num_embeddings, padding_idx=None, scale_grad_by_freq=False):
    padding_idx = _normalise_padding_idx(padding_idx, num_embeddings)
    _check_indices(indices, num_embeddings)
    D = grad_output.shape[-1]
    idx = indices.reshape(-1).long()
    grad = grad_output.reshape(idx.numel(), D)
    if scale_grad_by_freq:
        grad = grad / torch.bincount(idx, minlength=num_embeddings)[idx].unsqueeze(1).to(grad.dtype)
    if padding_idx is not None:
        keep = idx != padding_idx
        idx, grad = idx[keep], grad[keep]
    acc = torch.float64 if grad.dtype == torch.float64 else torch.float32
    out = torch.zeros(num_embeddings, D, dtype=acc, device=grad_output.device).index_add_(0, idx, grad.to(acc))
    if padding_idx is not None:
        out[padding_idx] = torch.finfo(acc).eps   # the residue: 1.2e-7 (float32), 2.2e-16 (float64)
    return out.to(grad_output.dtype)
