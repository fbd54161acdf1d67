"""torch's own implementation of the student API (CONTRACT §1): what every observation is compared
with (in the trusted grader), and the stand-in for the parts not being graded (in a sandboxed job,
where it holds no check, no input and no expected value: it is public, like torch itself)."""
from types import SimpleNamespace

import torch
import torch.nn.functional as F
from torch import nn


def one_hot_lookup(indices, weight):
    return F.embedding(indices, weight)


def embedding_backward(grad_output, indices, num_embeddings, padding_idx=None, scale_grad_by_freq=False):
    weight = torch.zeros(num_embeddings, grad_output.shape[-1], dtype=grad_output.dtype,
                         device=grad_output.device, requires_grad=True)
    with torch.enable_grad():   # as a stand-in it is called inside a module's own backward, where grad is off
        F.embedding(indices, weight, padding_idx, scale_grad_by_freq=scale_grad_by_freq).backward(grad_output)
    return weight.grad


def embedding_renorm_(weight, indices, max_norm, norm_type=2.0):
    # CONTRACT §1 asks more than torch here: torch's CPU renorm wraps a negative index (-1 renorms
    # the last row) before its lookup raises; a student's must raise instead, and change nothing.
    if indices.numel() and (indices.min() < 0 or indices.max() >= weight.shape[0]):
        raise IndexError("index out of range in self")
    with torch.no_grad():
        return torch.embedding_renorm_(weight, indices, max_norm, norm_type)


TORCH = SimpleNamespace(one_hot_lookup=one_hot_lookup, embedding_backward=embedding_backward,
                        embedding_renorm_=embedding_renorm_, Embedding=nn.Embedding)
