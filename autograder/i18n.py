"""The grader's words, per language: every sentence a student reads in a report is a template here.

    from .i18n import _
    _("judge.not_raised", error="IndexError", message="...")

The language is a context variable: `with use("zh"): ...` around grading and reporting (the batch
and the nbgrader bridge take it from the assignment: ASSIGNMENT_LANG). Checks' questions are their
docstrings in English; other languages give them by case key ("part/name") in lang_<code>.py.
A missing translation falls back to English; tests/test_i18n.py fails when one is missing.
"""
import contextlib
from contextvars import ContextVar

from .parts import EDITIONS

LANGS = ("en", "zh")
ASSIGNMENT_LANG = EDITIONS   # the registry's (parts.py)
_LANG: ContextVar[str | None] = ContextVar("kit_lang", default=None)   # None: nobody chose (English)

EN = {
    # parts (titles in reports)
    "part.one_hot_lookup": "Lookup as a one-hot product",
    "part.embedding_backward": "Backward with padding_idx and scale_grad_by_freq",
    "part.embedding_renorm": "max_norm: in-place renormalisation",
    "part.embedding_module": "The Embedding module",
    # report framing
    "report.part_points": "{part}: {score:.2f} / {max:.0f} points",
    "report.pass": "PASS",
    "report.fail": "FAIL",
    "report.notes": "Notes:",
    "report.note": "note: {note}",
    "report.as_above": "(as above)",
    # questions the grader itself asks (not a check's docstring)
    "q.uses_its_own_code": "Does the code compute the result itself, without torch's own embedding ops?",
    "q.submission_readable": "Can the submission be read?",
    # reading the submission (every part scores zero)
    "extract.no_notebook_in_folder": "the folder {name}/ holds no notebook (.ipynb)",
    "extract.missing": "{path} does not exist",
    "extract.wrong_kind": "{name}: expected a notebook (.ipynb), a folder of notebooks or a .py file",
    "extract.too_large": "{name} is {mb} MB: too large to be a submission",
    "extract.not_utf8": "{name} is not UTF-8 text ({reason} at byte {start})",
    "extract.empty": "{name} is empty",
    "extract.not_json": "{name} is not a valid notebook (not JSON: {error})",
    "extract.unreadable": "{name} is not a notebook nbformat can read ({error})",
    "extract.nbformat": "{name} is nbformat {version}; expected nbformat 4",
    "extract.syntax": "{label}: not valid Python{where}: {error}; it was skipped",
    "extract.syntax_line": " (line {line})",
    "extract.skipped": "{label}, line {line}: `{code}` was not run by the grader (it runs only imports, definitions and assignments); put it inside a function, or write it as an assignment",
    "extract.code_too_large": "{label}: skipped, the submission's code exceeds {mb} MB",
    "extract.symlink": "{name} is a symbolic link: the grader reads only the submission's own files",
    "extract.too_deep": "{name} is not a notebook the grader can read (its JSON is nested too deeply)",
    "extract.too_many_cells": "{label}: skipped, with every later cell: a submission may have at most {cells} code cells",
    # running a part
    "run.not_graded": "Your code for {part} could not be graded: {detail}.",
    "run.not_graded_job": "could not be graded: {detail}.",
    "run.budget_used": "the time allowed for the whole submission was used up by its earlier parts",
    "run.grader_error": "the grader itself failed on this check ({error}); this is not your code's fault",
    "run.last_output": " Its last output was:\n{output}",
    "run.no_result": "no result came back",
    "run.malformed": "its results were malformed ({error})",
    "run.incomplete": "its results were incomplete",
    "run.zygote_gone": "the sandbox's zygote process ended unexpectedly",
    "run.too_much_output": "the results were larger than {mb} MB",
    "run.timeout": "it ran longer than the {seconds:g} s allowed, and was stopped",
    "run.exited": "the process exited with status {code} before finishing",
    "run.signal": "the process died from {signal}",
    "run.SIGXCPU": "the process died from SIGXCPU: it used more CPU time than allowed",
    "run.SIGXFSZ": "the process died from SIGXFSZ: it wrote more output than allowed",
    "run.SIGKILL": "the process died from SIGKILL: it was killed (out of memory, or it killed itself)",
    "run.SIGSEGV": "the process died from SIGSEGV: it crashed (segmentation fault)",
    "run.SIGABRT": "the process died from SIGABRT: it aborted",
    "run.cell_raised": "{where}{line} raised {error}",
    "run.cell_line": ", line {line}",
    "run.not_defined": "`{names}` is not defined.",
    "run.not_defined_error": "`{names}` is not defined (a cell that should define it raised an error: see the notes).",
    # judging one observation
    "judge.not_raised": "torch raises {error} here ({message}), but yours did not raise.",
    "judge.raised": "yours raised {error}: {message}",
    "judge.missing_key": "`{key}` is missing from what your code produced.",
    # the part-level rules
    "rule.where": "{label}, line {line}: `{code}` ({rule})",
    "rule.torch_embedding": "torch's own embedding",
    "rule.dynamic": "dynamic attribute access or code generation",
    "rule.processes": "threads or processes",
    "rule.kit": "the grader's own code",
    "rule.static": "The graded code may not use this (see the rules at the top of the notebook): {hits}. This part scores zero.",
    "rule.one_hot_behaviour": "The lookup must be a one-hot product (one_hot(indices) @ weight): a product spreads an inf in a row nobody looks up into NaN down its column, and turns -0.0 into +0.0; yours does neither, so it indexes the table. This part scores zero.",
    "rule.refusal_needs_work": "Raising on bad input earns points only when the same function also works on valid input; it does not here.",
    # comparing a value with torch's (compare.py)
    "cmp.torch_raises": "{what}: torch raises here ({error}), but yours returned {got}.",
    "cmp.yours_raised": "{what}: yours raised {got} where torch returns {expected}.",
    "cmp.value": "{what}: expected {expected}, got {got}.",
    "cmp.shape": "{what}: expected shape {expected}, got {got}.",
    "cmp.dtype": "{what}: expected dtype {expected}, got {got}.",
    "cmp.device": "{what}: expected a tensor on {expected}, got one on {got}.",
    "cmp.a_tensor": "a tensor of shape {shape} and dtype {dtype}",
    "cmp.an_exception": "an exception ({error})",
    "cmp.differ": "{what}: values differ at {bad} of {total} positions (tolerance: {tol}); first at index {where}: "
                  "got {got}, expected {expected}",
    "cmp.largest": "; largest difference at {where}: got {got}, expected {expected}",
    "cmp.listing": ".\n    got:      {got}\n    expected: {expected}",
    "cmp.tol_exact": "exact",
    "cmp.tol_half": "twice torch's own error against float64, or count·eps·max|g|",
    "cmp.tol_close": "atol {atol:g} + rtol {rtol:g}·|expected|",
    "cmp.something": "<{what}>",
}


def _catalogs() -> dict:
    from . import lang_zh
    return {"en": EN, "zh": lang_zh.MESSAGES}


def _questions(lang: str) -> dict:
    if lang == "zh":
        from . import lang_zh
        return lang_zh.QUESTIONS
    return {}


def lang() -> str:
    return _LANG.get() or "en"


def chosen() -> bool:
    """Whether a language was chosen around this code (else the submission's own edition may decide)."""
    return _LANG.get() is not None


@contextlib.contextmanager
def use(code: str | None):
    """Messages made inside are in language `code` (None or unknown: English)."""
    token = _LANG.set(code if code in LANGS else "en")
    try:
        yield
    finally:
        _LANG.reset(token)


def _(key: str, **args) -> str:
    """The message `key` in the current language, formatted with args."""
    code = lang()
    catalog = EN if code == "en" else _catalogs().get(code, EN)
    return catalog.get(key, EN[key]).format(**args)


def question(part: str, name: str, english: str) -> str:
    """A check's question (its docstring in English) in the current language."""
    return _questions(lang()).get(f"{part}/{name}", english)
