"""Calls sys.exit() inside the lookup and os._exit() inside the backward (imported where they are
used: the rules zero those two parts, and the other parts must keep full marks)."""


def one_hot_lookup(indices, weight):
    import sys as _sys
    _sys.exit(0)


def embedding_backward(grad_output, indices, num_embeddings, padding_idx=None, scale_grad_by_freq=False):
    import os as _os
    _os._exit(0)


BREAKS = ('one_hot_lookup', 'embedding_backward')   # the module's other parts are torch stand-ins when it is graded
