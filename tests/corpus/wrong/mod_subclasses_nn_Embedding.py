"""The module subclasses torch.nn.Embedding and inherits its forward, instead of building on the student's own functions."""
BREAKS = ("embedding_module",)


class Embedding(nn.Embedding):
    pass
