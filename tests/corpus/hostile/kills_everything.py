"""Tries to kill its parent, its process group and every process it may signal."""
import os as _os
import signal as _signal

_saved_lookup = one_hot_lookup  # noqa: F821 - the correct one, defined above in the composed file


def one_hot_lookup(indices, weight):
    for target in (lambda: _os.kill(_os.getppid(), _signal.SIGKILL), lambda: _os.killpg(0, _signal.SIGKILL),
                   lambda: _os.kill(1, _signal.SIGKILL), lambda: _os.kill(-1, _signal.SIGKILL)):
        try:
            target()
        except OSError:
            pass
    return _saved_lookup(indices, weight)


# Its code is right, so it keeps its marks where the kills fail (as root: PID namespace, Landlock's
# signal scope); without those, killpg(0) ends its own job, which may cost those parts.
BREAKS = ("one_hot_lookup", "embedding_backward", "embedding_renorm", "embedding_module")   # it imports signal at
# top level: the rules zero every part; its code still runs, and must still be contained
