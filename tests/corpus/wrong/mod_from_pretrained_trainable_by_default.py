"""from_pretrained defaults to freeze=False, so a pretrained table trains unless the caller freezes it."""
BREAKS = ('embedding_module',)
FAILS = (
    'embedding_module::from_pretrained',
)

_ReferenceEmbedding = Embedding


class Embedding(_ReferenceEmbedding):
    @classmethod
    def from_pretrained(cls, embeddings, freeze=False, padding_idx=None, max_norm=None, norm_type=2.0,
                        scale_grad_by_freq=False, sparse=False):
        return super().from_pretrained(embeddings, freeze, padding_idx, max_norm, norm_type,
                                       scale_grad_by_freq, sparse)
