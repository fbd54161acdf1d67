"""Issue 21, items 5 and 6: what a submission can make the trusted side hold, process or write is
bounded, and its text is inert wherever it is rendered and valid UTF-8 wherever it is stored.

- A job's replies are bounded by what each request can legitimately get back (remote.reply_limits)
  and a part's replies together: a job padding every reply to the wire format's limits cost one
  grading ~12 s of trusted CPU instead of ~0.1 s.
- A class batch with hostile students beside an honest one: "flood" (a 3.5 MB notebook: 1,950
  solution cells with invented 1,000-character grade_ids, each raising at load time and holding
  five lines the grader does not run, copies of a graded cell, markdown of dense math) made a
  12 MB stored result, a 112 MB autograded notebook, 48 MB of gradebook and a failed
  generate_feedback (with 7,000-character grade_ids, a 14 MB notebook: 70 MB, 312 MB, 281 MB and
  a batch of 2.5 GB; with 50 copies of the graded cell as well, the batch was killed at 21 GB);
  "xss" (a load-time exception message of <script> and onerror= markup) put that markup into the
  feedback page; "surrogate" (a correct submission whose load-time exception message and
  rule-break note hold a lone surrogate) was graded but never recorded.
"""
import json
import re
import resource
import shutil
import socket
import subprocess
import sys

import pytest

from conftest import BASE, ROOT

XSS = "<script>alert(1)</script> <img src=x onerror=alert(1)>"
PADDED = r'''

import autograder.wire as _w
import torch as _t
_real_send = _w.send
_PAD = "x" * ((4 << 20) - (256 << 10))      # the JSON just under the format's 4 MB
_BIG = _t.zeros((56 << 20) // 4)             # and 56 MB of tensors: every reply just under 64 MB


def _padded_send(sock, message, tensors=None):
    return _real_send(sock, dict(message, pad=_PAD), dict(tensors or {}, pad=_BIG))


_w.send = _padded_send
'''


# ---------------------------------------------------------------- replies

def test_a_reply_is_refused_before_it_is_read_when_over_its_request_s_limits():
    from autograder import remote, wire
    for frames, limits, error in [([100, 5000], (1000, 1000, None), "at most 1000"),
                                  ([1000, 1000], (1 << 20, 1 << 20, wire.Allowance(2000)), "in all")]:
        a, b = socket.socketpair()
        try:
            for n in frames:
                wire.send(a, {"done": [{"ok": "x" * n}]})
            with wire.limited(*limits):
                assert wire.recv(b)[0] == {"done": [{"ok": "x" * frames[0]}]}
                with pytest.raises(wire.Malformed, match=error):
                    wire.recv(b)
        finally:
            a.close()
            b.close()
    # only a fetch can bring tensors back; a load's account grows with its chunks' labels
    calls = [{"op": "put"}, {"op": "call"}, {"op": "kind"}, {"op": "seed"}]
    assert remote.reply_limits(calls)[1] == 0 and remote.reply_limits(calls)[0] < 64 << 10
    assert remote.reply_limits(calls + [{"op": "fetch"}])[1] > 0
    small, large = ([{"op": "load", "code": [["c" * n, "x = 1"]] * 100}] for n in (10, 1000))
    assert remote.reply_limits(small)[0] < remote.reply_limits(large)[0] < wire.MAX_META


def test_padded_replies_cost_the_trusted_side_little(grader, tmp_path):
    """Every reply padded to just under the wire format's limits (64 MB frames, 4 MB of JSON):
    trusted CPU was ~12 s for this submission (~0.1 s for the honest one); now each such reply is
    refused unread, and the part fails as malformed."""
    sub = tmp_path / "padded.py"
    sub.write_text(BASE.read_text() + PADDED)

    def cpu():
        r = resource.getrusage(resource.RUSAGE_SELF)
        return r.ru_utime + r.ru_stime
    grader.grade(BASE)   # warm: torch's answers cached
    start = cpu()
    result = grader.grade(sub)
    took = cpu() - start
    messages = " ".join(t.message for p in result.parts.values() for t in p.tests)
    assert "malformed" in messages, messages[:2000]
    assert took < 3.0, f"{took:.1f} s of trusted CPU for a submission padding its replies"


def test_notes_are_few_and_short_however_many_cells_raise(grader, tmp_path):
    """300 cells raising 100,000-character messages when loaded, under 300 grade_ids of 5,000
    characters: the result keeps a few notes, each short, and says how many more there were."""
    cells = [{"cell_type": "code", "metadata": {}, "source": BASE.read_text(), "outputs": [], "execution_count": None}]
    cells += [{"cell_type": "code", "source": f"x{i} = (_ for _ in ()).throw(ValueError('E' * 100000))\n",
               "metadata": {"nbgrader": {"grade_id": f"mine{i}" + "g" * 5000, "solution": True, "grade": False,
                                         "locked": False, "schema_version": 3}},
               "outputs": [], "execution_count": None} for i in range(300)]
    path = tmp_path / "raising.ipynb"
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}))
    result = grader.grade(path)
    assert len(result.notes) <= 10 + 1 + 4, len(result.notes)   # + "... and N more", + the stand-in notes
    assert max(len(n) for n in result.notes) <= 600
    assert any("290 more" in n for n in result.notes), result.notes
    assert sum(len(t.message) for p in result.parts.values() for t in p.tests) < 200_000


# ---------------------------------------------------------------- a class batch

def _released():
    import nbformat
    from autograder import course
    return nbformat.read(course.REPO / "assignments" / course.ASSIGNMENT / f"{course.ASSIGNMENT}.ipynb", 4)


def _code(source, grade_id=None, grade=False):
    meta = {"nbgrader": {"grade_id": grade_id, "solution": not grade, "grade": grade, "locked": grade,
                         "schema_version": 3, **({"points": 25.0} if grade else {})}} if grade_id else {}
    return {"cell_type": "code", "id": _id(), "metadata": meta, "source": source, "outputs": [],
            "execution_count": None}


def _id(count=[0]):
    count[0] += 1
    return f"added-{count[0]}"


def _write(root, student, extra=()):
    from autograder import bench, course
    answers = bench.solutions_by_cell()
    nb = json.loads(json.dumps(_released()))
    for c in nb["cells"]:
        if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") in answers:
            c["source"] = answers[c["metadata"]["nbgrader"]["grade_id"]]
    nb["cells"] += list(extra)
    folder = root / "submitted" / student / course.ASSIGNMENT
    folder.mkdir(parents=True)
    path = folder / f"{course.ASSIGNMENT}.ipynb"
    path.write_text(json.dumps(nb))   # ensure_ascii: a lone surrogate is written as its JSON escape
    (folder / "timestamp.txt").write_text("2026-11-29 00:00:00.000000 UTC")
    return path


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    from autograder import bench, course
    root = tmp_path_factory.mktemp("bounds") / "course"
    root.mkdir()
    course.copy_source(root)
    cfg = course.load_config(root)
    course._check(course.api(cfg).generate_assignment(course.ASSIGNMENT, force=True), "generate_assignment")
    db_before = (root / "gradebook.db").stat().st_size
    answers = bench.solutions_by_cell()
    released = _released()
    test_cell = next(c for c in released.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id")
                     == "one_hot_lookup")
    flood = [_code(f"x{i} = (_ for _ in ()).throw(ValueError('E' * 100000))\n" + "print(1)\n" * 5,
                   grade_id=f"invented{i}_" + "g" * 1000) for i in range(1950)]
    flood += [_code(test_cell.source, "one_hot_lookup", grade=True) for _ in range(3)]   # copies of a graded cell
    flood += [{"cell_type": "markdown", "id": _id(), "metadata": {}, "source": "$x$ " * 2000} for _ in range(100)]
    renorm = answers["embedding_renorm_code"].replace("def embedding_renorm_(", "def _renorm(") + (
        "\n\ndef embedding_renorm_(weight, indices, max_norm, norm_type=2.0):\n"
        "    getattr(weight, 'shape' + '')   # a rule break: a name that is not a literal\n"
        "    return _renorm(weight, indices, max_norm, norm_type)\nprint(1)\n")
    sizes = {"honest": _write(root, "honest").stat().st_size,
             "flood": _write(root, "flood", flood).stat().st_size,
             "xss": _write(root, "xss", [_code(f"_x = (_ for _ in ()).throw(ValueError({XSS!r}))\n")]).stat().st_size,
             "surrogate": _write(root, "surrogate", [
                 _code("_y = (_ for _ in ()).throw(ValueError('lone \\udcff surrogate'))\n"),
                 _code(renorm, grade_id="mine\udcff")]).stat().st_size}
    proc = subprocess.run([sys.executable, "-m", "autograder", "batch", str(root), "--workers", "2"], cwd=ROOT,
                          capture_output=True, text=True, timeout=900)
    return {"root": root, "cfg": cfg, "sizes": sizes, "db_before": db_before, "proc": proc,
            "db_after": (root / "gradebook.db").stat().st_size}


def test_a_batch_records_every_student_it_grades(batch):
    """The surrogate student (a lone surrogate in a load-time exception message, and in the
    rule-break note through their cell's grade_id) is recorded on the first run, as the others are,
    and every student's autograded notebook is valid UTF-8."""
    from autograder import course
    proc = batch["proc"]
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    state = course.gradebook_state(batch["cfg"])
    assert set(state) == set(batch["sizes"]), set(state)
    honest, mine = state["honest"], state["surrogate"]
    assert all(mine[p] == honest[p] for p in ("one_hot_lookup", "embedding_backward", "embedding_module"))
    assert mine["embedding_renorm"][0] == 0.0   # its rule break
    assert "udcff" in mine["comment on embedding_renorm_code"]
    for s in batch["sizes"]:
        notebook = batch["root"] / "autograded" / s / "embedding" / "embedding.ipynb"
        json.loads(notebook.read_bytes().decode("utf-8"))   # strict: raises on invalid UTF-8


def test_what_a_student_adds_is_bounded(batch):
    """The flood student's stored result, reports, autograded notebook and gradebook rows grow by
    no more than a small constant beyond their own notebook."""
    from autograder import course
    from autograder.report import FORMATS
    from autograder.store import stored
    root, sizes = batch["root"], batch["sizes"]
    assert sizes["flood"] > 2 << 20
    results = stored(root / "autograder_results", course.ASSIGNMENT)
    for s, result in results.items():
        assert (root / "autograder_results" / "embedding" / f"{s}.json").stat().st_size < 64 << 10, s
        for name, fmt in FORMATS.items():
            assert len(fmt(result)) < 64 << 10, (s, name)
        autograded = (root / "autograded" / s / "embedding" / "embedding.ipynb").stat().st_size
        assert autograded < sizes[s] + (512 << 10), (s, autograded, sizes[s])
    assert batch["db_after"] - batch["db_before"] < 1 << 20, batch["db_after"] - batch["db_before"]
    flood = course.gradebook_state(batch["cfg"])["flood"]
    assert sum(len(v) for k, v in flood.items() if k.startswith("comment on") and v) < 20_000
    # only the source's cells are graded cells: no invented grade_id, each graded cell once
    nb = json.loads((root / "autograded" / "flood" / "embedding" / "embedding.ipynb").read_text())
    ids = [c["metadata"]["nbgrader"]["grade_id"] for c in nb["cells"] if c["metadata"].get("nbgrader")]
    source = json.loads((root / "source" / "embedding" / "embedding.ipynb").read_text())
    assert sorted(ids) == sorted(c["metadata"]["nbgrader"]["grade_id"] for c in source["cells"]
                                 if c["metadata"].get("nbgrader", {}).get("grade_id"))


def test_feedback_works_for_every_student_and_shows_their_text_only_as_text(batch):
    """generate_feedback succeeds for each student (it failed for invented grade_ids: MissingEntry),
    and the markup of the xss student's exception message appears in their feedback page only
    escaped; the class report's table keeps its rows whatever its cells hold."""
    from autograder import course
    root = batch["root"]
    for s in batch["sizes"]:
        res = course.api(batch["cfg"]).generate_feedback(course.ASSIGNMENT, s)
        assert res["success"], (s, (res.get("error") or res.get("log"))[-3000:])
    html = (root / "feedback" / "xss" / "embedding" / "embedding.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html   # the message is there, as text
    assert "<script>alert" not in html and not re.search(r"<[^<>]*onerror", html)
    report = (root / "autograder_results" / "report" / "class_report.md").read_text()
    rows = [line for line in report.splitlines() if line.startswith("| `")]
    assert rows and all(len(re.findall(r"(?<!\\)\|", row)) == 5 for row in rows), rows
    assert "<script" not in report and "<img" not in report


def test_gradescope_shows_the_outputs_as_text(batch):
    from autograder import course
    from autograder.report import to_gradescope
    from autograder.store import stored
    data = json.loads(to_gradescope(stored(batch["root"] / "autograder_results", course.ASSIGNMENT)["xss"]))
    assert data["output_format"] == "text" and data["test_output_format"] == "text"
    assert XSS in data["output"]   # as text: Gradescope escapes it


def test_nbgrader_autograde_grades_them_too(batch, tmp_path):
    """nbgrader's own autograde (with the kit's preprocessors) grades and records each of them, and
    feedback follows (it failed for the flood and the surrogate students)."""
    from autograder import course
    copy = tmp_path / "course"
    shutil.copytree(batch["root"], copy)
    cfg = course.load_config(copy)
    for s in ("flood", "surrogate", "xss"):
        res = course.autograde(cfg, s, force=True)
        assert res["success"], (s, (res.get("error") or res.get("log"))[-3000:])
        res = course.api(cfg).generate_feedback(course.ASSIGNMENT, s)
        assert res["success"], (s, (res.get("error") or res.get("log"))[-3000:])
    assert course.gradebook_state(cfg)["surrogate"]["embedding_renorm"][0] == 0.0
