"""The embedding notebook as data: the one source of source/embedding/embedding.ipynb (English) and
source/embedding-zh/embedding.ipynb (Chinese), written in chapters, one file each, that hold their
prose, code and visible checks together. The notebook is the chapters' cells in the order of CHAPTERS
below:

    authoring/chapters/setup.py                     front matter (introduction, rules for graded code,
                                                    glossary) and the setup cell: the visible checks'
                                                    helpers and the TEXT every part uses (MSG, FONTS)
    authoring/chapters/part1_one_hot_lookup.py      Part 1 · one_hot_lookup, Question 1
    authoring/chapters/part2_embedding_backward.py  Part 2 · embedding_backward, the gradient check
                                                    students write (step), Question 2
    authoring/chapters/part3_embedding_renorm.py    Part 3 · embedding_renorm_, Question 3
    authoring/chapters/part4_embedding_module.py    Part 4 · class Embedding, training a character
                                                    model with it, Question 4
    authoring/chapters/bonus_parts.py               bonus parts A-C (ungraded), Question 5
    authoring/chapters/what_you_built.py            the closing summary

So Part 2's prose, code and visible checks are in authoring/chapters/part2_embedding_backward.py. A
chapter is a plain module with two names: CELLS, its cells in order, written in the cell kinds of
authoring/cells.py (md, code, solution, graded, answer, ...), and TEXT, language -> {key: text} for
the @@key@@ tokens only its own cells use. The hidden tests are not here: autograder/graders/.

Markdown cells are dicts of language -> text (`md(en=..., zh=...)`); code cells are text shared by
every language. Prose inside code is written where it is used, as ⟦English‖中文⟧ (check names, printed
labels, figure text, common causes); the longer pieces -- the stubs' docstrings and the messages of
the visible checks -- live in the chapters' TEXT and stand in the code as a token `@@key@@`. build.py
keeps the edition's side of each. A new language adds an entry to each chapter's TEXT, a keyword to
each md(...) and a side to ⟦…‖…⟧ (build.INLINE_LANGS).

The setup cell (collapsed) holds the visible checks' helpers; their likely causes come from the
grader's catalog (autograder/i18n.py CAUSES), written in as CAUSES for the keys the checks name.

build.py reads NOTEBOOK, DATA, PARTS, WRITTEN_POINTS, TEXT (all chapters' TEXT merged) and CELLS.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))   # the repository root
from authoring.chapters import (  # noqa: E402
    bonus_parts,
    part1_one_hot_lookup,
    part2_embedding_backward,
    part3_embedding_renorm,
    part4_embedding_module,
    setup,
    what_you_built,
)

NOTEBOOK = "embedding.ipynb"   # written to source/<assignment>/
DATA = ("data/sonnets.txt",)   # copied from authoring/ to source/<assignment>/ (released to students)
PARTS = ("one_hot_lookup", "embedding_backward", "embedding_renorm", "embedding_module")
WRITTEN_POINTS = 20            # the written questions' points, graded by hand, on top of the parts' 100

# The notebook's chapters, in order: the one place that order is written.
CHAPTERS = (
    setup,
    part1_one_hot_lookup,
    part2_embedding_backward,
    part3_embedding_renorm,
    part4_embedding_module,
    bonus_parts,
    what_you_built,
)

CELLS = [cell for chapter in CHAPTERS for cell in chapter.CELLS]

# Prose inside code, per language: every chapter's TEXT in one dict (a key belongs to one chapter).
TEXT = {}
for chapter in CHAPTERS:
    for lang, entries in chapter.TEXT.items():
        for key, value in entries.items():
            if key in TEXT.setdefault(lang, {}):
                raise SystemExit(f"{chapter.__name__}: TEXT[{lang!r}][{key!r}] is also another chapter's")
            TEXT[lang][key] = value
