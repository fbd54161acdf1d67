"""The backward flattens grad_output with .view(N, D), which raises for a transposed, sliced or
expanded grad_output (view needs strides it can keep; reshape copies when it must). Every test
passed a contiguous grad_output, so this got full marks (issue 23)."""
BREAKS = ('embedding_backward',)
FAILS = (
    'embedding_backward::every_kind_of_input',
)


def embedding_backward(grad_output, indices, num_embeddings, padding_idx=None, scale_grad_by_freq=False):
    padding_idx = _normalise_padding_idx(padding_idx, num_embeddings)
    _check_indices(indices, num_embeddings)
    D = grad_output.shape[-1]
    idx = indices.reshape(-1).long()
    grad = grad_output.view(idx.numel(), D)
    if scale_grad_by_freq:
        grad = grad / torch.bincount(idx, minlength=num_embeddings)[idx].unsqueeze(1).to(grad.dtype)
    if padding_idx is not None:
        keep = idx != padding_idx
        idx, grad = idx[keep], grad[keep]
    return torch.zeros(num_embeddings, D, dtype=grad.dtype, device=grad.device).index_add_(0, idx, grad)
