"""The module's forward flattens its input with input.view(-1) and reshapes the output back, which
raises for a transposed or expanded index tensor; the module's tests passed contiguous indices only,
so this got full marks (issue 23)."""
BREAKS = ('embedding_module',)
FAILS = (
    'embedding_module::every_kind_of_input',
)

_ReferenceEmbedding = Embedding


class Embedding(_ReferenceEmbedding):
    def forward(self, input):
        out = super().forward(input.view(-1))
        return out.reshape(*input.shape, self.embedding_dim)
