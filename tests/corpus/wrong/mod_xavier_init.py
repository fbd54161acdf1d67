"""reset_parameters uses Xavier (Glorot) normal initialisation, as for a Linear layer, instead of N(0, 1)."""
BREAKS = ("embedding_module",)

_ReferenceEmbedding = Embedding


class Embedding(_ReferenceEmbedding):
    def reset_parameters(self):
        nn.init.xavier_normal_(self.weight)
        if self.padding_idx is not None:
            with torch.no_grad():
                self.weight[self.padding_idx].fill_(0)
