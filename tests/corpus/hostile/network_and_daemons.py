"""Connects to a TCP server the test runs on localhost (port in KIT_PORT) and leaves a daemon
(setsid + double fork) and a background `sleep` behind. Correct otherwise: full marks, no traces."""
import os as _os
import socket as _socket
import subprocess as _sp

_saved_renorm = embedding_renorm_  # noqa: F821 - the correct one, defined above


def embedding_renorm_(weight, indices, max_norm, norm_type=2.0):
    try:
        _socket.create_connection(("127.0.0.1", int(_os.environ["KIT_PORT"])), timeout=0.5).sendall(b"leak")
    except Exception:
        pass
    try:
        _sp.Popen(["sleep", "987654"], start_new_session=True)
    except Exception:
        pass
    try:
        if _os.fork() == 0:
            _os.setsid()
            if _os.fork() == 0:
                _os.execvp("sleep", ["sleep", "987655"])
            _os._exit(0)
    except Exception:
        pass
    return _saved_renorm(weight, indices, max_norm, norm_type)


BREAKS = ("one_hot_lookup", "embedding_backward", "embedding_renorm", "embedding_module")   # it imports socket at
# top level: the rules zero every part; its code still runs, and must still be contained
