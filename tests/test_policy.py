"""The rules for graded code (autograder/policy.py), judged from the source alone: which parts a
break costs, and what is not a break."""
import ast

from autograder.policy import judge


def verdict(src: str):
    return judge([("cell", ast.parse(src).body)])


BASE = """
import torch
import torch.nn.functional as F
from torch import nn

def _check(i, w):
    return i

def one_hot_lookup(indices, weight):
    _check(indices, weight)
    return F.one_hot(indices, weight.shape[0]).to(weight.dtype) @ weight

def embedding_backward(g, i, n, padding_idx=None, scale_grad_by_freq=False):
    return one_hot_lookup(i, g)

def embedding_renorm_(w, i, m, p=2.0):
    return w

class Embedding(nn.Module):
    def forward(self, x) -> torch.Tensor:
        return one_hot_lookup(x, self.weight)
"""


def test_a_clean_submission_breaks_nothing():
    """Does the reference shape of a submission (helpers, imports, a module calling part 1) break no rule?"""
    v = verdict(BASE)
    assert v.breaks == {} and {"one_hot_lookup", "Embedding", "_check"} <= v.defined


def test_a_break_costs_the_parts_that_reach_it_and_stops_at_other_parts():
    """F.embedding in part 1's helper: does it cost part 1 alone (parts 2 and 4 call
    one_hot_lookup, but there it is a stand-in)?"""
    v = verdict(BASE.replace("    return i\n", "    return F.embedding(i, w)\n"))
    assert set(v.breaks) == {"one_hot_lookup"}
    assert "`F.embedding`" in v.message("one_hot_lookup") and "line" in v.message("one_hot_lookup")


def test_a_type_annotation_is_not_a_call():
    """Does `m: nn.Embedding` in a signature or an annotated assignment break nothing?"""
    src = BASE + "\ndef helper(m: nn.Embedding) -> nn.Embedding:\n    x: nn.Embedding = m\n    return x\n"
    assert verdict(src.replace("_check(indices, weight)", "helper(None)")).breaks == {}


def test_dynamic_access_threads_and_the_kits_own_code_are_breaks():
    """Are getattr with a built name, eval, sys.modules, threads and importing the grader breaks,
    while getattr with a literal name is not?"""
    cases = {"getattr(F, 'emb' + 'edding')": "dynamic", "eval('1')": "dynamic",
             "__import__('torch')": "dynamic", "vars(torch)": "dynamic",
             "sys.modules['x']": "dynamic", "torch.embedding(i, w)": "torch"}
    for expr, kind in cases.items():
        src = BASE.replace("    return i\n", f"    import sys\n    {expr}\n    return i\n")
        assert set(verdict(src).breaks) == {"one_hot_lookup"}, expr
    assert verdict(BASE.replace("    return i\n", "    return getattr(w, 'shape')\n")).breaks == {}
    for stmt in ("import threading", "from autograder.reference import TORCH", "import gc",
                 "from concurrent.futures import ThreadPoolExecutor"):
        assert set(verdict(stmt + "\n" + BASE).breaks) == {"one_hot_lookup", "embedding_backward",
                                                          "embedding_renorm", "embedding_module"}, stmt


def test_subclassing_nn_embedding_and_importing_it_are_breaks():
    """Is `class Embedding(nn.Embedding)` a break of part 4, and `from torch.nn.functional import
    embedding` a break of every part?"""
    assert set(verdict(BASE.replace("(nn.Module)", "(nn.Embedding)")).breaks) == {"embedding_module"}
    assert len(verdict("from torch.nn.functional import embedding as lookup\n" + BASE).breaks) == 4


def test_a_class_extended_after_its_definition_is_judged_with_it():
    """`Embedding.extra_repr = f` and `setattr(Embedding, "extra_repr", f)`: is f part of part 4?"""
    for how in ("Embedding.extra_repr = _r", "setattr(Embedding, 'extra_repr', _r)"):
        src = BASE + "\ndef _r(self):\n    return repr(F.embedding)\n" + how + "\n"
        assert set(verdict(src).breaks) == {"embedding_module"}, how


def test_a_module_may_read_its_own_attributes_by_name():
    """Are `getattr(self, name)` and `self.__dict__` (nn.Embedding's own extra_repr does that) allowed,
    while the same on anything else is not?"""
    ok = BASE + "\n    def extra_repr(self):\n        s = [getattr(self, k) for k in ('padding_idx',)]\n        return '{x}'.format(**self.__dict__)\n"
    assert verdict(ok).breaks == {}
    for bad in ("getattr(self.weight, k)", "F.__dict__", "getattr(torch, k)"):
        src = BASE + f"\n    def extra_repr(self):\n        k = 'x'\n        return {bad}\n"
        assert set(verdict(src).breaks) == {"embedding_module"}, bad


ALL = {"one_hot_lookup", "embedding_backward", "embedding_renorm", "embedding_module"}


def test_the_rules_hold_against_ordinary_python():
    """Spellings that reached torch's embedding or the grader's modules past the old rules (issue 21):
    a star import, an alias of getattr (as a name, an argument, a default, in a container, as a
    decorator), `match` keyword patterns, builtins reached by a dunder name, private attributes of
    torch, imports outside the allowlist: is each a break of the part that reaches it?"""
    helpers = {
        "from torch.nn.functional import *": "star",
        "ga = getattr\n    ga(F, 'embed' + 'ding')": "alias",
        "f = (lambda g=getattr: g)()": "default",
        "fs = [getattr, setattr]": "container",
        "m = map(getattr, [F], ['one_hot'])": "argument",
        "match torch:\n        case object(modules=m):\n            pass": "match modules",
        "match F:\n        case object(embedding=e):\n            pass": "match embedding",
        "b = __builtins__": "dunder name",
        "c = torch._C": "private attribute",
        "v = torch._VF": "private attribute",
        "x = i.__class__.__mro__": "dunder attribute",
        "import sys": "sys",
        "import os": "os",
        "import torch.library": "torch.library",
        "from torch import library": "library",
        "import scipy": "not allowlisted",
        "open(i)": "open with a computed path",
        "d = F.__dict__": "a module's dict",
    }
    for stmt, what in helpers.items():
        src = BASE.replace("    return i\n", f"    {stmt}\n    return i\n")
        assert set(verdict(src).breaks) == {"one_hot_lookup"}, (what, verdict(src).breaks)


def test_ordinary_code_is_not_a_break():
    """Are literal getattr/hasattr, a decorator that is not a builtin, `@torch.no_grad()`, allowed
    imports, `self.__dict__` and `self.__class__.__name__` in a class, `super().__init__()`,
    `match` on values, and the notebook's own imports all fine?"""
    extra = '''
import math
import numpy as np
from typing import Optional
from functools import lru_cache
import torch.nn.init as init


@lru_cache(maxsize=None)
def _arange(n):
    return n


class Embedding(nn.Module):
    def __init__(self, n, d, padding_idx: Optional[int] = None):
        super().__init__()
        self.n = getattr(self, "n", n)
        init.normal_(torch.empty(n, d))

    @torch.no_grad()
    def forward(self, x) -> torch.Tensor:
        match x.dim():
            case 0:
                pass
        return one_hot_lookup(x, self.weight) if hasattr(self, "weight") else x

    def extra_repr(self):
        return "{n}".format(**self.__dict__) + self.__class__.__name__ + str(math.pi)
'''
    src = BASE.split("class Embedding")[0] + extra
    assert verdict(src).breaks == {}, verdict(src).breaks


def test_a_break_in_from_pretrained_costs_the_module_alone():
    """A dunder door in the module's from_pretrained (a classmethod): does it cost Part 4 only, its
    score line naming the rule and the line?"""
    src = BASE + "\n    @classmethod\n    def from_pretrained(cls, embeddings):\n        m = embeddings.__class__.__mro__\n        return cls()\n"
    v = verdict(src)
    assert set(v.breaks) == {"embedding_module"}, v.breaks
    line = src.splitlines().index("        m = embeddings.__class__.__mro__") + 1
    assert f"line {line}:" in v.message("embedding_module") and "__mro__" in v.message("embedding_module")
    assert set(verdict("from torch import *\n" + BASE).breaks) == ALL
