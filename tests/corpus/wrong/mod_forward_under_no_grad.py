"""The whole forward runs under torch.no_grad() (meant only for the renorm), so the output has no gradient and backward fails."""
BREAKS = ('embedding_module',)
FAILS = (
    'embedding_module::backward_matches',
    'embedding_module::embedding_dim_zero',
    'embedding_module::from_pretrained',
    'embedding_module::padding_positions_are_skipped_in_backward',
    'embedding_module::sparse_is_refused_or_right',
)

_ReferenceEmbedding = Embedding


class Embedding(_ReferenceEmbedding):
    def forward(self, input):
        with torch.no_grad():
            if self.max_norm is not None:
                embedding_renorm_(self.weight, input, self.max_norm, self.norm_type)
            return _EmbeddingFunction.apply(input, self.weight, self.padding_idx, self.scale_grad_by_freq)
