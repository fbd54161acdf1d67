"""_freeze is ignored: the weight always requires grad, so from_pretrained(freeze=True) still trains."""
BREAKS = ('embedding_module',)
FAILS = (
    'embedding_module::from_pretrained',
    'embedding_module::private_weight_and_freeze',
)

_ReferenceEmbedding = Embedding


class Embedding(_ReferenceEmbedding):
    def __init__(self, *args, _freeze=False, **kwargs):
        super().__init__(*args, _freeze=False, **kwargs)
