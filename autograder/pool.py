"""The batch's pool tasks, named here so that the batch's own process can hand them to its workers
without importing the grader (torch, pytest: seconds of CPU it would never use). Each worker is
forked from a forkserver that preloaded autograder.worker, where they run."""


def start(*args):
    from . import worker
    worker.start(*args)


def grade_one(*args):
    from . import worker
    return worker.grade_one(*args)
