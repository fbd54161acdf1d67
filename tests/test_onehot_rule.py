"""The one-hot rule judged by what the lookup computes (autograder/onehot.py, issue 21): every valid
way of writing the product gets Part 1's full marks; indexing loses Part 1 (and only Part 1) however
it imitates a product's symptoms; a lookup that merely crashes on some inputs is not called indexing."""
import pytest

from conftest import BASE

STYLES = {   # name -> the body of one_hot_lookup(indices, weight); _check_indices comes from BASE
    "dense": "return F.one_hot(indices.long(), weight.shape[0]).to(weight.dtype) @ weight",
    "einsum": "return torch.einsum('...v,vd->...d', F.one_hot(indices.long(), weight.shape[0]).to(weight.dtype), weight)",
    "eye_rows": "return torch.eye(weight.shape[0], dtype=weight.dtype, device=weight.device)[indices.long()] @ weight",
    "transposed": "flat = F.one_hot(indices.reshape(-1).long(), weight.shape[0]).to(weight.dtype)\n"
                  "    return (weight.T @ flat.T).T.reshape(*indices.shape, weight.shape[1])",
    "broadcast_sum": "oh = F.one_hot(indices.long(), weight.shape[0]).to(weight.dtype)\n"
                     "    return (oh.unsqueeze(-1) * weight).sum(-2)",
    "chunked_over_rows": "oh = F.one_hot(indices.long(), weight.shape[0]).to(weight.dtype)\n"
                         "    out = oh[..., :0] @ weight[:0]\n"
                         "    for a in range(0, weight.shape[0], 7):\n"
                         "        out = out + oh[..., a:a + 7] @ weight[a:a + 7]\n"
                         "    return out",
    "chunked_into_a_buffer": "flat = indices.reshape(-1).long()\n"
                             "    if not flat.numel():\n"
                             "        return (F.one_hot(flat, weight.shape[0]).to(weight.dtype) @ weight).reshape(*indices.shape, weight.shape[1])\n"
                             "    out = torch.empty(flat.numel(), weight.shape[1], dtype=weight.dtype, device=weight.device)\n"
                             "    for a in range(0, flat.numel(), 5):\n"
                             "        out[a:a + 5] = F.one_hot(flat[a:a + 5], weight.shape[0]).to(weight.dtype) @ weight\n"
                             "    return out.reshape(*indices.shape, weight.shape[1])",
    "sparse_coo": "flat = indices.reshape(-1).long()\n"
                  "    n = flat.numel()\n"
                  "    rows = torch.arange(n, device=weight.device)\n"
                  "    oh = torch.sparse_coo_tensor(torch.stack([rows, flat]), torch.ones(n, dtype=weight.dtype, device=weight.device),\n"
                  "                                 (n, weight.shape[0]))\n"
                  "    return torch.sparse.mm(oh, weight).reshape(*indices.shape, weight.shape[1])",
    "tensordot": "return torch.tensordot(F.one_hot(indices.long(), weight.shape[0]).to(weight.dtype), weight, dims=1)",
}
INDEXING = {   # name -> (body, the test of Part 1 it must fail besides the rule, if any)
    "plain": "return weight[indices]",
    "dressed_as_a_product": "out = weight[indices] + 0.0                 # -0.0 becomes +0.0, as in a product\n"
                            "    bad = ~torch.isfinite(weight).all(0)        # NaN down non-finite columns, as in a product\n"
                            "    return torch.where(bad, torch.nan, out)",
    "index_select": "return weight.index_select(0, indices.reshape(-1)).reshape(*indices.shape, weight.shape[1])",
    "slices_pasted": "flat = indices.reshape(-1).tolist()\n"
                     "    rows = [weight[k:k + 1] for k in flat] or [weight[:0]]\n"
                     "    return torch.cat(rows).reshape(*indices.shape, weight.shape[1])",
    "through_python_lists": "table = weight.tolist()\n"
                            "    rows = [table[k] for k in indices.reshape(-1).tolist()]\n"
                            "    return torch.tensor(rows, dtype=weight.dtype).reshape(*indices.shape, weight.shape[1])",
    "identity_product_then_index": "return (weight @ torch.eye(weight.shape[1], dtype=weight.dtype))[indices]",
}


def _lookup(tmp_path, name, body):
    path = tmp_path / f"{name}.py"
    path.write_text(BASE.read_text() + "\n\ndef one_hot_lookup(indices, weight):\n"
                    "    _check_indices(indices, weight.shape[0])\n"
                    "    if weight.dim() != 2:\n        raise RuntimeError('weight must be 2-D')\n"
                    f"    {body}\n")
    return path


@pytest.mark.parametrize("style", STYLES)
def test_every_one_hot_product_gets_full_marks(grader, tmp_path, style):
    """Does each way of writing the one-hot product (dense, einsum, eye(V)[ids] @ W, transposed,
    broadcast-and-sum, chunked over the rows or into a buffer, sparse, tensordot) get Part 1's 25?"""
    result = grader.grade(_lookup(tmp_path, style, STYLES[style]))
    part = result.parts["one_hot_lookup"]
    assert part.score == part.max_score, [(t.name, t.message) for t in part.tests if not t.passed]
    assert result.score == result.max_score


@pytest.mark.parametrize("how", INDEXING)
def test_indexing_loses_part_1_alone_however_it_is_dressed(grader, tmp_path, how):
    """Does indexing the table (plain, dressed with a product's NaN and -0.0 behaviour, index_select,
    slices pasted together, through Python lists, a product with the identity then indexing) fail the
    rule and score 0 on Part 1, while Parts 2-4 keep their marks?"""
    result = grader.grade(_lookup(tmp_path, how, INDEXING[how]))
    rule = next(t for t in result.parts["one_hot_lookup"].tests if t.name == "is_a_one_hot_product")
    assert not rule.passed and "one-hot product" in rule.message, rule
    assert result.parts["one_hot_lookup"].score == 0
    assert all(p.score == p.max_score for pid, p in result.parts.items() if pid != "one_hot_lookup")


def test_a_lookup_that_crashes_is_not_called_indexing(grader, tmp_path):
    """A product whose one-hot infers its width (F.one_hot without num_classes) crashes or is too
    narrow on some inputs: does it keep the points of the tests it passes, the rule not zeroing
    the part (a call that raises is not judged)?"""
    result = grader.grade(_lookup(tmp_path, "inferred", "return F.one_hot(indices.long()).to(weight.dtype) @ weight"))
    part = result.parts["one_hot_lookup"]
    rule = next(t for t in part.tests if t.name == "is_a_one_hot_product")
    assert rule.passed, rule.message
    assert 0 < part.score < part.max_score
