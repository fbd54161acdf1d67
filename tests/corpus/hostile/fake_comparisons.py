"""Wrong lookup (all zeros), and torch's comparison functions patched to say everything matches:
torch.equal, allclose and assert_close at load (for every part's job: no rule forbids assigning
them), Tensor.__eq__ inside the lookup (a dunder: the rules zero the lookup for it). The lookup's
checks must still fail on their values, and the backward and the renorm keep full marks."""
import torch as _t

_t.equal = lambda *a, **k: True
_t.allclose = lambda *a, **k: True
_t.testing.assert_close = lambda *a, **k: None


def one_hot_lookup(indices, weight):
    _t.Tensor.__eq__ = lambda self, other: _t.ones_like(self, dtype=_t.bool)
    return _t.zeros(*indices.shape, weight.shape[1], dtype=weight.dtype, device=weight.device)


BREAKS = ('one_hot_lookup',)   # the module's other parts are torch stand-ins when it is graded
FAILS = ('one_hot_lookup::lecture_example', 'one_hot_lookup::int32_indices')   # on their values, patches or not
# Tensor.__eq__ stays patched in the job's torch for the parts graded after the lookup, and the
# torch-based stand-ins the module part calls compare with `==`: the attack may cost it that part.
MAY_BREAK = ('embedding_module',)
