"""sparse=True is accepted and silently ignored: the module produces a dense gradient instead of a sparse one or a NotImplementedError."""
BREAKS = ('embedding_module',)
FAILS = (
    'embedding_module::sparse_is_refused_or_right',
)

_ReferenceEmbedding = Embedding


class Embedding(_ReferenceEmbedding):
    def __init__(self, *args, sparse=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.sparse = sparse
