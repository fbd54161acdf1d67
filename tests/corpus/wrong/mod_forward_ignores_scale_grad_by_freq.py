"""forward never passes scale_grad_by_freq on to the backward, so the module's gradient is never scaled."""
BREAKS = ('embedding_module',)
FAILS = (
    'embedding_module::backward_matches',
)

_ReferenceEmbedding = Embedding


class Embedding(_ReferenceEmbedding):
    def forward(self, input):
        if self.max_norm is not None:
            embedding_renorm_(self.weight.detach(), input, self.max_norm, self.norm_type)
        return _EmbeddingFunction.apply(input, self.weight, self.padding_idx, False)
