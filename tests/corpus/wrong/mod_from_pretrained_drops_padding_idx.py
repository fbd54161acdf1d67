"""from_pretrained forgets to pass padding_idx on to the constructor, so the padding row gets a gradient."""
BREAKS = ('embedding_module',)
FAILS = (
    'embedding_module::from_pretrained',
)

_ReferenceEmbedding = Embedding


class Embedding(_ReferenceEmbedding):
    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None, max_norm=None, norm_type=2.0,
                        scale_grad_by_freq=False, sparse=False):
        rows, cols = embeddings.shape
        return cls(rows, cols, _weight=embeddings, _freeze=freeze, max_norm=max_norm, norm_type=norm_type,
                   scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)
