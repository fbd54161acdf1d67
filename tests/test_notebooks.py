"""The notebooks themselves: the released one scores zero, the solutions score full marks, and the
solution notebook runs top to bottom quickly, with nothing on stderr."""
import time

import nbformat
import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow
RELEASED = ROOT / "assignments" / "embedding" / "embedding.ipynb"
SOLUTION = ROOT / "solutions" / "embedding" / "embedding.ipynb"


def test_released_notebook_scores_zero(grader):
    """Do the untouched stubs get zero on every part?"""
    result = grader.grade(RELEASED)
    assert result.score == 0, result.to_json()


@pytest.mark.parametrize("path", [SOLUTION, ROOT / "source" / "embedding" / "embedding.ipynb",
                                  ROOT / "source" / "embedding-zh" / "embedding.ipynb"], ids=["solutions", "source", "source-zh"])
def test_solutions_score_full_marks(grader, path):
    """Do the worked solutions (and the source they come from) get every point?"""
    result = grader.grade(path)
    assert result.score == result.max_score, [(p, t.name, t.message) for p, part in result.parts.items()
                                              for t in part.tests if not t.passed]


@pytest.mark.parametrize("edition", ["embedding", "embedding-zh"])
def test_solution_notebook_runs_clean_and_fast(tmp_path, edition):
    """Does the solution notebook (each edition) run top to bottom on CPU in under 2 minutes, writing
    nothing to stderr?"""
    from nbclient import NotebookClient
    nb = nbformat.read(ROOT / "source" / edition / "embedding.ipynb", 4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT / "source" / edition)}}).execute()
    elapsed = time.perf_counter() - start
    stderr = [o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "stream" and o.get("name") == "stderr"]
    assert not stderr, stderr
    assert elapsed < 120, elapsed


@pytest.mark.parametrize("edition", ["embedding", "embedding-zh"])
def test_run_all_finishes_on_the_released_notebook(tmp_path, edition):
    """Does Run All reach the end of the released notebook (every stub unwritten): each part's checks
    shown red as an error output without stopping the kernel's run, the demos that need unwritten
    code saying so, the setup cell folded?"""
    import shutil

    from nbclient import NotebookClient
    folder = tmp_path / edition
    shutil.copytree(ROOT / "assignments" / edition, folder)
    nb = nbformat.read(folder / "embedding.ipynb", 4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(folder)}}).execute()
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.get("execution_count") for c in code)                  # every cell ran: nothing stopped it
    red = [o for c in code for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert {o["ename"] for o in red} == {"VisibleChecksFailed"}, [(o["ename"], o["evalue"][:200]) for o in red]
    graded = [c for c in code if c.metadata.get("nbgrader", {}).get("grade")]
    assert all(any(o.get("output_type") == "error" for o in c.outputs) for c in graded)   # each part: red
    setup = next(c for c in code if c.metadata.get("nbgrader", {}).get("grade_id") == "setup")
    assert setup.metadata["jupyter"]["source_hidden"] is True
