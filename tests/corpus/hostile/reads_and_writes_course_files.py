"""Reads the hidden graders and the course's canary file, lists the course, writes a 'gradebook'
beside the canary, overwrites and deletes the canary (their paths, GRADERS and CANARY, are written
into this file by tests/test_hostile.py: a job has no environment to read them from); then raises
what each attempt did, as ATTACK-REPORT[name:ok or name:the exception], so the test sees that it
really tried. pathlib is an allowed import: no rule stops this code, the sandbox must. Its part
scores nothing (it raises); the other parts keep full marks; nothing on disk may change."""
import pathlib as _pl

GRADERS = ''
CANARY = ''

_report = []


def embedding_backward(grad_output, indices, num_embeddings, padding_idx=None, scale_grad_by_freq=False):
    canary = _pl.Path(CANARY)
    if not _report:   # once per job
        for name, fn in (("read-graders", lambda: _pl.Path(GRADERS).read_text()),
                         ("read-canary", lambda: canary.read_text()),
                         ("list-course", lambda: list(canary.parent.iterdir())),
                         ("write-gradebook", lambda: canary.with_name("gradebook.db").write_text("x")),
                         ("overwrite-canary", lambda: canary.write_text("owned")),
                         ("delete-canary", lambda: canary.unlink())):
            try:
                fn()
                _report.append(name + ":ok")
            except Exception as exc:
                _report.append(f"{name}:{type(exc).__name__}")
    raise RuntimeError("ATTACK-REPORT[" + ",".join(_report) + "]")


BREAKS = ("embedding_backward",)   # the module's other parts are torch stand-ins when it is graded
TRIES = ("read-graders", "read-canary", "list-course", "write-gradebook", "overwrite-canary", "delete-canary")
BLOCKED = ("read-graders", "read-canary", "list-course", "write-gradebook", "overwrite-canary", "delete-canary")
