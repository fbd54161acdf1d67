"""The whole forward runs under torch.no_grad() (meant only for the renorm), so the output has no gradient and backward fails."""
BREAKS = ("embedding_module",)

_ReferenceEmbedding = Embedding


class Embedding(_ReferenceEmbedding):
    def forward(self, input):
        with torch.no_grad():
            if self.max_norm is not None:
                embedding_renorm_(self.weight, input, self.max_norm, self.norm_type)
            return _EmbeddingFunction.apply(input, self.weight, self.padding_idx, self.scale_grad_by_freq)
