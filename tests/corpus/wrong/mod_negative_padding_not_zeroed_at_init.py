"""The module zeroes the padding row only when padding_idx is given as a non-negative number: with
padding_idx=-2 the row V-2 keeps its random values at init and after reset_parameters()."""
BREAKS = ("embedding_module",)
FAILS = ("embedding_module::init_is_standard_normal_with_zero_padding_row", "embedding_module::reset_parameters")

_Base = Embedding


class Embedding(_Base):
    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, *args, **kwargs):
        self._given = padding_idx
        super().__init__(num_embeddings, embedding_dim, padding_idx, *args, **kwargs)

    def reset_parameters(self):
        nn.init.normal_(self.weight)
        if getattr(self, "_given", None) is not None and self._given >= 0:
            with torch.no_grad():
                self.weight[self.padding_idx].fill_(0)
