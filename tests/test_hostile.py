"""Attack submissions (tests/corpus/hostile): each gains nothing, harms nothing, and the grader
survives it. Limits are short enough that hangs and memory bombs end soon, and generous enough
that honest parts finish on a loaded machine; the leftover-process check looks only at processes
this test run started (its descendants: the sandbox's zygote is a child subreaper)."""
import os
import socket
import subprocess
import threading
from pathlib import Path

import pytest

from conftest import BASE, CORPUS, ROOT, compose, declared

HOSTILE = sorted((CORPUS / "hostile").glob("*.py"))


@pytest.fixture(scope="module")
def strict_grader():
    from autograder.grade import Grader
    from autograder.sandbox import Limits
    with Grader(["cpu"], limits=Limits(wall_s=25, cpu_s=20, memory_mb=1024, nproc=32)) as g:
        yield g


@pytest.fixture
def traps(tmp_path, monkeypatch):
    """A canary file the attacks try to delete, and a TCP server they try to reach."""
    canary = tmp_path / "course" / "canary.txt"
    canary.parent.mkdir()
    canary.write_text("intact")
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    received = []

    def accept():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                received.append(conn.recv(16))
            except OSError:
                pass
    stop = threading.Event()
    t = threading.Thread(target=accept, daemon=True)
    t.start()
    monkeypatch.setenv("KIT_CANARY", str(canary))
    monkeypatch.setenv("KIT_REPO", str(ROOT))
    monkeypatch.setenv("KIT_PORT", str(server.getsockname()[1]))
    yield canary, received
    stop.set()
    t.join()
    server.close()


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
    """Does the attack lose points where its code is wrong, keep no points it did not earn, leave
    files, network and processes untouched, and leave the grader working?"""
    canary, received = traps
    breaks, may_break = set(declared(path, "BREAKS")), set(declared(path, "MAY_BREAK", ()))
    result = strict_grader.grade(compose(path, tmp_path))
    for pid, part in result.parts.items():
        if pid in may_break:
            continue
        if pid in breaks:
            assert part.score < part.max_score, f"{pid}: the attack kept full marks"
        else:
            assert part.score == part.max_score, (pid, [(t.name, t.message) for t in part.tests if not t.passed])
    assert canary.read_text() == "intact" and not (canary.parent / "gradebook.db").exists()
    assert received == [], "the sandbox let a TCP connection out"
    assert not _processes_named("98765"), "a background process outlived its job"
    assert strict_grader.grade(BASE).score == 100.0, "the grader no longer works after the attack"


def test_hang_is_reported_as_a_timeout(strict_grader, tmp_path):
    """Is a hanging part scored zero with a message that says it ran too long (wall clock or CPU)?"""
    result = strict_grader.grade(compose(CORPUS / "hostile" / "hangs.py", tmp_path))
    messages = " ".join(t.message for t in result.parts["embedding_renorm"].tests)
    assert result.parts["embedding_renorm"].score == 0
    assert "longer than" in messages or "CPU time" in messages, messages
    assert result.parts["one_hot_lookup"].score == 25


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
