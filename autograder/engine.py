"""The grading engine: the hidden graders collected once, then run for one submission at a time
(grade.Grader), in a thread of its own, through pytest's public hooks.

pytest.main runs in the "kit-graders" thread; Service's pytest_runtestloop serves requests from a
queue until it receives None. For each submission every collected item runs through the
pytest_runtest_protocol hook, in the caller's context (its language: i18n.use), and the reports
come back through pytest_runtest_logreport as pytest made them (no text is parsed).
"""
import contextvars
import queue
import threading

import pytest

from .plugin import DEVICES, GRADERS, RUN, SERVICE


class Service:
    """Collect the graders once, then run them for one submission's Run at a time."""

    def __init__(self, devices, keyword: str | None = None):
        self.inbox: queue.Queue = queue.Queue()
        self.ready = threading.Event()
        self.items: list = []
        self.failure: BaseException | None = None
        self.devices = list(devices)
        self._reports: list | None = None
        # plugins that cost time on every test and serve nothing here (logging alone took a fifth):
        # reporting, output capture, warnings, async tests (anyio), unittest and hypothesis test
        # items (the graders draw hypothesis examples themselves, inputs.py), tmp_path, --setup-only
        off = ("cacheprovider", "terminal", "faulthandler", "logging", "warnings", "threadexception",
               "unraisableexception", "capture", "anyio", "hypothesispytest", "unittest", "tmpdir", "legacypath",
               "setuponly", "setupplan", "stepwise", "junitxml", "pastebin", "doctest", "debugging")
        args = [GRADERS, *(a for name in off for a in ("-p", f"no:{name}")), "-o", "addopts=",
                "-o", "python_files=test_*.py", "-W", "ignore::DeprecationWarning"]
        if keyword:
            args += ["-k", keyword]
        self.thread = threading.Thread(target=self._main, args=(args,), name="kit-graders", daemon=True)
        self.thread.start()
        self.ready.wait()
        if self.failure is not None:
            raise RuntimeError(f"the hidden graders could not be collected: {self.failure}")

    def _main(self, args):
        try:
            code = pytest.main(args, plugins=[self, _Devices(self.devices)])
            if not self.ready.is_set():
                self.failure = RuntimeError(f"pytest exited with {code} before running")
        except BaseException as exc:  # noqa: BLE001
            self.failure = exc
        finally:
            self.ready.set()

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session):
        self.items = list(session.items)
        for item in self.items:
            # a failure's report is never shown here (the student's message is taken from the
            # exception, and a grader's own error is written out by pytest_runtest_makereport): its
            # text is the exception's last line, not a traceback. pytest's long one parses the source
            # of every entry, and even Python's own (--tb=native) formats every frame: half of the
            # trusted CPU of a submission whose parts all fail
            item.repr_failure = item._repr_failure_py = _exception_line
        self.ready.set()
        while (work := self.inbox.get()) is not None:
            run, context, done = work
            session.config.stash[RUN] = run
            try:
                done.put(context.run(self._run_items))   # the caller's context: its language
            except BaseException as exc:  # noqa: BLE001 - handed to the caller
                done.put(exc)
            finally:
                del session.config.stash[RUN]
        return True

    def _run_items(self) -> list:
        out = []
        for i, item in enumerate(self.items):
            nxt = self.items[i + 1] if i + 1 < len(self.items) else None
            item._initrequest()   # a fresh fixture request: as pytest-rerunfailures runs an item again
            self._reports = []
            item.ihook.pytest_runtest_protocol(item=item, nextitem=nxt)
            out.append((item, self._reports))
        self._reports = None
        return out

    def pytest_runtest_logreport(self, report):
        if self._reports is not None:
            self._reports.append(report)

    def run(self, run) -> list:
        """[(item, [setup, call, teardown reports])] for one submission's Run."""
        done: queue.Queue = queue.Queue()
        self.inbox.put((run, contextvars.copy_context(), done))
        out = done.get()
        if isinstance(out, BaseException):
            raise out
        return out

    def close(self):
        self.inbox.put(None)
        self.thread.join(timeout=30)


def _exception_line(excinfo, style=None) -> str:
    return excinfo.exconly()


class _Devices:
    """Registered beside Service: the devices are known before the graders are collected."""

    def __init__(self, devices):
        self.devices = devices

    @pytest.hookimpl(tryfirst=True)
    def pytest_configure(self, config):
        config.stash[DEVICES] = self.devices
        config.stash[SERVICE] = True
