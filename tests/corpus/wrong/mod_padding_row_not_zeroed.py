"""reset_parameters never zeroes the padding row, so a fresh Embedding(..., padding_idx=3) has a random row 3."""
BREAKS = ('embedding_module',)
FAILS = (
    'embedding_module::init_is_standard_normal_with_zero_padding_row',
    'embedding_module::reset_parameters',
)

_ReferenceEmbedding = Embedding


class Embedding(_ReferenceEmbedding):
    def reset_parameters(self):
        nn.init.normal_(self.weight)
