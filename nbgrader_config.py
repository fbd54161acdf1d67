"""nbgrader's course configuration: the repository root is the course directory.

Release directory `assignments/`, solutions in `solutions/`; autograding grades each notebook with
the kit's isolated grader instead of executing it in a kernel (autograder/nbgrader_bridge.py).
The demo (`make demo`) loads this file and only moves the course root and the exchange.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)  # so nbgrader can import autograder
# nbgrader's gradebook runs the `alembic` script from PATH: started as .venv/bin/jupyter or
# .venv/bin/nbgrader without an activated venv, the venv's scripts must still be found.
if os.path.dirname(sys.executable) not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")

import nbgrader  # noqa: E402
from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor  # noqa: E402
from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, ClearHiddenTests,  # noqa: E402
                                    ClearMarkScheme, ClearOutput, DeduplicateIds, Execute, GetGrades,
                                    IncludeHeaderFooter, LimitOutput, LockCells, OverwriteKernelspec,
                                    SaveAutoGrades)

from autograder.feedback import TEMPLATES, MathToMathML, NamePartsInFeedback, QuietClearHiddenTests  # noqa: E402
from autograder.nbgrader_bridge import (IsolatedGrade, SaveReportComments, TolerantNotebookExporter,  # noqa: E402
                                        TolerantOverwriteCells, count_editions_once)

c = get_config()  # noqa: F821 - provided by traitlets when it loads this file

c.CourseDirectory.course_id = "embedding-kit"
c.CourseDirectory.release_directory = "assignments"
c.CourseDirectory.solution_directory = "solutions"
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".*"]
# The exchange of a course on one machine (a hub sets its own in /etc/jupyter/nbgrader_config.py).
# nbgrader's default, /usr/local/share/nbgrader/exchange, does not exist on a fresh machine: the
# Assignments tab would show an error for each of its lists.
c.Exchange.root = os.environ.get("NBGRADER_EXCHANGE") or os.path.join(HERE, "build", "exchange")
if not os.path.isdir(c.Exchange.root):
    try:
        os.makedirs(c.Exchange.root)
        os.chmod(c.Exchange.root, 0o1777)   # as nbgrader's docs ask: everyone writes, only owners delete
    except OSError:   # a user who may not write here: nbgrader will say the exchange is missing
        pass
# The English and the Chinese edition are alternatives: each student's max score counts one of them.
count_editions_once(("embedding", "embedding-zh"))

# The stubs students see in place of each solution: one text for both editions (nbgrader has one stub
# per kernel language), so it says it in both languages.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError(\"not implemented yet: "
                                        "replace this line with your code / 尚未实现：请用你的代码替换这一行\")"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE / 在此写下你的回答"
c.ClearSolutions.enforce_metadata = True

# NB: the lists below replace nbgrader's defaults. Order rules:
# - sanitize: OverwriteCells needs DeduplicateIds first; CheckCellMetadata last.
# - autograde: IsolatedGrade stands where Execute stood, before LimitOutput and SaveAutoGrades,
#   which read the graded cells' outputs it writes; SaveReportComments after SaveAutoGrades, whose
#   "No response." comments it extends with the grader's verdict. MathToMathML: formgrader shows the
#   autograded notebook with MathJax from a CDN; MathML renders without it (markdown cells only).
c.Autograde.sanitize_preprocessors = [ClearOutput, DeduplicateIds, OverwriteKernelspec,
                                      TolerantOverwriteCells, CheckCellMetadata]
c.Autograde.autograde_preprocessors = [IsolatedGrade, MathToMathML, ClearMetadataPreprocessor, LimitOutput,
                                       SaveAutoGrades, SaveReportComments, AssignLatePenalties,
                                       CheckCellMetadata]
# A submitted notebook that is not JSON is graded as a stand-in (zero, with what to fix), not a traceback.
c.Autograde.exporter_class = TolerantNotebookExporter
c.IsolatedGrade.results_dir = "autograder_results"
c.LimitOutput.max_lines = 400
# Hidden tests never reach students through feedback: strip them before rendering.
c.GenerateFeedback.preprocessors = [GetGrades, QuietClearHiddenTests, NamePartsInFeedback, MathToMathML,
                                    CSSHTMLHeaderPreprocessor]
# nbgrader's feedback page, parts named, lines wrapped, no CDN (autograder/templates/kit_feedback).
# Set for the feedback's exporter only: formgrader's own HTMLExporter keeps its template.
c.GenerateFeedback.HTMLExporter.template_name = "kit_feedback"
_formgrader = os.path.join(os.path.dirname(nbgrader.__file__), "server_extensions", "formgrader")
c.GenerateFeedback.HTMLExporter.extra_template_basedirs = [str(TEMPLATES)]
# where kit_feedback finds the page it extends, and the stylesheet nbgrader's page includes
c.GenerateFeedback.HTMLExporter.extra_template_paths = [
    os.path.join(_formgrader, "templates"), os.path.join(_formgrader, "static", "node_modules", "bootstrap", "dist", "css")]
c.GenerateSolution.preprocessors = [IncludeHeaderFooter, LockCells, ClearOutput, ClearHiddenTests,
                                    ClearMarkScheme, Execute]
c.Execute.timeout = 300  # generate_solution executes the notebook: torch's first import is slow
