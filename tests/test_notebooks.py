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
