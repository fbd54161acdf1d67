"""One submission's run: its sandboxed job, part after part, within one time budget.

The parts are graded in the registry's order (plugin.py sorts the tests). For part k the job loads
this submission's code afresh. The API names of the parts before k are the student's own where that
part passed every test it ran, and stand-ins otherwise (reference.STANDIN: so a bug in part 1 costs
only part 1, also where parts 2-4 call it, while correct code that extends its own helper, with an
extra keyword argument say, is graded as written); a part not graded in this run gets a stand-in
too, so nothing unchecked decides another part's grade. Each part has its own wall-clock limit and the submission a
budget of one limit per part; both are set here, never by the job. When the job ends early
(crash, exit, timeout, nonsense), the rest of that part fails with the reason and the next part
starts a fresh job.
"""
import time

from . import policy
from .extract import Submission, extract
from .i18n import _
from .parts import BY_ID, PARTS
from .policy import Verdict
from .remote import NotGraded, StudentAPI
from .sandbox import Limits, NotStarted, Sandbox


class Run:
    def __init__(self, sub: Submission, sandbox: Sandbox, devices, limits: Limits, verdict: Verdict):
        self.sub, self.sandbox, self.devices, self.limits, self.verdict = sub, sandbox, list(devices), limits, verdict
        self.deadline = time.monotonic() + limits.wall_s * len(BY_ID)   # the whole submission's budget
        self.apis: dict[str, StudentAPI] = {}
        self.ended: dict[str, NotGraded] = {}
        self.notes: list[str] = []   # what the job said of the code it loaded (score.py keeps a few)
        self.passed: set[str] = set()   # parts with a passed test, and parts with a failed one (plugin.py
        self.failed: set[str] = set()   # reports each test): the student's own helpers stand where they held
        self._noted: set = set()
        self.cpu = 0.0
        self._jobs = []
        self._shared = None  # the job the parts share, one after the other

    def api(self, part: str, alone: bool = False) -> StudentAPI:
        """The student's API for `part`'s tests (a fresh job of its own when `alone`)."""
        if part in self.ended:   # raised again for each of the part's tests: without the traceback it
            raise self.ended[part].with_traceback(None)   # collected before (each raise appends to it)
        missing = [n for n in BY_ID[part].defines if n not in self.verdict.defined]
        if missing:
            self.ended[part] = NotGraded(_("run.not_defined", names="`, `".join(missing)))
            raise self.ended[part]
        if alone:
            return self._load(self._start(), part)
        if part not in self.apis:
            job = self._shared if self._shared is not None and self._shared.ended is None else self._start()
            self._shared = job
            self.apis[part] = self._load(job, part)
        return self.apis[part]

    def _start(self):
        left = self.deadline - time.monotonic()
        if left <= 1.0:
            raise NotGraded(_("run.not_graded_job", detail=_("run.budget_used")))
        try:
            job = self.sandbox.job(self.devices, wall_s=left, cpu_s=self.limits.cpu_s * len(BY_ID))
        except NotStarted as exc:
            raise NotGraded(_("run.not_graded_job", detail=_(str(exc)))) from None
        self._jobs.append(job)
        return job

    def _load(self, job, part: str) -> StudentAPI:
        api = StudentAPI(job)
        job.start_part(min(self.limits.wall_s, max(1.0, self.deadline - time.monotonic())))
        earlier = [n for p in PARTS[:[p.id for p in PARTS].index(part)] for n in p.defines
                   if p.id in self.failed or p.id not in self.passed]
        try:
            done = api.load(self.sub.chunks, earlier, part)
        except NotGraded as exc:
            self.ended[part] = exc
            raise
        for e in done.get("errors", []) if isinstance(done, dict) else []:
            if not isinstance(e, dict):
                continue
            note = _("run.cell_raised", where=str(e.get("where", "?"))[:200], error=str(e.get("error", ""))[:500],
                     line=_("run.cell_line", line=e["line"]) if type(e.get("line")) is int else "")
            if note not in self._noted:   # a set: a job reports each of up to MAX_CELLS cells for every part
                self._noted.add(note)
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


def prepare(submission, box: Sandbox, devices, limits: Limits = Limits()) -> Run:
    """Extract and judge a submission (a path or a Submission); ExtractError if it cannot be read."""
    sub = submission if isinstance(submission, Submission) else extract(submission)
    return Run(sub, box, devices, limits, policy.judge(sub.trees))
