"""How `one_hot_lookup(indices, weight)` is graded: against F.embedding(indices, weight).

The forward must equal torch's bit for bit, up to the sign of zero (one nonzero term per sum
makes the product exact), for int64 and int32 indices of any shape, 0-d and empty included; its
gradient w.r.t. weight must match within the gradient tolerance; bad indices must raise. It must
be a one-hot product, judged by what it computes (test_is_a_one_hot_product, a rule): the sandbox
watches every call of the lookup while this part is graded and follows the table's values through
the operations it runs (autograder/onehot.py): they must reach the result through a sum over the
table's rows (a matrix product with a one-hot), never be read by position (indexing).
"""
import pytest
import torch
from hypothesis import strategies as st

from autograder.compare import EXACT, GRAD
from autograder.inputs import (FLOATS, HALVES, bad_index_dtypes, drawn, each, examples, index_matrix, left_alone,
                               out_of_range, pick, refusals)
from autograder.remote import backward, raises


def lookup_and_grad(api, idx, W0, g):
    W = api.leaf(W0)
    out = api.one_hot_lookup(idx, W)
    backward(out, g)
    return {"out": out, "grad": W.grad}


def upcast(*ts):
    return [t.double() if t.is_floating_point() else t for t in ts]


@pytest.mark.points(3)
@pytest.mark.dtypes(*FLOATS)
@pytest.mark.cuda_dtypes(*HALVES)
def test_lecture_example(check, make):
    """Does (2,4) indices into a (10,3) table give torch's (2,4,3) output and gradient?"""
    idx = make.tensor([[1, 2, 4, 5], [4, 3, 2, 9]])
    W, g = make.weight(10, 3), make.randn(2, 4, 3)
    check(lambda api: lookup_and_grad(api, idx, W, g),
          ref64=lambda api: lookup_and_grad(api, idx, *upcast(W, g)), out=EXACT, grad=GRAD)


@pytest.mark.points(2)
@pytest.mark.dtypes(*FLOATS)
def test_int32_indices(check, make):
    """Do int32 indices work like int64 ones (F.one_hot alone rejects them)?"""
    idx = make.randint(10, (3, 5), dtype=torch.int32)
    W, g = make.weight(10, 4), make.randn(3, 5, 4)
    check(lambda api: lookup_and_grad(api, idx, W, g), out=EXACT, grad=GRAD)


@pytest.mark.points(2)
@pytest.mark.dtypes(*FLOATS)
def test_scalar_index(check, make):
    """Does a 0-d index give a (D,) row, like weight[7]?"""
    idx = make.tensor(7)
    W, g = make.weight(10, 4), make.randn(4)
    check(lambda api: lookup_and_grad(api, idx, W, g), out=EXACT, grad=GRAD)


@pytest.mark.points(2)
@pytest.mark.dtypes(*FLOATS)
def test_empty_indices(check, make):
    """Do empty index tensors of shape (0,), (3,0) and (0,4) give empty outputs and a zero gradient,
    and does a (6, 0) table (embedding_dim 0) work too?"""
    W = make.weight(6, 3)
    shapes = [(0,), (3, 0), (0, 4)]
    idxs = [make.randint(6, s) for s in shapes]
    W_flat, few = make.weight(6, 0), make.tensor([[1, 5], [0, 0]])

    def observe(api):
        leaf = api.leaf(W)
        outs = {f"out for indices of shape {s}": api.one_hot_lookup(i, leaf) for s, i in zip(shapes, idxs)}
        for out in outs.values():
            out.sum().backward()
        return {**outs, "grad": leaf.grad, "out for a (6, 0) table": api.one_hot_lookup(few, api.tensor(W_flat))}
    check(observe, out=EXACT, grad=GRAD)


@pytest.mark.points(3)
@pytest.mark.dtypes(*FLOATS)
def test_largest_index_below_V(check, make):
    """With V=50 but indices only up to 39, is the one-hot still 50 wide (num_classes not inferred)?"""
    idx = make.randint(40, (2, 3, 4, 5))
    W, g = make.weight(50, 6), make.randn(2, 3, 4, 5, 6)
    check(lambda api: lookup_and_grad(api, idx, W, g), out=EXACT, grad=GRAD)


@pytest.mark.points(2)
def test_noncontiguous_inputs(check, make):
    """Do a transposed table, a strided table and transposed indices give the same values?"""
    base_t, base_s = make.randn(4, 9), make.randn(9, 8)
    idx = make.arg((3, 5), "transposed", high=9)   # made a view on each side: the wire sends tensors contiguous
    check(lambda api: {"out with weight.t()": api.one_hot_lookup(idx.on(api), api.tensor(base_t).t()),
                       "out with weight[:, ::2]": api.one_hot_lookup(idx.on(api), api.tensor(base_s)[:, ::2])},
          out=EXACT)


@pytest.mark.points(1)
def test_output_is_a_new_tensor(check, make):
    """Is the output a fresh tensor, so writing to it leaves the table alone?"""
    W0, idx = make.weight(5, 3), make.tensor([0, 2, 2])

    def observe(api):
        W = api.tensor(W0)
        api.one_hot_lookup(idx, W).mul_(0).add_(100)
        return {"weight after writing to the output": W}
    check(observe, weight=EXACT)


@pytest.mark.points(1)
def test_leaves_its_inputs_alone(check, make):
    """Are the indices (0-d, 1-d, 2-d, sliced, transposed, expanded) and the weight (contiguous,
    transposed, sliced, offset, expanded) left unchanged by the call: values, shape, dtype and strides?"""
    def build(make):
        idxs = [make.arg((), "contiguous", high=7), make.arg((5,), "sliced", high=7, dtype=torch.int32),
                make.arg((2, 2), "contiguous", high=7, dtype=torch.int32), make.arg((3, 4), "transposed", high=7),
                make.arg((2, 5), "expanded", high=7, dtype=torch.int32)]
        layouts = ("contiguous", "transposed", "sliced", "offset", "expanded")
        return idxs, [make.arg((7, 3), layout) for layout in layouts]
    idxs, Ws = make.once(build)

    def observe(api):
        calls, inputs = {}, {}
        for n, (idx, W) in enumerate(zip(idxs, Ws)):
            i, w = idx.on(api), W.on(api)
            calls[n] = lambda i=i, w=w: api.one_hot_lookup(i, w)
            inputs[f"indices {idx.label}"], inputs[f"weight {W.label}"] = i, w
        return left_alone(api, calls, inputs)
    check(observe, any=EXACT, indices=EXACT, weight=EXACT, strides=EXACT)


@pytest.mark.points(3)
def test_every_kind_of_input(check, make):
    """Do index tensors of every kind (0-d, 1-d, 2-d, 4-d and empty; int64 and int32; contiguous,
    transposed, sliced, expanded and offset views) into tables in every layout (the same views) and
    tables with embedding_dim 0 give torch's output and gradient?"""
    def build(make):
        cases = {}
        for n, (idx, V, D) in enumerate(index_matrix(make)):
            if V == 1:   # not here: einsum contracts a 1-row table's one-hot with no sum: the one-hot rule says raw
                continue
            W = make.arg((V, D), pick((V, D), n))
            cases[f"indices {idx.label}, weight {W.label}"] = (idx, W, make.randn(*idx.shape, D))
        return cases
    cases = make.once(build)

    def observe(api):
        def call(idx, W, g):
            leaf, w = W.leaf_on(api)
            out = api.one_hot_lookup(idx.on(api), w)
            backward(out, g)
            return {"out": out, "grad": leaf.grad}
        return each(api, {k: (lambda a=a: call(*a)) for k, a in cases.items()}, ("out", "grad"))
    check(observe, out=EXACT, grad=GRAD)


@pytest.mark.points(2)
@pytest.mark.devices("cpu")
@pytest.mark.refusal
def test_rejects_bad_index_dtypes(check, make):
    """Are float, int16, uint8 and bool indices (0-d, 1-D and 2-D) refused with an exception, while
    the same indices as int64 are accepted (bool is not a mask)?"""
    W, cases = make.once(lambda make: (make.weight(5, 3), bad_index_dtypes(make, 5)))
    check(lambda api: refusals(api, {label: (lambda t=bad, w=w: api.one_hot_lookup(t, w),
                                             lambda t=good, w=w: api.one_hot_lookup(t, w), n)
                                     for w in [api.tensor(W)] for label, bad, good, n in cases}), raises=EXACT)


@pytest.mark.points(3)
@pytest.mark.refusal
@pytest.mark.alone("cuda")   # on CUDA in a job of its own: a device-side assert poisons the context
def test_rejects_out_of_range_indices(check, make):
    """Do indices V, -1 and -V (0-d, 1-D and 2-D, int64 and int32) raise, instead of silently wrapping
    around like weight[-1], while the same shape in range is accepted?"""
    W, cases = make.once(lambda make: (make.weight(5, 3), out_of_range(make, 5)))
    check(lambda api: refusals(api, {label: (lambda t=bad, w=w: api.one_hot_lookup(t, w),
                                             lambda t=good, w=w: api.one_hot_lookup(t, w), n)
                                     for w in [api.tensor(W)] for label, bad, good, n in cases}), raises=EXACT)


@pytest.mark.points(1)
@pytest.mark.devices("cpu")
@pytest.mark.refusal
def test_rejects_a_table_that_is_not_2d(check, make):
    """Is a 1-D or 3-D weight refused with an exception?"""
    idx = make.tensor([0, 1])
    Ws = {"1-D": make.randn(5), "3-D": make.randn(5, 3, 2)}
    check(lambda api: {f"raises for a {k} weight": raises(api, lambda W=W: api.one_hot_lookup(idx, W))
                       for k, W in Ws.items()}, raises=EXACT)


@pytest.mark.points(3)
@pytest.mark.cuda_dtypes(*HALVES)
def test_large_table(check, make):
    """Is a (1000, 64) table looked up exactly for (32, 32) indices with many repeats?"""
    idx = make.randint(1000, (32, 32))
    W, g = make.weight(1000, 64), make.randn(32, 32, 64)
    check(lambda api: lookup_and_grad(api, idx, W, g),
          ref64=lambda api: lookup_and_grad(api, idx, *upcast(W, g)), count_max=32 * 32, out=EXACT, grad=GRAD)


SHAPES = examples(st.fixed_dictionaries({
    "V": st.integers(1, 40), "D": st.integers(0, 9),
    "shape": st.lists(st.integers(0, 5), min_size=0, max_size=4).map(tuple),
    "int32": st.booleans()}), 25)


@pytest.mark.points(4)
@pytest.mark.dtypes(*FLOATS)
def test_random_shapes(check, make):
    """Do 25 shapes a property-based search picks (V, D, index rank 0-4, empty dims, int32; the first 8
    in float64) all match?"""
    inputs = []
    for ex in drawn(SHAPES, make):
        idx = make.randint(ex["V"], ex["shape"], dtype=torch.int32 if ex["int32"] else torch.int64)
        inputs.append((ex, idx, make.weight(ex["V"], ex["D"]), make.randn(*ex["shape"], ex["D"])))

    def observe(api):
        obs = {}
        for ex, idx, W, g in inputs:
            label = f"indices {tuple(idx.shape)} {idx.dtype}, weight ({ex['V']}, {ex['D']})"
            r = lookup_and_grad(api, idx, W, g)
            obs[f"out for {label}"], obs[f"grad for {label}"] = r["out"], r["grad"]
        return obs
    check(observe, out=EXACT, grad=GRAD)


@pytest.mark.points(0)
@pytest.mark.rule
def test_is_a_one_hot_product(student, rules, make):
    """Is the lookup a one-hot product, judged by what it computes: does the table reach the result
    only through a sum over its rows against a one-hot (a matrix product, einsum, a sparse product),
    never read by position (weight[indices], index_select, gather, a loop of weight[k])?"""
    from autograder.compare import Mismatch
    from autograder.i18n import _
    from autograder.remote import StudentError
    try:   # every call of the lookup in this part is watched; this one too, like any other
        student.fetch(student.one_hot_lookup(make.randint(13, (4, 3)), make.weight(13, 5)))
    except StudentError:
        pass   # a call that raises is not judged (the other tests charge for the crash)
    seen = rules.watched()
    if seen is not None and seen["broke"]:
        raise Mismatch(_("rule.one_hot." + seen["broke"], op=seen["op"]))


@pytest.mark.points(0)
@pytest.mark.rule
def test_uses_its_own_code(rules):
    """Does the code compute the result itself, without torch's own embedding ops?"""
    rules.check()
