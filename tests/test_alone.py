"""Tests that run in a sandboxed job of their own (@pytest.mark.alone): on CUDA, out-of-range
indices hit a device-side assert that poisons the whole CUDA context, so those tests must not
share a process with the others. The mechanism is device-agnostic; here it is exercised on the CPU."""
import pytest
import torch

from conftest import BASE

CRASH_ON_BAD_INDEX = '''

import os as _os
_good_lookup = one_hot_lookup


def one_hot_lookup(indices, weight):
    if indices.numel() and (int(indices.min()) < 0 or int(indices.max()) >= weight.shape[0]):
        _os._exit(3)   # dies the way a device-side assert kills a CUDA context
    return _good_lookup(indices, weight)
'''


def test_a_test_run_alone_crashes_only_its_own_job(tmp_path):
    """Does a run marked alone get a fresh job, so that its crash fails it alone while the part's
    shared job (and so the part's other tests) goes on?"""
    from autograder.grade import prepare
    from autograder.remote import NotGraded
    from autograder.sandbox import Sandbox
    path = tmp_path / "crashy.py"
    path.write_text(BASE.read_text() + CRASH_ON_BAD_INDEX)
    W = torch.randn(5, 3)
    with Sandbox() as box, prepare(path, box, ["cpu"]) as run:
        shared = run.api("one_hot_lookup")
        lone = run.api("one_hot_lookup", alone=True)
        assert lone is not shared and lone._job is not shared._job
        with pytest.raises(NotGraded, match="exited with status 3"):
            lone.fetch(lone.one_hot_lookup(torch.tensor([0, 9]), W))
        assert run.api("one_hot_lookup") is shared
        out = shared.fetch(shared.one_hot_lookup(torch.tensor([0, 1]), W))
        assert torch.equal(out, W[[0, 1]])


def test_alone_applies_only_on_the_devices_it_names():
    """Is a test marked alone("cuda") run in the shared job on the CPU?"""
    from types import SimpleNamespace

    from autograder.plugin import _alone

    def node(device):
        return SimpleNamespace(get_closest_marker=lambda name: pytest.Mark("alone", ("cuda",), {}) if name == "alone" else None,
                               callspec=SimpleNamespace(params={"case": (None, device)}))
    assert _alone(node("cuda")) and not _alone(node("cpu"))
