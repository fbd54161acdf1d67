"""The module stores padding_idx as given, so Embedding(10, 4, padding_idx=-2).padding_idx is -2 instead of 8 (and its repr prints -2)."""
BREAKS = ('embedding_module',)
FAILS = (
    'embedding_module::constructor_attributes',
    'embedding_module::repr_matches',
)

_ReferenceEmbedding = Embedding


class Embedding(_ReferenceEmbedding):
    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, *args, **kwargs):
        super().__init__(num_embeddings, embedding_dim, padding_idx, *args, **kwargs)
        self.padding_idx = padding_idx
