"""The trust boundary: a sandboxed job holds this one student's code and the public driver, and
nothing else — no hidden test, no expected value, no other student — and nothing it sends back is
believed without a check."""
import json
import os
import uuid

import pytest
import torch

from conftest import BASE

HUNT = r'''

import re as _re

_own_lookup = one_hot_lookup


def one_hot_lookup(indices, weight):
    """Correct, but first reads its own process's memory for other students' markers and for the
    hidden tests, and reports what it found through an exception message (its feedback)."""
    found = set()
    with open("/proc/self/maps") as maps, open("/proc/self/mem", "rb", 0) as mem:
        for line in maps:
            lo, hi = (int(x, 16) for x in line.split()[0].split("-"))
            if "r" not in line.split()[1] or hi - lo > 1 << 28:
                continue
            try:
                mem.seek(lo)
                chunk = mem.read(hi - lo)
            except (OSError, ValueError, OverflowError):
                continue
            found |= set(_re.findall(rb"KITMARK-[0-9]-[0-9a-f]{8}", chunk))
            found |= set(_re.findall(rb"lookup_and_gra[d]|grad_with_paddin[g]|autograder/grader[s]", chunk))
    others = sorted(f.decode() for f in found if f.decode() != SECRET)
    if others and indices.numel() == 8:
        raise ValueError("found: " + ", ".join(others))
    return _own_lookup(indices, weight)
'''


def _student(tmp_path, i: int, hunt: bool):
    marker = f"KITMARK-{i}-{uuid.uuid4().hex[:8]}"
    path = tmp_path / f"student{i}.py"
    path.write_text(BASE.read_text() + f"\n\nSECRET = {marker!r}\n" + (HUNT if hunt else ""))
    return path, marker


def _descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        for task in os.listdir(f"/proc/{p}/task"):
            try:
                with open(f"/proc/{p}/task/{task}/children") as f:
                    kids = [int(x) for x in f.read().split()]
            except OSError:
                kids = []
            out += kids
            todo += kids
    return out


def _memory_holds(pid: int, needles: list[bytes]) -> set:
    """Which needles appear anywhere in the readable memory of process `pid` (read as root, from outside)."""
    found = set()
    with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", 0) as mem:
        for line in maps:
            fields = line.split()
            lo, hi = (int(x, 16) for x in fields[0].split("-"))
            if "r" not in fields[1] or (len(fields) > 5 and fields[5] in ("[vvar]", "[vsyscall]", "[vvar_vclock]")):
                continue
            try:
                mem.seek(lo)
                chunk = mem.read(hi - lo)
            except (OSError, ValueError, OverflowError):
                continue
            found |= {n for n in needles if n in chunk}
    return found


@pytest.mark.skipif(os.geteuid() != 0, reason="reading another process's memory needs root here")
def test_a_class_with_secret_markers_leaks_nothing(grader, tmp_path):
    """Grade a class in which every student's code carries a secret marker and one student hunts
    for the others' (and for the hidden tests) in its own memory: does no marker leave its owner's
    result, and does a live job's memory, read from outside, hold its own marker but no other
    student's, no hidden test's code, and none of the grader's inputs? (The tests' questions are
    public: every report shows them.)"""
    from autograder.grade import prepare
    students = [_student(tmp_path, i, hunt=(i == 3)) for i in range(4)]
    results = {marker: json.dumps(grader.grade(path).to_json(), ensure_ascii=False) for path, marker in students}
    for marker, text in results.items():
        others = [m for m in results if m != marker and m in text]
        assert not others, f"{marker}'s result holds {others}"
        assert "lookup_and_grad" not in text and "grad_with_padding" not in text
    hunter = students[3][1]
    assert results[hunter].count("KITMARK-") == 0, "the hunter found something to report"

    path, own = _student(tmp_path, 9, hunt=False)
    secret_input = torch.full((3, 7), 0.123456789012345, dtype=torch.float64)   # an input never sent
    with prepare(path, grader.sandbox, ["cpu"]) as run:
        api = run.api("embedding_module")
        assert api.fetch(api.Embedding(3, 2).num_embeddings) == 3   # the job is up and holds the code
        needles = [own.encode(), *(m.encode() for _p, m in students), b"lookup_and_grad", b"grad_with_padding",
                   b"autograder/graders", b"test_is_a_one_hot_product", secret_input.numpy().tobytes()[:16]]
        jobs = _descendants(grader.sandbox.pid)
        assert jobs, "no job process found"
        holders = []
        for pid in [grader.sandbox.pid] + jobs:
            held = _memory_holds(pid, needles)
            if own.encode() in held:
                holders.append(pid)
            leaked = held - {own.encode()}
            assert not leaked, f"process {pid} holds {leaked}"
        assert holders and grader.sandbox.pid not in holders, "the scan did not find the job's marker: it proves nothing"


def test_malformed_replies_fail_the_test_not_the_grader(grader, tmp_path):
    """A module whose num_embeddings is a 2-element tensor, and whose state_dict holds an object:
    does the grader compare safely, fail those tests with a message, and keep the other parts?"""
    path = tmp_path / "odd.py"
    path.write_text(BASE.read_text() + '''

_Base = Embedding


class Embedding(_Base):
    def __init__(self, num_embeddings, *args, **kwargs):
        super().__init__(num_embeddings, *args, **kwargs)
        self.num_embeddings = torch.tensor([num_embeddings, num_embeddings])
''')
    result = grader.grade(path)
    module = result.parts["embedding_module"]
    assert module.score < module.max_score
    assert any("num_embeddings" in t.message for t in module.tests if not t.passed)
    assert all(result.parts[p].score == 25 for p in ("one_hot_lookup", "embedding_backward", "embedding_renorm"))


def test_a_forged_reply_is_refused(tmp_path):
    """If the job answers with replies that break the format (missing results, wrong kinds, an
    unknown handle kind), is each refused as "could not be graded", without an exception of the
    grader's own?"""
    from autograder.remote import NotGraded, StudentAPI

    class ForgingJob:
        def __init__(self, reply):
            self.reply, self.ended = reply, None

        def request(self, message, tensors):
            return self.reply, {}

        def end(self, detail="", **args):
            from autograder.sandbox import Exit, JobEnded
            return JobEnded(Exit("error", detail, args=args), "")

    for reply in ({"done": []}, {"done": "all fine"}, {"done": [{"ok": {"R": 1}}]},
                  {"done": [{"ok": {"T": "t9", "dev": "cpu"}}]}, {"done": [{"raised": {"type": 3}}]}, {"done": [{"ok": {"L": [[[[[[[[1]]]]]]]]}}]}):
        api = StudentAPI(ForgingJob(reply))
        with pytest.raises(NotGraded, match="could not be graded"):
            api.fetch(api.one_hot_lookup(torch.tensor([0]), torch.ones(2, 2)))


def test_the_sandbox_environment_is_scrubbed(grader, tmp_path, monkeypatch):
    """Does a job see none of the grader's environment (tokens on CI or Gradescope)?"""
    from autograder.grade import prepare
    from autograder.sandbox import Sandbox
    monkeypatch.setenv("KIT_SECRET_TOKEN", "s3cr3t-token")
    path = tmp_path / "env.py"
    path.write_text(BASE.read_text() + "\n\nimport os as _os\n\ndef peek():\n    return _os.environ.get('KIT_SECRET_TOKEN', '')\n"
                    "\n_one = one_hot_lookup\n\ndef one_hot_lookup(i, w):\n    if peek():\n        raise ValueError(peek())\n    return _one(i, w)\n")
    with Sandbox() as box, prepare(path, box, ["cpu"]) as run:
        api = run.api("one_hot_lookup")
        out = api.fetch(api.one_hot_lookup(torch.tensor([1]), torch.ones(3, 2)))
        assert isinstance(out, torch.Tensor) and out.shape == (1, 2)
