"""forward looks the rows up first and renorms afterwards, so the output holds the rows before renormalisation."""
BREAKS = ('embedding_module',)
FAILS = (
    'embedding_module::from_pretrained',
    'embedding_module::max_norm_renorms_before_the_lookup',
)

_ReferenceEmbedding = Embedding


class Embedding(_ReferenceEmbedding):
    def forward(self, input):
        out = _EmbeddingFunction.apply(input, self.weight, self.padding_idx, self.scale_grad_by_freq)
        if self.max_norm is not None:
            embedding_renorm_(self.weight.detach(), input, self.max_norm, self.norm_type)
        return out
