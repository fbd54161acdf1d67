"""forward renorms self.weight.data instead of self.weight.detach(), which hides the in-place change from autograd's version counter (so a stale saved weight is used silently)."""
BREAKS = ('embedding_module',)
FAILS = (
    'embedding_module::max_norm_bumps_the_version',
)

_ReferenceEmbedding = Embedding


class Embedding(_ReferenceEmbedding):
    def forward(self, input):
        if self.max_norm is not None:
            embedding_renorm_(self.weight.data, input, self.max_norm, self.norm_type)
        return _EmbeddingFunction.apply(input, self.weight, self.padding_idx, self.scale_grad_by_freq)
