"""Allocates without bound in the backward."""


def embedding_backward(grad_output, indices, num_embeddings, padding_idx=None, scale_grad_by_freq=False):
    hoard = []
    while True:
        hoard.append(bytearray(256 << 20))


BREAKS = ('embedding_backward',)   # the module's other parts are torch stand-ins when it is graded
