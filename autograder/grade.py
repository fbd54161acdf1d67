"""Grading one submission, as a pipeline of small steps over plain data:

    extract (extract.py: the code grading runs, nothing executed)
      -> judge the rules on the source (policy.py)
      -> run the hidden pytest graders against the student's sandboxed code (plugin.py, run.py)
      -> score their reports (score.py) -> Result (report.py prints it, record.py records it)

A Grader is warm: its sandbox's zygote (a fresh process that never holds anything but torch and the
public driver) and the graders collected once; `grade` runs them for one submission at a time.
"""
import hashlib
import json
import os
import threading
from contextlib import nullcontext
from pathlib import Path

import torch

from . import REPO, spawn
from .extract import ExtractError, Submission, extract
from .engine import Service
from .i18n import LANGS, chosen, use
from .run import prepare
from .sandbox import Limits, Sandbox
from .score import PartResult, Result, TestResult, all_zero, score

__all__ = ["Grader", "Result", "PartResult", "TestResult", "present_devices", "prepare", "fingerprint",
           "submission_key", "all_zero"]


def present_devices() -> list:
    os.environ.setdefault("PYTORCH_NVML_BASED_CUDA_CHECK", "1")  # ask NVML: do not initialise CUDA here
    return ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


def fingerprint(devices) -> str:
    """Changes whenever the graders' code, the devices, torch's version or the pinned packages do:
    cached results older than it are stale."""
    h = hashlib.sha256(f"{','.join(devices)}|torch {torch.__version__}".encode())
    for f in sorted(Path(__file__).parent.rglob("*.py")):
        h.update(f.read_bytes())
    lock = Path(REPO) / "requirements.lock"
    if lock.is_file():
        h.update(lock.read_bytes())
    return h.hexdigest()[:16]


def submission_key(sub: Submission) -> str:
    return hashlib.sha256(json.dumps(sub.chunks).encode()).hexdigest()[:24]


def _freeze_heap():
    """Move what the grader holds for good (torch, the collected tests, torch's answers) out of the
    garbage collector's sight: a full collection walked all of it, and took 0.1 s now and then in
    the middle of a submission."""
    import gc
    gc.collect()
    gc.freeze()


class Grader:
    """A warm grader: the sandbox's zygote, the graders collected once."""

    def __init__(self, devices=None, limits: Limits = Limits(), isolate: bool = True, keyword: str | None = None,
                 zygote=None):
        """keyword: a pytest -k expression selecting some tests only (debugging a check); zygote: a
        channel to a zygote shared with other graders (sandbox.SharedZygote), else one of its own."""
        torch.set_num_threads(1)
        self.devices = list(devices or present_devices())
        self.limits = limits
        self.sandbox = Sandbox(limits, isolate, zygote)   # first: it starts as a fresh process, in parallel
        self.service = Service(self.devices, keyword)
        self.fingerprint = fingerprint(self.devices)
        self.confinement = spawn.confinement() if isolate else []
        self.last_sandbox_cpu = 0.0
        self._lock = threading.Lock()
        self._settled = False   # frozen again after the first grading, once torch's answers are cached
        _freeze_heap()

    def close(self):
        self.service.close()
        self.sandbox.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def grade(self, submission, lang: str | None = None) -> Result:
        """Grade a path (notebook, folder, .py) or an extracted Submission; messages in `lang`
        (i18n.LANGS; default: the current context's, else the notebook's edition, else English)."""
        with use(lang) if lang is not None else nullcontext():
            try:
                sub = submission if isinstance(submission, Submission) else extract(submission)
            except ExtractError as exc:
                return all_zero(str(exc), self.devices)
            # nobody chose a language: the notebook's edition decides
            with use(sub.lang) if not chosen() and sub.lang in LANGS else nullcontext():
                return self._grade(sub)

    def _grade(self, sub: Submission) -> Result:
        try:
            with self._lock, prepare(sub, self.sandbox, self.devices, self.limits) as run:
                reports = self.service.run(run)
                run.close()
                self.last_sandbox_cpu = run.cpu
                if not self._settled:
                    self._settled = True
                    _freeze_heap()
                return score(reports, list(sub.notes) + run.notes, self.devices, self.confinement)
        except (RecursionError, MemoryError) as exc:
            # what the submission's shape did to the trusted side (a structure too deep to walk, too
            # large to hold): the same on every rerun, so zeros with the reason, never a batch that
            # stops at this student each time. Other exceptions stay the grader's faults (a rerun retries).
            from .i18n import _
            return all_zero(_("run.grader_error", error=f"{type(exc).__name__}: {str(exc)[:200]}"), self.devices)
