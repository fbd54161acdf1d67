"""The sandbox's limits as the trusted side applies them, in process: how much of a reply is read
(wire.recv, wire.limited, Allowance), what a reply may hold (wire.unpack, wire.decode), what each
request may get back and how a reply is checked (remote.reply_limits, StudentAPI._flush), and the
job's cgroup limits (cgroup.create, on a folder standing in for /sys/fs/cgroup). The limits set in
the job's own process (rlimits, seccomp, Landlock) are tested from outside it: tests/test_hostile.py,
tests/test_confine.py."""
import json
import math
import socket
import struct

import pytest
import torch

from autograder import cgroup, remote, wire
from autograder.i18n import _
from autograder.remote import StudentAPI, StudentError, NotGraded
from autograder.sandbox import Exit, JobEnded
from autograder.wire import Allowance, Malformed


class Stream:
    """A socket's recv over bytes, handing out at most `most` bytes a call; records each request."""

    def __init__(self, data: bytes, most: int = 1 << 30):
        self.data, self.most, self.asked = data, most, []

    def recv(self, n):
        self.asked.append(n)
        out, self.data = self.data[:min(n, self.most)], self.data[min(n, self.most):]
        return out


def frame(message=None, tensors=None, body: bytes | None = None) -> bytes:
    if body is not None:
        return len(body).to_bytes(8, "little") + body
    return wire.pack(message if message is not None else {"done": []}, tensors or {})


# ---------------------------------------------------------------- reading a frame

def test_a_frame_is_read_whole_in_chunks_of_a_megabyte():
    data = frame({"x": "y" * 10}, {"t": torch.zeros((3 << 20) // 4)})
    s = Stream(data)
    message, tensors = wire.recv(s)
    assert message == {"x": "y" * 10} and tensors["t"].numel() == (3 << 20) // 4
    body = len(data) - 8
    assert s.asked[0] == 8 and s.asked[1:] == [1 << 20] * (body >> 20) + [body % (1 << 20)]
    s = Stream(data, most=1000)   # a socket that hands out little at a time: asked for what is left
    assert wire.recv(s)[0] == {"x": "y" * 10}
    assert s.data == b"" and max(s.asked) == 1 << 20 and s.asked[-1] == body - 1000 * (len(s.asked) - 2)


def test_the_end_of_the_stream_is_none_between_frames_and_malformed_inside_one():
    assert wire.recv(Stream(b"")) is None
    data = frame({"a": 1})
    for cut in (3, 8, 9, len(data) - 1):
        with pytest.raises(Malformed) as info:
            wire.recv(Stream(data[:cut]))
        assert str(info.value) == "the stream ended inside a frame"
    assert wire._read_exactly(Stream(b"abc"), 0) == b""
    assert wire._read_exactly(Stream(b"abcdef", most=2), 5) == b"abcde"


def test_limited_bounds_each_frame_and_its_json_and_never_raises_the_formats_limits():
    small = frame({"ok": "x" * 100})
    with wire.limited(len(small) - 8, wire.MAX_META):
        assert wire.recv(Stream(small))[0] == {"ok": "x" * 100}
    with wire.limited(len(small) - 9, wire.MAX_META):
        with pytest.raises(Malformed, match=rf"a frame of {len(small) - 8} bytes \(at most {len(small) - 9}\)"):
            wire.recv(Stream(small))
    header = int.from_bytes(small[8:16], "little")
    with wire.limited(1 << 20, header):
        assert wire.recv(Stream(small))[0] == {"ok": "x" * 100}
    with wire.limited(1 << 20, header - 1):
        with pytest.raises(Malformed, match="header too large"):
            wire.recv(Stream(small))
    with wire.limited(wire.MAX_FRAME * 4, wire.MAX_META * 4):   # never above the format's own limits
        assert wire._LIMITS.get()[:2] == (wire.MAX_FRAME, wire.MAX_META)
        huge = (wire.MAX_FRAME + 1).to_bytes(8, "little")
        with pytest.raises(Malformed, match=f"at most {wire.MAX_FRAME}"):
            wire.recv(Stream(huge))
    assert wire._LIMITS.get() is None
    with pytest.raises(Malformed, match=f"a frame of {wire.MAX_FRAME + 1} bytes"):   # the format's limit
        wire.recv(Stream((wire.MAX_FRAME + 1).to_bytes(8, "little")))
    assert wire.MAX_FRAME == 64 << 20 and wire.MAX_META == 4 << 20


def test_an_allowance_is_shared_by_the_frames_read_under_it():
    a, b = frame({"ok": 1}), frame({"ok": "x" * 50})
    allowance = Allowance(len(a) - 8 + len(b) - 8)
    assert allowance.total == allowance.left == len(a) + len(b) - 16
    with wire.limited(1 << 20, 1 << 20, allowance):
        wire.recv(Stream(a))
        assert allowance.left == len(b) - 8
        wire.recv(Stream(b))
        assert allowance.left == 0
        with pytest.raises(Malformed, match=f"replies of more than {allowance.total} bytes in all"):
            wire.recv(Stream(a))
    tight = Allowance(len(a) - 9)
    with wire.limited(1 << 20, 1 << 20, tight), pytest.raises(Malformed, match="in all"):
        wire.recv(Stream(a))
    assert tight.left == len(a) - 9   # refused before it was counted (or read)


# ---------------------------------------------------------------- what a frame may hold

def _safetensors(header: dict, data: bytes = b"") -> bytes:
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + data


@pytest.mark.parametrize("blob,why", [
    (b"\xff" * 8, "header too large"),
    (struct.pack("<Q", 100) + b"{}", "header too large"),
    (_safetensors({"__metadata__": {"other": "1"}}), "no message"),
    (_safetensors({"__metadata__": "kit"}), "no message"),
    (_safetensors([1, 2]), "no message"),
    (_safetensors({"__metadata__": {"kit": 5}}), "no message"),
    (_safetensors({"__metadata__": {"kit": "[1, 2]"}}), "the message is not an object"),
    (_safetensors({"__metadata__": {"kit": "{bad"}}), "JSONDecodeError"),
    (struct.pack("<Q", 2) + b"{]", "JSONDecodeError"),
    (_safetensors({"__metadata__": {"kit": "{}"}, "t": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}),
     "SafetensorError"),
])
def test_unpack_refuses_what_is_not_a_frame(blob, why):
    with pytest.raises(Malformed) as info:
        wire.unpack(blob)
    assert str(info.value) == why


def test_unpack_reads_a_frame_and_its_json_limit():
    blob = frame({"a": [1, 2]}, {"t": torch.arange(3)})[8:]
    n = int.from_bytes(blob[:8], "little")
    message, tensors = wire.unpack(blob, max_meta=n)
    assert message == {"a": [1, 2]} and torch.equal(tensors["t"], torch.arange(3))
    with pytest.raises(Malformed, match="header too large"):
        wire.unpack(blob, max_meta=n - 1)
    with pytest.raises(Malformed, match="header too large"):
        wire.unpack(blob[:8 + n - 1])
    assert wire.unpack(frame({"b": 1})[8:])[0] == {"b": 1}


def _here(data, dev, rg):
    return ("tensor", data, dev, rg)


@pytest.mark.parametrize("value,expected", [
    (None, None), (True, True), (7, 7), (-(1 << 62), -(1 << 62)), (2.5, 2.5), ("abc", "abc"),
    ({"L": [1, {"U": [2, "x"]}]}, [1, (2, "x")]), ({"U": []}, ()),
    ({"D": [["a", 1], ["b", {"L": []}]]}, {"a": 1, "b": []}), ({"D": []}, {}),
    ({"dtype": "float16"}, torch.float16), ({"dtype": "bool"}, torch.bool),
    ({"S": [1, None, -1]}, slice(1, None, -1)), ({"S": [None, None, None]}, slice(None)),
    ({"X": "a module"}, wire.Opaque("a module")),
])
def test_decode_gives_back_plain_values(value, expected):
    got = wire.decode(value, {}, _here)
    assert got == expected and type(got) is type(expected)


def test_decode_cuts_text_and_makes_tensors():
    assert wire.decode("x" * (wire.MAX_TEXT + 5), {}, _here) == "x" * wire.MAX_TEXT
    opaque = wire.decode({"X": "y" * (wire.MAX_TEXT + 5)}, {}, _here)
    assert isinstance(opaque, wire.Opaque) and opaque == "y" * wire.MAX_TEXT
    assert wire.decode({"D": [["k" * (wire.MAX_TEXT + 1), 1]]}, {}, _here) == {"k" * wire.MAX_TEXT: 1}
    t = torch.ones(2)
    assert wire.decode({"T": "t0", "dev": "cuda", "rg": 1}, {"t0": t}, _here) == ("tensor", t, "cuda", True)
    assert wire.decode({"T": "t0", "dev": "cpu"}, {"t0": t}, _here) == ("tensor", t, "cpu", False)
    assert wire.decode({"L": [{"T": "t0", "dev": "cpu", "rg": False}]}, {"t0": t}, _here) == [("tensor", t, "cpu", False)]
    assert wire.decode({"D": [["t", {"T": "t0", "dev": "cpu"}]]}, {"t0": t}, _here) == {"t": ("tensor", t, "cpu", False)}
    assert math.isnan(wire.decode(float("nan"), {}, _here)) and wire.decode(float("-inf"), {}, _here) == -math.inf


def _nested(depth):
    v = 1
    for _i in range(depth):
        v = {"L": [v]}
    return v


@pytest.mark.parametrize("value,why", [
    (1 << 62 | 1, "an integer out of range"), (-(1 << 63), "an integer out of range"),
    ([1], "an unexpected list"), ({}, "an unexpected dict"), (b"x", "an unexpected bytes"),
    ({"T": "t9", "dev": "cpu"}, "a bad tensor reference"), ({"T": 0, "dev": "cpu"}, "a bad tensor reference"),
    ({"T": "t0", "dev": "mps"}, "a bad tensor reference"), ({"T": "t0", "dev": "cpu", "x": 1}, "a bad tensor reference"),
    ({"T": "t0"}, "a bad tensor reference"), ({"T": ["t0"], "dev": "cpu"}, "a bad tensor reference"),
    ({"L": [1], "U": [2]}, "an object with several kinds"),
    ({"L": "abc"}, "a bad list"), ({"U": [0] * (wire.MAX_ITEMS + 1)}, "a bad list"),
    ({"D": {"a": 1}}, "a bad dict"), ({"D": [["a", 1]] * (wire.MAX_ITEMS + 1)}, "a bad dict"),
    ({"D": [["a"]]}, "a bad dict entry"), ({"D": [["a", 1, 2]]}, "a bad dict entry"), ({"D": [[1, 1]]}, "a bad dict entry"),
    ({"D": [("a", 1)]}, "a bad dict entry"), ({"D": [["a", 1], ["a", 2]]}, "a bad dict entry"),
    ({"dtype": "float8"}, "an unknown dtype"),
    ({"S": [1, 2]}, "a bad slice"), ({"S": (1, 2, 3)}, "a bad slice"), ({"S": [1, 2.0, 3]}, "a bad slice"),
    ({"S": [1, 2, 3, 4]}, "a bad slice"),
    ({"X": 5}, "a bad description"),
    ({"R": 1}, "an unknown kind 'R'"), ({"Q" * 30: 1}, f"an unknown kind {'Q' * 20!r}"),
    (_nested(wire.MAX_DEPTH + 1), "nested too deeply"),
])
def test_decode_refuses_what_breaks_the_format(value, why):
    with pytest.raises(Malformed) as info:
        wire.decode(value, {"t0": torch.zeros(1)}, _here)
    assert str(info.value) == why


def test_decode_limits_are_inclusive_and_resolves_handles_only_where_asked():
    assert wire.decode(1 << 62, {}, _here) == 1 << 62
    assert wire.decode(_nested(wire.MAX_DEPTH), {}, _here) is not None
    assert len(wire.decode({"L": [0] * wire.MAX_ITEMS}, {}, _here)) == wire.MAX_ITEMS
    assert len(wire.decode({"D": [[str(i), i] for i in range(wire.MAX_ITEMS)]}, {}, _here)) == wire.MAX_ITEMS
    seen = []

    def resolve(kind, x, depth):
        seen.append((kind, x, depth))
        return f"{kind}{x}"
    assert wire.decode({"L": [{"R": 3}, {"N": "f"}, {"A": [1, "a"]}]}, {}, _here, resolve) == ["R3", "Nf", "A[1, 'a']"]
    assert seen == [("R", 3, 1), ("N", "f", 1), ("A", [1, "a"], 1)]
    assert wire.decode({"D": [["k", {"D": [["r", {"R": 4}]]}]]}, {}, _here, resolve) == {"k": {"r": "R4"}}
    assert seen[-1] == ("R", 4, 2)
    deep = _nested(wire.MAX_DEPTH - 1)   # inside a dict, one level deeper: the limit holds there too
    assert wire.decode({"D": [["x", deep]]}, {}, _here) is not None
    with pytest.raises(Malformed, match="nested too deeply"):
        wire.decode({"D": [["x", {"L": [deep]}]]}, {}, _here)
    with pytest.raises(Malformed, match="an unknown kind 'Z'"):
        wire.decode({"Z": 1}, {}, _here, resolve)
    assert (wire.MAX_DEPTH, wire.MAX_ITEMS, wire.MAX_TEXT) == (6, 512, 4000)


# ---------------------------------------------------------------- what a request may get back

def test_each_request_may_get_back_only_what_it_asked_for():
    """JSON: an envelope with one exception, a small result per op, a load's account in proportion
    to its chunks' labels, a fetched value's megabyte; tensors: only for a fetch, 16 MB each."""
    R = remote
    base = R.REPLY_BASE
    assert R.reply_limits([]) == (base, 0)
    assert R.reply_limits([{"op": "call"}, {"op": "put"}]) == (base + 2 * R.REPLY_PER_OP, 0)
    load = {"op": "load", "code": [["ab", "x = 1"], ["cde", "y"]]}
    chunks = R.REPLY_CHAR * (2 + R.REPLY_LOAD_ERROR) + R.REPLY_CHAR * (3 + R.REPLY_LOAD_ERROR) + 2 * R.REPLY_PER_OP
    assert R.reply_limits([load]) == (base + R.REPLY_PER_OP + chunks, 0)
    assert R.reply_limits([{"op": "fetch"}, {"op": "fetch"}]) == \
        (base + 2 * R.REPLY_PER_OP + 2 * R.REPLY_FETCH_JSON, 2 * R.REPLY_FETCH_DATA)
    assert R.reply_limits([{"op": "seed"}, {"op": "fetch"}, load]) == \
        (base + 3 * R.REPLY_PER_OP + R.REPLY_FETCH_JSON + chunks, R.REPLY_FETCH_DATA)
    # as documented (README, "What a submission can make the trusted side hold")
    assert (R.REPLY_FETCH_DATA, R.REPLY_FETCH_JSON, R.PART_REPLIES) == (16 << 20, 1 << 20, 32 << 20)
    assert R.REPLY_BASE == (8 << 10) + R.REPLY_CHAR * 2200 and R.REPLY_CHAR == 14


class Job:
    """A job that answers each request with the next reply given (or raises it)."""

    def __init__(self, *replies):
        self.replies, self.requests, self.ended_why, self.limits = list(replies), [], None, []

    def request(self, message, tensors):
        self.requests.append((message, dict(tensors)))
        self.limits.append(wire._LIMITS.get())
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        return reply if isinstance(reply, tuple) else (reply, {})

    def end(self, detail="", **args):
        self.ended_why = (detail, args)
        return JobEnded(Exit("error", detail, args=args), "")


def broken(what):
    return _("run.not_graded_job", detail=_("run.malformed", error=what))


def test_a_request_is_read_within_its_limits_and_the_parts_allowance():
    api = StudentAPI(Job({"done": [{"ok": 1}, {"ok": {"L": [2]}}]}))
    assert api._allowance.total == remote.PART_REPLIES
    assert api._flush([]) == [] and api._job.requests == []
    api.seed(3)
    assert api._flush([{"op": "fetch", "value": 1}]) == [1, [2]]
    (message, _tensors), = api._job.requests
    assert message == {"ops": [{"op": "seed", "seed": 3}, {"op": "fetch", "value": 1}]}
    meta, data = remote.reply_limits(message["ops"])
    assert api._job.limits == [(8 + meta + data, meta, api._allowance)]
    assert api._queue == [] and api._tensors == {}


def test_tensors_queued_go_with_the_request_and_come_back_decoded():
    t = torch.arange(4.0)
    api = StudentAPI(Job(({"done": [{"ok": None}, {"ok": {"T": "r0", "dev": "cpu", "rg": False}}]}, {"r0": t * 2})))
    h = api.tensor(t)
    got = api.fetch(h)
    assert torch.equal(got, t * 2)
    (message, tensors), = api._job.requests
    assert message["ops"][0]["op"] == "put" and torch.equal(tensors["t0"], t)


@pytest.mark.parametrize("reply,what", [
    ({"done": "x"}, "the number of results"), ({}, "the number of results"), ({"done": []}, "the number of results"),
    ({"done": [{"ok": 1}] * 3}, "the number of results"),
    ({"done": [{"ok": 1}]}, "missing results"),
    ({"done": ["ok", {"ok": 1}]}, "a result"), ({"done": [{"ok": 1, "raised": 2}, {"ok": 1}]}, "a result"),
    ({"done": [{"value": 1}, {"ok": 1}]}, "a result"),
    ({"done": [{"raised": "x"}]}, "an exception"), ({"done": [{"raised": {"type": 1, "message": ""}}]}, "an exception"),
    ({"done": [{"raised": {"type": "E", "message": None}}]}, "an exception"),
    ({"done": [{"raised": {"type": "E"}}]}, "an exception"),
    ({"done": [{"raised": {"type": "E", "message": "m"}}, {"ok": 1}]}, "results after an exception"),
    ({"done": [{"ok": {"Q": 1}}, {"ok": 1}]}, "an unknown kind 'Q'"),
])
def test_a_reply_against_the_format_ends_the_job_and_says_so(reply, what):
    job = Job(reply)
    api = StudentAPI(job)
    with pytest.raises(NotGraded) as info:
        api._flush([{"op": "call"}, {"op": "call"}])
    assert str(info.value) == broken(what)
    assert job.ended_why == ("run.malformed", {"error": what})


def test_the_students_exception_comes_back_cut():
    job = Job({"done": [{"ok": 1}, {"raised": {"type": "T" * 300, "message": "m" * 3000}}]})
    with pytest.raises(StudentError) as info:
        StudentAPI(job)._flush([{"op": "call"}, {"op": "call"}, {"op": "call"}])
    assert info.value.type == "T" * 200 and info.value.message == "m" * 2000 and job.ended_why is None
    job = Job({"done": [{"raised": {"type": "E", "message": ""}}]})
    with pytest.raises(StudentError) as info:
        StudentAPI(job)._flush([{"op": "call"}])
    assert (info.value.type, info.value.message) == ("E", "")


def test_a_job_that_ended_is_not_graded_with_its_last_output():
    ended = JobEnded(Exit("killed", "run.SIGKILL", args={"signal": "SIGKILL"}), "  " + "o" * 700 + "\n")
    with pytest.raises(NotGraded) as info:
        StudentAPI(Job(ended))._flush([{"op": "call"}])
    detail = _("run.SIGKILL", signal="SIGKILL")
    assert str(info.value) == _("run.not_graded_job", detail=detail) + _("run.last_output", output="o" * 600)
    quiet = remote.not_graded(JobEnded(Exit("ok"), " \n"))
    assert str(quiet) == _("run.not_graded_job", detail=_("run.no_result"))


# ---------------------------------------------------------------- the job's cgroups

@pytest.fixture
def tree(tmp_path, monkeypatch):
    """A stand-in cgroup tree: v1 (a folder per controller) unless the test asks for v2."""
    removed = []
    monkeypatch.setattr(cgroup, "_rmdir", removed.append)

    def use(v2: bool, bases=None):
        monkeypatch.setattr(cgroup, "_is_v2", lambda: v2)
        if bases is None:
            bases = {c: str(tmp_path / (("unified" if v2 else c))) for c in cgroup.CONTROLLERS}
        for b in set(bases.values()):
            if not b.endswith("missing"):
                (tmp_path / b).mkdir(exist_ok=True)
        monkeypatch.setattr(cgroup, "_bases", lambda: dict(bases))
        return bases
    use.removed, use.root = removed, tmp_path
    return use


def read(path, name):
    with open(f"{path}/{name}") as f:
        return f.read()


def test_cgroup_v1_limits_each_controller(tree):
    tree(False)
    groups = cgroup.create("kit-1-2", 64, 3072, 1.0)
    assert groups == {c: str(tree.root / c / "kit-1-2") for c in ("pids", "memory", "cpu")}
    assert read(groups["pids"], "pids.max") == "64"
    assert read(groups["memory"], "memory.limit_in_bytes") == str(3072 << 20)
    assert read(groups["memory"], "memory.memsw.limit_in_bytes") == str(3072 << 20)
    assert read(groups["memory"], "memory.swappiness") == "0"
    assert read(groups["cpu"], "cpu.cfs_period_us") == "100000" and read(groups["cpu"], "cpu.cfs_quota_us") == "100000"
    assert tree.removed == []
    again = cgroup.create("kit-1-2", 8, 1, 2.5)   # the folders exist already: used as they are
    assert again == groups and read(groups["cpu"], "cpu.cfs_quota_us") == "250000" and read(groups["pids"], "pids.max") == "8"


def test_cgroup_v2_is_one_group_with_the_three_limits(tree):
    tree(True)
    groups = cgroup.create("kit-9-1", 32, 100, 0.5)
    path = str(tree.root / "unified" / "kit-9-1")
    assert groups == {"pids": path, "memory": path, "cpu": path}
    assert read(path, "pids.max") == "32" and read(path, "memory.max") == str(100 << 20)
    assert read(path, "memory.swap.max") == "0" and read(path, "memory.oom.group") == "1"
    assert read(path, "cpu.max") == "50000 100000"
    cgroup.create("kit-9-2", 32, 100, 0.001)   # a quota never below a millisecond a period
    assert read(str(tree.root / "unified" / "kit-9-2"), "cpu.max") == "1000 100000"


def test_a_controller_that_cannot_be_made_or_limited_is_left_out(tree):
    """A base folder that is missing is skipped; a group whose limit cannot be written is removed
    and left out (in v2 kept while another controller of the same folder holds)."""
    bases = tree(False, {"pids": "pids", "memory": "missing", "cpu": "cpu"})
    bases = {c: str(tree.root / b) for c, b in bases.items()}
    tree(False, bases)
    (tree.root / "cpu" / "kit-3-3" / "cpu.cfs_period_us").mkdir(parents=True)   # cannot be written
    groups = cgroup.create("kit-3-3", 1, 1, 1.0)
    assert groups == {"pids": str(tree.root / "pids" / "kit-3-3")}
    assert tree.removed == [str(tree.root / "cpu" / "kit-3-3")]
    tree.removed.clear()
    tree(True)
    (tree.root / "unified" / "kit-4-4" / "memory.max").mkdir(parents=True)
    groups = cgroup.create("kit-4-4", 1, 1, 1.0)
    path = str(tree.root / "unified" / "kit-4-4")
    assert groups == {"pids": path, "cpu": path} and tree.removed == []
    (tree.root / "unified" / "kit-5-5" / "pids.max").mkdir(parents=True)
    (tree.root / "unified" / "kit-5-5" / "memory.max").mkdir(parents=True)
    (tree.root / "unified" / "kit-5-5" / "cpu.max").mkdir(parents=True)
    assert cgroup.create("kit-5-5", 1, 1, 1.0) == {}
    assert set(tree.removed) == {str(tree.root / "unified" / "kit-5-5")}


def test_the_frames_are_bounded_on_a_real_socket():
    a, b = socket.socketpair()
    try:
        wire.send(a, {"ok": "x" * 10})
        with wire.limited(16, 1 << 20), pytest.raises(Malformed, match="at most 16"):
            wire.recv(b)
    finally:
        a.close()
        b.close()
