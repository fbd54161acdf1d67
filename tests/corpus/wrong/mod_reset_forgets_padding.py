"""The padding row is zeroed once in __init__, but reset_parameters() only redraws the weight, so calling it later leaves the padding row non-zero."""
BREAKS = ('embedding_module',)
FAILS = (
    'embedding_module::reset_parameters',
)

_ReferenceEmbedding = Embedding


class Embedding(_ReferenceEmbedding):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.padding_idx is not None and kwargs.get("_weight") is None:
            with torch.no_grad():
                self.weight[self.padding_idx].fill_(0)

    def reset_parameters(self):
        nn.init.normal_(self.weight)
