"""One comparison helper: checks in steps (type -> shape -> dtype -> device -> values) and stops at
the first difference, with a sentence a student can act on. Tolerance policies live here too."""
from dataclasses import dataclass

import torch

from .i18n import _

SMALL = 24  # tensors with at most this many elements are shown in full


class Mismatch(AssertionError):
    """A student's observation differs from torch's; the message says how."""


@dataclass(frozen=True)
class Raised:
    """An observation that was an exception, not a value."""
    type: str
    message: str

    def __str__(self):
        return f"{self.type}: {self.message}" if self.message else self.type


def _fmt(x: torch.Tensor) -> str:
    return str(x.detach().cpu().tolist()) if x.dim() else str(x.item())


def _describe(value) -> str:
    if isinstance(value, torch.Tensor):
        return _("cmp.a_tensor", shape=tuple(value.shape), dtype=value.dtype)
    if isinstance(value, Raised):
        return _("cmp.an_exception", error=value)
    return repr(value)


@dataclass(frozen=True)
class Policy:
    """How close a floating tensor must be: |got - expected| <= atol + rtol * |expected|, per dtype.

    rtol/atol map a dtype to a tolerance; a dtype not named is compared exactly. With half_ref64, a
    float16/bfloat16 result is judged against the float64 computation instead of against torch's
    own half-precision result (torch's CPU backward rounds after every add; see the reference, §4.1)."""
    name: str
    rtol: tuple = ()
    atol: tuple = ()
    half_ref64: bool = False

    def tolerances(self, dtype):
        return dict(self.rtol).get(dtype, 0.0), dict(self.atol).get(dtype, 0.0)


EXACT = Policy("exact")
# Dense gradients: sums of many rows in a different order are allowed their rounding.
GRAD = Policy("gradient", rtol=((torch.float64, 1e-12), (torch.float32, 1e-5)),
              atol=((torch.float64, 1e-12), (torch.float32, 1e-5)), half_ref64=True)
# Renormalised rows: f64 tight enough to catch a missing eps, f32/f16/bf16 about an ulp or two.
RENORM = Policy("renorm", rtol=((torch.float64, 1e-14), (torch.float32, 1e-6), (torch.float16, 2e-3),
                                (torch.bfloat16, 1.6e-2)))
HALF_EPS = {torch.float16: 2.0 ** -10, torch.bfloat16: 2.0 ** -7}


class Undeclared(Exception):
    """A test compares a key it declared no policy for: an error of the grader's, not the student's."""


def policy_for(key: str, policies: dict) -> Policy:
    """The policy declared for an observation key: by the whole key, or by its first word ("grad"
    for "grad for V=3, ..."). Every key must have one: nothing is compared by a silent default."""
    found = policies.get(key) or policies.get(key.split(" ", 1)[0])
    if found is None:
        raise Undeclared(f"no compare policy declared for {key!r}")
    return found


def compare_observations(got, want, policies: dict, want64=None, count_max: int = 1) -> None:
    """Raise Mismatch unless the student's observation `got` agrees with torch's `want`: both
    raised, or every key of torch's dict is in theirs and agrees under its declared policy."""
    if isinstance(want, Raised):
        if not isinstance(got, Raised):
            raise Mismatch(_("judge.not_raised", error=want.type, message=want.message[:120]))
        return
    if isinstance(got, Raised):
        raise Mismatch(_("judge.raised", error=got.type, message=got.message[:300]))
    if not isinstance(got, dict):
        raise Mismatch(_("cmp.value", what="the observation", expected="a dict", got=_describe(got)))
    for key, expected in want.items():
        policy = policy_for(key, policies)
        if key not in got:
            raise Mismatch(_("judge.missing_key", key=key))
        check_value(key, got[key], expected, policy, (want64 or {}).get(key), count_max)


def check_value(key: str, got, expected, policy: Policy = EXACT, ref64=None, count_max: int = 1) -> None:
    """Raise Mismatch unless `got` agrees with `expected` (torch's) under `policy`."""
    what = f"`{key}`"
    if isinstance(expected, Raised):
        if not isinstance(got, Raised):
            raise Mismatch(_("cmp.torch_raises", what=what, error=expected.type, got=_describe(got)))
        return
    if isinstance(got, Raised):
        raise Mismatch(_("cmp.yours_raised", what=what, got=got, expected=_describe(expected)))
    if not isinstance(expected, torch.Tensor):
        if not _plain_equal(got, expected):
            raise Mismatch(_("cmp.value", what=what, expected=_short(expected), got=_short(got)))
        return
    if not isinstance(got, torch.Tensor):
        raise Mismatch(_("cmp.value", what=what, expected=_describe(expected), got=_describe(got)))
    if got.shape != expected.shape:
        raise Mismatch(_("cmp.shape", what=what, expected=tuple(expected.shape), got=tuple(got.shape)))
    if got.dtype != expected.dtype:
        raise Mismatch(_("cmp.dtype", what=what, expected=expected.dtype, got=got.dtype))
    if got.device.type != expected.device.type:
        raise Mismatch(_("cmp.device", what=what, expected=expected.device.type, got=got.device.type))
    _check_values(what, got, expected, policy, ref64, count_max)


def _plain_equal(got, expected) -> bool:
    """Equality of plain values (numbers, strings, lists, dicts) that never asks a tensor or any
    other object of the student's what it equals: a tensor where a number is expected differs."""
    if isinstance(expected, (list, tuple)):
        return isinstance(got, (list, tuple)) and len(got) == len(expected) and \
            all(_plain_equal(g, e) for g, e in zip(got, expected))
    if isinstance(expected, dict):
        return isinstance(got, dict) and got.keys() == expected.keys() and \
            all(_plain_equal(got[k], expected[k]) for k in expected)
    if isinstance(got, (torch.Tensor, list, tuple, dict)):
        return False
    if type(expected) is bool or type(got) is bool:
        return type(got) is type(expected) and got == expected
    return got == expected


def _short(v) -> str:
    return _describe(v) if isinstance(v, torch.Tensor) else repr(v)[:300]


def _check_values(what, got, expected, policy, ref64, count_max):
    g, e = got.detach().cpu(), expected.detach().cpu()
    if torch.equal(g, e):  # bit for bit (up to ±0) agrees with torch: passes every policy
        return
    if g.is_floating_point():
        rtol, atol = policy.tolerances(e.dtype)
        g64, e64 = g.double(), e.double()
        if policy.half_ref64 and ref64 is not None and e.dtype in HALF_EPS:
            r64 = ref64.detach().cpu().double()
            scale = r64.abs().max().item() if r64.numel() else 0.0
            allowed = torch.maximum(2 * (e64 - r64).abs(),
                                    torch.full_like(r64, count_max * HALF_EPS[e.dtype] * max(scale, 1.0)))
            diff, target = (g64 - r64).abs(), r64
            tol_text = _("cmp.tol_half")
        else:
            allowed = atol + rtol * e64.abs()
            diff, target = (g64 - e64).abs(), e64
            tol_text = _("cmp.tol_exact") if rtol == atol == 0 else _("cmp.tol_close", atol=atol, rtol=rtol)
        both_nan = torch.isnan(g64) & torch.isnan(target)
        same_inf = torch.isinf(target) & (g64 == target)
        ok = both_nan | same_inf | (torch.isfinite(target) & (diff <= allowed))
    else:
        diff = (g.long() - e.long()).abs().double() if g.dtype != torch.bool else (g != e).double()
        ok, tol_text, target = g == e, _("cmp.tol_exact"), e
    if bool(ok.all()):
        return
    bad = (~ok).nonzero()
    where = tuple(bad[0].tolist())
    d = torch.where(ok, torch.zeros_like(diff), torch.nan_to_num(diff, nan=float("inf")))
    worst = tuple(int(i) for i in torch.unravel_index(d.argmax(), d.shape)) if d.dim() else ()
    msg = _("cmp.differ", what=what, bad=len(bad), total=g.numel(), tol=tol_text, where=list(where),
            got=_fmt(g[where]), expected=_fmt(e[where]))
    if worst != where:
        msg += _("cmp.largest", where=list(worst), got=_fmt(g[worst]), expected=_fmt(e[worst]))
    if g.numel() <= SMALL:
        msg += _("cmp.listing", got=_fmt(g), expected=_fmt(e))
    raise Mismatch(msg + ("" if g.numel() <= SMALL else "."))
