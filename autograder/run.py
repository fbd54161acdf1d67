"""One submission's run: its sandboxed jobs, one per part, within one time budget.

The hidden tests of part P talk to a job that has loaded this submission's code with the other
parts' API names replaced by torch-based stand-ins (so one bug costs only the part where it
lives). A job starts when the part's first test needs it and gets the part's wall-clock limit, cut
to what is left of the submission's budget; both are set here, never by the job. When a job ends
early (crash, exit, timeout, nonsense), every later test of that part fails with the same reason.
"""
import time

from .extract import Submission
from .i18n import _
from .parts import API_NAMES, BY_ID
from .policy import Verdict
from .remote import NotGraded, StudentAPI
from .sandbox import Limits, NotStarted, Sandbox


class Run:
    def __init__(self, sub: Submission, sandbox: Sandbox, devices, limits: Limits, verdict: Verdict):
        self.sub, self.sandbox, self.devices, self.limits, self.verdict = sub, sandbox, list(devices), limits, verdict
        self.deadline = time.monotonic() + limits.wall_s * len(BY_ID)   # the whole submission's budget
        self.apis: dict[str, StudentAPI] = {}
        self.ended: dict[str, NotGraded] = {}
        self.notes: list[str] = []
        self.cpu = 0.0
        self._jobs = []
        self.lang = None     # the language of the messages (the grader sets it; tests run in another thread)

    def api(self, part: str, alone: bool = False) -> StudentAPI:
        """The student's API for `part`'s tests (a fresh job of its own when `alone`)."""
        if part in self.ended:
            raise self.ended[part]
        missing = [n for n in BY_ID[part].defines if n not in self.verdict.defined]
        if missing:
            self.ended[part] = NotGraded(_("run.not_defined", names="`, `".join(missing)))
            raise self.ended[part]
        if not alone and part in self.apis:
            return self.apis[part]
        api = self._start(part)
        if not alone:
            self.apis[part] = api
        return api

    def _start(self, part: str) -> StudentAPI:
        left = self.deadline - time.monotonic()
        if left <= 1.0:
            self.ended[part] = NotGraded(_("run.not_graded_job", detail=_("run.budget_used")))
            raise self.ended[part]
        try:
            job = self.sandbox.job(self.devices, wall_s=min(self.limits.wall_s, left))
        except NotStarted as exc:
            raise NotGraded(_("run.not_graded_job", detail=_(str(exc)))) from None
        self._jobs.append(job)
        api = StudentAPI(job)
        standins = [n for n in API_NAMES if n not in BY_ID[part].defines]
        try:
            done = api.load(self.sub.chunks, standins)
        except NotGraded as exc:
            self.ended[part] = exc
            raise
        for e in done.get("errors", []) if isinstance(done, dict) else []:
            if not isinstance(e, dict):
                continue
            note = _("run.cell_raised", where=str(e.get("where", "?"))[:200], error=str(e.get("error", ""))[:500],
                     line=_("run.cell_line", line=e["line"]) if type(e.get("line")) is int else "")
            if note not in self.notes:
                self.notes.append(note)
        return api

    def close(self):
        for job in self._jobs:
            if job.ended is None:
                job.close()
        for job in self._jobs:
            try:
                self.cpu += job.exit.result(timeout=10).cpu
            except Exception:  # noqa: BLE001 - only for the benchmark's accounting
                pass
        self._jobs.clear()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

