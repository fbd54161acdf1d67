"""One submission's run (run.py) against a stand-in sandbox, in process: which job each part gets,
what it is loaded with, the time it is given, and what is said when a job cannot start or load.
(The real sandbox is tested through the grader: tests/test_corpus.py, tests/test_hostile.py.)"""
import time
from concurrent.futures import Future

import pytest

from autograder import run as run_module
from autograder.extract import Submission
from autograder.i18n import _
from autograder.parts import BY_ID, PARTS
from autograder.policy import Verdict
from autograder.remote import NotGraded, StudentAPI
from autograder.run import Run
from autograder.sandbox import Exit, JobEnded, Limits, NotStarted

ALL = {n for p in PARTS for n in p.defines}
P1, P2, P3, P4 = (p.id for p in PARTS)


def data(v):
    """A value as a job's reply encodes it (wire.py)."""
    if isinstance(v, dict):
        return {"D": [[k, data(x)] for k, x in v.items()]}
    if isinstance(v, list):
        return {"L": [data(x) for x in v]}
    return v


class Job:
    def __init__(self, sandbox, devices, wall_s, cpu_s):
        self.sandbox, self.devices, self.wall_s, self.cpu_s = sandbox, devices, wall_s, cpu_s
        self.ended, self.closed, self.parts, self.requests = None, False, [], []
        self.exit = Future()

    def start_part(self, wall_s):
        self.parts.append(wall_s)

    def request(self, message, tensors):
        self.requests.append(message)
        reply = self.sandbox.replies.pop(0) if self.sandbox.replies else {}
        if isinstance(reply, Exception):
            self.ended = reply
            raise reply
        return {"done": [{"ok": data(reply)} for _op in message["ops"]]}, {}

    def close(self):
        self.closed = True
        if not self.exit.done():
            self.exit.set_result(Exit("ok", cpu=self.sandbox.cpu))


class Sandbox:
    def __init__(self, replies=(), refuse=None, cpu=0.25):
        self.jobs, self.replies, self.refuse, self.cpu = [], list(replies), refuse, cpu

    def job(self, devices, wall_s=None, cpu_s=None):
        if self.refuse:
            raise NotStarted(self.refuse)
        self.jobs.append(Job(self, devices, wall_s, cpu_s))
        return self.jobs[-1]


def make(sandbox=None, defined=ALL, limits=Limits(wall_s=10.0, cpu_s=7), chunks=(("cell 1", "x = 1"),)):
    sub = Submission(chunks=[list(c) for c in chunks])
    return Run(sub, sandbox or Sandbox(), ("cpu",), limits, Verdict(defined=set(defined)))


def test_the_submission_has_one_limit_per_part_and_each_job_the_time_left(monkeypatch):
    """The whole submission's budget is one wall-clock limit per part; a job is started with the
    time left of it and the CPU limit of every part; each part starts with its own limit. (On a
    clock of the test's own: a loaded machine cannot move it between two lines.)"""
    now = [500.0]
    monkeypatch.setattr(run_module.time, "monotonic", lambda: now[0])
    run = make()
    assert run.deadline == 540.0
    api = run.api(P1)
    job, = run.sandbox.jobs
    assert isinstance(api, StudentAPI) and job.devices == ["cpu"] and job.cpu_s == 7 * len(BY_ID)
    assert job.wall_s == 40.0
    assert job.parts == [10.0]   # the part's own limit: less than the time left
    now[0] = 535.0
    run.api(P2)
    assert job.parts[1] == 5.0   # the time left: less than the part's limit
    now[0] = 538.5
    run.api(P3, alone=True)
    assert run.sandbox.jobs[1].wall_s == 1.5
    now[0] = 539.5   # the shared job still lives: the next part gets at least 1 s
    run.api(P4)
    assert job.parts[2] == 1.0


def test_parts_share_one_job_until_it_ends():
    """Each part's API is made once; the parts share the job while it lives; a part graded alone
    gets a job of its own each time; a part after an ended job gets a fresh one."""
    run = make()
    a = run.api(P1)
    assert run.api(P1) is a and len(run.sandbox.jobs) == 1
    b = run.api(P2)
    assert b is not a and len(run.sandbox.jobs) == 1 and run._shared is run.sandbox.jobs[0]
    alone1, alone2 = run.api(P2, alone=True), run.api(P2, alone=True)
    assert len({id(alone1), id(alone2), id(b)}) == 3 and len(run.sandbox.jobs) == 3
    assert run.api(P2) is b and run._shared is run.sandbox.jobs[0]
    run.sandbox.jobs[0].ended = JobEnded(Exit("killed"), "")
    run.api(P3)
    assert len(run.sandbox.jobs) == 4 and run._shared is run.sandbox.jobs[3]
    assert [len(j.requests) for j in run.sandbox.jobs] == [2, 1, 1, 1]


def test_each_part_loads_the_code_with_stand_ins_for_the_parts_not_proven():
    """A part is loaded with the submission's chunks, its own id, and torch's stand-ins for every
    earlier part that failed a test or passed none; later parts are never stood in."""
    run = make(chunks=[("cell 3", "def one_hot_lookup(i, w): ..."), ("cell 4", "y = 2")])
    run.api(P1)
    run.passed |= {P1, P2}
    run.failed |= {P2}
    run.api(P4)
    load1, load4 = (r["ops"][0] for r in run.sandbox.jobs[0].requests)
    assert load1 == {"op": "load", "code": [["cell 3", "def one_hot_lookup(i, w): ..."], ["cell 4", "y = 2"]],
                     "standins": [], "part": P1}
    assert load4["part"] == P4 and load4["code"] == load1["code"]
    assert load4["standins"] == list(BY_ID[P2].defines + BY_ID[P3].defines)


def test_a_part_whose_function_is_missing_is_not_graded_and_says_which():
    run = make(defined=ALL - {"embedding_renorm_", "Embedding"})
    with pytest.raises(NotGraded) as info:
        run.api(P3)
    assert str(info.value) == _("run.not_defined", names="embedding_renorm_")
    assert run.ended[P3] is info.value and run.sandbox.jobs == []
    with pytest.raises(NotGraded) as again:
        run.api(P3, alone=True)
    assert again.value is info.value
    run.api(P1)   # the others still run
    assert len(run.sandbox.jobs) == 1


def test_a_job_needs_more_than_a_second_of_the_budget(monkeypatch):
    now = [100.0]
    monkeypatch.setattr(run_module.time, "monotonic", lambda: now[0])
    run = make()
    assert run.deadline == 140.0
    now[0] = 139.0   # exactly one second left: not enough
    with pytest.raises(NotGraded):
        run.api(P1)
    now[0] = 138.9
    run.api(P1)
    assert run.sandbox.jobs[0].wall_s == pytest.approx(1.1) and run.sandbox.jobs[0].parts == [pytest.approx(1.1)]


def test_a_job_that_cannot_start_or_load_ends_the_part():
    """No time left in the budget, a sandbox that cannot start a job, and a job that ends while
    loading: each is a NotGraded saying why; the one that ended while loading fails the part's later
    tests too, without starting another job."""
    run = make()
    run.deadline = time.monotonic() + 1.0
    with pytest.raises(NotGraded) as info:
        run.api(P1)
    assert str(info.value) == _("run.not_graded_job", detail=_("run.budget_used"))
    assert run.sandbox.jobs == [] and P1 not in run.ended
    refused = make(Sandbox(refuse="run.no_result"))
    with pytest.raises(NotGraded) as info:
        refused.api(P2)
    assert str(info.value) == _("run.not_graded_job", detail=_("run.no_result"))
    ended = JobEnded(Exit("killed", "run.SIGKILL", args={"signal": "SIGKILL"}), "last words")
    dying = make(Sandbox(replies=[ended]))
    with pytest.raises(NotGraded) as info:
        dying.api(P3)
    assert str(info.value).startswith(_("run.not_graded_job", detail=_("run.SIGKILL", signal="SIGKILL")))
    assert "last words" in str(info.value) and dying.ended[P3] is info.value
    with pytest.raises(NotGraded) as again:
        dying.api(P3)
    assert again.value is info.value and len(dying.sandbox.jobs) == 1


def test_cells_that_raised_at_load_become_notes_once_each():
    """The job's account of cells that raised at load becomes one note per cell (its label cut to
    200 characters, its error to 500, its line where the job gave one as an int), said once however
    many parts load them; entries that are not dicts, and replies that are not, add nothing."""
    account = {"errors": [{"where": "cell 2", "error": "NameError: x", "line": 3},
                          {"where": "w" * 300, "error": "e" * 600, "line": "3"},
                          "junk", {"error": "no where"}, {"where": "cell 9"}]}
    run = make(Sandbox(replies=[account, account, ["not", "a", "dict"], {"errors": []}]))
    run.api(P1)
    run.api(P2)
    run.api(P3)
    run.api(P4)
    assert run.notes == [
        _("run.cell_raised", where="cell 2", error="NameError: x", line=_("run.cell_line", line=3)),
        _("run.cell_raised", where="w" * 200, error="e" * 500, line=""),
        _("run.cell_raised", where="?", error="no where", line=""),
        _("run.cell_raised", where="cell 9", error="", line="")]


def test_close_ends_the_jobs_still_running_and_adds_up_their_cpu():
    run = make(Sandbox(cpu=0.25))
    run.api(P1)
    run.api(P2, alone=True)
    ended = run.sandbox.jobs[1]
    ended.ended = JobEnded(Exit("killed"), "")
    ended.exit.set_result(Exit("killed", cpu=1.0))
    broken = run.sandbox.job(["cpu"])
    broken.exit.set_exception(RuntimeError("no report"))
    run._jobs.append(broken)
    with run as same:
        assert same is run
    assert run.sandbox.jobs[0].closed and not ended.closed and broken.closed
    assert run.cpu == 1.25 and run._jobs == []
    run.close()   # nothing left to close or count
    assert run.cpu == 1.25


def test_a_new_run_starts_with_nothing():
    run = make()
    assert (run.apis, run.ended, run.notes, run.passed, run.failed, run._jobs, run._shared, run.cpu) == \
        ({}, {}, [], set(), set(), [], None, 0.0)
    assert run.devices == ["cpu"] and run.sub.chunks == [["cell 1", "x = 1"]] and run.limits.wall_s == 10.0
    assert run_module.Run is Run


def test_prepare_extracts_and_judges_a_submission(tmp_path):
    """A path is extracted, a Submission used as it is; the rules' verdict on its code decides which
    parts' functions are defined; the run gets the sandbox, the devices and the limits given."""
    path = tmp_path / "sub.py"
    path.write_text("import torch\ndef one_hot_lookup(indices, weight):\n    return weight[indices]\n")
    box, limits = Sandbox(), Limits(wall_s=3.0)
    run = run_module.prepare(path, box, ["cpu", "cuda"], limits)
    assert run.sub.chunks == [["sub.py", path.read_text().rstrip("\n")]] and run.sandbox is box
    assert run.devices == ["cpu", "cuda"] and run.limits is limits and "one_hot_lookup" in run.verdict.defined
    sub = Submission(chunks=[], trees=[])
    again = run_module.prepare(sub, box, ["cpu"])
    assert again.sub is sub and again.verdict.defined == set() and again.limits == Limits()
