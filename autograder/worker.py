"""What runs inside the sandbox: make the part's inputs, run the student's code, observe, write.

Order matters: the inputs are made before any student code runs (it may patch torch), and the
references used here (`_save`, `_dumps`, the recorder class) are taken at import, before it too.
The grader trusts nothing this process says about values: it compares the tensors itself. The op
trace (what aten ops ran) is how the rules on torch's own embedding ops are enforced.
"""
import builtins
import json
import os
import sys
import time
import traceback
from types import SimpleNamespace

import torch
from safetensors.torch import save as _save
from torch.utils._python_dispatch import TorchDispatchMode

from .case import cases
from .parts import API_NAMES, FORBIDDEN_OPS, PARTS

_getpid, _exit = os.getpid, os._exit
_dumps, _Tensor, _Parameter, _type, _perf = json.dumps, torch.Tensor, torch.nn.Parameter, type, time.perf_counter
_INDEXING = {"index", "index_select", "gather", "take", "embedding", "_unsafe_index", "take_along_dim"}
_PRODUCTS = {"mm", "bmm", "addmm", "baddbmm", "mv", "addmv", "dot", "vdot", "mul", "_int_mm", "einsum"}
_KIND = {**{n: "index" for n in _INDEXING}, **{n: "product" for n in _PRODUCTS}}


class OpRecorder(TorchDispatchMode):
    """Records the aten ops that run (backward included), which floating inputs get indexed, and
    the largest operand of any product op (a real one-hot product has one of N*V elements)."""

    def __init__(self, watched: list):
        super().__init__()
        self.ops: set[str] = set()
        self.indexed_input = False
        self.max_product = 0
        self._seen: set = set()
        self.callers: list[str] = []
        self._watched = {t.untyped_storage().data_ptr() for t in watched if t.is_floating_point() and t.numel()}

    def _note_caller(self):
        """The student's function that made a forbidden call: the innermost frame in their code
        (whose file name is a cell label like "<embedding cell 12 (one_hot_lookup_code)>")."""
        frame = sys._getframe(2)
        while frame is not None and not frame.f_code.co_filename.startswith("<"):
            frame = frame.f_back
        if frame is not None and len(self.callers) < 5:
            where = f"{frame.f_code.co_name} ({frame.f_code.co_filename.strip('<>')}, line {frame.f_lineno})"
            if where not in self.callers:
                self.callers.append(where)

    @classmethod
    def _should_skip_dynamo(cls) -> bool:
        return False  # nothing here is compiled: spare every op torch's dynamo-disabling wrapper

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        packet = func._overloadpacket
        if packet not in self._seen:
            self._seen.add(packet)
            self.ops.add(packet.__name__)
        if packet.__name__ in FORBIDDEN_OPS:
            self._note_caller()
        kind = _KIND.get(packet.__name__)
        if kind is not None:
            if kind == "index":
                if args and _type(args[0]) in (_Tensor, _Parameter) and \
                        args[0].untyped_storage().data_ptr() in self._watched:
                    self.indexed_input = True
            else:
                for a in args:
                    if isinstance(a, _Tensor):
                        self.max_product = max(self.max_product, a.numel())
        return func(*args, **kwargs) if kwargs else func(*args)


def warm_up() -> None:
    """Run once in the grader before the zygote forks. Torch imports and initialises much lazily (the
    first dispatch-mode op, the first backward with a given gradient pulls in sympy: about 1 s), and
    every job would pay it again. So every check runs here once, with torch's own API, on inputs
    drawn from other seeds than the graded ones (the graded inputs and torch's answers for them are
    not computed in this process before the fork)."""
    torch.set_num_threads(1)  # before the first op: a fork after a multi-threaded op can hang
    import gc
    import tempfile
    os.environ.setdefault("MPLCONFIGDIR", tempfile.mkdtemp(prefix="kit-mpl-"))
    os.environ["MPLBACKEND"] = "Agg"
    import matplotlib.pyplot  # noqa: F401  notebooks import it; the sandbox could not write its cache
    import numpy  # noqa: F401
    from .case import Make
    from .reference import TORCH
    tensors = {}
    for part in PARTS:
        for c in cases(part.id, ("cpu",)):
            observe = c.build(Make(c.seed ^ 0x5EED, c.dtype, c.device))
            watched = [v for v in (observe.__closure__ or ()) for v in [v.cell_contents]
                       if _type(v) in (_Tensor, _Parameter)]
            try:
                with OpRecorder(watched):
                    obs = observe(TORCH)
                for k, v in obs.items():
                    _plain(v, f"{c.key}/{k}", tensors)
            except Exception:  # noqa: BLE001 - torch raising is an expected observation
                pass
    _save({"x": torch.zeros(1)}, metadata={"kit": "{}"})
    del tensors
    gc.collect()


def load_student(code: list) -> tuple[dict, list]:
    """Exec each chunk ([label, source]) in one namespace; a failing chunk is reported, not fatal."""
    ns = {"__name__": "submission", "__builtins__": builtins}
    errors = []
    for label, source in code:
        try:
            exec(compile(source, f"<{label}>", "exec"), ns)  # noqa: S102 - this is the sandbox
        except BaseException as exc:  # SystemExit and KeyboardInterrupt included
            tb = traceback.extract_tb(exc.__traceback__)
            line = next((f.lineno for f in reversed(tb) if f.filename == f"<{label}>"), None)
            errors.append({"where": label, "line": line, "error": f"{type(exc).__name__}: {exc}"[:500]})
    return ns, errors


def _plain(value, key, tensors, depth=0):
    """An observation as JSON, with tensors set aside; anything else becomes a description."""
    t = _type(value)
    if t in (_Tensor, _Parameter):
        if value.layout != torch.strided:
            return {"kind": "other", "what": f"a {value.layout} tensor"}
        tensors[key] = value.detach().to("cpu", copy=True).contiguous()
        return {"kind": "tensor", "key": key, "device": value.device.type}
    if isinstance(value, torch.Tensor):
        return {"kind": "other", "what": f"a tensor subclass ({t.__name__}); return a plain torch.Tensor"}
    if t in (bool, int, float, str) or value is None:
        return {"kind": "value", "value": value[:2000] if t is str else value}
    if t in (list, tuple) and depth < 2 and len(value) <= 64:
        return {"kind": "list", "items": [_plain(v, f"{key}.{i}", tensors, depth + 1) for i, v in enumerate(value)]}
    if isinstance(value, torch.dtype):
        return {"kind": "value", "value": str(value)}
    return {"kind": "other", "what": f"a {t.__name__}"}


def run_job(job: dict, out_fd: int, confinement: list, progress_fd: int | None = None) -> None:
    """Run the parts named in job["parts"] in order, in one process: every part's inputs are made
    first, then the student's code is loaded once, then each part is observed and its results are
    appended to out_fd as one length-prefixed safetensors blob, followed by a byte on progress_fd
    (the zygote extends the job's deadline by one part's time). A crash in part k leaves the blobs
    of the parts before it intact; the grader reruns the parts after it in a fresh job."""
    torch.set_num_threads(1)
    if "cuda" in job["devices"] and torch.cuda.is_available():   # the GPU is shared with other jobs
        torch.cuda.set_per_process_memory_fraction(float(job.get("cuda_memory_fraction", 0.2)))
    plans = []
    only = set(job.get("only", ()))   # case keys: a job for cases that run alone (Case.runs_alone)
    for part in job["parts"]:
        built = []
        for c in cases(part, tuple(job["devices"])):
            if (c.key not in only) if only else c.runs_alone:
                continue
            try:
                built.append((c, c.build(c.make()), None))
            except Exception as exc:  # e.g. CUDA missing in the sandbox: the grader reports it
                built.append((c, None, f"could not make the inputs: {type(exc).__name__}: {exc}"))
        plans.append((part, built))
    os.lseek(out_fd, 0, os.SEEK_SET)
    os.ftruncate(out_fd, 0)
    me = _getpid()
    ns, errors = load_student(job["code"])
    api = SimpleNamespace(**{n: ns[n] for n in API_NAMES if n in ns})
    defined = sorted(n for n in API_NAMES if n in ns)
    for part, built in plans:
        blob = _observe_part(part, built, api, defined, errors, confinement)
        if _getpid() != me:  # a copy of this process that student code forked (and let run on) writes nothing
            _exit(0)
        _write_all(out_fd, len(blob).to_bytes(8, "little") + blob)
        if progress_fd is not None:
            _write_all(progress_fd, b".")


def _observe_part(part, built, api, defined, errors, confinement) -> bytes:
    tensors, results = {}, []
    for c, observe, problem in built:
        entry = {"id": c.id}
        if problem:
            entry["problem"] = problem
        else:
            watched = [v for v in (observe.__closure__ or ()) for v in [v.cell_contents]
                       if _type(v) in (_Tensor, _Parameter)]
            rec = OpRecorder(watched)
            start = _perf()
            try:
                with rec:
                    obs = observe(api)
                entry["obs"] = {k: _plain(v, f"{c.id}/{k}", tensors) for k, v in obs.items()}
            except BaseException as exc:
                entry["raised"] = {"type": type(exc).__name__, "message": str(exc)[:500]}
            entry["seconds"] = _perf() - start
            entry["ops"] = sorted(rec.ops)
            entry["indexed_input"], entry["max_product"] = rec.indexed_input, rec.max_product
            if rec.callers:
                entry["callers"] = rec.callers
        results.append(entry)
    meta = {"part": part, "defined": defined, "errors": errors, "results": results, "confinement": confinement}
    return _save(tensors, metadata={"kit": _dumps(meta)})


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
