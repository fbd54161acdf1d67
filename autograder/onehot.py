"""Is the lookup a one-hot product? Judged by what it computes, not by what its values look like.

Any value-level symptom of a product (an inf spreading NaN down its column, -0.0 becoming +0.0)
can be imitated by indexing the table and patching the result, and a genuine product need not
show it (a sparse one). So this watches the operations the student's `one_hot_lookup` runs, under
a TorchDispatchMode, and follows the table's values through them:

- a tensor holds the table's values *raw* (the weight itself, its views and copies, anything
  computed from them elementwise) or as a *product* (after they were summed over the table's rows);
  for a raw tensor it knows which of its axes runs over the table's rows (its "row axis");
- a contraction over the row axis — mm, bmm, addmm, baddbmm, mv, dot, a sparse mm, or a sum/mean
  over that axis (a broadcast `one_hot[..., None] * W` summed over V) — makes a product; a
  contraction over another axis (`W @ eye(D)`) leaves the values raw;
- a selection that reads raw values — index (`W[ids]`), index_select, gather, take, masked
  selections, where, index_put/scatter/index_add of raw values, repeat_interleave, a select or
  unbind along the row axis — breaks the rule;
- the result must be a product. A result that is raw (`torch.cat` of slices) or that has no
  lineage from the table at all (values taken through numpy or Python lists) breaks the rule.

Dense, chunked (over the indices or over the table's rows), einsum, tensordot, `eye(V)[ids] @ W`,
transposed (`(W.T @ oh.T).T`), broadcast-and-sum and sparse one-hot products all pass; indexing does
not, however it dresses its output. A call that raises, or whose table has fewer than two rows (nothing
tells a lookup from a product there) or whose result is empty, is not judged. The same code runs in the grader's sandboxed job, for every call of a graded lookup, and in
the notebook's visible check.
"""
import functools

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten

aten = torch.ops.aten
# a contraction: for each operand position, the axis it contracts (negative: from the end)
CONTRACT = {"mm": {0: -1, 1: 0}, "bmm": {0: -1, 1: 1}, "addmm": {1: -1, 2: 0}, "baddbmm": {1: -1, 2: 1},
            "addbmm": {1: -1, 2: 1}, "mv": {0: -1, 1: 0}, "addmv": {1: -1, 2: 0}, "dot": {0: 0, 1: 0},
            "vdot": {0: 0, 1: 0}, "_sparse_mm": {0: -1, 1: 0}, "_sparse_addmm": {1: -1, 2: 0},
            "sspaddmm": {1: -1, 2: 0}, "hspmm": {0: -1, 1: 0}, "smm": {0: -1, 1: 0}, "_addmm_activation": {1: -1, 2: 0}}
SUMS = {"sum", "mean", "nansum"}
# reads raw values by position: always a break
SELECT = {"index", "_unsafe_index", "index_select", "gather", "take", "take_along_dim", "masked_select", "where",
          "masked_fill", "masked_scatter", "index_put", "index_put_", "_index_put_impl_", "_unsafe_index_put",
          "index_copy", "index_copy_", "index_add", "index_add_", "index_reduce", "index_reduce_", "index_fill",
          "index_fill_", "scatter", "scatter_", "scatter_add", "scatter_add_", "scatter_reduce", "scatter_reduce_",
          "repeat_interleave", "embedding", "_embedding_bag", "embedding_bag", "nonzero_static", "masked_scatter_"}
AXIS_SELECT = {"select", "unbind"}          # a break along the row axis only
MAKE = {"new_zeros", "new_ones", "new_empty", "new_full", "new_empty_strided", "zeros_like", "ones_like",
        "empty_like", "full_like", "rand_like", "randn_like", "randint_like", "sym_size", "sym_stride", "sym_numel",
        "sym_storage_offset", "_local_scalar_dense", "is_nonzero", "equal", "isfinite", "isnan", "isinf",
        "ge", "gt", "le", "lt", "eq", "ne", "any", "all", "_assert_async", "_functional_assert_async", "size",
        "stride", "dim", "numel", "_to_dense"}
# the values keep their order: the row axis is found again by the sizes around it
SAME_ORDER = {"view", "_unsafe_view", "reshape", "_reshape_alias", "view_copy", "squeeze", "unsqueeze", "flatten",
              "unflatten", "alias", "detach", "clone", "contiguous", "_to_copy", "to", "lift_fresh", "lift_fresh_copy",
              "_conj", "resolve_conj", "resolve_neg", "copy", "expand_copy", "_reshape_copy"}
OVERWRITE = {"copy_", "copy", "index_put_", "_index_put_impl_", "index_put", "slice_scatter", "select_scatter",
             "fill_", "zero_"}   # ops whose first argument's old values are replaced, not mixed in
PRODUCT = "product"


class Judge:
    """The verdicts on every judged call: the first break found, and how many calls were judged."""

    def __init__(self):
        self.judged = 0
        self.broke, self.op = "", ""   # the first break: "select" (and the op), "raw" or "unrelated"

    def verdict(self) -> dict:
        return {"judged": self.judged, "broke": self.broke, "op": self.op}

    def wrap(self, fn):
        """fn, with each call watched; the verdict is recorded here, the call's own result returned."""
        @functools.wraps(fn)
        def watched(indices, weight, *args, **kwargs):
            if not isinstance(weight, torch.Tensor) or weight.dim() != 2 or weight.shape[0] < 2 or not weight.numel():
                return fn(indices, weight, *args, **kwargs)   # one row: a lookup and a product are the same thing
            trace = _Trace(weight)
            with trace:
                out = fn(indices, weight, *args, **kwargs)
            why = trace.why(out)
            if why is not None:
                self.judged += 1
                if why and not self.broke:
                    self.broke, self.op = why, trace.op
            return out
        return watched


class _Trace(TorchDispatchMode):
    def __init__(self, weight: torch.Tensor):
        super().__init__()
        self.weight = weight
        self.storage = _storage(weight)
        self.state: dict[int, object] = {id(weight): 0}   # id -> row axis (int), None (lost), or PRODUCT
        self.alive: list = [weight]                         # so that no id is reused while the call runs
        self.written: dict = {}                             # storage -> PRODUCT or None: written in place
        self.op = ""   # the first selection that read the table's raw values

    def why(self, out) -> str | None:
        """None: not judged; "": a one-hot product; else what broke the rule ("select", "raw", "unrelated")."""
        if not isinstance(out, torch.Tensor) or not out.numel():
            return None
        if self.op:
            return "select"
        state = self._of(out)
        return "" if state is PRODUCT else "unrelated" if state is _UNTRACKED else "raw"

    def _of(self, t):
        key = id(t)
        if key in self.state:
            return self.state[key]
        if t.layout != torch.strided or not t.numel():
            return _UNTRACKED
        where = _storage(t)
        if where == self.storage:   # a view of the table made without an op (.data)
            return _axis_by_strides(t, self.weight)
        return self.written.get(where, _UNTRACKED)   # a tensor something was written into in place

    def _mark(self, t, state):
        self.state[id(t)] = state
        self.alive.append(t)

    @classmethod
    def _should_skip_dynamo(cls):
        """No dynamo wrapper around __torch_dispatch__ (torch wraps a mode's by default): nothing is
        compiled in a job, and the wrapper was an eighth of the watch's cost per op."""
        return False

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        name, mutable = _op(func)
        seen = [(i, a, self._of(a)) for i, a in _tensors(args, kwargs)]   # before the op: an in-place op changes them
        raw = [(i, a, st) for i, a, st in seen if st is not _UNTRACKED and st is not PRODUCT]
        products = any(st is PRODUCT for _i, _a, st in seen)
        mixed = products and not raw and name not in MAKE and \
            any(_foreign(a, st) for i, a, st in seen if not (i == 0 and name in OVERWRITE))
        out = func(*args, **kwargs)
        if raw:
            result = self._result(name, args, kwargs, out, raw)
        elif not products or name in MAKE:
            return out
        elif mixed:
            result = None   # a product mixed with values from elsewhere: no longer the product's alone
        else:
            result = PRODUCT
        if result is _UNTRACKED:
            return out
        outs = [out] if isinstance(out, torch.Tensor) else \
            [o for o in out if isinstance(o, torch.Tensor)] if type(out) in (list, tuple) else []
        if mutable:   # an in-place op: its target (and what shares its memory) holds what it wrote
            target = args[0] if args and isinstance(args[0], torch.Tensor) else kwargs.get("out")
            if isinstance(target, torch.Tensor):
                outs.append(target)
                where = _storage(target)
                before = self.written.get(where, PRODUCT)
                self.written[where] = result if before is PRODUCT and result is PRODUCT else None
        for o in outs:
            if isinstance(result, tuple):   # (source shape, row axis): laid out again in o's shape
                self._mark(o, _reshaped(result[0], result[1], tuple(o.shape)))
            else:
                self._mark(o, result)
        return out

    def _result(self, name, args, kwargs, out, raw):
        """The state of the outputs of an op that read raw values (a break is recorded)."""
        if name in MAKE:
            return _UNTRACKED
        if name in SELECT:
            self._break(name)
            return _UNTRACKED
        if name in CONTRACT:
            axes = CONTRACT[name]
            contracted = [(i, a, s) for i, a, s in raw if i in axes]
            others = [(i, a, s) for i, a, s in raw if i not in axes]
            if others:   # the bias of addmm & co: added elementwise
                i, a, s = others[0]
                return _broadcast(a, s, out)
            i, a, s = contracted[0]
            if s is not None and s == axes[i] % a.dim():
                return PRODUCT if len(contracted) == 1 or self._all_contracted(contracted, axes) else None
            return _contract_axis(name, i, a, s, out)
        i, a, s = raw[0]
        if s is None:
            return None
        if name in AXIS_SELECT:
            dim = args[1] if len(args) > 1 else kwargs.get("dim", 0)
            if dim % a.dim() == s:
                self._break(name)
                return _UNTRACKED
            return s - (dim % a.dim() < s)
        if name in SUMS:
            dims = args[1] if len(args) > 1 else kwargs.get("dim")
            if dims is None or dims == []:
                return PRODUCT
            dims = [d % a.dim() for d in (dims if isinstance(dims, (list, tuple)) else [dims])]
            if s in dims:
                return PRODUCT
            keep = args[2] if len(args) > 2 else kwargs.get("keepdim", False)
            return s if keep else s - sum(d < s for d in dims)
        if name in ("t", "transpose", "swapaxes", "swapdims"):
            d0, d1 = (0, 1) if name == "t" else (args[1] % a.dim(), args[2] % a.dim())
            return d1 if s == d0 else d0 if s == d1 else s
        if name == "permute":
            dims = [d % a.dim() for d in args[1]]
            return dims.index(s)
        if name in ("slice", "narrow", "split", "split_with_sizes", "chunk", "unsafe_split", "tensor_split",
                    "unsafe_split_with_sizes", "roll", "flip", "as_strided"):
            return s if name != "as_strided" else None
        if name in SAME_ORDER:
            return (tuple(a.shape), s)
        return _broadcast(a, s, out)

    def _all_contracted(self, contracted, axes) -> bool:
        return all(s is not None and s == axes[i] % a.dim() for i, a, s in contracted)

    def _break(self, name):
        self.op = self.op or name


_OPS: dict = {}   # operator -> (name, whether it writes in place)


def _op(func) -> tuple[str, bool]:
    """(name, whether it writes in place) of an operator, looked up once per operator."""
    found = _OPS.get(func)
    if found is None:
        _OPS[func] = found = (func.overloadpacket.__name__, func._schema.is_mutable)
    return found


def _tensors(args, kwargs) -> list:
    """(position or keyword, tensor) of an op's tensor arguments, those in lists (cat's, index's) too.
    aten's operators take tensors or lists of tensors, never deeper (of torch's schemas only c10d's
    collectives nest lists): a tensor hidden deeper would only lose its lineage, and a result
    without the table's lineage breaks the rule ("unrelated"), so nothing passes by hiding there."""
    out = []
    for i, a in (*enumerate(args), *kwargs.items()) if kwargs else enumerate(args):
        if isinstance(a, torch.Tensor):
            out.append((i, a))
        elif type(a) in (list, tuple):
            out += [(i, t) for t in a if isinstance(t, torch.Tensor)]
    return out


class _Untracked:
    def __repr__(self):
        return "untracked"


_UNTRACKED = _Untracked()


def _foreign(t, state) -> bool:
    """Values that did not come from the table, mixed into a product: data from elsewhere (a zero
    buffer or a scalar is not)."""
    return state is _UNTRACKED and t.is_floating_point() and t.numel() > 1 and bool(t.ne(0).any())


def _storage(t):
    try:
        return t.untyped_storage().data_ptr()
    except RuntimeError:   # sparse and other layouts have no storage of their own
        return None


def _axis_by_strides(t, weight):
    rows = [d for d in range(t.dim()) if t.stride(d) == weight.stride(0) and t.size(d) > 1]
    return rows[0] if len(rows) == 1 else None


def _reshaped(shape, axis, new) -> int | None:
    """The row axis after the same values were laid out in `new` (None if it no longer exists)."""
    if axis is None or not shape:
        return None
    outer, size = _prod(shape[:axis]), shape[axis]
    for b in range(len(new)):
        if _prod(new[:b]) == outer and new[b] == size:
            return b
    return None


def _broadcast(a, s, out):
    """The row axis of an elementwise (broadcasting) op's output, aligned from the right."""
    if not isinstance(out, torch.Tensor):
        out = next((o for o in tree_flatten(out)[0] if isinstance(o, torch.Tensor)), None)
        if out is None:
            return _UNTRACKED
    b = out.dim() - a.dim() + s
    if 0 <= b < out.dim() and out.shape[b] == a.shape[s]:
        return b
    if out.dim() == a.dim() and out.shape[s] == a.shape[s]:
        return s
    return None


def _contract_axis(name, i, a, s, out):
    """A contraction over another axis than the rows (`W @ eye(D)`): where the row axis lands in its
    output. The first operand's rows, or a batch axis, keep their place; the second operand's
    columns become the output's last axis."""
    if s is None or not isinstance(out, torch.Tensor) or out.dim() == 0:
        return None
    if i == min(CONTRACT[name]) or s < a.dim() - 2:
        return s if s < out.dim() else None
    return out.dim() - 1


def _prod(xs) -> int:
    out = 1
    for x in xs:
        out *= x
    return out
