"""The module registers a persistent buffer (a padding mask) beside the weight, so its state_dict has an extra key and a torch state_dict no longer loads into it."""
BREAKS = ('embedding_module',)
FAILS = (
    'embedding_module::state_dict_both_ways',
)

_ReferenceEmbedding = Embedding


class Embedding(_ReferenceEmbedding):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        mask = torch.ones(self.num_embeddings, dtype=torch.bool, device=self.weight.device)
        if self.padding_idx is not None:
            mask[self.padding_idx] = False
        self.register_buffer("trainable_rows", mask)
