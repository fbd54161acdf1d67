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


_MADE: dict = {}   # (seed, dtype, device, builder) -> the inputs it made: Make.once
_DRAWN: dict = {}  # a draw and every draw before it in its test -> (tensor, the generator's state after it)
DRAWN_MAX = 50_000  # draws kept per grader process (the suite makes 583 a submission on the CPU, the same each time)


def seed_of(key: str) -> int:
    """A test's seed from its key "part/name[params]": stable across runs and machines."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "little")


class Make:
    """Seeded factory for a test's inputs: made on the CPU from the test's own seed, then moved."""

    def __init__(self, seed: int, dtype: torch.dtype, device: str):
        self.gen = torch.Generator().manual_seed(seed)
        self.seed, self.dtype, self.device = seed, dtype, device
        self._history = repr((seed, dtype, device)).encode()   # a digest of the draws so far: what the next one depends on
        self._state = None   # the generator's state after the last draw taken from _DRAWN (set when next needed)

    def _draw(self, what: str, args: tuple, build):
        """build() drawn from this test's generator, made once per grader process: a draw depends only
        on the seed and on the draws before it, so every submission after the first gets a copy of the
        first's (drawing the same inputs again was a tenth of a grading's CPU)."""
        self._history = key = hashlib.blake2b(self._history + f"{what}{args!r}".encode(), digest_size=20).digest()
        hit = _DRAWN.get(key)
        if hit is not None:
            self._state = hit[1]
            return hit[0].clone()
        if self._state is not None:
            self.gen.set_state(self._state)
            self._state = None
        made = build()
        if len(_DRAWN) < DRAWN_MAX:
            _DRAWN[key] = (made.clone(), self.gen.get_state())
        return made

    def once(self, build):
        """build(self), made once per grader process: a test's inputs come from its seed, dtype and
        device alone, so every submission after the first takes them from here (the input matrix
        is a hundred small tensors a test). What build makes is shared: it is never changed in place
        (torch's side copies what it changes, the student's side gets its own copies)."""
        key = (self.seed, self.dtype, self.device, build.__qualname__)
        if key not in _MADE:
            _MADE[key] = build(self)
        return _MADE[key]

    def randn(self, *shape, scale=1.0, dtype=None):
        return self._draw("randn", (shape, scale, dtype), lambda: (
            torch.randn(*shape, generator=self.gen, dtype=torch.float64) * scale).to(dtype or self.dtype).to(self.device))

    def randint(self, high, shape, low=0, dtype=torch.int64):
        return self._draw("randint", (high, shape, low, dtype), lambda: torch.randint(
            low, high, shape, generator=self.gen, dtype=dtype).to(self.device))

    def tensor(self, data, dtype=None):
        t = torch.tensor(data)
        if dtype is None:
            dtype = self.dtype if t.is_floating_point() else t.dtype
        return t.to(dtype).to(self.device)

    def weight(self, V, D, scale=1.0):
        """A fresh (V, D) table in the case's dtype and device."""
        return self.randn(V, D, scale=scale)

    def arg(self, shape, layout="contiguous", high=None, dtype=None, scale=1.0) -> "Arg":
        """A tensor argument of logical `shape` passed as the view `layout` (LAYOUTS, see Arg): indices
        in [0, high) when high is given (int64 unless dtype says), else normal floats times scale."""
        base = _base_shape(tuple(shape), layout)
        data = self.randint(high, base, dtype=dtype or torch.int64) if high is not None else \
            self.randn(*base, scale=scale, dtype=dtype)
        return Arg(data, shape, layout)


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


# ---------------------------------------------------------------- every kind of input (issue 23)
#
# CONTRACT §1: every part takes indices of any shape (0-d and empty included), int64 or int32, and
# every tensor argument in any layout torch allows; bad index dtypes and out-of-range values raise
# in every part; no function changes its inputs. The matrix below is shared by every part's tests.
# The wire sends tensors contiguous, so a view is made on each side of that side's own copy of its
# base (`Arg.on`), by method calls and indexing only: the student's code receives a real view.

LAYOUTS = ("contiguous", "transposed", "sliced", "expanded", "offset")

# (shape, layouts) of the index tensors every part is given: 0-d, 1-d, 2-d, 4-d and empty, each in a
# view or two, 2-d in every non-contiguous one (contiguous 2-d and 4-d indices are in every part's other
# tests; 11 in all, as grading time counts), int64 and int32 in turn
INDEX_KINDS = (((), ("contiguous", "offset")),
               ((7,), ("sliced", "expanded")),
               ((3, 4), ("transposed", "sliced", "expanded", "offset")),
               ((2, 3, 1, 2), ("transposed",)),
               ((0,), ("contiguous",)),
               ((2, 0), ("transposed",)))


def layouts_for(shape, allowed=LAYOUTS) -> tuple:
    """The layouts of `allowed` a tensor of `shape` can take: transposed needs 2 dims, sliced and
    expanded 1; contiguous and offset (a view that starts 3 elements into its storage) any."""
    n = len(shape)
    return tuple(k for k in allowed if not ((k == "transposed" and n < 2) or (k in ("sliced", "expanded") and n < 1)))


def _base_shape(shape: tuple, layout: str) -> tuple:
    if layout == "transposed":
        return shape[:-2] + (shape[-1], shape[-2])
    if layout == "sliced":
        return shape[:-1] + (2 * shape[-1],)
    if layout == "expanded":
        return (1,) + shape[1:]
    if layout == "offset":
        return (shape[0] + 3,) + shape[1:] if shape else (4,)
    return shape


def _view(x, shape: tuple, layout: str):
    """The view `layout` of x (its base), on either side: a tensor here, a handle to one in the job."""
    if layout == "transposed":
        return x.transpose(-2, -1)
    if layout == "sliced":
        return x[(slice(None),) * (len(shape) - 1) + (slice(None, None, 2),)]
    if layout == "expanded":
        return x.expand(*shape)
    if layout == "offset":
        return x[3:] if shape else x[3]
    return x


class Arg:
    """One tensor argument as a test passes it: its data (`base`, made here from the test's seed) and
    the view of it each side makes (`layout`), of logical `shape`."""

    def __init__(self, base: torch.Tensor, shape: tuple, layout: str):
        self.base, self.shape, self.layout = base, tuple(shape), layout

    @property
    def dtype(self):
        return self.base.dtype

    @property
    def label(self) -> str:
        """"transposed (3, 4) int32": what a report calls this argument."""
        dims = str(self.shape) if self.shape else "0-d"
        return f"{self.layout} {dims} {str(self.dtype).removeprefix('torch.')}"

    def on(self, api):
        """The argument on api's side: a view of a fresh copy of the base."""
        return _view(api.tensor(self.base), self.shape, self.layout)

    def leaf_on(self, api):
        """(leaf, view): a copy of the base that requires grad, and the view of it to pass."""
        leaf = api.leaf(self.base)
        return leaf, _view(leaf, self.shape, self.layout)


def pick(shape, n: int, allowed=LAYOUTS) -> str:
    """The n-th layout, in turn, of those a tensor of `shape` can take: pairs each index case with
    every layout of the other tensor argument."""
    kinds = layouts_for(shape, allowed)
    return kinds[n % len(kinds)]


def index_matrix(make: Make, V: int = 6, D: int = 3) -> list:
    """[(indices: Arg, V, D)]: every kind of index tensor (INDEX_KINDS, int64 and int32 in turn) into
    a (V, D) table, then V = 1 and embedding_dim 0. The n-th case's other tensor arguments take
    `pick(shape, n)`, so each of their layouts is met too."""
    cases, n = [], 0
    for shape, layouts in INDEX_KINDS:
        for layout in layouts:
            cases.append((make.arg(shape, layout, high=V, dtype=(torch.int64, torch.int32)[n % 2]), V, D))
            n += 1
    cases.append((make.arg((4,), "contiguous", high=1), 1, D))                          # V = 1
    cases.append((make.arg((2, 3), "transposed", high=V, dtype=torch.int32), V, 0))      # embedding_dim 0
    cases.append((make.arg((), "contiguous", high=V), V, 0))
    return cases


# ---------------------------------------------------------------- observing many calls at once

def _get(value, key, missing=None):
    """value[key] of a fetched dict; `missing` when the job sent back something else (it can: the
    comparison then says what differs, never the grader)."""
    return value.get(key, missing) if isinstance(value, dict) else missing


def _why(api, fn) -> str:
    """The exception fn()'s calls raise, as text (run again, alone, on api's side)."""
    from .remote import NotGraded, StudentError
    try:
        api.fetch(fn())
    except NotGraded:
        raise
    except StudentError as exc:
        return f"{exc.type}: {exc.message[:200]}"
    except Exception as exc:  # noqa: BLE001 - torch's side
        return f"{type(exc).__name__}: {str(exc)[:200]}"
    return "an exception"


def _done(value, n: int) -> list:
    """Which of n calls ran to the end, from a fetched tensor of n flags (all False when it is not one)."""
    if isinstance(value, torch.Tensor) and value.shape == (n,) and not value.is_floating_point():
        return [bool(x) for x in value.tolist()]
    return [False] * n


def each(api, calls: dict, names: tuple) -> dict:
    """Run every call (label -> a function of nothing that makes the calls and returns {name: value})
    each in a group of its own, so one that raises neither stops the others nor hides which input it
    was; {f"{name} for {label}": value}, and for a call that raised the text "raised <what>" under
    each of its names (what the first one raised, run again on its own to say so). One round trip
    when every call returned; four when one raised."""
    from .remote import StudentError, raises
    kept, done = {}, api.tensor(torch.zeros(len(calls), dtype=torch.int64))

    def group(i, label, fn):
        kept[label] = fn()
        done.index_fill_(0, torch.tensor([i]), 1)   # reached only when every call of fn returned
    for i, (label, fn) in enumerate(calls.items()):
        raises(api, lambda i=i, label=label, fn=fn: group(i, label, fn))
    try:   # one round trip when every call returned (the values of one that raised are not there to fetch)
        got = api.fetch({"done": done, "values": kept})
        finished, values = _done(_get(got, "done"), len(calls)), _get(got, "values")
    except StudentError:
        finished = _done(api.fetch(done), len(calls))
        values = api.fetch({label: kept[label] for label, ok in zip(calls, finished) if ok})
    ok = [label for label, fine in zip(calls, finished) if fine]
    failed = [label for label in calls if label not in ok]
    first = _why(api, calls[failed[0]]) if failed else ""
    out = {}
    for label in calls:
        for name in names:
            if label in ok:
                out[f"{name} for {label}"] = _get(_get(values, label), name, "missing")
            else:
                out[f"{name} for {label}"] = f"raised {first if label == failed[0] else 'an exception'}"
    return out


def left_alone(api, calls: dict, inputs: dict) -> dict:
    """Make every call (label -> function of nothing), each in a group of its own (a call that raises
    is charged by other tests, not here), then observe every input (label -> what was passed):
    {f"{label} after the call": the tensor (values, shape, dtype), f"strides of {label} after the
    call": its strides}. When no call returned (a stub changes nothing either), the first is made
    again on its own, so the observation is what it raised."""
    from .remote import raises
    returned = api.tensor(torch.zeros((), dtype=torch.int64))   # counts the calls that returned
    for fn in calls.values():
        raises(api, lambda fn=fn: (fn(), returned.add_(1)))
    obs = {}
    for label, t in inputs.items():
        obs[f"{label} after the call"] = t
        obs[f"strides of {label} after the call"] = t.stride()
    got = api.fetch({"returned": returned, "obs": obs})
    count, seen = _get(got, "returned"), _get(got, "obs")
    if not (isinstance(count, torch.Tensor) and count.numel() == 1 and int(count.reshape(())) >= 1):
        api.fetch(next(iter(calls.values()))())   # raises what the student's code raised: the observation
        return {"any call returned": False}
    return {"any call returned": True, **{key: _get(seen, key, "missing") for key in obs}}


def refusals(api, cases: dict) -> dict:
    """"Must raise" means raising for the contract's reason: label -> (bad, good, neighbour), where
    bad() makes a call that must raise and good() the same call on `neighbour`, the nearest valid
    input (the same values as int64, the same shape in range). {f"raises for {label}": verdict}:
    torch's is "raises (and does not for <neighbour>)", so code that raises for both (crashes on
    every 2-D input, say) or for neither fails. Every valid call runs first: on CUDA a device-side
    assert of a bad one poisons the context for every call after it."""
    from .remote import raises
    good = {label: raises(api, g) for label, (b, g, n) in cases.items()}
    bad = {label: raises(api, b) for label, (b, g, n) in cases.items()}
    got = api.fetch({"good": good, "bad": bad})
    out = {}
    for label, (_b, _g, neighbour) in cases.items():
        b, g = _get(_get(got, "bad"), label), _get(_get(got, "good"), label)
        if b is not True:
            verdict = "does not raise"
        elif g is not False:
            verdict = f"raises, but also for {neighbour}, which is valid input"
        else:
            verdict = f"raises (and does not for {neighbour})"
        out[f"raises for {label}"] = verdict
    return out


# ---------------------------------------------------------------- bad indices, each with its valid neighbour

BAD_INDEX_DTYPES = (torch.float32, torch.int16, torch.uint8, torch.bool)


def bad_index_dtypes(make: Make, V: int) -> list:
    """[(label, bad, good, neighbour)]: index tensors of every dtype the contract refuses (float,
    int16, uint8, bool), each 2-D and 0-d or 1-D, beside the same values as int64 (valid)."""
    out = []
    for n, dt in enumerate(BAD_INDEX_DTYPES):
        for shape in ((2, 3), ((), (3,))[n % 2]):   # every dtype 2-D, and 0-d or 1-D in turn
            good = make.randint(2 if dt == torch.bool else V, shape)
            dims = "a 0-d" if not shape else f"{len(shape)}-D"
            out.append((f"{dims} {str(dt).removeprefix('torch.')} index tensor", good.to(dt), good,
                        "the same indices as int64"))
    return out


def out_of_range(make: Make, V: int) -> list:
    """[(label, bad, good, neighbour)]: indices V, -1 and -V at ranks 0, 1 and 2, int64 and int32, each
    beside the same shape with every value clamped into [0, V) (valid)."""
    values = ((V, torch.int64), (-1, torch.int32), ([0, V], torch.int64), ([-V], torch.int64),
              ([[1, V + 2]], torch.int32), ([[0, 1], [2, -1]], torch.int64))
    out = []
    for v, dt in values:
        bad = make.tensor(v, dtype=dt)
        good = bad.clamp(0, V - 1)
        kind = "" if dt == torch.int64 else " as int32"
        out.append((f"indices {v}{kind}", bad, good, f"indices {good.tolist()}{kind}"))
    return out
