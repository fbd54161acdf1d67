"""The graders' pytest plugin lives in autograder/plugin.py (options, markers, fixtures, hooks)."""
from autograder.plugin import *  # noqa: F401,F403
