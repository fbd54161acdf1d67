"""The two APIs a hidden test observes through, and nothing else: torch's, in this trusted process,
and the student's, a proxy to a sandboxed job that holds that one student's code.

A test writes its observation once, as a function of `api`:

    def observe(api):
        W = api.leaf(W0)                      # a fresh copy that requires grad, on the api's side
        out = api.one_hot_lookup(idx, W)      # the student's function (or torch's F.embedding)
        backward(out, g)                      # out.backward(g), on the api's side
        return {"out": out, "grad": W.grad}   # fetched as data: api.fetch(...)

and `check` (plugin.py) runs it with both and compares what comes back. On the student's side
every call becomes a data-only operation (wire.py) queued until a value is needed; objects stay in
the job and are named by handles this process chooses. Whatever the job replies is validated
(types, sizes, one result per operation); anything malformed ends that job and fails the test
with "could not be graded" — never an exception of the grader's own.
"""
import contextlib
import torch

from . import reference, wire
from .i18n import _
from .parts import API_NAMES
from .reference import backward  # noqa: F401  an observation helper for the graders, beside raises
from .sandbox import JobEnded

# What a reply may hold, by what its request asked: the job's answer to a request is bounded by what
# that request can legitimately get back (measured on the corpus: the largest fetched value 6 KB of
# JSON and 0.5 MB of tensors; all the replies of one part 0.62 MB), far below the wire format's own
# limits. A reply over them ends the job as malformed. A character of text takes at most 14 bytes of
# a reply's JSON (escaped as \uXXXX\uXXXX, then escaped again in the safetensors header).
REPLY_CHAR = 14                       # bytes of a reply's JSON that one character of text may take
REPLY_BASE = (8 << 10) + REPLY_CHAR * 2200   # the envelope, and one exception (as driver.py cuts it)
REPLY_PER_OP = 64                     # each other result: {"ok": null}
REPLY_LOAD_ERROR = 520                # characters of one chunk's load error, besides its label
REPLY_FETCH_JSON = 1 << 20            # one fetched value: its JSON (tensor descriptions included)
REPLY_FETCH_DATA = 16 << 20           # and its tensors' bytes
PART_REPLIES = 32 << 20               # every reply of one part's job together


class StudentError(Exception):
    """The student's code raised (an observation: the test may expect it)."""

    def __init__(self, type_: str, message: str):
        super().__init__(message)
        self.type, self.message = type_, message


class NotGraded(Exception):
    """The job could not answer (it died, ran out of time, replied nonsense): the test fails with
    this message, in the student's language."""


# ---------------------------------------------------------------- torch's side

class TorchAPI:
    """torch's own implementation of the student API (reference.py), used directly."""

    def __init__(self, device: str | None = None):
        self.device = device   # move every tensor here first (CUDA checks whose torch answer comes from the CPU)

    def __getattr__(self, name):
        if name not in API_NAMES:
            raise AttributeError(name)
        fn = getattr(reference.TORCH, name)
        if self.device is None:
            return fn
        return _moving(fn, self.device)

    def tensor(self, t: torch.Tensor) -> torch.Tensor:
        return self._place(t.detach().clone())

    def leaf(self, t: torch.Tensor) -> torch.Tensor:
        return self._place(t.detach().clone()).requires_grad_(True)

    def _place(self, t):
        return t.to(self.device) if self.device else t

    def fetch(self, value):
        return _plain_local(value)

    def kind(self, value) -> str:
        return type(value).__name__

    def same(self, a, b) -> bool:
        return a is b

    def repr(self, value) -> str:
        return repr(value)

    def seed(self, seed: int) -> None:
        torch.manual_seed(seed)

    def no_grad(self):
        return torch.no_grad()

    def sync(self) -> None:
        pass


def _moving(fn, device):
    def call(*args, **kwargs):
        move = (lambda v: v.to(device) if isinstance(v, torch.Tensor) else v)
        return fn(*[move(a) for a in args], **{k: move(v) for k, v in kwargs.items()})
    return call


def _plain_local(v, depth=0):
    t = type(v)
    if isinstance(v, torch.Tensor):
        return v.detach().clone()
    if v is None or t in (bool, int, float, str, wire.Opaque) or isinstance(v, torch.dtype):
        return v
    if isinstance(v, (list, tuple)):
        return [_plain_local(x) for x in v] if t is list else tuple(_plain_local(x) for x in v)
    if isinstance(v, dict):
        return {str(k): _plain_local(x) for k, x in v.items()}
    return wire.Opaque(wire.describe(v))


# ---------------------------------------------------------------- the student's side

class Handle:
    """Something the student's job holds: an object (by id), an attribute of one, or a name."""

    __slots__ = ("_api", "_ref")

    def __init__(self, api, ref):
        object.__setattr__(self, "_api", api)
        object.__setattr__(self, "_ref", ref)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return Handle(self._api, {"A": [self._ref, name]})

    def __call__(self, *args, **kwargs):
        return self._api._call(self._ref, args, kwargs)

    def __getitem__(self, key):
        return self._api._call({"A": [self._ref, "__getitem__"]}, (key,), {})

    def __matmul__(self, other):
        return self._api._call({"A": [self._ref, "__matmul__"]}, (other,), {})

    def __add__(self, other):
        return self._api._call({"A": [self._ref, "__add__"]}, (other,), {})

    def __mul__(self, other):
        return self._api._call({"A": [self._ref, "__mul__"]}, (other,), {})

    def __setattr__(self, name, value):
        raise TypeError("a student's object cannot be changed from the grader")

    def __bool__(self):
        raise TypeError("a student's value must be fetched first: api.fetch(...)")

    def __repr__(self):
        return f"<student's {self._ref}>"


class StudentAPI:
    """A proxy to one sandboxed job (sandbox.Job) holding one submission loaded for one part."""

    def __init__(self, job):
        self._job = job
        self._queue: list = []
        self._tensors: dict = {}
        self._next = 1
        self._no_grad = False
        self._allowance = wire.Allowance(PART_REPLIES)

    def __getattr__(self, name):
        if name not in API_NAMES:
            raise AttributeError(name)
        return Handle(self, {"N": name})

    # -- making values on the job's side
    def tensor(self, t: torch.Tensor) -> Handle:
        return self._put(t, False)

    def leaf(self, t: torch.Tensor) -> Handle:
        return self._put(t, True)

    def _put(self, t, requires_grad):
        hid = self._new()
        self._queue.append({"op": "put", "into": hid, "value": self._encode_tensor(t, requires_grad)})
        return Handle(self, {"R": hid})

    def _new(self) -> int:
        hid, self._next = self._next, self._next + 1
        return hid

    def _encode(self, v):
        return wire.Encoder(_handle_ref, self._tensors)(v)

    def _encode_tensor(self, t, requires_grad):
        return wire.Encoder(None, self._tensors).tensor(t, requires_grad)

    def _call(self, target, args, kwargs):
        hid = self._new()
        op = {"op": "call", "into": hid, "fn": target, "args": [self._encode(a) for a in args]}
        if kwargs:   # left out when empty or off: a frame's JSON is parsed twice in the job
            op["kwargs"] = {str(k): self._encode(v) for k, v in kwargs.items()}
        if self._no_grad:
            op["no_grad"] = True
        self._queue.append(op)
        return Handle(self, {"R": hid})

    def load(self, code: list, standins, part: str | None = None) -> dict:
        """Load the submission's code ([label, source] chunks) into the job, with torch's stand-ins
        for `standins`; returns the job's account of cells that raised (advisory only)."""
        return self._flush([{"op": "load", "code": code, "standins": list(standins), "part": part}])[-1]

    # -- getting values back
    def fetch(self, value):
        if not self._queue and not _holds_handle(value):   # data fetched before: nothing to ask the job
            return _plain_local(value)
        results = self._flush([{"op": "fetch", "value": self._encode(value)}])
        return results[-1]

    # Answers that only go into an observation stay in the job until it is fetched (one round
    # trip for the whole observation, not one per question): a Handle, not a bool or str here.
    def kind(self, value) -> Handle:
        """The name of value's type. (Fetched with the observation.)"""
        return self._kept({"op": "kind", "value": self._encode(value)})

    def same(self, a, b) -> Handle:
        """Is a the very object b? (Fetched with the observation.)"""
        return self._kept({"op": "is", "a": self._encode(a), "b": self._encode(b)})

    def repr(self, value) -> Handle:
        """repr(value), run in the job. (Fetched with the observation.)"""
        return self._kept({"op": "repr", "value": self._encode(value)})

    def raises(self, fn) -> Handle:
        """Did the student's calls that fn() makes raise (NotImplementedError excepted)? They run
        as one group in the job, in order with the rest. (Fetched with the observation.)"""
        outer, self._queue = self._queue, []
        try:
            fn()
        except NotGraded:
            raise
        except Exception:  # noqa: BLE001 - as on torch's side: raising before reaching the student counts
            self._queue = outer
            return True
        group, self._queue = self._queue, outer
        return self._kept({"op": "raises", "ops": group})

    def watched(self) -> Handle:
        """What the job saw of this part's calls so far: {"judged", "broke", "op"} of the one-hot rule
        (onehot.py) and "forbidden", how many calls reached torch's switched-off embedding kernels
        (forbid.py). (Fetched with the observation; checked by rules.watched.)"""
        return self._kept({"op": "rules"})

    def _kept(self, op: dict) -> Handle:
        hid = self._new()
        self._queue.append(dict(op, into=hid))
        return Handle(self, {"R": hid})

    def seed(self, seed: int) -> None:
        self._queue.append({"op": "seed", "seed": int(seed)})

    @contextlib.contextmanager
    def no_grad(self):
        self._no_grad = True
        try:
            yield
        finally:
            self._no_grad = False

    def sync(self) -> None:
        """Run what is queued; raises StudentError if any of it raised."""
        self._flush([])

    def _flush(self, extra: list) -> list:
        ops, tensors = self._queue + extra, self._tensors
        self._queue, self._tensors = [], {}
        if not ops:
            return []
        meta, data = reply_limits(ops)
        try:
            with wire.limited(8 + meta + data, meta, self._allowance):
                message, got = self._job.request({"ops": ops}, tensors)
        except JobEnded as ended:
            raise not_graded(ended) from None
        done = message.get("done")
        if type(done) is not list or not 1 <= len(done) <= len(ops):
            raise self._broken("the number of results")
        values = []
        for i, result in enumerate(done):
            if type(result) is not dict or len(result) != 1:
                raise self._broken("a result")
            if "raised" in result:
                r = result["raised"]
                if type(r) is not dict or type(r.get("type")) is not str or type(r.get("message")) is not str:
                    raise self._broken("an exception")
                if i != len(done) - 1:
                    raise self._broken("results after an exception")
                raise StudentError(r["type"][:200], r["message"][:2000])
            if "ok" not in result:
                raise self._broken("a result")
            try:
                values.append(wire.decode(result["ok"], got, tensor_here))
            except wire.Malformed as exc:
                raise self._broken(str(exc)) from None
        if len(done) != len(ops):
            raise self._broken("missing results")
        return values

    def _broken(self, what: str) -> NotGraded:
        """The job replied against the format: it is stopped, and this test (and the part's later
        ones) cannot be graded."""
        return not_graded(self._job.end("run.malformed", error=what))


def self_check(sandbox) -> str:
    """Start a job holding no code and ask it one thing through the wire: "" when it answers as the
    driver should, else why not (gradescope_run.py: is the sandbox broken on this image?)."""
    from .sandbox import NotStarted
    try:
        job = sandbox.job(["cpu"], wall_s=min(sandbox.limits.wall_s, 30.0))
    except NotStarted as exc:
        return str(exc)
    try:
        done = StudentAPI(job).load([], [])
        return "" if done == {"errors": []} else f"unexpected reply {done!r:.200}"
    except NotGraded as exc:
        return str(exc)
    except StudentError as exc:
        return f"{exc.type}: {exc.message[:300]}"
    finally:
        job.close()


def reply_limits(ops: list) -> tuple[int, int]:
    """(JSON bytes, tensor bytes) that the reply to `ops` can legitimately hold: one result per op,
    one of them an exception; a load's account of the chunks that raised; a fetched value. No other
    operation replies with tensors."""
    meta, data = REPLY_BASE + REPLY_PER_OP * len(ops), 0
    for op in ops:
        if op["op"] == "load":
            meta += sum(REPLY_CHAR * (len(label) + REPLY_LOAD_ERROR) + REPLY_PER_OP for label, _code in op["code"])
        elif op["op"] == "fetch":
            meta, data = meta + REPLY_FETCH_JSON, data + REPLY_FETCH_DATA
    return meta, data


def tensor_here(data: torch.Tensor, dev: str, requires_grad: bool) -> torch.Tensor:
    """A tensor from a reply, on the device it was on (where this process has that device)."""
    if dev == "cuda" and torch.cuda.is_available():
        return data.to("cuda")
    return data


def not_graded(ended) -> NotGraded:
    """Why a job could not answer, and its last output, as a student reads it."""
    ex = ended.exit
    why = _("run.not_graded_job", detail=_(ex.detail or "run.no_result", **ex.args))
    if ended.output.strip():
        why += _("run.last_output", output=ended.output.strip()[-600:])
    return NotGraded(why)


def _holds_handle(v, depth=0) -> bool:
    if type(v) is Handle or depth > wire.MAX_DEPTH:
        return True
    if type(v) in (list, tuple):
        return any(_holds_handle(x, depth + 1) for x in v)
    if type(v) is dict:
        return any(_holds_handle(x, depth + 1) for x in v.values())
    return False


def _handle_ref(x):
    return x._ref if type(x) is Handle else None


def raises(api, fn) -> bool:
    """Observation helper: did fn() raise, on this api's side? (Which exception is not graded, only
    that it raised; an unfilled stub's NotImplementedError does not count, so a stub earns nothing.)
    On the student's side the answer is fetched with the observation (StudentAPI.raises)."""
    if isinstance(api, StudentAPI):
        return api.raises(fn)
    try:
        fn()
        api.sync()   # the student's calls are queued: run them now, inside this try
    except NotGraded:
        raise
    except StudentError as exc:
        return exc.type != "NotImplementedError"
    except NotImplementedError:
        return False
    except Exception:  # noqa: BLE001 - torch's own exceptions
        return True
    return False
