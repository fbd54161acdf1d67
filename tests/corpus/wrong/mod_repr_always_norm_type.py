"""extra_repr always prints norm_type (and prints every value as a float), unlike nn.Embedding, which shows norm_type only when it is not 2."""
BREAKS = ('embedding_module',)
FAILS = (
    'embedding_module::repr_matches',
)

_ReferenceEmbedding = Embedding


class Embedding(_ReferenceEmbedding):
    def extra_repr(self):
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            s += f", max_norm={float(self.max_norm)}"
        s += f", norm_type={float(self.norm_type)}"
        if self.scale_grad_by_freq:
            s += f", scale_grad_by_freq={self.scale_grad_by_freq}"
        if self.sparse:
            s += ", sparse=True"
        return s
