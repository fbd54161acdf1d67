"""How a hidden check is declared: @case over a builder that makes inputs and returns an observer.

    @case(points=3, dtypes=FLOATS, compare={"grad": GRAD})
    def padding_row_is_zero(make):
        \"\"\"Is the padding row's gradient exactly zero when the indices hit it?\"\"\"
        idx, g = make.tensor([[3, 1, 3]]), make.randn(1, 3, 4)            # inputs: made by the grader
        return lambda api: {"grad": api.embedding_backward(g, idx, 10, padding_idx=3)}

The builder runs before any student code, in the sandbox and in the grader alike (same seed, same
tensors); the observer runs once with the student's API (in the sandbox) and once with torch's
(autograder/reference.py, in the grader). Their observations, dicts of tensors and plain values, are
compared key by key with the case's policy (compare.py). The docstring is the title students see.
"""
import hashlib
import inspect
from dataclasses import dataclass, field
from typing import Callable

import torch

FLOATS = (torch.float32, torch.float64)
HALVES = (torch.float16, torch.bfloat16)  # run on CUDA only: CPU half matmuls are slow and not taught
DEVICES = ("cpu", "cuda")
SHORT = {torch.float32: "f32", torch.float64: "f64", torch.float16: "f16", torch.bfloat16: "bf16"}


class Make:
    """Seeded factory for a case's inputs: made on the CPU from the case's own seed, then moved."""

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


@dataclass(frozen=True)
class Case:
    part: str
    name: str
    question: str
    points: float
    build: Callable = field(repr=False)
    dtype: torch.dtype = torch.float32
    device: str = "cpu"
    compare: dict = field(default_factory=dict, repr=False)  # key -> Policy; "*" for any other key
    limit: str | None = None   # a part-level rule the grader applies to the op trace (see worker.py)
    alone: tuple = ()          # devices on which it runs in a sandboxed job of its own (see runs_alone)

    @property
    def id(self) -> str:
        return f"{self.name}[{SHORT.get(self.dtype, self.dtype)}-{self.device}]"

    @property
    def seed(self) -> int:
        return int.from_bytes(hashlib.sha256(self.key.encode()).digest()[:4], "little")

    @property
    def key(self) -> str:
        """Unique across parts (ids repeat: each part has its own `random_settings`)."""
        return f"{self.part}/{self.id}"

    def make(self) -> Make:
        return Make(self.seed, self.dtype, self.device)

    @property
    def runs_alone(self) -> bool:
        """Out-of-range indices on CUDA hit a device-side assert that poisons the whole CUDA context
        (the reference, §CUDA): such a case runs in a job of its own, and torch's answer for it is
        taken on the CPU, never by running the assert in the grader."""
        return self.device in self.alone


REGISTRY: dict[str, list[Case]] = {}


def case(points: float, dtypes=(torch.float32,), devices=DEVICES, cuda_dtypes=(), compare=None, limit=None,
         alone=()):
    """Register the decorated builder as a check of the part named by its module (checks/<part>.py)."""
    from .compare import EXACT

    def register(build):
        part = build.__module__.rsplit(".", 1)[-1]
        question = " ".join(inspect.cleandoc(build.__doc__ or build.__name__).split())  # one line, as reports show it
        policies = compare if isinstance(compare, dict) else {"*": compare or EXACT}
        for device in devices:
            for dtype in tuple(dtypes) + (tuple(cuda_dtypes) if device == "cuda" else ()):
                REGISTRY.setdefault(part, []).append(
                    Case(part, build.__name__, question, points, build, dtype, device, policies, limit, tuple(alone)))
        return build
    return register


def cases(part: str, devices=DEVICES) -> list[Case]:
    from . import checks  # noqa: F401  (importing the checks fills the registry)
    return [c for c in REGISTRY.get(part, []) if c.device in devices]


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


def raises(fn) -> bool:
    """Observation helper: did fn() raise? (Which exception is not graded, only that it raised; an
    unfilled stub's NotImplementedError does not count, so a stub earns nothing here.)"""
    try:
        fn()
    except NotImplementedError:
        return False
    except Exception:  # noqa: BLE001
        return True
    return False
