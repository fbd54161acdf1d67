"""The module subclasses torch.nn.Embedding and inherits its forward, instead of building on the student's own functions."""
BREAKS = ('embedding_module',)
FAILS = (
    'embedding_module::uses_its_own_code',
)


class Embedding(nn.Embedding):
    pass
