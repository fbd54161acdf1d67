"""Holds memory RLIMIT_AS does not count: 50 memfds of 60 MB (3000 MB), each under the output
limit. Reports ATTACK-REPORT[memfd N MB] when it held more than 1500 MB, else returns correctly.
os is imported where it is used: the rules zero this part alone, and the others keep full marks."""

_saved_lookup = one_hot_lookup  # noqa: F821 - the correct one, defined above


def one_hot_lookup(indices, weight):
    import os as _os
    fds, chunk = [], b"\1" * (4 << 20)
    try:
        for _ in range(50):
            fd = _os.memfd_create("hoard")
            for _ in range(15):
                _os.write(fd, chunk)
            fds.append(fd)
    except OSError:
        pass
    held = len(fds) * 60
    if held > 1500:
        raise RuntimeError(f"ATTACK-REPORT[memfd {held} MB]")
    return _saved_lookup(indices, weight)


MAY_BREAK = ("one_hot_lookup", "embedding_module")
BREAKS = ()
