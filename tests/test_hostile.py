"""Attack submissions (tests/corpus/hostile): each gains nothing, harms nothing, and the grader
survives it. Limits are short enough that hangs and memory bombs end soon, and generous enough
that honest parts finish on a loaded machine; the leftover-process check looks only at processes
this test run started (its descendants: the sandbox's zygote is a child subreaper).

An attack that needs to know where its targets are (a port, a file) has them written into its own
source as literals (targets(): a job gets no environment to read them from), and one that
declares TRIES reports what each attempt did in its exception message, ATTACK-REPORT[name:outcome,
...]: the test checks that it tried each of them and that none of those it declares BLOCKED got
through, besides checking the server and the files themselves."""
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

from conftest import BASE, CORPUS, ROOT, compose, declared

HOSTILE = sorted((CORPUS / "hostile").glob("*.py"))
GRADERS = ROOT / "autograder" / "graders" / "test_embedding_backward.py"   # a hidden grader to try to read
LIMITS = dict(wall_s=25, cpu_s=20, memory_mb=1024, nproc=32)


@pytest.fixture(scope="module")
def strict_grader():
    from autograder.grade import Grader
    from autograder.sandbox import Limits
    with Grader(["cpu"], limits=Limits(**LIMITS)) as g:
        yield g


class Traps:
    """A course folder with a canary file that the attacks try to read, change and delete (writable
    by anyone: only the sandbox keeps a job out of it), and a TCP server on localhost they try to reach."""

    def __init__(self):
        self.course = Path(tempfile.mkdtemp(prefix="kit-course-"))
        os.chmod(self.course, 0o777)
        self.canary = self.course / "canary.txt"
        self.canary.write_text("intact")
        os.chmod(self.canary, 0o666)
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.received: list = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.server.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(2)
                try:
                    self.received.append(conn.recv(16) or b"(connected)")
                except OSError:
                    self.received.append(b"(connected)")

    def untouched(self) -> bool:
        return sorted(os.listdir(self.course)) == ["canary.txt"] and self.canary.read_text() == "intact"

    def close(self):
        self._stop.set()
        self._thread.join()
        self.server.close()
        shutil.rmtree(self.course, ignore_errors=True)


@pytest.fixture
def traps():
    t = Traps()
    yield t
    t.close()


def targets(traps: Traps) -> dict:
    """What an attack's source holds as placeholders (PORT = 0, GRADERS = '', CANARY = '') -> the
    values the test writes there."""
    return {"PORT": traps.port, "GRADERS": str(GRADERS), "CANARY": str(traps.canary)}


def armed(path: Path, tmp_path: Path, traps: Traps) -> Path:
    """The attack composed with the reference solution, its placeholders filled in with the traps;
    checked: every target name the attack assigns holds the trap's value (a placeholder spelled
    otherwise would leave an attack that tries nothing)."""
    import ast
    source = path.read_text()
    for name, value in targets(traps).items():
        source = source.replace(f"{name} = {0 if isinstance(value, int) else repr('')}", f"{name} = {value!r}")
    assigned = {t.id: ast.literal_eval(node.value) for node in ast.parse(source).body if isinstance(node, ast.Assign)
                for t in node.targets if isinstance(t, ast.Name) and t.id in targets(traps)}
    assert all(assigned[k] == targets(traps)[k] for k in assigned), (path.name, assigned)
    out = tmp_path / f"{path.stem}.py"
    out.write_text(BASE.read_text() + "\n\n# ---- attack: " + path.name + "\n" + source)
    return out


def attack_report(result) -> dict:
    """{attempt: outcome} from the ATTACK-REPORT[name:outcome,...] in the result's messages."""
    text = " ".join(t.message for p in result.parts.values() for t in p.tests)
    return {name: outcome for found in re.findall(r"ATTACK-REPORT\[([^\]]*)\]", text)
            for name, _sep, outcome in (e.partition(":") for e in found.split(",") if e)}


def _processes_named(marker: str) -> list[str]:
    """Processes descended from this test process whose command line holds `marker`."""
    parents, cmdlines = {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                parents[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdlines[int(entry)] = f.read().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, ValueError, IndexError):
            continue
    me, found = os.getpid(), []
    for pid, cmd in cmdlines.items():
        p, seen = pid, set()
        while p in parents and p not in seen and p != me:
            seen.add(p)
            p = parents[p]
        if p == me and pid != me and marker in cmd:
            found.append(f"{pid} {cmd}")
    return found


@pytest.mark.parametrize("path", HOSTILE, ids=lambda p: p.stem)
def test_attack_gains_nothing_and_harms_nothing(strict_grader, path: Path, tmp_path, traps):
    """Does the attack lose points where its code is wrong, keep no points it did not earn (the checks
    it declares in FAILS fail; a part it declares RULE_ONLY passes every check but the rule), really
    try what it declares in TRIES and get none of its BLOCKED attempts through, leave files, network
    and processes untouched, and leave the grader working?"""
    breaks, may_break = set(declared(path, "BREAKS")), set(declared(path, "MAY_BREAK", ()))
    fails, rule_only = set(declared(path, "FAILS", ())), set(declared(path, "RULE_ONLY", ()))
    tries, blocked = set(declared(path, "TRIES", ())), set(declared(path, "BLOCKED", ()))
    assert GRADERS.is_file(), "the hidden grader the attacks try to read has moved: they would try nothing"
    result = strict_grader.grade(armed(path, tmp_path, traps))
    for pid, part in result.parts.items():
        if pid in may_break:
            continue
        if pid in breaks:
            assert part.score < part.max_score, f"{pid}: the attack kept full marks"
        else:
            assert part.score == part.max_score, (pid, [(t.name, t.message) for t in part.tests if not t.passed])
        if pid in rule_only:
            assert [t.name for t in part.tests if not t.passed] == ["uses_its_own_code"], \
                (pid, [(t.name, t.message) for t in part.tests if not t.passed])
    failed = {f"{pid}::{t.name}" for pid, p in result.parts.items() for t in p.tests if not t.passed}
    assert fails <= failed, f"these checks should fail and did not: {sorted(fails - failed)}"
    report = attack_report(result)
    assert tries <= report.keys(), f"the attack did not try {sorted(tries - report.keys())}: {report}"
    assert not [a for a in blocked if report.get(a) == "ok"], f"the attack got through: {report}"
    assert traps.untouched(), sorted(os.listdir(traps.course))
    assert traps.received == [], "the sandbox let a TCP connection out"
    assert not _processes_named("98765"), "a background process outlived its job"
    assert strict_grader.grade(BASE).score == 100.0, "the grader no longer works after the attack"


def test_hang_is_stopped_at_the_parts_wall_clock_limit(strict_grader, tmp_path):
    """Is a hanging part stopped by its own wall-clock limit (the message names it: at most the
    per-part limit, not the whole submission's budget, nor CPU time), scored zero, and the
    submission's grading over in reasonable time (generous: 3x the limits' sum, for a loaded machine)?"""
    from autograder.i18n import _
    start = time.monotonic()
    result = strict_grader.grade(compose(CORPUS / "hostile" / "hangs.py", tmp_path))
    took = time.monotonic() - start
    messages = " ".join(t.message for t in result.parts["embedding_renorm"].tests)
    pattern = re.escape(_("run.timeout", seconds=12345.5)).replace("12345\\.5", r"([0-9.]+)")
    limits = [float(s) for s in re.findall(pattern, messages)]
    assert limits and all(0 < s <= LIMITS["wall_s"] for s in limits), messages
    assert result.parts["embedding_renorm"].score == 0
    assert result.parts["one_hot_lookup"].score == 25
    assert took < 3 * (LIMITS["wall_s"] + LIMITS["cpu_s"]), f"{took:.0f} s to grade a submission with one hanging part"


def test_student_output_never_reaches_the_grader_stdout(tmp_path):
    """Does the grading command print exactly one JSON object even when the student prints?"""
    import json
    sub = compose(CORPUS / "hostile" / "prints_fake_results.py", tmp_path)
    out = subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "-m", "autograder", "grade", str(sub),
                          "--format", "json", "--device", "cpu"], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["parts"]["embedding_backward"]["score"] < 25 and data["score"] < 100


def test_a_dead_zygote_is_replaced_and_nothing_is_lost(tmp_path):
    """Kill the sandbox's zygote (as the OOM killer might) between gradings: is the next grading
    still complete and correct, served by a replacement started as a fresh process?"""
    import os
    import signal
    from autograder.grade import Grader
    with Grader(["cpu"]) as g:
        assert g.grade(BASE).score == 100
        os.kill(g.sandbox.pid, signal.SIGKILL)
        g.sandbox._gen["reader"].join(timeout=30)   # its reader has seen it go
        assert g.grade(BASE).score == 100        # the next job found the zygote dead and restarted it
        assert g.sandbox.restarts >= 1
