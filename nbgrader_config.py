"""nbgrader's course configuration: the repository root is the course directory.

Release directory `assignments/`, solutions in `solutions/`; autograding grades each notebook with
the kit's isolated grader instead of executing it in a kernel (autograder/nbgrader_bridge.py).
The demo (`make demo`) loads this file and only moves the course root and the exchange.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # so nbgrader can import autograder

from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor  # noqa: E402
from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, ClearHiddenTests,  # noqa: E402
                                    ClearMarkScheme, ClearOutput, DeduplicateIds, Execute, GetGrades,
                                    IncludeHeaderFooter, LimitOutput, LockCells, OverwriteKernelspec,
                                    SaveAutoGrades)

from autograder.nbgrader_bridge import IsolatedGrade, TolerantOverwriteCells  # noqa: E402

c = get_config()  # noqa: F821 - provided by traitlets when it loads this file

c.CourseDirectory.course_id = "embedding-kit"
c.CourseDirectory.release_directory = "assignments"
c.CourseDirectory.solution_directory = "solutions"
c.CourseDirectory.db_assignments = [dict(name="embedding"), dict(name="embedding-zh")]  # English, Chinese
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".*"]

# The stubs students see in place of each solution: one text for both editions (nbgrader has one stub
# per kernel language), so it says it in both languages.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError(\"not implemented yet: "
                                        "replace this line with your code / 尚未实现：请用你的代码替换这一行\")"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE / 在此写下你的回答"
c.ClearSolutions.enforce_metadata = True

# NB: the lists below replace nbgrader's defaults. Order rules:
# - sanitize: OverwriteCells needs DeduplicateIds first; CheckCellMetadata last.
# - autograde: IsolatedGrade stands where Execute stood, before LimitOutput and SaveAutoGrades,
#   which read the graded cells' outputs it writes.
c.Autograde.sanitize_preprocessors = [ClearOutput, DeduplicateIds, OverwriteKernelspec,
                                      TolerantOverwriteCells, CheckCellMetadata]
c.Autograde.autograde_preprocessors = [IsolatedGrade, ClearMetadataPreprocessor, LimitOutput,
                                       SaveAutoGrades, AssignLatePenalties, CheckCellMetadata]
c.IsolatedGrade.results_dir = "autograder_results"
c.LimitOutput.max_lines = 400
# Hidden tests never reach students through feedback: strip them before rendering.
c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, CSSHTMLHeaderPreprocessor]
c.GenerateSolution.preprocessors = [IncludeHeaderFooter, LockCells, ClearOutput, ClearHiddenTests,
                                    ClearMarkScheme, Execute]
c.Execute.timeout = 300  # generate_solution executes the notebook: torch's first import is slow
