"""The embedding notebook's chapters, one module per part of the notebook (prose, code and visible
checks together): each has CELLS, its cells in order, and TEXT, the prose only its cells use. Their
order, and what they hold, is in authoring/embedding.py (CHAPTERS)."""
