"""The public driver: what runs inside a sandboxed job, beside one student's code and nothing else.

It holds no check, no expected value, no seed and no other student's data: the trusted grader
sends data-only requests (wire.py) and this loop carries them out on the student's objects —
load the code of one submission for one part, call a function, read an attribute, call a method,
hand back a value. Everything it replies is checked on the trusted side, and nothing it says about
itself is believed: student code runs in this process and may change any of it.

For the part being graded the student's own functions are used; the other parts' API names are
replaced by stand-ins (reference.STANDIN), so a bug in one part costs only that part. torch's own
embedding kernels are switched off in this process before any student code loads (forbid.py).
"""
import builtins
import os
import traceback

import torch

from . import forbid, onehot, reference, wire

_getpid, _exit = os.getpid, os._exit


class Session:
    """The state of one job: the student's namespace and the objects the grader holds handles to."""

    def __init__(self):
        self.ns: dict = {}
        self.objects: dict[int, object] = {}
        self.compiled: dict = {}
        self.onehot = onehot.Judge()   # while the lookup is graded: is each call a one-hot product?

    # -- values in requests
    def value(self, v, tensors):
        return wire.decode(v, tensors, self._tensor, self._resolve)

    @staticmethod
    def _tensor(data, dev, requires_grad):
        t = data.to(dev) if dev != "cpu" else data
        return t.requires_grad_(True) if requires_grad and t.is_floating_point() else t

    def _resolve(self, kind, x, depth):
        if kind == "R":
            if type(x) is not int or x not in self.objects:
                raise LookupError(f"no object {x!r}")
            return self.objects[x]
        if kind == "N":
            if type(x) is not str:
                raise LookupError("a bad name")
            if x not in self.ns:
                raise NameError(f"name '{x}' is not defined")
            return self.ns[x]
        if type(x) is not list or len(x) != 2 or type(x[1]) is not str:
            raise LookupError("a bad attribute path")
        return getattr(wire.decode(x[0], {}, self._tensor, self._resolve, depth + 1), x[1])

    # -- operations
    def run(self, op: dict, tensors: dict):
        kind = op.get("op")
        if kind == "load":
            return self.load(op["code"], op.get("standins", ()), op.get("part"))
        if kind == "put":
            self.objects[op["into"]] = self.value(op["value"], tensors)
            return None
        if kind == "call":
            fn = self.value(op["fn"], tensors)
            args = [self.value(a, tensors) for a in op.get("args", ())]
            kwargs = {k: self.value(v, tensors) for k, v in op.get("kwargs", {}).items()}
            if op.get("no_grad"):
                with torch.no_grad():
                    out = fn(*args, **kwargs)
            else:
                out = fn(*args, **kwargs)
            if op.get("into") is not None:
                self.objects[op["into"]] = out
            return None
        if kind == "fetch":
            return Fetched(self.value(op["value"], tensors))
        if kind == "is":
            return self._keep(op, self.value(op["a"], tensors) is self.value(op["b"], tensors))
        if kind == "kind":
            return self._keep(op, type(self.value(op["value"], tensors)).__name__)
        if kind == "repr":
            return self._keep(op, repr(self.value(op["value"], tensors)))
        if kind == "raises":
            return self._keep(op, self.raises(op["ops"], tensors))
        if kind == "rules":   # what this part's calls did: a one-hot product? torch's embedding refused?
            return self._keep(op, {**self.onehot.verdict(), "forbidden": forbid.HITS[0]})
        if kind == "seed":
            torch.manual_seed(int(op["seed"]))
            return None
        raise LookupError(f"unknown operation {kind!r}")

    def _keep(self, op: dict, value):
        """An answer kept for a later fetch (op "into": a handle), or given now."""
        if op.get("into") is None:
            return value
        self.objects[op["into"]] = value
        return None

    def raises(self, ops: list, tensors: dict) -> bool:
        """Run a group of operations; did one raise, with anything but NotImplementedError (an
        unfilled stub)? The group stops at the first that raises, as a frame does."""
        if type(ops) is not list:
            raise LookupError("a bad group of operations")
        try:
            for op in ops:
                if type(op) is not dict:
                    raise LookupError("a bad operation")
                self.run(op, tensors)
        except BaseException as exc:  # noqa: BLE001 - the student's exceptions are observations
            return type(exc).__name__ != "NotImplementedError"
        return False

    def load(self, code: list, standins, part=None) -> dict:
        """Exec each chunk ([label, source]) in one fresh namespace; a failing chunk is reported."""
        ns = {"__name__": "submission", "__builtins__": builtins}
        errors = []
        for label, source in code:
            try:
                key = (label, source)   # each part loads the same cells: compiled once per job
                if key not in self.compiled:
                    self.compiled[key] = compile(source, f"<{label}>", "exec")
                exec(self.compiled[key], ns)  # noqa: S102 - this is the sandbox
            except BaseException as exc:  # SystemExit and KeyboardInterrupt included
                tb = traceback.extract_tb(exc.__traceback__)
                line = next((f.lineno for f in reversed(tb) if f.filename == f"<{label}>"), None)
                errors.append({"where": label, "line": line, "error": _exc_text(exc)[:500]})
        for name in standins:
            ns[name] = getattr(reference.STANDIN, name)
        self.onehot, forbid.HITS[0] = onehot.Judge(), 0
        if part == "one_hot_lookup" and callable(ns.get("one_hot_lookup")):   # watched while Part 1 is graded
            ns["one_hot_lookup"] = self.onehot.wrap(ns["one_hot_lookup"])
        self.ns, self.objects = ns, {}   # a new part: nothing of the last one's is reachable by handle
        return {"errors": errors}


class Fetched:
    """A value to send back as data (tensors with their contents), not as a short status."""

    def __init__(self, value):
        self.value = value


def _exc_text(exc) -> str:
    try:
        return f"{type(exc).__name__}: {exc}"
    except BaseException:  # noqa: BLE001 - a student's __str__ may raise
        return type(exc).__name__


def _message(exc) -> str:
    try:
        return str(exc)
    except BaseException:  # noqa: BLE001 - a student's __str__ may raise
        return ""


def _plain(v, depth=0):
    """A fetched value as data: plain tensors, numbers, strings, lists, tuples, dicts; anything
    else as a description."""
    if depth > wire.MAX_DEPTH:
        return wire.Opaque("something nested too deeply")
    t = type(v)
    if t in (torch.Tensor, torch.nn.Parameter):
        return v
    if isinstance(v, torch.Tensor):
        return wire.Opaque(f"a tensor subclass ({t.__name__}); return a plain torch.Tensor")
    if v is None or t in (bool, int, float, str) or isinstance(v, torch.dtype):
        return v
    if isinstance(v, (list, tuple)):
        return [_plain(x, depth + 1) for x in v] if t is list else tuple(_plain(x, depth + 1) for x in v)
    if isinstance(v, dict):
        return {str(k): _plain(x, depth + 1) for k, x in v.items()}
    return wire.Opaque(wire.describe(v))


def serve(sock) -> None:
    """Answer the grader's requests until it closes the channel."""
    job, me = Session(), _getpid()
    while True:
        frame = wire.recv(sock)
        if frame is None:
            return
        message, tensors = frame
        enc = wire.Encoder(lambda v: {"X": str(v)} if type(v) is wire.Opaque else None)
        done = []
        for op in message.get("ops", ()):
            try:
                out = job.run(op, tensors)
                done.append({"ok": enc(_plain(out.value) if isinstance(out, Fetched) else out)})
            except BaseException as exc:  # noqa: BLE001 - the student's exceptions are observations
                done.append({"raised": {"type": type(exc).__name__[:200], "message": _message(exc)[:2000]}})
                break
        if _getpid() != me:   # a copy of this process that student code forked writes nothing
            _exit(0)
        wire.send(sock, {"done": done}, enc.tensors)


def warm_up() -> None:
    """Run once in the zygote, before any job: pay torch's lazy start-up (the first dispatch, the
    first backward, matplotlib) with the stand-ins on small made-up inputs, so each job does not pay
    it again; then switch torch's embedding kernels off for good. (No backward with a gradient
    tensor: that imports sympy, ~0.5 s and 30 MB; the graders do not use one: reference.backward.)"""
    import tempfile
    torch.set_num_threads(1)  # before the first op: a fork after a multi-threaded op can hang
    os.environ.setdefault("MPLCONFIGDIR", tempfile.mkdtemp(prefix="kit-mpl-"))
    os.environ["MPLBACKEND"] = "Agg"
    import matplotlib.pyplot  # noqa: F401  notebooks import it; the sandbox could not write its cache
    import numpy  # noqa: F401
    api = reference.STANDIN
    for dtype in (torch.float32, torch.float64):
        W = torch.randn(6, 3, dtype=dtype, requires_grad=True)
        idx = torch.tensor([[0, 2], [5, 2]])
        out = api.one_hot_lookup(idx, W)
        out.sum().backward()
        api.embedding_backward(torch.randn(2, 2, 3, dtype=dtype), idx, 6, padding_idx=2, scale_grad_by_freq=True)
        api.embedding_renorm_(W.detach().clone(), idx, 1.0, 2.0)
        m = api.Embedding(6, 3, padding_idx=1, max_norm=1.0, dtype=dtype)
        m(idx).sum().backward()
        torch.nn.functional.one_hot(idx, 6).to(dtype) @ W.detach()
        onehot.Judge().wrap(lambda i, w: torch.nn.functional.one_hot(i, 6).to(w.dtype) @ w)(idx, W)   # its lazy imports
        repr(m)
        m.state_dict()
    job = Session()
    job.load([["warm-up", "import torch\n"]], ())
    wire.send(_NullSocket(), {"done": []}, {"x": torch.zeros(1)})
    forbid.forbid_torch_embedding()


class _NullSocket:
    def sendall(self, data):
        pass
