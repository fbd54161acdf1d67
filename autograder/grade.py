"""Grading one submission: extract -> run each part in the sandbox -> compare with torch -> score.

Rules applied on top of the per-case comparisons (CONTRACT §1):
- a part whose run called torch's own embedding ops scores zero, with a message saying which;
- the one-hot part must compute a real one-hot product, not index the table;
- a part whose code could not run (missing name, crash, timeout, exit) scores zero, and only it.
"""
import json
import os
import threading
from dataclasses import asdict, dataclass, field

import torch

from .case import HALVES, Case, Make, cases
from .compare import EXACT, Mismatch, Raised, check_value
from .extract import ExtractError, Submission, extract
from .i18n import LANGS, _, chosen, question, use
from .i18n import lang as current_lang
from .parts import BY_ID, FORBIDDEN_OPS, MAX_SCORE, PARTS
from .reference import TORCH
from .sandbox import Limits, Sandbox


@dataclass
class TestResult:
    name: str                 # the check's function name in autograder/checks/<part>.py
    passed: bool
    message: str = ""
    question: str = ""        # the check's docstring: what it asks
    score: float = 0.0
    max_score: float = 0.0


@dataclass
class PartResult:
    score: float
    max_score: float
    tests: list = field(default_factory=list)


@dataclass
class Result:
    score: float
    max_score: float
    parts: dict
    notes: list = field(default_factory=list)   # what the grader wants the student to know overall
    devices: list = field(default_factory=list)
    confinement: list = field(default_factory=list)
    lang: str = "en"          # the language of every message in it

    def to_json(self) -> dict:
        return {"score": round(self.score, 4), "max_score": self.max_score,
                "parts": {pid: {"score": round(p.score, 4), "max_score": p.max_score,
                                "tests": [asdict(t) for t in p.tests]} for pid, p in self.parts.items()},
                "notes": self.notes, "devices": self.devices, "confinement": self.confinement, "lang": self.lang}

    @classmethod
    def from_json(cls, data: dict) -> "Result":
        parts = {pid: PartResult(p["score"], p["max_score"], [TestResult(**t) for t in p["tests"]])
                 for pid, p in data["parts"].items()}
        return cls(data["score"], data["max_score"], parts, data.get("notes", []), data.get("devices", []),
                   data.get("confinement", []), data.get("lang", "en"))


def fingerprint(devices) -> str:
    """Changes whenever the graders' code or the devices do: cached results older than it are stale."""
    import hashlib
    from pathlib import Path
    h = hashlib.sha256(",".join(devices).encode())
    for f in sorted(Path(__file__).parent.rglob("*.py")):
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def submission_key(sub: Submission) -> str:
    import hashlib
    return hashlib.sha256(json.dumps(sub.chunks).encode()).hexdigest()[:24]


def present_devices() -> list:
    os.environ.setdefault("PYTORCH_NVML_BASED_CUDA_CHECK", "1")  # ask NVML: do not initialise CUDA here
    return ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


class Grader:
    """A warm grader: torch imported once, a sandbox zygote, torch's references computed once."""

    def __init__(self, devices=None, limits: Limits = Limits(), isolate: bool = True, runner=None):
        """runner: anything with Sandbox's run(job) -> Outcome; the benchmark passes an in-process
        one to measure what isolation costs. Never grade untrusted code without the Sandbox."""
        torch.set_num_threads(1)  # before the first op: forking after a multi-threaded op hangs children
        self.devices = list(devices or present_devices())
        self.sandbox = runner or Sandbox(limits, isolate)   # forked now, before any reference exists
        self.limits = limits
        self._gpu_slots = threading.BoundedSemaphore(max(1, limits.cuda_jobs))   # one GPU, shared by the batch
        self._refs: dict[str, tuple] = {}
        self.fingerprint = fingerprint(self.devices)
        self._ref_lock = threading.Lock()

    def close(self):
        self.sandbox.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- references (trusted side only)
    def reference(self, c: Case):
        with self._ref_lock:
            if c.key not in self._refs:
                if c.device == "cuda":
                    torch.backends.cuda.matmul.allow_tf32 = False
                    torch.set_float32_matmul_precision("highest")
                make = Make(c.seed, c.dtype, "cpu") if c.runs_alone else c.make()
                self._refs[c.key] = (_observe(c.build(make), TORCH), _ref64(c))
            return self._refs[c.key]

    # -- one submission
    def grade(self, submission, lang: str | None = None) -> Result:
        """Grade a path (notebook, folder, .py) or an already extracted Submission; messages in
        `lang` (i18n.LANGS; default: the current context's, English unless set)."""
        if lang is not None:
            with use(lang):
                return self.grade(submission)
        try:
            sub = submission if isinstance(submission, Submission) else extract(submission)
        except ExtractError as exc:
            return _all_zero(str(exc), self.devices)
        if not chosen() and sub.lang in LANGS:
            with use(sub.lang):   # nobody chose a language: the notebook's edition decides
                return self.grade(sub)
        notes = list(sub.notes)
        runs, confinement = self.run_parts(sub), []
        parts = {}
        for p in PARTS:
            outcome, meta, tensors = runs[p.id]
            confinement = (meta or {}).get("confinement") or confinement   # what the worker was confined by
            parts[p.id], part_notes = self._score_part(p.id, outcome, meta, tensors, sub.static_hits)
            notes += [n for n in part_notes if n not in notes]
        score = sum(r.score for r in parts.values())
        return Result(score, MAX_SCORE, parts, notes, self.devices, confinement, current_lang())

    def run_parts(self, sub: Submission) -> dict:
        """Run every part in one sandboxed job; if the job dies in part k, part k gets that outcome
        and the parts after it run again in a fresh job. -> {part: (outcome, meta, tensors)}."""
        todo, runs = [p.id for p in PARTS], {}
        self.last_sandbox_cpu = 0.0
        while todo:
            outcome = self._run({"parts": todo, "code": sub.chunks, "devices": self.devices})
            self.last_sandbox_cpu += outcome.cpu
            decoded = _decode(outcome)
            for pid in todo:
                if pid in decoded:
                    runs[pid] = (outcome, *decoded[pid])
            rest = [pid for pid in todo if pid not in decoded]
            if rest:  # the first part without results is the one the job died in
                if outcome.status == "ok":
                    outcome.status, outcome.detail = "error", outcome.detail or "run.incomplete"
                runs[rest[0]] = (outcome, None, {})
            todo = rest[1:]
        for c in (c for p in PARTS for c in cases(p.id, tuple(self.devices)) if c.runs_alone):
            outcome = self._run({"parts": [c.part], "only": [c.key], "code": sub.chunks, "devices": self.devices})
            self.last_sandbox_cpu += outcome.cpu
            meta = runs[c.part][1]
            found = _decode(outcome).get(c.part)
            if meta is None:
                continue                         # the part could not run at all: it scores zero anyway
            if found is None:
                meta["results"].append({"id": c.id, "problem": _not_graded(c.part, outcome)})
            else:
                meta["results"] += found[0]["results"]
                runs[c.part] = (runs[c.part][0], meta, {**runs[c.part][2], **found[1]})   # keys hold the case id
        return runs

    def _run(self, job: dict):
        """One sandboxed job; if the zygote died under it (not the student's doing, as a rule), once more
        on the replacement the sandbox starts."""
        if "cuda" in job["devices"]:
            job = {**job, "cuda_memory_fraction": self.limits.cuda_memory_fraction}
            with self._gpu_slots:
                return self._run_now(job)
        return self._run_now(job)

    def _run_now(self, job: dict):
        outcome = self.sandbox.run(job)
        if outcome.detail == "run.zygote_gone":
            self.last_sandbox_cpu += outcome.cpu
            outcome = self.sandbox.run(job)
        return outcome

    def _score_part(self, pid: str, outcome, meta, tensors, static_hits) -> tuple[PartResult, list]:
        part = BY_ID[pid]
        my_cases = cases(pid, tuple(self.devices))
        names = list(dict.fromkeys(c.name for c in my_cases))
        points = {c.name: c.points for c in my_cases}
        total = sum(points.values())
        notes = []
        if meta is None:
            return _zero(part, names, _not_graded(pid, outcome), my_cases), []
        for e in meta["errors"]:
            notes.append(_("run.cell_raised", where=e["where"], error=e["error"],
                           line=_("run.cell_line", line=e["line"]) if e["line"] else ""))
        missing = [n for n in part.uses if n not in meta["defined"]]
        if missing:
            why = _("run.not_defined_error" if meta["errors"] else "run.not_defined", names="`, `".join(missing))
            return _zero(part, names, why, my_cases), notes
        # per case: compare with torch's observation
        verdicts: dict[str, list] = {n: [] for n in names}
        ops_used, one_hot_problems, callers = set(), [], []
        by_id = {c.id: c for c in my_cases}
        for entry in meta["results"]:
            c = by_id.get(entry["id"])
            if c is None:
                continue
            ops_used |= set(entry.get("ops", [])) & FORBIDDEN_OPS
            callers += [w for w in entry.get("callers", []) if isinstance(w, str) and w not in callers]
            ok, msg = self._judge(c, entry, tensors)
            if ok and c.limit == "one_hot":
                ref = self.reference(c)[0]
                size = ref.get("one_hot_size", 0) if isinstance(ref, dict) else 0
                if entry.get("indexed_input") or (size and entry.get("max_product", 0) < size):
                    one_hot_problems.append(c.id)
            verdicts[c.name].append((c, ok, msg))
        tests = []
        for n in names:
            vs = verdicts[n]
            passed = sum(ok for _case, ok, _msg in vs)
            first_bad = next(((c, m) for c, ok, m in vs if not ok), None)
            message = "" if first_bad is None else f"[{first_bad[0].id}] {first_bad[1]}"
            q = question(pid, n, next(c.question for c in my_cases if c.name == n))
            tests.append(TestResult(n, bool(vs) and passed == len(vs), message, q,
                                    points[n] * passed / len(vs) if vs else 0.0, points[n]))
        rule = _rule_breaks(pid, ops_used, one_hot_problems, static_hits, part.uses, callers)
        if rule:
            tests.append(TestResult("uses_its_own_code", False, rule, _("q.uses_its_own_code"), 0.0, 0.0))
            for t in tests:
                t.score = 0.0
        else:
            tests.append(TestResult("uses_its_own_code", True, "", _("q.uses_its_own_code"), 0.0, 0.0))
        score = part.points * sum(t.score for t in tests) / total if total else 0.0
        return PartResult(score, part.points, tests), notes

    def _judge(self, c: Case, entry: dict, tensors: dict) -> tuple[bool, str]:
        if "problem" in entry:
            return False, entry["problem"]
        ref, ref64 = self.reference(c)
        if isinstance(ref, Raised):
            if "raised" in entry:
                return True, ""
            return False, _("judge.not_raised", error=ref.type, message=ref.message[:120])
        if "raised" in entry:
            r = entry["raised"]
            return False, _("judge.raised", error=r["type"], message=r["message"][:300])
        got = {k: _value(v, tensors) for k, v in entry["obs"].items()}
        count_max = ref.get("count_max", 1) if isinstance(ref.get("count_max", 1), int) else 1
        try:
            for key, expected in ref.items():
                if key not in got:
                    raise Mismatch(_("judge.missing_key", key=key))
                policy = c.compare.get(key) or c.compare.get(key.split(" ", 1)[0]) or c.compare.get("*", EXACT)
                check_value(key, got[key], expected, policy, (ref64 or {}).get(key), count_max)
        except Mismatch as exc:
            return False, str(exc)
        return True, ""


def _not_graded(pid: str, outcome) -> str:
    """Why a part (or a case run alone) has no results: how its job ended, and its last output."""
    why = _("run.not_graded", part=pid, detail=_(outcome.detail or "run.no_result", **outcome.detail_args))
    if outcome.output.strip():
        why += _("run.last_output", output=outcome.output.strip()[-600:])
    return why


def _rule_breaks(pid, ops_used, one_hot_problems, static_hits, uses, callers=()) -> str:
    if ops_used:
        where = _("rule.called_from", where="; ".join(callers[:3])) if callers else ""
        return _("rule.ops", ops=", ".join(sorted(ops_used))) + where
    statics = [h for name in uses for h in static_hits.get(name, [])]
    if statics:
        return _("rule.static", hits="; ".join(statics[:3]))
    if one_hot_problems:
        return _("rule.one_hot", case=one_hot_problems[0])
    return ""


def _observe(observe, api):
    """Run an observer with torch's API in this (trusted) process."""
    try:
        obs = observe(api)
    except Exception as exc:  # noqa: BLE001 - the reference raising is an expected outcome
        return Raised(type(exc).__name__, str(exc))
    return {k: (v.detach().clone() if isinstance(v, torch.Tensor) else _plainify(v)) for k, v in obs.items()}


def _plainify(v):
    if isinstance(v, (list, tuple)):
        return [_plainify(x) for x in v]
    if isinstance(v, torch.dtype):
        return str(v)
    return v


def _ref64(c: Case):
    """For float16/bfloat16 cases: the same inputs upcast to float64, observed with torch."""
    if c.dtype not in HALVES:
        return None
    observe = c.build(c.make())
    for cell in observe.__closure__ or ():
        v = cell.cell_contents
        if isinstance(v, torch.Tensor) and v.is_floating_point():
            cell.cell_contents = v.detach().double().requires_grad_(v.requires_grad)
    ref = _observe(observe, TORCH)
    return ref if isinstance(ref, dict) else None


def _decode(outcome) -> dict:
    """The job's blobs (8-byte length, safetensors bytes; one per finished part) -> {part: (meta, tensors)}.
    Reading stops at the first malformed blob: the parts from there on count as not run."""
    from safetensors.torch import load
    found, blob, pos = {}, outcome.blob, 0
    while pos + 8 <= len(blob):
        size = int.from_bytes(blob[pos:pos + 8], "little")
        one = blob[pos + 8:pos + 8 + size]
        try:
            if len(one) != size:
                raise ValueError("truncated")
            n = int.from_bytes(one[:8], "little")
            header = json.loads(one[8:8 + n])
            meta = json.loads(header.get("__metadata__", {}).get("kit", "null"))
            tensors = load(one)
            assert isinstance(meta, dict) and {"part", "defined", "errors", "results"} <= meta.keys()
            assert meta["part"] in BY_ID and meta["part"] not in found
        except Exception as exc:  # noqa: BLE001 - anything malformed from the sandbox is a failed run
            if outcome.status == "ok":
                outcome.status, outcome.detail, outcome.detail_args = "error", "run.malformed", {"error": type(exc).__name__}
            break
        found[meta["part"]] = (meta, tensors)
        pos += 8 + size
    return found


def _value(v: dict, tensors: dict):
    kind = v.get("kind") if isinstance(v, dict) else None
    if kind == "tensor":
        t = tensors.get(v.get("key"))
        return t.to(v["device"]) if t is not None and v.get("device") == "cuda" else t
    if kind == "value":
        return v.get("value")
    if kind == "list":
        return [_value(x, tensors) for x in v.get("items", [])]
    return _("cmp.something", what=v.get("what", "?") if isinstance(v, dict) else v)


def _zero(part, names, why, my_cases) -> PartResult:
    q = {c.name: (question(part.id, c.name, c.question), c.points) for c in my_cases}
    tests = [TestResult(n, False, why if i == 0 else _("report.as_above"), q[n][0], 0.0, q[n][1])
             for i, n in enumerate(names)]
    return PartResult(0.0, part.points, tests)


def _all_zero(why: str, devices) -> Result:
    parts = {p.id: PartResult(0.0, p.points, [TestResult("submission_readable", False, why,
                                                         _("q.submission_readable"), 0.0, 0.0)]) for p in PARTS}
    return Result(0.0, MAX_SCORE, parts, [why], list(devices), lang=current_lang())
