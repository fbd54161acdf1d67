"""The backward converts a negative padding_idx but never checks its range, so padding_idx=5, 6 or -6 with V=5 is silently accepted."""
BREAKS = ('embedding_backward',)
FAILS = (
    'embedding_backward::embedding_dim_zero',
    'embedding_backward::padding_idx_must_be_in_range',
)


def embedding_backward(grad_output, indices, num_embeddings, padding_idx=None, scale_grad_by_freq=False):
    if padding_idx is not None and padding_idx < 0:
        padding_idx += num_embeddings
    _check_indices(indices, num_embeddings)
    D = grad_output.shape[-1]
    idx, grad = indices.reshape(-1).long(), grad_output.reshape(-1, D)
    if scale_grad_by_freq:
        grad = grad / torch.bincount(idx, minlength=num_embeddings)[idx].unsqueeze(1).to(grad.dtype)
    if padding_idx is not None:
        keep = idx != padding_idx
        idx, grad = idx[keep], grad[keep]
    return torch.zeros(num_embeddings, D, dtype=grad.dtype, device=grad.device).index_add_(0, idx, grad)
