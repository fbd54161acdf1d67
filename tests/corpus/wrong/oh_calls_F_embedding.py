"""The lookup calls torch's own F.embedding, which the assignment forbids (and the module inherits the call)."""
BREAKS = ('one_hot_lookup',)
FAILS = (
    'one_hot_lookup::uses_its_own_code',
)


def one_hot_lookup(indices, weight):
    return F.embedding(indices, weight)
