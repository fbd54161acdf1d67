"""The backward is obtained by running torch's F.embedding forward and asking autograd for the weight's gradient, which uses torch's own embedding backward (forbidden)."""
BREAKS = ('embedding_backward',)
FAILS = (
    'embedding_backward::uses_its_own_code',
)


def embedding_backward(grad_output, indices, num_embeddings, padding_idx=None, scale_grad_by_freq=False):
    with torch.enable_grad():
        w = torch.zeros(num_embeddings, grad_output.shape[-1], dtype=grad_output.dtype,
                        device=grad_output.device, requires_grad=True)
        out = F.embedding(indices, w, padding_idx=padding_idx, scale_grad_by_freq=scale_grad_by_freq)
        (grad,) = torch.autograd.grad(out, w, grad_output)
    return grad
