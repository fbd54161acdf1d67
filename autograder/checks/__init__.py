"""The hidden checks, one file per part (its id in autograder/parts.py); importing registers them."""
from . import one_hot_lookup, embedding_backward, embedding_renorm, embedding_module  # noqa: F401
