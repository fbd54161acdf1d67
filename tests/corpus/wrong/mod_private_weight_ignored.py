"""The constructor ignores _weight and always initialises a fresh random table (so from_pretrained returns random embeddings)."""
BREAKS = ('embedding_module',)
FAILS = (
    'embedding_module::from_pretrained',
    'embedding_module::private_weight_and_freeze',
)

_ReferenceEmbedding = Embedding


class Embedding(_ReferenceEmbedding):
    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, max_norm=None, norm_type=2.0,
                 scale_grad_by_freq=False, sparse=False, _weight=None, _freeze=False, device=None, dtype=None):
        super().__init__(num_embeddings, embedding_dim, padding_idx, max_norm, norm_type, scale_grad_by_freq,
                         sparse, None, _freeze, device, dtype)
