"""Reading submissions: only what grading needs is kept, bad input becomes a clear message."""
import nbformat
import pytest

from autograder.extract import ExtractError, extract


def _nb(tmp_path, *cells, name="embedding.ipynb"):
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    path = tmp_path / name
    nbformat.write(nb, path)
    return path


def test_calls_loops_and_prints_are_dropped_definitions_kept(tmp_path):
    """Are imports, defs and assignments kept, and calls, loops and prints (a training run) dropped?"""
    src = "import torch\nX = 3\ndef f():\n    return X\nprint('hi')\nfor i in range(10**9):\n    pass\nf()\n"
    sub = extract(_nb(tmp_path, nbformat.v4.new_code_cell(src)))
    code = sub.chunks[0][1]
    assert "def f" in code and "X = 3" in code and "print" not in code and "range" not in code
    assert code.splitlines()[2] == "def f():", "line numbers must survive for tracebacks"


def test_provided_cells_keep_only_imports_and_definitions(tmp_path):
    """Does a cell tagged 'provided' (course code) contribute no assignments that could run work?"""
    cell = nbformat.v4.new_code_cell("import math\nlosses = train_for_an_hour()\ndef helper():\n    pass\n")
    cell.metadata["tags"] = ["provided"]
    code = extract(_nb(tmp_path, cell)).chunks[0][1]
    assert "train_for_an_hour" not in code and "def helper" in code


def test_magics_and_syntax_errors_do_not_stop_the_rest(tmp_path):
    """Are IPython magics ignored and a cell with a syntax error skipped with a note?"""
    sub = extract(_nb(tmp_path, nbformat.v4.new_code_cell("%matplotlib inline\nimport torch"),
                      nbformat.v4.new_code_cell("def broken(:\n"), nbformat.v4.new_code_cell("Y = 1")))
    assert [c[1].strip() for c in sub.chunks] == ["import torch", "Y = 1"]
    assert "not valid Python" in sub.notes[0]


@pytest.mark.parametrize("content,message", [
    (b"", "is empty"), (b"{not json", "not a valid notebook"), (b'{"nbformat": 3, "cells": []}', "nbformat"),
    (b"\xff\xfe\x00garbage", "not UTF-8")])
def test_unreadable_notebooks_are_explained(tmp_path, content, message):
    """Does a notebook that is empty, not JSON, nbformat 3 or not UTF-8 give a clear message?"""
    path = tmp_path / "embedding.ipynb"
    path.write_bytes(content)
    with pytest.raises(ExtractError, match=message):
        extract(path)


def test_a_folder_without_notebooks_is_explained(tmp_path):
    """Does a submission folder with no notebook say so?"""
    (tmp_path / "notes.txt").write_text("hi")
    with pytest.raises(ExtractError, match="holds no notebook"):
        extract(tmp_path)


def test_malformed_cells_are_skipped_not_fatal(tmp_path):
    """A notebook whose cells carry junk metadata or are not objects: the good cells still count;
    a top-level JSON list is refused with a message."""
    import json
    from autograder.extract import ExtractError, extract
    good = {"cell_type": "code", "metadata": {}, "source": "def one_hot_lookup(i, w):\n    return w\n"}
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
          "cells": [good, "junk", {"cell_type": "code", "metadata": [1, 2], "source": "x = 1"},
                    {"cell_type": "code", "metadata": {"nbgrader": "flipped", "tags": "provided"}, "source": "y = 2"}]}
    path = tmp_path / "odd.ipynb"
    path.write_text(json.dumps(nb))
    sub = extract(path)
    assert any("def one_hot_lookup" in code for _, code in sub.chunks)
    path.write_text("[1, 2, 3]")
    with pytest.raises(ExtractError, match="not a JSON object"):
        extract(path)


def test_deleted_cells_and_huge_outputs(grader, tmp_path):
    """A solution notebook with part 3's solution cell deleted and a 5 MB output in another cell:
    does part 3 alone score zero, saying what is missing, and the outputs change nothing?"""
    import nbformat
    from conftest import ROOT
    nb = nbformat.read(ROOT / "solutions" / "embedding" / "embedding.ipynb", 4)
    nb.cells = [c for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") != "embedding_renorm_code"]
    code = next(c for c in nb.cells if c.cell_type == "code")
    code.outputs = [nbformat.v4.new_output("stream", name="stdout", text="x" * (5 << 20))]
    path = tmp_path / "embedding.ipynb"
    nbformat.write(nb, path)
    result = grader.grade(path)
    renorm = result.parts["embedding_renorm"]
    assert renorm.score == 0 and "embedding_renorm_" in renorm.tests[0].message
    assert result.parts["one_hot_lookup"].score == 25 and result.parts["embedding_backward"].score == 25


def test_skipped_statements_in_solution_cells_are_named(tmp_path):
    """Does a solution cell's top-level call (not run by the grader) come back as a note naming its
    cell and line, while `setattr(Embedding, "name", f)` is kept like an assignment?"""
    import json
    from autograder.extract import extract
    src = ("class Embedding:\n    pass\n\n"
           "def _extra_repr(self):\n    return 'x'\n\n"
           "setattr(Embedding, 'extra_repr', _extra_repr)\n"
           "print('trying it out')\n")
    cell = {"cell_type": "code", "metadata": {"nbgrader": {"solution": True, "grade_id": "embedding_module_code"}},
            "source": src, "outputs": [], "execution_count": None}
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [cell]}))
    sub = extract(path)
    code = sub.chunks[0][1]
    assert "setattr(Embedding, 'extra_repr', _extra_repr)" in code and "print(" not in code
    assert any("line 8" in n and "print('trying it out')" in n for n in sub.notes), sub.notes
    assert not any("setattr" in n for n in sub.notes), sub.notes


def test_a_folder_of_notebooks_keeps_what_grading_judges(tmp_path):
    """Does a submission folder (nbgrader's submitted/<student>/<assignment>/) keep the notebook's
    code, its parsed definitions (what the rules judge) and its edition's language?"""
    import shutil
    from conftest import ROOT
    folder = tmp_path / "alice" / "embedding-zh"
    folder.mkdir(parents=True)
    shutil.copy(ROOT / "solutions" / "embedding-zh" / "embedding.ipynb", folder)
    sub = extract(folder)
    names = {getattr(node, "name", None) for _label, body in sub.trees for node in body}
    assert {"one_hot_lookup", "embedding_backward", "embedding_renorm_", "Embedding"} <= names
    assert sub.lang == "zh" and sub.chunks
