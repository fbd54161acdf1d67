"""Forks inside its lookup and lets the child carry on as a second copy of the grading process (both
return, both go on to the next checks): the copy must not be able to write results. Correct
otherwise: the rules zero the lookup (it imports os), yet every one of its checks must pass (the
copy disturbs nothing), the other parts keep full marks, and nothing is left behind."""

_saved_lookup = one_hot_lookup  # noqa: F821 - the correct one, defined above
_forked = []


def one_hot_lookup(indices, weight):
    import os as _os
    if not _forked:
        _forked.append(1)
        try:
            _os.fork()   # parent and child both return from here and keep grading
        except OSError:
            pass
    return _saved_lookup(indices, weight)


BREAKS = ('one_hot_lookup',)
RULE_ONLY = ('one_hot_lookup',)   # zeroed by the rules alone: every other check of it passes
