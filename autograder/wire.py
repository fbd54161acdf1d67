"""The one wire format between the trusted grader and a sandboxed job, and its checks.

A frame is an 8-byte little-endian length, then safetensors bytes: the tensors of the message, and
the message itself as JSON in the safetensors metadata under "kit". Both directions use it.

Values inside a message (JSON) are encoded as:

    null, true, 3, 2.5, "text"          plain values (NaN and ±inf as JSON's NaN/Infinity)
    {"T": "t0", "dev": "cpu", "rg": b}  a tensor: its data is the frame's tensor "t0"
    {"R": 7}                            an object the job keeps (a handle the grader chose)
    {"A": [value, "name"]}              getattr(value, "name"), resolved by the job
    {"N": "one_hot_lookup"}             a name of the student's namespace
    {"L": [...]}, {"U": [...]}          a list, a tuple
    {"D": [["key", value], ...]}        a dict with str keys
    {"dtype": "float32"}                a torch.dtype
    {"S": [start, stop, step]}          a slice (of ints or nulls)
    {"X": "a Embedding"}                (replies only) something that is not data

Requests (grader -> job): {"ops": [op, ...]}; ops run in order until one raises. Replies (job ->
grader): {"done": [result, ...]} with one result per op that ran: {"ok": value} or
{"raised": {"type": str, "message": str}}. The grader trusts nothing in a reply: `decode` checks
every type, size and nesting depth, and `remote.StudentAPI._flush` that each expected result is there once.
How large a reply may be is set per request by the grader (`limited`): what that request could
legitimately get back, far below the format's own limits.
"""
import contextlib
import contextvars
import json

import torch
from safetensors import TensorSpec, serialize
from safetensors.torch import load as _st_load

MAX_FRAME = 64 << 20      # bytes of one frame
MAX_META = 4 << 20        # bytes of a frame's JSON
MAX_DEPTH = 6             # nesting of lists/dicts/attribute paths
MAX_ITEMS = 512           # elements of one list or dict
MAX_TEXT = 4000           # characters of one string (longer ones are cut)
DTYPES = {str(d).removeprefix("torch."): d for d in (
    torch.float16, torch.bfloat16, torch.float32, torch.float64, torch.int8, torch.int16, torch.int32,
    torch.int64, torch.uint8, torch.bool, torch.complex64, torch.complex128)}
_NAMES = {d: name for name, d in DTYPES.items() if d is not torch.complex128}   # what safetensors stores


class Allowance:
    """Bytes that a job's replies may still take together (one part's: `limited`)."""

    def __init__(self, total: int):
        self.total = self.left = total


# (frame bytes, JSON bytes, Allowance or None) for the frames recv() reads in this context
_LIMITS: contextvars.ContextVar = contextvars.ContextVar("kit_wire_limits", default=None)


@contextlib.contextmanager
def limited(frame: int, meta: int, allowance: Allowance | None = None):
    """The frames recv() reads in this block (this thread) are at most `frame` bytes, their JSON at
    most `meta` bytes, and together at most what `allowance` has left: the grader sets them to what
    its request could legitimately get back, so that a job padding its replies to the format's own
    limits costs the trusted side no more than an honest one."""
    token = _LIMITS.set((min(frame, MAX_FRAME), min(meta, MAX_META), allowance))
    try:
        yield
    finally:
        _LIMITS.reset(token)


class Malformed(Exception):
    """A frame or message that breaks the format (from the sandbox: never trusted, never fatal)."""


class Opaque(str):
    """A value that is not data (a module, a function, ...): only its description comes back."""


# ---------------------------------------------------------------- frames

def pack(message: dict, tensors: dict) -> bytes:
    """A frame of `tensors` (contiguous CPU tensors, kept alive by the caller's dict while this
    runs: Encoder.tensor makes them) and `message`. safetensors.serialize takes each tensor's
    memory as it is; safetensors.torch.save would copy it through numpy first, which cost half a
    millisecond a frame, a quarter of a submission's CPU over its ~200 round trips."""
    specs = {}
    for key, t in tensors.items():
        if t.device.type != "cpu" or not t.is_contiguous() or t.dtype not in _NAMES:
            raise ValueError(f"tensor {key!r} cannot be sent as it is")
        specs[key] = TensorSpec(dtype=_NAMES[t.dtype], shape=tuple(t.shape), data_ptr=t.data_ptr(),
                                data_len=t.numel() * t.element_size())
    blob = serialize(specs, metadata={"kit": json.dumps(message, allow_nan=True, separators=(",", ":"))})
    return len(blob).to_bytes(8, "little") + bytes(blob)


def unpack(blob: bytes, max_meta: int = MAX_META) -> tuple[dict, dict]:
    """safetensors bytes -> (message, tensors); Malformed on anything unexpected."""
    try:
        n = int.from_bytes(blob[:8], "little")
        if n > max_meta or len(blob) < 8 + n:
            raise Malformed("header too large")
        header = json.loads(blob[8:8 + n])
        meta = header.get("__metadata__") if isinstance(header, dict) else None
        text = meta.get("kit") if isinstance(meta, dict) else None
        if not isinstance(text, str):
            raise Malformed("no message")
        message = json.loads(text)
        tensors = _st_load(blob)
    except Malformed:
        raise
    except (ValueError, TypeError, RecursionError, OverflowError, MemoryError, KeyError) as exc:
        raise Malformed(type(exc).__name__) from None
    except Exception as exc:  # noqa: BLE001 - safetensors raises its own error types
        raise Malformed(type(exc).__name__) from None
    if not isinstance(message, dict):
        raise Malformed("the message is not an object")
    return message, tensors


def send(sock, message: dict, tensors: dict | None = None) -> None:
    sock.sendall(pack(message, tensors or {}))


def recv(sock) -> tuple[dict, dict] | None:
    """One frame from a stream socket; None at end of stream. Sizes are checked before the frame is
    read, against the format's limits or those `limited` set."""
    max_frame, max_meta, allowance = _LIMITS.get() or (MAX_FRAME, MAX_META, None)
    head = _read_exactly(sock, 8)
    if head is None:
        return None
    size = int.from_bytes(head, "little")
    if size > max_frame:
        raise Malformed(f"a frame of {size} bytes (at most {max_frame})")
    if allowance is not None:
        if size > allowance.left:
            raise Malformed(f"replies of more than {allowance.total} bytes in all")
        allowance.left -= size
    body = _read_exactly(sock, size)
    if body is None:
        raise Malformed("the stream ended inside a frame")
    return unpack(body, max_meta)


def _read_exactly(sock, n: int) -> bytes | None:
    chunks, got = [], 0
    while got < n:
        chunk = sock.recv(min(n - got, 1 << 20))
        if not chunk:
            if got == 0:
                return None
            raise Malformed("the stream ended inside a frame")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


# ---------------------------------------------------------------- values

class Encoder:
    """Values -> JSON, with tensors set aside (used by both sides)."""

    def __init__(self, handle_of=None, tensors: dict | None = None):
        self.tensors: dict = {} if tensors is None else tensors   # a frame's tensors, shared by its values
        self.handle_of = handle_of   # object -> {"R": id}/{"A": ...}/{"N": ...} or None

    def __call__(self, v, depth: int = 0):
        if depth > MAX_DEPTH:
            return {"X": "something nested too deeply"}
        if self.handle_of is not None:
            h = self.handle_of(v)
            if h is not None:
                return h
        t = type(v)
        if v is None or t in (bool, int, str):
            return v[:MAX_TEXT] if t is str else v
        if t is float:
            return v
        if isinstance(v, torch.dtype):
            return {"dtype": str(v).removeprefix("torch.")}
        if t is slice:
            return {"S": [x if type(x) is int else None for x in (v.start, v.stop, v.step)]}
        if isinstance(v, torch.Tensor):
            return self.tensor(v)
        if t in (list, tuple):
            items = [self(x, depth + 1) for x in v[:MAX_ITEMS]]
            return {"L" if t is list else "U": items}
        if isinstance(v, dict):
            return {"D": [[str(k)[:MAX_TEXT], self(x, depth + 1)] for k, x in list(v.items())[:MAX_ITEMS]]}
        return {"X": describe(v)}

    def tensor(self, v: torch.Tensor, requires_grad: bool = False):
        if v.dtype not in _NAMES:
            return {"X": f"a tensor of {str(v.dtype).removeprefix('torch.')[:40]}"}
        key = f"t{len(self.tensors)}"
        data = v.detach()
        if data.layout != torch.strided:
            data = data.to_dense()
        self.tensors[key] = data.to("cpu", copy=True).contiguous()
        return {"T": key, "dev": v.device.type, "rg": bool(requires_grad)}


def describe(v) -> str:
    """A description of a value that is not data; never calls the value's own __repr__."""
    return f"a {type(v).__name__[:200]}"


def decode(v, tensors: dict, on_tensor, resolve=None, depth: int = 0):
    """JSON from the other side -> values; Malformed if it breaks the format. `on_tensor(data, dev,
    requires_grad)` makes each tensor; `resolve(kind, x, depth)` maps the handle forms ({"R"},
    {"A"}, {"N"}) to objects (the job's side); without it they are Malformed."""
    if depth > MAX_DEPTH:
        raise Malformed("nested too deeply")
    if v is None or type(v) in (bool, int):
        if type(v) is int and abs(v) > 1 << 62:
            raise Malformed("an integer out of range")
        return v
    if type(v) is float:
        return v
    if type(v) is str:
        return v[:MAX_TEXT]
    if type(v) is not dict or len(v) == 0:
        raise Malformed(f"an unexpected {type(v).__name__}")
    if "T" in v:
        t = tensors.get(v["T"]) if isinstance(v["T"], str) else None
        if t is None or v.get("dev") not in ("cpu", "cuda") or set(v) - {"T", "dev", "rg"}:
            raise Malformed("a bad tensor reference")
        return on_tensor(t, v["dev"], bool(v.get("rg")))
    if len(v) != 1:
        raise Malformed("an object with several kinds")
    (kind, x), = v.items()
    if kind in ("L", "U"):
        if type(x) is not list or len(x) > MAX_ITEMS:
            raise Malformed("a bad list")
        items = [decode(i, tensors, on_tensor, resolve, depth + 1) for i in x]
        return items if kind == "L" else tuple(items)
    if kind == "D":
        if type(x) is not list or len(x) > MAX_ITEMS:
            raise Malformed("a bad dict")
        out = {}
        for pair in x:
            if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not str or pair[0] in out:
                raise Malformed("a bad dict entry")
            out[pair[0][:MAX_TEXT]] = decode(pair[1], tensors, on_tensor, resolve, depth + 1)
        return out
    if kind == "dtype":
        if x not in DTYPES:
            raise Malformed("an unknown dtype")
        return DTYPES[x]
    if kind == "S":
        if type(x) is not list or len(x) != 3 or any(i is not None and type(i) is not int for i in x):
            raise Malformed("a bad slice")
        return slice(*x)
    if kind == "X":
        if type(x) is not str:
            raise Malformed("a bad description")
        return Opaque(x[:MAX_TEXT])
    if resolve is not None and kind in ("R", "A", "N"):
        return resolve(kind, x, depth)
    raise Malformed(f"an unknown kind {kind[:20]!r}")

