"""The wire format (wire.py) and the zygote the batch's graders share (sandbox.SharedZygote)."""
import os

import pytest
import torch
from safetensors.torch import save

from autograder import wire


@pytest.mark.parametrize("dtype", [d for d in wire.DTYPES.values() if d is not torch.complex128])
def test_a_frame_is_the_safetensors_file_torch_would_write(dtype):
    """pack() hands safetensors each tensor's memory directly: the bytes must be those of
    safetensors.torch.save, and unpack() must give the tensors back."""
    tensors = {"a": (torch.randn(3, 4) * 10).to(dtype), "empty": torch.zeros(0, 2, dtype=dtype)}
    frame = wire.pack({"x": 1}, tensors)
    assert frame[8:] == save(tensors, metadata={"kit": '{"x":1}'})   # the message's JSON, compact
    message, back = wire.unpack(frame[8:])
    assert message == {"x": 1} and torch.equal(back["a"], tensors["a"]) and back["empty"].shape == (0, 2)


def test_a_tensor_safetensors_cannot_store_is_described_not_sent():
    enc = wire.Encoder()
    assert enc(torch.zeros(2, dtype=torch.complex128)) == {"X": "a tensor of complex128"}
    assert enc.tensors == {}


def _uid_of(job) -> int:
    reply, _ = job.request({"ops": [{"op": "load", "code": [["c", "import os\nUID = os.getuid()\n"]], "standins": []},
                                    {"op": "fetch", "value": {"N": "UID"}}]}, {})
    return reply["done"][1]["ok"]


def test_a_shared_zygote_serves_each_grader_apart_and_ends_with_them():
    """Two graders' sandboxes on one zygote number their jobs alike (both from 0): each gets its own
    job's exit report, jobs run side by side under their own uids (as root), one grader leaving does
    not stop the other, and the zygote ends by itself once both are gone."""
    from autograder.remote import self_check
    from autograder.sandbox import Limits, Sandbox, SharedZygote
    limits = Limits(wall_s=60)
    zygote = SharedZygote(limits, isolate=True, clients=2)
    a, b = (Sandbox(limits, True, channel) for channel in zygote.channels)
    try:
        ja, jb = a.job(["cpu"]), b.job(["cpu"])
        assert ja.id == jb.id == 0
        uids = {_uid_of(ja), _uid_of(jb)}
        if os.geteuid() == 0:
            assert len(uids) == 2 and 0 not in uids
        for job in (ja, jb):
            job.close()
            assert job.exit.result(timeout=60).status == "ok"
        a.close()
        assert self_check(b) == ""
    finally:
        b.close()
        zygote.close()
    assert zygote.proc.returncode == 0


def test_a_zygote_started_first_serves_the_grader_that_takes_it_and_dies_with_a_command_that_stops(monkeypatch):
    """zygote_first (the self-check and Gradescope start it before importing torch): a grader's
    sandbox given its channel runs jobs on it, and the zygote ends by itself after; one that no
    grader took (the command stopped first) is killed, not waited for."""
    import signal

    from autograder import sandbox
    from autograder.remote import self_check
    from autograder.sandbox import Limits, Sandbox, zygote_first
    started = []

    class Recorded(sandbox.SharedZygote):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            started.append(self)
    monkeypatch.setattr(sandbox, "SharedZygote", Recorded)
    limits = Limits(wall_s=60)
    with zygote_first(limits, True) as channel:
        box = Sandbox(limits, True, channel)
        assert box.pid is None   # not a zygote of its own
        try:
            assert self_check(box) == ""
        finally:
            box.close()
    assert started[0].proc.returncode == 0 and channel.fileno() == -1
    with zygote_first(limits, True) as channel:
        pass
    assert started[1].proc.returncode == -signal.SIGKILL and channel.fileno() == -1
