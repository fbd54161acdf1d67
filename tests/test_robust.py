"""The trusted side survives any submission: lone surrogates in messages and file names, deeply
nested or huge JSON, 40,000 cells, symbolic links, oversized files; and it leaves no temp folder.
Limits are generous (a loaded, shared machine): what is checked is that nothing is quadratic or
stalls, not a tight timing."""
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import BASE, ROOT
from autograder.extract import MAX_CELLS, ExtractError, extract


def _notebook(cells, path: Path) -> Path:
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
          "cells": [{"cell_type": "code", "metadata": {}, "source": s, "outputs": [], "execution_count": None}
                    for s in cells]}
    path.write_text(json.dumps(nb))
    return path


def test_deeply_nested_json_is_a_clear_error(tmp_path):
    p = tmp_path / "deep.ipynb"
    p.write_text('{"nbformat": 4, "cells": [], "metadata": ' + "[" * 200_000 + "]" * 200_000 + "}")
    with pytest.raises(ExtractError, match="nested too deeply"):
        extract(p)


def test_forty_thousand_cells_are_read_in_linear_time(tmp_path):
    """A 1.4 MB notebook of 40,000 one-line cells: the running size total makes this linear, and
    the cell cap stops reading after MAX_CELLS code cells, with a note saying so."""
    p = _notebook([f"x{i} = {i}\n" for i in range(40_000)], tmp_path / "many.ipynb")
    start = time.monotonic()
    sub = extract(p)
    took = time.monotonic() - start
    assert len(sub.chunks) == MAX_CELLS and any(str(MAX_CELLS) in n for n in sub.notes)
    assert took < 30, f"{took:.1f} s for 40,000 cells"


def test_symbolic_links_are_never_followed(tmp_path):
    """A linked notebook is refused, and a folder's link skipped, with the kit's own sentence
    (i18n's extract.symlink; the OS's own error for a link, ELOOP, also says "symbolic links")."""
    from autograder.i18n import _
    target = _notebook(["def one_hot_lookup(i, w):\n    return 'linked'\n"], tmp_path / "solution.ipynb")
    folder = tmp_path / "submitted" / "alice" / "embedding"
    folder.mkdir(parents=True)
    (folder / "embedding.ipynb").symlink_to(target)
    refused = _("extract.symlink", name="embedding.ipynb")
    with pytest.raises(ExtractError):          # the only notebook is a link: nothing of the student's
        extract(folder)
    with pytest.raises(ExtractError, match=re.escape(refused)):
        extract(folder / "embedding.ipynb")
    own = _notebook(["def own():\n    return 1\n"], folder / "own.ipynb")
    sub = extract(folder)
    assert [c for _, c in sub.chunks] == ["def own():\n    return 1"] and refused in sub.notes, sub.notes
    assert own.exists() and target.exists()


def test_size_is_checked_before_reading_and_per_submission(tmp_path):
    from autograder.extract import MAX_FILES
    big = tmp_path / "big.ipynb"
    with open(big, "wb") as f:            # sparse: huge, never read
        f.truncate(MAX_FILES + 1)
    with pytest.raises(ExtractError, match="too large"):
        extract(big)
    folder = tmp_path / "folder"
    folder.mkdir()
    for i in range(9):                     # each under the cap, together over it
        with open(folder / f"nb{i}.ipynb", "wb") as f:
            f.truncate(MAX_FILES // 8)
    with pytest.raises(ExtractError, match="too large"):
        extract(folder)


def test_output_and_stored_results_are_utf8_whatever_the_student_writes(tmp_path):
    """A lone surrogate in an exception message and in the submission's file name: the grading
    command exits 0 and prints valid UTF-8 JSON; the stored result is valid UTF-8."""
    from autograder.store import store
    from autograder.report import FORMATS
    from autograder.score import all_zero
    name = os.fsdecode(b"\xffbad.py")       # a file name that is not UTF-8
    sub = tmp_path / name
    sub.write_text(BASE.read_text() + "\n\ndef one_hot_lookup(indices, weight):\n"
                   "    raise ValueError('lone \\udcff surrogate')\n")
    out = subprocess.run([sys.executable, "-m", "autograder", "grade", os.fsencode(sub), "--format", "json",
                          "--device", "cpu"], capture_output=True, cwd=ROOT, timeout=900)
    assert out.returncode == 0, out.stderr[-2000:]
    data = json.loads(out.stdout.decode("utf-8"))          # strict: raises on invalid UTF-8
    assert data["parts"]["embedding_backward"]["score"] == 25.0
    assert "udcff" in json.dumps(data)
    result = all_zero(f"{name}: lone \udcff in a note")
    for fmt in FORMATS.values():
        fmt(result).encode("utf-8")
    stored = tmp_path / "results" / "x.json"
    store(stored, "key", "fp", result, student="s\udcff")
    json.loads(stored.read_bytes().decode("utf-8"))


def test_no_temp_folder_is_left_behind():
    """The sandbox's private folder (job logs) is gone after close, and the zygote's MPLCONFIGDIR
    is the kit's own font-list cache (build/cache/matplotlib) or inside that folder (no kit-mpl-*
    folder of its own). Only this sandbox's own folders are checked: other runs on the machine
    make theirs meanwhile."""
    from autograder import sandbox
    box = sandbox.Sandbox()
    env = dict(e.split(b"=", 1) for e in open(f"/proc/{box.pid}/environ", "rb").read().split(b"\0") if b"=" in e)
    tmp = box._tmp
    box.close()
    mpl = env[b"MPLCONFIGDIR"].decode()
    assert mpl == os.path.join(sandbox.REPO, "build", "cache", "matplotlib") or mpl.startswith(tmp + os.sep)
    assert not os.path.exists(tmp)


def test_matplotlib_cache_falls_back_to_the_sandbox_folder(monkeypatch, tmp_path):
    """Where the kit's folder cannot be written (here its path runs through a file, which stops
    root too), the zygote's matplotlib config goes to the sandbox's own folder, removed with it."""
    from autograder import sandbox
    (tmp_path / "file").write_text("")
    monkeypatch.setattr(sandbox, "REPO", str(tmp_path / "file"))
    fallback = str(tmp_path / "sandbox" / "mpl")
    assert sandbox._matplotlib_cache(fallback) == fallback


def test_collection_strips_links_and_world_write(tmp_path):
    """Before `nbgrader collect` (which copies inbound following links): links in inbound are
    removed, never their targets; after it, nothing collected is writable by others."""
    from autograder.course import no_world_write, strip_links
    inbound = tmp_path / "inbound" / "alice+embedding+2026"
    inbound.mkdir(parents=True)
    secret = tmp_path / "gradebook.db"
    secret.write_text("grades")
    (inbound / "embedding.ipynb").write_text("{}")
    (inbound / "gradebook.db").symlink_to(secret)
    (inbound / "other").symlink_to(tmp_path, target_is_directory=True)
    removed = strip_links(tmp_path / "inbound")
    assert sorted(removed) == ["alice+embedding+2026/gradebook.db", "alice+embedding+2026/other"]
    assert secret.read_text() == "grades" and (inbound / "embedding.ipynb").exists()
    submitted = tmp_path / "submitted" / "bob" / "embedding"
    submitted.mkdir(parents=True)
    (submitted / "embedding.ipynb").write_text("{}")
    for p in (tmp_path / "submitted", submitted.parent, submitted, submitted / "embedding.ipynb"):
        os.chmod(p, 0o777)
    no_world_write(tmp_path / "submitted")
    for p in (tmp_path / "submitted", submitted.parent, submitted, submitted / "embedding.ipynb"):
        assert not os.stat(p).st_mode & 0o002, p


def test_a_submission_that_exhausts_the_trusted_side_scores_zero_with_the_reason(monkeypatch):
    """RecursionError or MemoryError while the trusted side handles one submission (here forced in
    the static rules' walk) is zeros with the reason, not an exception that stops a batch."""
    from autograder import grade, policy
    from autograder.sandbox import Limits

    def deep(trees):
        raise RecursionError("maximum recursion depth exceeded")
    monkeypatch.setattr(policy, "judge", deep)
    with grade.Grader(["cpu"], limits=Limits(wall_s=60)) as g:
        result = g.grade(BASE)
    assert result.score == 0 and any("RecursionError" in n for n in result.notes), result.notes


def test_a_part_that_cannot_run_fails_each_test_with_a_fresh_traceback():
    """Run.api raises the same NotGraded for each of a part's tests (here: its function is not
    defined), and an ended job the same JobEnded for each request. Each raise starts a fresh
    traceback: they used to pile up, and a submission that defined nothing cost the grader seconds
    of CPU formatting ever longer tracebacks."""
    import traceback

    from autograder.policy import Verdict
    from autograder.remote import NotGraded
    from autograder.run import Run
    from autograder.sandbox import Exit, Job, JobEnded, Limits
    run = Run(None, None, ["cpu"], Limits(), Verdict())
    job = Job(None, 0, None, "", 1.0)
    job.ended = JobEnded(Exit("killed"), "")
    for again, raised in ((lambda: run.api("one_hot_lookup"), NotGraded), (lambda: job.request({}, {}), JobEnded)):
        depths = []
        for _ in range(5):
            try:
                again()
            except raised as exc:
                depths.append(len(traceback.extract_tb(exc.__traceback__)))
        assert len(depths) == 5 and len(set(depths)) == 1, (raised.__name__, depths)
