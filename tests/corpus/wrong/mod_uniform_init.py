"""reset_parameters draws the weight from U(-1, 1) instead of N(0, 1)."""
BREAKS = ('embedding_module',)
FAILS = (
    'embedding_module::init_is_standard_normal_with_zero_padding_row',
    'embedding_module::reset_parameters',
)

_ReferenceEmbedding = Embedding


class Embedding(_ReferenceEmbedding):
    def reset_parameters(self):
        nn.init.uniform_(self.weight, -1.0, 1.0)
        if self.padding_idx is not None:
            with torch.no_grad():
                self.weight[self.padding_idx].fill_(0)
