"""A negative padding_idx is range-checked but never converted to padding_idx + V, so -2 matches no index and the row that should be padding gets a gradient (and the module stores -2)."""
BREAKS = ('embedding_backward', 'embedding_module')
FAILS = (
    'embedding_backward::negative_padding_idx_counts_from_the_end',
    'embedding_backward::random_settings',
    'embedding_module::constructor_attributes',
    'embedding_module::repr_matches',
)


def _normalise_padding_idx(padding_idx, num_embeddings):
    if padding_idx is None:
        return None
    if not -num_embeddings <= padding_idx < num_embeddings:
        raise AssertionError("Padding_idx must be within num_embeddings")
    return padding_idx
