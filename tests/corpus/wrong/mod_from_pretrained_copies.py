"""from_pretrained copies the given tensor (embeddings.clone()) instead of sharing it, so a max_norm forward no longer renorms the caller's tensor."""
BREAKS = ('embedding_module',)
FAILS = (
    'embedding_module::from_pretrained',
)

_ReferenceEmbedding = Embedding


class Embedding(_ReferenceEmbedding):
    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None, max_norm=None, norm_type=2.0,
                        scale_grad_by_freq=False, sparse=False):
        return super().from_pretrained(embeddings.clone(), freeze, padding_idx, max_norm, norm_type,
                                       scale_grad_by_freq, sparse)
