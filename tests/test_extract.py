"""Reading submissions: only what grading needs is kept, bad input becomes a clear message."""
import json
import os

import nbformat
import pytest

from autograder import extract as ex
from autograder.extract import ExtractError, extract
from autograder.i18n import _


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


# ---------------------------------------------------------------- every branch, in process

def _write(path, cells, pad="", **extra):
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": extra.pop("metadata", {}), "cells": cells, **extra}
    if pad:
        nb["metadata"]["pad"] = pad
    path.write_text(json.dumps(nb))
    return path


def _code(source, **meta):
    cell = {"cell_type": "code", "metadata": meta, "source": source, "outputs": [], "execution_count": None}
    return cell


def _error(path) -> str:
    with pytest.raises(ExtractError) as info:
        extract(path)
    return str(info.value)


def test_what_cannot_be_read_is_named(tmp_path):
    missing = tmp_path / "gone.ipynb"
    assert _error(missing) == _("extract.missing", path=missing)
    (tmp_path / "notes.txt").write_text("x")
    assert _error(tmp_path / "notes.txt") == _("extract.wrong_kind", name="notes.txt")
    os.mkfifo(tmp_path / "fifo.py")   # not a regular file: never opened
    assert _error(tmp_path / "fifo.py") == _("extract.wrong_kind", name="fifo.py")
    (tmp_path / "blank.ipynb").write_text(" \n\t")
    assert _error(tmp_path / "blank.ipynb") == _("extract.empty", name="blank.ipynb")
    (tmp_path / "bad.ipynb").write_text("{oops")
    try:
        json.loads("{oops")
    except json.JSONDecodeError as exc:
        assert _error(tmp_path / "bad.ipynb") == _("extract.not_json", name="bad.ipynb", error=exc)
    (tmp_path / "list.ipynb").write_text(json.dumps({"nbformat": 4, "cells": {"a": 1}}))
    assert _error(tmp_path / "list.ipynb") == _("extract.unreadable", name="list.ipynb",
                                                 error="not a JSON object with a list of cells")
    _write(tmp_path / "v3.ipynb", [], nbformat=3)
    assert _error(tmp_path / "v3.ipynb") == _("extract.nbformat", name="v3.ipynb", version=3)
    (tmp_path / "bytes.py").write_bytes(b"x = 1\n\xff")
    assert _error(tmp_path / "bytes.py") == _("extract.not_utf8", name="bytes.py", reason="invalid start byte", start=6)
    (tmp_path / "deep.ipynb").write_text("[" * 100_000 + "]" * 100_000)
    assert _error(tmp_path / "deep.ipynb") == _("extract.too_deep", name="deep.ipynb")


def test_a_notebook_without_cells_or_metadata_is_empty_not_an_error(tmp_path):
    (tmp_path / "n.ipynb").write_text(json.dumps({"nbformat": 4}))
    sub = extract(tmp_path / "n.ipynb")
    assert (sub.chunks, sub.notes, sub.lang, sub.cells) == ([], [], "", 0)


def test_sizes_are_checked_before_and_after_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(ex, "MAX_FILES", 2 << 20)
    big = tmp_path / "big.py"
    big.write_text("x" * ((2 << 20) + 1))
    assert _error(big) == _("extract.too_large", name="big.py", mb=2)
    ok = tmp_path / "ok.py"
    ok.write_text("x = 1\n" * 10)
    assert extract(ok).chunks[0][1].startswith("x = 1")
    folder = tmp_path / "sub"
    folder.mkdir()
    for i in range(3):
        (folder / f"n{i}.ipynb").write_text(json.dumps({"nbformat": 4, "cells": []}) + " " * (1 << 20))
    assert _error(folder) == _("extract.too_large", name="sub", mb=3)
    real_open = os.fdopen

    class Growing:   # the file grew after its size was checked: still refused, never read whole
        def __init__(self, f):
            self.f = f

        def __enter__(self):
            return self

        def __exit__(self, *a):
            self.f.close()

        def read(self, n):
            assert n == ex.MAX_FILES + 1
            return b"y" * n
    monkeypatch.setattr(ex.os, "fdopen", lambda fd, mode: Growing(real_open(fd, mode)))
    assert _error(ok) == _("extract.too_large", name="ok.py", mb=2)


def test_a_file_that_cannot_be_opened_says_why(tmp_path, monkeypatch):
    p = tmp_path / "x.py"
    p.write_text("x = 1")

    def refuse(path, flags):
        assert flags & os.O_NOFOLLOW and flags & os.O_NONBLOCK and not flags & (os.O_WRONLY | os.O_RDWR)
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(ex.os, "open", refuse)
    assert _error(p) == _("extract.unreadable", name="x.py", error="Permission denied")


def test_a_byte_order_mark_is_not_code(tmp_path):
    p = tmp_path / "bom.py"
    p.write_bytes(b"\xef\xbb\xbfX = 1\n")
    assert extract(p).chunks == [["bom.py", "X = 1"]]


def test_json_too_large_for_memory_is_too_large(tmp_path, monkeypatch):
    p = _write(tmp_path / "n.ipynb", [])

    def no_memory(text):
        raise MemoryError
    monkeypatch.setattr(ex.json, "loads", no_memory)
    assert _error(p) == _("extract.too_large", name="n.ipynb", mb=0)


def test_a_folders_notebooks_in_order_without_links_or_checkpoints(tmp_path):
    """Every notebook below the folder, in order; checkpoints skipped silently; a linked folder or
    notebook skipped with a note; other files ignored."""
    (tmp_path / "b").mkdir()
    _write(tmp_path / "b" / "z.ipynb", [_code("B = 1")])
    _write(tmp_path / "a.ipynb", [_code("A = 1")])
    (tmp_path / ".ipynb_checkpoints").mkdir()
    _write(tmp_path / ".ipynb_checkpoints" / "a-checkpoint.ipynb", [_code("C = 1")])
    (tmp_path / "x.py").write_text("D = 1")
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    _write(outside / "o.ipynb", [_code("O = 1")])
    os.symlink(outside, tmp_path / "linked")
    os.symlink(outside / "o.ipynb", tmp_path / "linked.ipynb")
    sub = extract(tmp_path)
    assert [code for _label, code in sub.chunks] == ["A = 1", "B = 1"]
    assert [label for label, _code in sub.chunks] == ["a cell 1", "z cell 1"]
    assert sorted(sub.notes) == sorted([_("extract.symlink", name="linked"), _("extract.symlink", name="linked.ipynb")])
    assert sub.cells == 2
    os.symlink(tmp_path / "a.ipynb", tmp_path.parent / f"{tmp_path.name}-link.ipynb")
    assert _error(tmp_path.parent / f"{tmp_path.name}-link.ipynb") == \
        _("extract.symlink", name=f"{tmp_path.name}-link.ipynb")
    only_links = tmp_path.parent / f"{tmp_path.name}-links"
    only_links.mkdir()
    os.symlink(outside / "o.ipynb", only_links / "o.ipynb")
    assert _error(only_links) == _("extract.no_notebook_in_folder", name=only_links.name)


def test_labels_language_and_which_cells_count(tmp_path):
    """Each code cell is labelled by notebook, position and grade_id (cut at 64 characters); the
    edition's language comes from the notebook's metadata; markdown and junk cells are skipped but
    counted in position; a source given as lines is joined (junk lines dropped)."""
    gid = "g" * 100
    cells = [{"cell_type": "markdown", "source": "# title", "metadata": {}},
             _code(["X = 1\n", 5, "Y = 2"], nbgrader={"grade_id": gid, "solution": True}),
             "junk", _code(7), _code("Z = 3", nbgrader={"grade_id": "", "solution": True})]
    sub = extract(_write(tmp_path / "hw.ipynb", cells, metadata={"embedding_kit": {"lang": "zh"}}))
    assert sub.chunks == [[f"hw cell 2 ({'g' * 63}…)", "X = 1\nY = 2"], ["hw cell 5", "Z = 3"]]
    assert sub.lang == "zh" and sub.cells == 3
    for meta, lang in (({"embedding_kit": "zh"}, ""), ({"embedding_kit": {"lang": 3}}, "3"), ({}, ""), ([], "")):
        assert extract(_write(tmp_path / "l.ipynb", [], metadata=meta)).lang == lang


def test_course_cells_contribute_only_imports_and_definitions(tmp_path):
    """A cell with nbgrader metadata that is not a solution, or tagged provided, keeps imports,
    functions and classes only; a solution cell keeps assignments, ifs and trys too."""
    src = "import math\nfrom os import path\nX = 1\nY: int = 2\nX += 1\nif X:\n    pass\ntry:\n    pass\nexcept Exception:\n    pass\n" \
          "def f():\n    pass\nasync def g():\n    pass\nclass C:\n    pass\n"
    kinds = {"solution": _code(src, nbgrader={"grade_id": "s", "solution": True}),
             "locked": _code(src, nbgrader={"grade_id": "l", "solution": False}),
             "tagged": _code(src, tags=["provided"], nbgrader={"grade_id": "t", "solution": True}),
             "plain": _code(src), "empty_meta": _code(src, nbgrader={}), "bad_tags": _code(src, tags="provided")}
    for kind, cell in kinds.items():
        [(label, code)] = extract(_write(tmp_path / f"{kind}.ipynb", [cell])).chunks
        kept = [ln for ln in code.splitlines() if ln]
        if kind in ("locked", "tagged"):
            assert kept == ["import math", "from os import path", "def f():", "    pass", "class C:", "    pass"], kind
        else:
            assert "X = 1" in kept and "Y: int = 2" in kept and "X += 1" in kept and "if X:" in kept \
                and "try:" in kept and "async def g():" in kept, kind


def test_a_solution_cell_names_what_it_does_not_run(tmp_path):
    """Up to five top-level statements of a solution cell that the grader skips are named (a
    docstring is not); other cells are not told; long lines are cut."""
    calls = "\n".join(f"print({i})" for i in range(7))
    src = '"""A docstring."""\n' + calls + "\nx = 1\n" + "train(" + "a" * 80 + ")\n"
    sub = extract(_write(tmp_path / "n.ipynb", [_code(src, nbgrader={"grade_id": "s", "solution": True})]))
    label = "n cell 1 (s)"
    assert sub.notes == [_("extract.skipped", label=label, line=i + 2, code=f"print({i})") for i in range(5)]
    assert sub.chunks[0][1].splitlines()[8] == "x = 1"
    sub = extract(_write(tmp_path / "m.ipynb", [_code("x = 1\ntrain(" + "a" * 80 + ")",
                                                      nbgrader={"grade_id": "s", "solution": True})]))
    assert sub.notes == [_("extract.skipped", label=label.replace("n ", "m "), line=2, code="train(" + "a" * 51 + "...")]
    assert ex._first_line("x" * 60, type("N", (), {"lineno": 1})) == "x" * 60
    sub = extract(_write(tmp_path / "p.ipynb", [_code(src)]))
    assert sub.notes == []


def test_decorators_keep_their_lines_and_class_extensions_are_kept(tmp_path):
    src = "import functools\n\n@functools.cache\ndef f():\n    return 1\nsetattr(Embedding, 'extra_repr', f)\n" \
          "setattr(Embedding, name, f)\nsetattr(obj.x, 'a', f)\nsetattr(Embedding, 'a')\nsetattr(Embedding, 'a', f, k=1)\n" \
          "getattr(Embedding, 'a', f)\nEmbedding.x(1, 'a', 2)\nsetattr(Embedding, 3, f)\n"
    [(_label, code)] = extract(_write(tmp_path / "d.ipynb", [_code(src)])).chunks
    lines = code.split("\n")
    assert lines[2:5] == ["@functools.cache", "def f():", "    return 1"] and lines[1] == ""
    assert lines[5] == "setattr(Embedding, 'extra_repr', f)" and all(ln == "" for ln in lines[6:])
    assert ex._extends_a_class(ast_stmt("setattr(E, 'a', f)")) and not ex._extends_a_class(ast_stmt("f(E, 'a', g)"))
    assert ex._is_docstring(ast_stmt("'doc'")) and ex._is_docstring(ast_stmt("3")) and not ex._is_docstring(ast_stmt("f()"))


def ast_stmt(src):
    import ast
    return ast.parse(src).body[0]


def test_magics_become_comments_and_a_cell_magic_drops_the_cell():
    assert ex._strip_magics("%%timeit\nx = 1") == ""
    assert ex._strip_magics("  %%bash\nls") == ""
    assert ex._strip_magics("x = 1\n  %time y = 2\n!ls\n z = '%'") == "x = 1\n#  %time y = 2\n#!ls\n z = '%'"
    assert ex._strip_magics("") == "" and ex._strip_magics("x = 1\n%%not first") == "x = 1\n#%%not first"


def test_syntax_errors_are_noted_with_their_line(tmp_path):
    sub = extract(_write(tmp_path / "s.ipynb", [_code("x = 1\ny = (\n"), _code("a\x00b = 1"), _code("ok = 1")]))
    assert sub.chunks == [["s cell 3", "ok = 1"]]
    assert sub.notes[0] == _("extract.syntax", label="s cell 1", where=_("extract.syntax_line", line=2),
                             error="'(' was never closed")
    try:
        compile("a\x00b = 1", "x", "exec")
    except (SyntaxError, ValueError) as exc:   # no line number: no "(line n)"
        assert sub.notes[1] == _("extract.syntax", label="s cell 2", where="", error=getattr(exc, "msg", exc))


def test_code_is_capped_per_submission_with_a_note(tmp_path, monkeypatch):
    """A running total of the code kept: a cell that would pass MAX_SOURCE is skipped with a note
    (a very large one before it is even parsed); the cells after it still count if they fit."""
    monkeypatch.setattr(ex, "MAX_SOURCE", 100)
    cells = [_code("a = 1  # " + "x" * 50), _code("b = 2  # " + "y" * 50), _code("c = 3"), _code("d = '" + "z" * 60 + "'"),
             _code("e = 5")]
    sub = extract(_write(tmp_path / "c.ipynb", cells))
    assert [label for label, _c in sub.chunks] == ["c cell 1", "c cell 3", "c cell 5"]
    assert sub.notes == [_("extract.code_too_large", label="c cell 2", mb=0),
                         _("extract.code_too_large", label="c cell 4", mb=0)]
    assert sub.size == len(cells[0]["source"]) + 5 + 5
    assert len(sub.trees) == 3 and sub.trees[1][0] == "c cell 3"
    monkeypatch.setattr(ex, "MAX_SOURCE", 2 << 20)
    sub = ex.Submission(size=(2 << 20) - 10)
    ex._add(sub, "big", "x = 1\n" * 200_000, keep=ex.KEEP)
    assert sub.notes == [_("extract.code_too_large", label="big", mb=2)] and sub.chunks == []


def test_cells_are_capped_per_submission(tmp_path, monkeypatch):
    monkeypatch.setattr(ex, "MAX_CELLS", 2)
    cells = [_code(f"v{i} = {i}") for i in range(4)]
    cells.insert(1, {"cell_type": "markdown", "source": "m", "metadata": {}})
    sub = extract(_write(tmp_path / "k.ipynb", cells))
    assert [c for _l, c in sub.chunks] == ["v0 = 0", "v1 = 1"] and sub.cells == 3
    assert sub.notes == [_("extract.too_many_cells", label="k cell 4", cells=2)]


def test_a_notebook_in_memory_is_read_as_a_file_would_be(tmp_path):
    nb = {"nbformat": 4, "metadata": {"embedding_kit": {"lang": "en"}}, "cells": [_code("A = 1"), _code("print(A)")]}
    sub = ex.from_notebook_node(nb)
    assert sub.chunks == [["notebook cell 1", "A = 1"]] and sub.lang == "en"
    assert ex.from_notebook_node(nb, "mine").chunks[0][0] == "mine cell 1"
    with pytest.raises(ExtractError) as info:
        ex.from_notebook_node({"nbformat": 3}, "old")
    assert str(info.value) == _("extract.nbformat", name="old", version=3)


def test_text_from_the_notebook_is_valid_utf8(tmp_path):
    p = tmp_path / "u.ipynb"
    p.write_text('{"nbformat": 4, "cells": [{"cell_type": "code", "metadata": {"nbgrader": {"grade_id": "\\udcff", '
                 '"solution": true}}, "source": "S = \'\\udcff\'"}]}')
    [(label, code)] = extract(p).chunks
    assert label == "u cell 1 (\\udcff)" and code == "S = '\\udcff'"


def test_parsed_cells_are_reused_and_bounded(monkeypatch):
    """A cell parsed before is not parsed again (the class's notebooks share most cells); a cell
    too long, or one that does not parse, is not kept; the oldest go first when the source kept
    would pass its bound."""
    monkeypatch.setattr(ex, "_PARSED", {})
    monkeypatch.setattr(ex, "_parsed_chars", [0])
    monkeypatch.setattr(ex, "PARSED_CHARS", 8)
    monkeypatch.setattr(ex, "PARSED_CELL_CHARS", 5)
    a, b, c = "a=1", "b=2", "c=3"
    tree = ex._parse(a)
    assert ex._parse(a) is tree and list(ex._PARSED) == [a]
    ex._parse(b)
    ex._parse(c)
    assert list(ex._PARSED) == [b, c] and ex._parse(a) is not tree
    long = "x=1\n" * 2
    ex._parse(long)
    assert long not in ex._PARSED
    edge = "y=123"
    ex._parse(edge)
    assert list(ex._PARSED) == [a, edge] and ex._parsed_chars[0] == 8
    with pytest.raises(SyntaxError):
        ex._parse("def (")
    assert "def (" not in ex._PARSED


def test_a_py_file_is_not_told_what_it_does_not_run(tmp_path):
    p = tmp_path / "sub.py"
    p.write_text("X = 1\nprint(X)\n")
    sub = extract(p)
    assert sub.chunks == [["sub.py", "X = 1\n"]] and sub.notes == []


def test_a_parse_without_a_line_number_is_noted_without_one(tmp_path):
    """ast.parse can fail without a SyntaxError's line and message (too deep: RecursionError)."""
    deep = "a" + "[0]" * 100_000
    sub = extract(_write(tmp_path / "r.ipynb", [_code(deep), _code("ok = 1")]))
    assert sub.chunks == [["r cell 2", "ok = 1"]]
    try:
        ex._parse(deep) if hasattr(ex, "_parse") else __import__("ast").parse(deep)
    except RecursionError as exc:
        assert sub.notes == [_("extract.syntax", label="r cell 1", where="", error=exc)]


def test_the_code_cap_counts_what_is_kept_not_what_is_written(tmp_path, monkeypatch):
    """Before parsing, only a cell of more than half the cap that would pass it is skipped unread;
    a smaller one is parsed, and counts only with what is kept of it (calls dropped); the cap itself
    may be reached exactly."""
    monkeypatch.setattr(ex, "MAX_SOURCE", 100)

    def string(name, n):   # an assignment of n characters
        return f"{name} = '" + name * (n - 6) + "'"

    def mostly_calls(n):   # n characters, of which "x = 1\n" (6) is kept
        return "x = 1\n" + "print('" + "p" * (n - 15) + "')"
    sub = extract(_write(tmp_path / "k.ipynb", [_code(string("a", 59)), _code(mostly_calls(45)), _code(string("b", 35)),
                                                 _code("c = 1")]))
    assert [label for label, _c in sub.chunks] == ["k cell 1", "k cell 2", "k cell 3"] and sub.size == 100
    assert sub.notes == [_("extract.code_too_large", label="k cell 4", mb=0)]
    cases = {(29, 80): ([_("extract.code_too_large", label="s cell 2", mb=0)], 29),   # over half, over the cap: unread
             (59, 50): ([], 65),    # half the cap: parsed, and it fits
             (49, 51): ([], 55)}    # over half, reaching the cap exactly: parsed
    for (first, second), (notes, size) in cases.items():
        sub = extract(_write(tmp_path / "s.ipynb", [_code(string("a", first)), _code(mostly_calls(second))]))
        assert (sub.notes, sub.size) == (notes, size), (first, second)
    monkeypatch.setattr(ex, "MAX_SOURCE", 4 << 20)
    sub = ex.Submission(size=(4 << 20) - 10)
    ex._add(sub, "big", "x = 1\n" * 10, keep=ex.KEEP)   # parsed, then over the cap: said in megabytes
    assert sub.notes == [_("extract.code_too_large", label="big", mb=4)]


def test_limits_are_inclusive(tmp_path, monkeypatch):
    monkeypatch.setattr(ex, "MAX_FILES", 1000)
    p = tmp_path / "edge.py"
    p.write_text("x = 1" + " " * 995)
    assert extract(p).chunks[0][1].startswith("x = 1")
    folder = tmp_path / "f"
    folder.mkdir()
    text = json.dumps({"nbformat": 4, "cells": []})
    (folder / "n.ipynb").write_text(text + " " * (1000 - len(text)))
    assert extract(folder).chunks == []
    assert ex._first_line("y" * 61, type("N", (), {"lineno": 1})) == "y" * 57 + "..."


def test_json_too_large_for_memory_says_its_size(tmp_path, monkeypatch):
    p = _write(tmp_path / "big.ipynb", [], pad=" " * (3 << 20))

    def no_memory(text):
        raise MemoryError
    monkeypatch.setattr(ex.json, "loads", no_memory)
    assert _error(p) == _("extract.too_large", name="big.ipynb", mb=3)


def test_cells_are_read_whatever_their_json_holds():
    """nbgrader metadata without "solution" is a course cell; a solution cell with no source, or a
    source that is neither text nor lines, adds nothing and says nothing; metadata, kit metadata or
    cells of the wrong type are ignored."""
    src = "import os\nX = 1\n"
    sub = ex.from_notebook_node({"nbformat": 4, "cells": [
        _code(src, nbgrader={"grade_id": "given"}),
        {"cell_type": "code", "metadata": {"nbgrader": {"grade_id": "s", "solution": True}}},
        _code(7, nbgrader={"grade_id": "t", "solution": True})]})
    assert sub.chunks == [["notebook cell 1 (given)", "import os\n"]] and sub.notes == [] and sub.cells == 3
    assert ex.from_notebook_node({"nbformat": 4, "metadata": "zh"}).lang == ""
    assert ex.from_notebook_node({"nbformat": 4, "metadata": {"embedding_kit": {}}}).lang == ""
    assert ex.from_notebook_node({"nbformat": 4, "cells": None}).chunks == []


def test_parsed_cells_kept_for_the_class_are_bounded_by_their_source(tmp_path, monkeypatch):
    """Parsed cells are reused across a class's notebooks: do many large distinct cells (a
    submission's worth, then more) keep the parsed source within its bound, the oldest going first,
    while a cell seen again is the very tree parsed before?"""
    from autograder import extract as extract_module
    monkeypatch.setattr(extract_module, "_PARSED", {})
    monkeypatch.setattr(extract_module, "_parsed_chars", [0])
    cells = [f"x{i} = {i}\n" + "y = 1\n" * 9000 for i in range(40)]   # ~54k characters each
    first = extract_module._parse(cells[0])
    assert extract_module._parse(cells[0]) is first
    for cell in cells:
        extract_module._parse(cell)
    kept = extract_module._PARSED
    assert sum(map(len, kept)) == extract_module._parsed_chars[0] <= extract_module.PARSED_CHARS
    assert cells[-1] in kept and cells[0] not in kept
    huge = "z = 0\n" * 20000   # longer than a cell kept: parsed, not kept
    extract_module._parse(huge)
    assert huge not in kept
