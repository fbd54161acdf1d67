"""reset_parameters tests `if self.padding_idx:`, so with padding_idx=0 the padding row is never zeroed."""
BREAKS = ('embedding_module',)
FAILS = (
    'embedding_module::init_is_standard_normal_with_zero_padding_row',
)

_ReferenceEmbedding = Embedding


class Embedding(_ReferenceEmbedding):
    def reset_parameters(self):
        nn.init.normal_(self.weight)
        if self.padding_idx:
            with torch.no_grad():
                self.weight[self.padding_idx].fill_(0)
