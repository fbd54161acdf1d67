"""The backward casts the indices with .long() before checking them, so float, int16, uint8 and bool
indices give a gradient instead of raising (CONTRACT §1: every part refuses them). Only the lookup's
tests passed bad index dtypes, so this got full marks (issue 23)."""
BREAKS = ('embedding_backward',)
FAILS = (
    'embedding_backward::rejects_bad_index_dtypes',
)


def embedding_backward(grad_output, indices, num_embeddings, padding_idx=None, scale_grad_by_freq=False):
    padding_idx = _normalise_padding_idx(padding_idx, num_embeddings)
    indices = indices.long()
    _check_indices(indices, num_embeddings)
    D = grad_output.shape[-1]
    idx = indices.reshape(-1)
    grad = grad_output.reshape(idx.numel(), D)
    if scale_grad_by_freq:
        grad = grad / torch.bincount(idx, minlength=num_embeddings)[idx].unsqueeze(1).to(grad.dtype)
    if padding_idx is not None:
        keep = idx != padding_idx
        idx, grad = idx[keep], grad[keep]
    return torch.zeros(num_embeddings, D, dtype=grad.dtype, device=grad.device).index_add_(0, idx, grad)
