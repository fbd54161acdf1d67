"""Forks inside its lookup and lets the child carry on as a second copy of the grading process (both
return, both go on to the next checks): the copy must not be able to write results. Correct
otherwise: full marks, nothing left behind."""
import os as _os

_saved_lookup = one_hot_lookup  # noqa: F821 - the correct one, defined above
_forked = []


def one_hot_lookup(indices, weight):
    if not _forked:
        _forked.append(1)
        try:
            _os.fork()   # parent and child both return from here and keep grading
        except OSError:
            pass
    return _saved_lookup(indices, weight)


BREAKS = ()
