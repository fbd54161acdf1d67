"""Wrong lookup (all zeros), and torch's comparison functions patched to say everything matches."""
import torch as _t

_t.equal = lambda *a, **k: True
_t.allclose = lambda *a, **k: True
_t.testing.assert_close = lambda *a, **k: None
_t.Tensor.__eq__ = lambda self, other: _t.ones_like(self, dtype=_t.bool)


def one_hot_lookup(indices, weight):
    return _t.zeros(*indices.shape, weight.shape[1], dtype=weight.dtype, device=weight.device)


BREAKS = ('one_hot_lookup',)   # the module's other parts are torch stand-ins when it is graded
