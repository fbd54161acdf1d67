"""Torch's embedding kernels switched off in the sandboxed job, whatever spelling reaches them.

CONTRACT §1: code under grading must not call PyTorch's own embedding. The static rules
(policy.py) judge how the source is spelled; this judges what runs. Before any student code
loads, the zygote registers, for every aten::embedding* and embedding_bag operator and every
dispatch key that has a kernel for it (CPU, CUDA, Meta, sparse, nested, quantized, and each
Autograd key), a kernel that raises. Every path to those kernels goes through the dispatcher —
F.embedding, torch.embedding, nn.Embedding, torch.ops.aten.embedding.default, a star import, an
alias, vmap, no_grad or inference mode — so each such call fails with one clear message. The
stand-ins the job runs for the other parts (reference.STANDIN) use none of these kernels.

The trusted grader never imports this module: torch's answers there come from torch itself.
"""
import warnings

import torch

MESSAGE = "torch's embedding is not available while grading: write it yourself"
OPERATORS = ("embedding", "embedding_backward", "embedding_dense_backward", "embedding_sparse_backward",
             "embedding_renorm_", "embedding_renorm", "embedding_bag", "_embedding_bag",
             "_embedding_bag_forward_only", "_embedding_bag_backward", "_embedding_bag_dense_backward",
             "_embedding_bag_sparse_backward", "_embedding_bag_per_sample_weights_backward")
# keys that only pass a call on to a backend or autograd key (which are blocked), or name no kernel
_PASS_ON = ("Undefined", "Python", "FuncTorch", "Functionalize", "ADInplaceOrView", "Batched", "PreDispatch",
            "Tracer", "Autocast", "Conjugate", "Negative", "ZeroTensor", "Named", "BackendSelect", "Fake")
_ALIASES = ("CompositeExplicitAutograd", "CompositeExplicitAutogradNonFunctional", "CompositeImplicitAutograd",
            "Autograd")
_DONE: list = []


HITS = [0]   # calls refused since the job last loaded a part (the part's rule test reads it)


class EmbeddingForbidden(RuntimeError):
    pass


def _refuse(*args, **kwargs):
    HITS[0] += 1
    raise EmbeddingForbidden(MESSAGE)


def forbid_torch_embedding() -> int:
    """Register the refusing kernels (once per process); returns how many were registered.

    The registrations are made on a library handle of the dispatcher's own (what torch.library's
    Library wraps), which is then leaked on purpose: no Python name, list or finalizer refers to it
    (pybind11 objects are not tracked by the garbage collector either), so no code in this process
    can reach it to reset it, and it is never freed. The kernels stay for the life of the process."""
    if _DONE:
        return 0
    import ctypes
    handle = torch._C._dispatch_library("IMPL", "aten", "", __file__, 0)
    count = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # "overriding a previously registered kernel": that is the point
        for op in OPERATORS:
            for overload in getattr(torch.ops.aten, op).overloads():
                name = op if overload == "default" else f"{op}.{overload}"
                for key in _kernel_keys(name):
                    try:
                        handle.impl(name, key, _refuse, False)
                    except RuntimeError:   # a key this build's Python cannot name (e.g. AutogradMTIA)
                        continue
                    count += 1
    ctypes.pythonapi.Py_IncRef(ctypes.py_object(handle))   # never freed, whatever happens to the name
    del handle
    _DONE.append(count)
    return count


def _kernel_keys(name: str) -> list[str]:
    """The alias keys (which fill every backend, also those Python cannot name, such as QuantizedHIP),
    then each runtime dispatch key that holds a kernel for aten::name, less those that only pass a
    call on."""
    keys = (line.split(":", 1)[0].strip() for line in torch._C._dispatch_dump_table(f"aten::{name}").splitlines())
    return list(_ALIASES) + [k for k in keys if k and not k.startswith(_PASS_ON)]


def kernels_left(refusing: str = __name__) -> list[str]:
    """(name, key) of every kernel of those operators that is not the refusing one: [] once forbidden."""
    left = []
    for op in OPERATORS:
        for overload in getattr(torch.ops.aten, op).overloads():
            name = op if overload == "default" else f"{op}.{overload}"
            for line in torch._C._dispatch_dump_table(f"aten::{name}").splitlines():
                key, _sep, where = line.partition(":")
                if key.strip() and not key.strip().startswith(_PASS_ON) and "forbid.py" not in where:
                    left.append(f"{name} {key.strip()}: {where.strip()}")
    return left
