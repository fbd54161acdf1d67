"""Connects to a TCP server the test runs on localhost (its port, PORT, is written into this file by
tests/test_hostile.py: a job has no environment to read it from) and leaves a daemon (setsid +
double fork) and a background `sleep` behind; then raises what each attempt did, as
ATTACK-REPORT[name:ok or name:the exception], so the test sees that it really tried. Its part scores
nothing (its imports break the rules, and it raises); the other parts keep full marks; nothing may
reach the server or outlive the job."""

PORT = 0

_report = []


def embedding_renorm_(weight, indices, max_norm, norm_type=2.0):
    import os as _os
    import socket as _socket
    import subprocess as _sp

    def attempt(name, fn):
        try:
            fn()
            _report.append(name + ":ok")
        except Exception as exc:
            _report.append(f"{name}:{type(exc).__name__}")

    def connect():
        with _socket.create_connection(("127.0.0.1", PORT), timeout=2) as s:
            s.sendall(b"leak")

    def daemon():
        pid = _os.fork()
        if pid == 0:   # the child never returns into the job's code
            try:
                _os.setsid()
                if _os.fork() == 0:
                    _os.execvp("sleep", ["sleep", "987655"])
            finally:
                _os._exit(0)
        _os.waitpid(pid, 0)

    if not _report:   # once per job
        attempt("connect", connect)
        attempt("popen", lambda: _sp.Popen(["sleep", "987654"], start_new_session=True))
        attempt("daemon", daemon)
    raise RuntimeError("ATTACK-REPORT[" + ",".join(_report) + "]")


BREAKS = ("embedding_renorm",)   # the module's other parts are torch stand-ins when it is graded
TRIES = ("connect", "popen", "daemon")   # what the report must name
BLOCKED = ("connect",)                   # "connect:ok" would mean it got out (the processes may start, not outlive it)
