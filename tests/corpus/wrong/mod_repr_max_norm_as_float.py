"""extra_repr formats max_norm as a float, so max_norm=2 prints as max_norm=2.0 where nn.Embedding prints the value as given."""
BREAKS = ('embedding_module',)
FAILS = (
    'embedding_module::repr_matches',
)

_ReferenceEmbedding = Embedding


class Embedding(_ReferenceEmbedding):
    def extra_repr(self):
        s = super().extra_repr()
        if self.max_norm is not None:
            s = s.replace(f"max_norm={self.max_norm}", f"max_norm={float(self.max_norm)}")
        return s
