"""scale_grad_by_freq counts each index within its own batch row (the last dimension) instead of across the whole indices tensor."""
BREAKS = ('embedding_backward',)
FAILS = (
    'embedding_backward::any_index_shape',
    'embedding_backward::embedding_dim_zero',
    'embedding_backward::random_settings',
    'embedding_backward::scale_grad_by_freq',
)


def embedding_backward(grad_output, indices, num_embeddings, padding_idx=None, scale_grad_by_freq=False):
    padding_idx = _normalise_padding_idx(padding_idx, num_embeddings)
    _check_indices(indices, num_embeddings)
    D = grad_output.shape[-1]
    rows = indices.reshape(-1, indices.shape[-1] if indices.dim() else 1).long()
    grad = grad_output.reshape(*rows.shape, D)
    if scale_grad_by_freq:
        counts = (rows.unsqueeze(-1) == rows.unsqueeze(-2)).sum(-1)      # occurrences within the row
        grad = grad / counts.unsqueeze(-1).to(grad.dtype)
    idx, grad = rows.reshape(-1), grad.reshape(-1, D)
    if padding_idx is not None:
        keep = idx != padding_idx
        idx, grad = idx[keep], grad[keep]
    return torch.zeros(num_embeddings, D, dtype=grad.dtype, device=grad.device).index_add_(0, idx, grad)
