"""No implementation: the functions hand over to the grader's own reference (torch's F.embedding
behind it), reached by importing the kit or through sys.modules. Rules break: every part 0."""
import sys as _sys

BREAKS = ("one_hot_lookup", "embedding_backward", "embedding_renorm", "embedding_module")


def one_hot_lookup(indices, weight):
    from autograder.reference import TORCH
    return TORCH.one_hot_lookup(indices, weight)


def embedding_backward(grad_output, indices, num_embeddings, padding_idx=None, scale_grad_by_freq=False):
    return _sys.modules["autograder.reference"].TORCH.embedding_backward(
        grad_output, indices, num_embeddings, padding_idx, scale_grad_by_freq)


def embedding_renorm_(weight, indices, max_norm, norm_type=2.0):
    return _sys.modules["torch"].embedding_renorm_(weight, indices, max_norm, norm_type)


class Embedding(_sys.modules["torch"].nn.Module):
    def __init__(self, *a, **k):
        raise ValueError("nothing here")
