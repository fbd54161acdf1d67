"""hub/hub.py's helpers that need neither root nor the hub's packages (tests/test_hub.py runs the hub)."""
import subprocess
import sys
from importlib import util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def hub_module():
    spec = util.spec_from_file_location("hubmod_tools", ROOT / "hub" / "hub.py")
    mod = util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def flaky_tool(tmp_path, failures: int, message: str) -> Path:
    """A command that fails `failures` times with `message` on stderr, then succeeds; it counts its runs."""
    script = tmp_path / "tool"
    script.write_text(f"""#!{sys.executable}
import sys, pathlib
count = pathlib.Path({str(tmp_path / "count")!r})
n = int(count.read_text()) + 1 if count.exists() else 1
count.write_text(str(n))
if n <= {failures}:
    sys.stderr.write({message!r})
    sys.exit(1)
""")
    script.chmod(0o755)
    return script


def test_a_shadow_tool_waits_for_the_lock_another_process_holds(tmp_path):
    """Two hubs (or two test runs) changing users at once: chpasswd and useradd say "cannot lock
    /etc/shadow; try again later" and exit 1 — retried, not a failed start."""
    tool = flaky_tool(tmp_path, 3, "chpasswd: cannot lock /etc/shadow; try again later.\n")
    hub_module().run(str(tool))
    assert (tmp_path / "count").read_text() == "4"


def test_any_other_failure_is_not_retried(tmp_path):
    tool = flaky_tool(tmp_path, 3, "useradd: user 'x' already exists\n")
    with pytest.raises(subprocess.CalledProcessError):
        hub_module().run(str(tool))
    assert (tmp_path / "count").read_text() == "1"
