"""The gradient table has indices.max() + 1 rows instead of num_embeddings, so it is too short whenever the last rows are not looked up."""
BREAKS = ('embedding_backward',)
FAILS = (
    'embedding_backward::any_index_shape',
    'embedding_backward::embedding_dim_zero',
    'embedding_backward::padding_idx_never_hit',
    'embedding_backward::padding_idx_zero',
    'embedding_backward::random_settings',
)


def embedding_backward(grad_output, indices, num_embeddings, padding_idx=None, scale_grad_by_freq=False):
    padding_idx = _normalise_padding_idx(padding_idx, num_embeddings)
    _check_indices(indices, num_embeddings)
    D = grad_output.shape[-1]
    idx, grad = indices.reshape(-1).long(), grad_output.reshape(-1, D)
    rows = int(idx.max()) + 1 if idx.numel() else 0
    if scale_grad_by_freq:
        grad = grad / torch.bincount(idx, minlength=rows)[idx].unsqueeze(1).to(grad.dtype)
    if padding_idx is not None:
        keep = idx != padding_idx
        idx, grad = idx[keep], grad[keep]
    return torch.zeros(rows, D, dtype=grad.dtype, device=grad.device).index_add_(0, idx, grad)
