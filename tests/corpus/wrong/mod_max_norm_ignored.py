"""forward never renorms: max_norm is stored but ignored."""
BREAKS = ("embedding_module",)

_ReferenceEmbedding = Embedding


class Embedding(_ReferenceEmbedding):
    def forward(self, input):
        return _EmbeddingFunction.apply(input, self.weight, self.padding_idx, self.scale_grad_by_freq)
