"""forward never renorms: max_norm is stored but ignored."""
BREAKS = ('embedding_module',)
FAILS = (
    'embedding_module::from_pretrained',
    'embedding_module::max_norm_bumps_the_version',
    'embedding_module::max_norm_renorms_before_the_lookup',
)

_ReferenceEmbedding = Embedding


class Embedding(_ReferenceEmbedding):
    def forward(self, input):
        return _EmbeddingFunction.apply(input, self.weight, self.padding_idx, self.scale_grad_by_freq)
