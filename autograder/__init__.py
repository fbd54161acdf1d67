"""The nn.Embedding exercise kit's hidden graders and grading tool.

Grading is a pipeline of small steps over plain data (see grade.py): extract the student's code
(extract.py) -> judge the rules (policy.py) -> run the hidden pytest graders (graders/, plugin.py),
which reach the student only through a sandboxed job (sandbox.py, driver.py, wire.py, remote.py)
and compare with torch (compare.py) -> score (score.py) -> report (report.py) -> gradebook
(record.py, nbgrader_bridge.py).
"""
import os as _os

REPO = _os.path.dirname(_os.path.dirname(_os.path.abspath(__file__)))   # the kit's folder: the one definition
