"""forward calls the renorm without self.norm_type, so max_norm always uses the 2-norm whatever norm_type says."""
BREAKS = ('embedding_module',)
FAILS = (
    'embedding_module::max_norm_renorms_before_the_lookup',
)

_ReferenceEmbedding = Embedding


class Embedding(_ReferenceEmbedding):
    def forward(self, input):
        if self.max_norm is not None:
            embedding_renorm_(self.weight.detach(), input, self.max_norm)
        return _EmbeddingFunction.apply(input, self.weight, self.padding_idx, self.scale_grad_by_freq)
