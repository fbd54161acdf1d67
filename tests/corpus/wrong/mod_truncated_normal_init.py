"""reset_parameters draws the weight from N(0, 1) truncated to [-3, 3] (nn.init.trunc_normal_): its
std is 0.985 and no value lies beyond ±3, where N(0, 1) puts about 173 of 64,000. The init tests
only bounded the mean and std, so this got full marks (issue 23)."""
BREAKS = ('embedding_module',)
FAILS = (
    'embedding_module::init_is_standard_normal_in_distribution',
)

_ReferenceEmbedding = Embedding


class Embedding(_ReferenceEmbedding):
    def reset_parameters(self):
        nn.init.trunc_normal_(self.weight, a=-3.0, b=3.0)
        if self.padding_idx is not None:
            with torch.no_grad():
                self.weight[self.padding_idx].fill_(0)
