"""A grading worker of the batch (batch.py): one process, one warm Grader for every student it is
given. Light on purpose: it imports the grader and nothing of nbgrader's (whose import, through
nbformat and jsonschema, cost three seconds of CPU per worker)."""
from pathlib import Path

from .extract import ExtractError, extract
from .grade import Grader, all_zero, submission_key
from .i18n import use
from .store import load_cached

_WORKER: dict = {}


def _preload_graders():
    """Import the hidden graders' modules here, once: the batch's forkserver preloads this module,
    so every worker is forked with them in sys.modules, where its pytest collection finds them
    instead of importing them again (hypothesis draws their examples at import: ~0.5 s of CPU a
    worker). The forkserver holds no submission and no expected value, only this code."""
    import importlib

    from .parts import PARTS
    importlib.import_module("autograder.graders.conftest")
    for part in PARTS:
        importlib.import_module(f"autograder.graders.test_{part.id}")
    # what the first grading would import in every worker: torch's nested tensors, the sandbox its
    # confinement modules (not sympy: the graders' backward takes no gradient tensor: reference.backward)
    for name in ("torch.nested._internal.nested_tensor",
                 "autograder.onehot", "autograder.landlock", "autograder.seccomp"):
        importlib.import_module(name)


_preload_graders()


def start(devices, limits, zygotes=None):
    """The pool's initializer: the warm Grader of this process, with a channel to the batch's
    shared zygote when `zygotes` (a queue of channels, one per worker) has one left."""
    import atexit
    import queue
    channel = None
    if zygotes is not None:
        try:
            channel = zygotes.get(timeout=60)
        except queue.Empty:   # none left: this grader starts a zygote of its own
            channel = None
    _WORKER["grader"] = Grader(devices, limits=limits, zygote=channel)
    atexit.register(_WORKER["grader"].close)


def grade_one(folder: str, stored: str, force: bool, lang: str):
    """-> (result as JSON, submission key or None, whether it was stored before, the graders'
    fingerprint: what a stored result is valid for)."""
    grader = _WORKER["grader"]
    with use(lang):
        try:
            sub = extract(Path(folder))
        except ExtractError as exc:
            return all_zero(str(exc), grader.devices).to_json(), None, False, grader.fingerprint
        key = submission_key(sub)
        cached = None if force else load_cached(Path(stored), key, grader.fingerprint, lang)
        if cached is not None:
            return cached.to_json(), key, True, grader.fingerprint
        return grader.grade(sub).to_json(), key, False, grader.fingerprint
