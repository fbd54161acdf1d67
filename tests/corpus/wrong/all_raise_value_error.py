"""Every function only raises ValueError (and so does the module): it "passes" every must-raise
check without doing any work, and must score 0 in every part."""
BREAKS = ("one_hot_lookup", "embedding_backward", "embedding_renorm", "embedding_module")
FAILS = ("one_hot_lookup::rejects_bad_index_dtypes", "one_hot_lookup::rejects_out_of_range_indices",
         "embedding_backward::padding_idx_must_be_in_range", "embedding_renorm::rejects_out_of_range_indices",
         "embedding_module::padding_idx_must_be_in_range")


def one_hot_lookup(indices, weight):
    raise ValueError("no")


def embedding_backward(grad_output, indices, num_embeddings, padding_idx=None, scale_grad_by_freq=False):
    raise ValueError("no")


def embedding_renorm_(weight, indices, max_norm, norm_type=2.0):
    raise ValueError("no")


class Embedding(nn.Module):
    def __init__(self, *args, **kwargs):
        raise ValueError("no")
