"""The nn.Embedding exercise kit's hidden graders and grading tool.

Grading is a pipeline of small steps over plain data (see grade.py):
extract the student's code -> run it isolated (sandbox.py, worker.py) -> compare with torch
(checks/<part>.py, compare.py) -> score -> report (report.py) -> gradebook (nbgrader_bridge.py).
"""
