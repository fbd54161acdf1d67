"""from_pretrained zeroes the padding row of the given table, which nn.Embedding does not (only a fresh init zeroes it)."""
BREAKS = ('embedding_module',)
FAILS = (
    'embedding_module::from_pretrained',
)

_ReferenceEmbedding = Embedding


class Embedding(_ReferenceEmbedding):
    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None, max_norm=None, norm_type=2.0,
                        scale_grad_by_freq=False, sparse=False):
        module = super().from_pretrained(embeddings, freeze, padding_idx, max_norm, norm_type,
                                         scale_grad_by_freq, sparse)
        if module.padding_idx is not None:
            with torch.no_grad():
                module.weight[module.padding_idx].fill_(0)
        return module
