"""The module's forward casts its input with .long() (to be safe with int32) before the lookup, so
float and bool indices are looked up instead of refused; the module's tests never passed a bad
index dtype, so this got full marks (issue 23)."""
BREAKS = ('embedding_module',)
FAILS = (
    'embedding_module::rejects_bad_index_dtypes',
)

_ReferenceEmbedding = Embedding


class Embedding(_ReferenceEmbedding):
    def forward(self, input):
        return super().forward(input.long())
