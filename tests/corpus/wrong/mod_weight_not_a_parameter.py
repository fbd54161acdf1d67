"""The weight is a plain tensor with requires_grad=True instead of an nn.Parameter, so it is missing from parameters() and state_dict()."""
BREAKS = ('embedding_module',)
FAILS = (
    'embedding_module::constructor_attributes',
    'embedding_module::state_dict_both_ways',
)

_ReferenceEmbedding = Embedding


class Embedding(_ReferenceEmbedding):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        weight = self.weight.detach().requires_grad_(self.weight.requires_grad)
        del self.weight
        self.weight = weight
