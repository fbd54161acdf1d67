"""A hidden test's inputs: seeded per test and parameters, made in the trusted grader only.

`make` (a pytest fixture, plugin.py) is a Make for the test's dtype and device, seeded from the
test's id, so a grade is the same on every run; `examples` gives the edge cases a property-based
search finds first (hypothesis, derandomised), fixed for grading.
"""
import hashlib
import torch

FLOATS = (torch.float32, torch.float64)
HALVES = (torch.float16, torch.bfloat16)  # run on CUDA only: CPU half matmuls are slow and not taught
DEVICES = ("cpu", "cuda")
SHORT = {torch.float32: "f32", torch.float64: "f64", torch.float16: "f16", torch.bfloat16: "bf16"}


def seed_of(key: str) -> int:
    """A test's seed from its key "part/name[params]": stable across runs and machines."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "little")


class Make:
    """Seeded factory for a test's inputs: made on the CPU from the test's own seed, then moved."""

    def __init__(self, seed: int, dtype: torch.dtype, device: str):
        self.gen = torch.Generator().manual_seed(seed)
        self.dtype, self.device = dtype, device

    def randn(self, *shape, scale=1.0, dtype=None):
        x = torch.randn(*shape, generator=self.gen, dtype=torch.float64) * scale
        return x.to(dtype or self.dtype).to(self.device)

    def randint(self, high, shape, low=0, dtype=torch.int64):
        return torch.randint(low, high, shape, generator=self.gen, dtype=dtype).to(self.device)

    def tensor(self, data, dtype=None):
        t = torch.tensor(data)
        if dtype is None:
            dtype = self.dtype if t.is_floating_point() else t.dtype
        return t.to(dtype).to(self.device)

    def weight(self, V, D, scale=1.0):
        """A fresh (V, D) table in the case's dtype and device."""
        return self.randn(V, D, scale=scale)


def examples(strategy, n: int) -> list:
    """n examples that hypothesis draws from `strategy`, the same on every run (derandomised):
    the edge cases a property-based search finds first (empty, smallest, largest), fixed for grading."""
    from hypothesis import HealthCheck, Phase, given, settings

    found = []

    @settings(max_examples=n, derandomize=True, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(example):
        if example not in found:
            found.append(example)

    collect()
    return found[:n]


def drawn(found: list, make: "Make", float64: int = 8) -> list:
    """The examples a case runs: all of them, except in float64, which gets the first `float64`
    (the simplest shapes and edge cases come first; float64 adds precision, not new shapes)."""
    return found[:float64] if make.dtype == torch.float64 else found
