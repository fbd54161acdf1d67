"""The renorm calls torch.embedding_renorm_ itself, which the assignment forbids (and the module's max_norm forward inherits the call)."""
BREAKS = ('embedding_renorm',)
FAILS = (
    'embedding_renorm::uses_its_own_code',
)


def embedding_renorm_(weight, indices, max_norm, norm_type=2.0):
    _check_indices(indices, weight.shape[0])
    with torch.no_grad():
        return torch.embedding_renorm_(weight, indices, max_norm, norm_type)
