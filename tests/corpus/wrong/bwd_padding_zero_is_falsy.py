"""The backward tests `if padding_idx:`, so padding_idx=0 is treated like None and row 0 gets a gradient."""
BREAKS = ('embedding_backward',)
FAILS = (
    'embedding_backward::embedding_dim_zero',
    'embedding_backward::padding_idx_zero',
    'embedding_backward::padding_positions_are_skipped_not_zeroed',
)


def embedding_backward(grad_output, indices, num_embeddings, padding_idx=None, scale_grad_by_freq=False):
    padding_idx = _normalise_padding_idx(padding_idx, num_embeddings)
    _check_indices(indices, num_embeddings)
    D = grad_output.shape[-1]
    idx, grad = indices.reshape(-1).long(), grad_output.reshape(-1, D)
    if scale_grad_by_freq:
        counts = torch.bincount(idx, minlength=num_embeddings)
        grad = grad / counts[idx].unsqueeze(1).to(grad.dtype)
    if padding_idx:
        keep = idx != padding_idx
        idx, grad = idx[keep], grad[keep]
    return torch.zeros(num_embeddings, D, dtype=grad.dtype, device=grad.device).index_add_(0, idx, grad)
