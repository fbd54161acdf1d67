"""The hidden graders' pytest plugin: tests in autograder/graders/ run in this trusted process and
reach one student's code only through a sandboxed job (remote.py, run.py).

    .venv/bin/python -m pytest autograder/graders --submission PATH [--device cpu|cuda|all] [-k EXPR]

A test file per part (test_<part>.py). Each test's docstring is its question; markers say
    @pytest.mark.points(3)               its weight within the part
    @pytest.mark.dtypes(f32, f64)        the dtypes it runs in (default float32)
    @pytest.mark.cuda_dtypes(f16, bf16)  more dtypes on CUDA only
    @pytest.mark.devices("cpu")          where it runs (default: every device present)
    @pytest.mark.alone("cuda")           on those devices, in a job of its own
    @pytest.mark.refusal                 it checks that bad input raises: points only with work
    @pytest.mark.rule                    failing it zeroes the part
and fixtures give it `make` (seeded inputs for its dtype and device), `student` and `torch_api`
(the two sides), `check(observe, **policies)` (observe both, compare), and `rules` (the static
verdict on the submission). A failure's message is written for the student; it never shows the
test's code. The grading command (grade.py) runs the same collected tests once per submission
through engine.Service, in a thread of its own, and scores their reports (score.py).
"""
import os
import sys
import traceback

import pytest
import torch

from .compare import Mismatch, Raised, Undeclared, compare_observations
from .i18n import _
from .inputs import SHORT, Make, seed_of
from .items import MESSAGE, part_of, test_key
from .remote import NotGraded, StudentError, TorchAPI

__all__ = ["pytest_addoption", "pytest_configure", "pytest_generate_tests", "pytest_collection_modifyitems",
           "pytest_runtest_setup", "pytest_runtest_makereport",
           "pytest_sessionstart", "pytest_sessionfinish", "_kit_test", "make", "student", "torch_api", "rules", "check"]
RUN = pytest.StashKey()        # the current submission's Run (run.py)
SERVICE = pytest.StashKey()    # set when the grading command runs the graders (Service)
DEVICES = pytest.StashKey()    # the devices grading uses
GRADERS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "graders")
MARKERS = ("points(n): the test's weight within its part", "dtypes(*dtypes): dtypes it runs in",
           "cuda_dtypes(*dtypes): more dtypes on CUDA", "devices(*names): devices it runs on",
           "alone(*devices): on these devices each run has a job of its own",
           "refusal: checks that bad input raises; earns points only when the part also works",
           "rule: failing it zeroes the part")


def pytest_addoption(parser):
    group = parser.getgroup("embedding kit")
    group.addoption("--submission", default=None, help="the submission to grade (notebook, nbgrader folder or .py)")
    group.addoption("--device", default="all", choices=("cpu", "cuda", "all"), help="devices to grade on")


def pytest_configure(config):
    for line in MARKERS:
        config.addinivalue_line("markers", line)
    if DEVICES not in config.stash:
        present = ["cpu"] + (["cuda"] if _cuda() else [])
        choice = config.getoption("device", "all")
        config.stash[DEVICES] = present if choice == "all" else [d for d in present if d == choice]
    if config.getoption("submission", None) is None and not config.stash.get(SERVICE, False):
        raise pytest.UsageError("the hidden graders need a submission: --submission PATH")


def _cuda() -> bool:
    os.environ.setdefault("PYTORCH_NVML_BASED_CUDA_CHECK", "1")  # ask NVML: do not initialise CUDA here
    return torch.cuda.is_available()


def pytest_generate_tests(metafunc):
    """Every test that makes inputs runs once per (dtype, device) its markers allow, on the devices
    present; ids like "f32-cpu"."""
    if "make" not in metafunc.fixturenames:
        return
    marks = {m.name: m for m in metafunc.definition.iter_markers()}
    dtypes = marks["dtypes"].args if "dtypes" in marks else (torch.float32,)
    cuda_dtypes = marks["cuda_dtypes"].args if "cuda_dtypes" in marks else ()
    allowed = marks["devices"].args if "devices" in marks else ("cpu", "cuda")
    pairs = [(dt, dev) for dev in metafunc.config.stash[DEVICES] if dev in allowed
             for dt in tuple(dtypes) + (tuple(cuda_dtypes) if dev == "cuda" else ())]
    # one parameter, not two: each parameter is a fixture pytest sets up for every test it runs
    metafunc.parametrize("case", pairs, ids=[f"{SHORT[dt]}-{dev}" for dt, dev in pairs])


def pytest_collection_modifyitems(items):
    """The parts in the registry's order: part k is graded after the parts whose stand-ins it uses."""
    from .parts import PARTS
    order = {p.id: i for i, p in enumerate(PARTS)}
    items.sort(key=lambda item: order.get(part_of(item), len(order)))


class _Running:
    """What the fixtures need of the running test. Taken from the item being set up, not from
    `request`: a fixture that asks for `request` makes pytest build a fixture definition
    (inspect.signature and all) for every test of every submission."""

    def __init__(self, node):
        self.nodeid, self.key, self.part = node.nodeid, test_key(node), part_of(node)
        self.alone = _alone(node)
        self.run = None


_SETTING_UP: list = [None]   # the item whose fixtures pytest is setting up (one session a process)
_RUNNING = pytest.StashKey()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    _SETTING_UP[0] = item


def _alone(node) -> bool:
    """Is this test, with its parameters, marked to run in a job of its own?"""
    mark = node.get_closest_marker("alone")
    device = node.callspec.params.get("case", (None, None))[1] if hasattr(node, "callspec") else None
    return mark is not None and device in mark.args


@pytest.fixture
def _kit_test() -> _Running:
    item = _SETTING_UP[0]
    if _RUNNING not in item.stash:
        item.stash[_RUNNING] = _Running(item)
    test = item.stash[_RUNNING]
    test.run = item.config.stash.get(RUN, None)   # this submission's
    return test


@pytest.fixture
def make(_kit_test, case) -> Make:
    dtype, device = case
    return Make(seed_of(_kit_test.key), dtype, device)


@pytest.fixture
def student(_kit_test):
    """The student's API for this test's part: a proxy to the submission's sandboxed job."""
    return _student(_kit_test)


def _student(test: _Running):
    if test.run is None:
        raise NotGraded(_("run.no_result"))
    return test.run.api(test.part, alone=test.alone)


@pytest.fixture
def torch_api(_kit_test):
    """torch's side; for a test run alone on CUDA (a device-side assert poisons the context) the
    answer is taken on the CPU."""
    return _torch_api(_kit_test)


def _torch_api(test: _Running):
    return TorchAPI("cpu" if test.alone else None)


@pytest.fixture
def rules(_kit_test):
    """The rules for this test's part: the static verdict on the source (policy.py), and what the
    job saw of the part's calls (calls refused by the switched-off embedding kernels, forbid.py;
    the one-hot rule, onehot.py)."""
    return Rules(_kit_test)


class Rules:
    def __init__(self, test: "_Running"):
        self.test = test

    def check(self):
        """The static rules, then torch's embedding: did any call of this part reach its kernels?"""
        run, part = self.test.run, self.test.part
        message = run.verdict.message(part) if run is not None else ""
        if message:
            raise Mismatch(message)
        seen = self.watched()
        if seen is not None and seen["forbidden"]:
            raise Mismatch(_("rule.forbidden_kernel", n=seen["forbidden"]))

    def watched(self) -> dict | None:
        """The job's account of this part's calls, its types and values checked (None: the part's job
        cannot answer, and its tests already fail for that). A job's claim that it broke no rule
        cannot be checked here: that is why the static rules stay as a second layer."""
        try:
            student = _student(self.test)
            seen = student.fetch(student.watched())
        except (NotGraded, StudentError):
            return None
        from .onehot import AXIS_SELECT, SELECT
        ok = type(seen) is dict and set(seen) == {"judged", "broke", "op", "forbidden"} and \
            type(seen["judged"]) is int and type(seen["forbidden"]) is int and \
            seen["broke"] in ("", "select", "raw", "unrelated") and (seen["op"] == "" or seen["op"] in SELECT | AXIS_SELECT)
        if not ok:
            raise Mismatch(_("run.malformed", error="the rules' account"))
        return seen


_ANSWERS: dict = {}   # (test id, nth check) -> torch's observations: the same inputs every submission


@pytest.fixture
def check(_kit_test):
    """check(observe, ref64=None, count_max=1, **policies): observe with torch's API and with the
    student's, then compare key by key (compare.py); every key needs a declared policy. torch's
    answers are computed once per grader process (a test's inputs are the same for everyone).
    The two APIs are made here, as the student and torch_api fixtures make them, not requested
    as fixtures: each fixture costs pytest's machinery on every test of every submission."""
    student, torch_api = _student(_kit_test), _torch_api(_kit_test)
    calls = []

    def run(observe, ref64=None, count_max=1, **policies):
        key = (_kit_test.nodeid, len(calls))
        calls.append(key)
        if key not in _ANSWERS:
            _ANSWERS[key] = (_observe(torch_api, observe),
                             _observe(torch_api, ref64) if ref64 is not None else None)
        want, want64 = _ANSWERS[key]
        got = _observe(student, observe)
        compare_observations(got, want, policies, want64 if isinstance(want64, dict) else None, count_max)
    return run


def _observe(api, observe):
    try:
        return api.fetch(observe(api))
    except NotGraded:
        raise
    except StudentError as exc:
        return Raised(exc.type, exc.message)
    except Exception as exc:  # noqa: BLE001 - torch raising is an observation too
        if isinstance(api, TorchAPI):
            return Raised(type(exc).__name__, str(exc))
        raise


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Attach the student's message to a failed report: the exception's own text, never the test's code."""
    outcome = yield
    report = outcome.get_result()
    run = item.config.stash.get(RUN, None)
    if run is not None and not report.skipped and (report.failed or report.when == "call"):
        (run.failed if report.failed else run.passed).add(part_of(item))   # whose helpers stand in later parts
    if call.excinfo is None or report.skipped:
        return
    exc = call.excinfo.value
    if isinstance(exc, (Mismatch, NotGraded)):
        message = str(exc)
    elif isinstance(exc, StudentError):
        message = _("judge.raised", error=exc.type, message=exc.message[:300])
    else:   # an error of the grader's own: the student is told so, the instructor gets the traceback
        message = _("run.grader_error", error=type(exc).__name__)
        if not isinstance(exc, Undeclared):
            sys.stderr.write(f"grader error in {item.nodeid}:\n{''.join(traceback.format_exception(exc))}\n")
    report.user_properties.append((MESSAGE, message))


# ---------------------------------------------------------------- the command line: one submission

def pytest_sessionstart(session):
    config = session.config
    path = config.getoption("submission", None)
    if path is None or config.stash.get(SERVICE, False):
        return
    from .run import prepare
    from .sandbox import Sandbox
    config.stash[RUN] = prepare(path, Sandbox(), config.stash[DEVICES])


def pytest_sessionfinish(session):
    run = session.config.stash.get(RUN, None)
    if run is not None and not session.config.stash.get(SERVICE, False):
        run.close()
        run.sandbox.close()
