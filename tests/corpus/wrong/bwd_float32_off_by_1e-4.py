"""A near miss in float32: the gradient is 1e-4 too large (relative), as a lower-precision shortcut
can leave it; float64 is right. 1e-4 is ten times the float32 gradient tolerance (1e-5), so it
must lose points there."""
BREAKS = ('embedding_backward',)
FAILS = (
    'embedding_backward::any_index_shape',
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
    idx = indices.reshape(-1).long()
    grad = grad_output.reshape(idx.numel(), D)
    if scale_grad_by_freq:
        grad = grad / torch.bincount(idx, minlength=num_embeddings)[idx].unsqueeze(1).to(grad.dtype)
    if padding_idx is not None:
        keep = idx != padding_idx
        idx, grad = idx[keep], grad[keep]
    acc = torch.float64 if grad.dtype == torch.float64 else torch.float32
    out = torch.zeros(num_embeddings, D, dtype=acc, device=grad_output.device).index_add_(0, idx, grad.to(acc))
    if out.dtype == torch.float32:
        out = out * (1 + 1e-4)   # off by 1e-4, relative; padding rows stay exactly zero
    return out.to(grad_output.dtype)
