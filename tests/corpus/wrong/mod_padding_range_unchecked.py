"""The module normalises a negative padding_idx without checking its range, so padding_idx=-6 with 5 rows is accepted (it wraps to -1)."""
BREAKS = ('embedding_module',)
FAILS = (
    'embedding_module::padding_idx_must_be_in_range',
)

_ReferenceEmbedding = Embedding


class Embedding(_ReferenceEmbedding):
    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, *args, **kwargs):
        if padding_idx is not None and padding_idx < 0:
            padding_idx = padding_idx + num_embeddings
        if padding_idx is not None and padding_idx < 0:
            padding_idx = padding_idx % num_embeddings
        super().__init__(num_embeddings, embedding_dim, padding_idx, *args, **kwargs)
