"""Steps of nbgrader's generate_feedback (and autograde) that the kit adds (see nbgrader_config.py), and the
template they feed (autograder/templates/kit_feedback: nbgrader's feedback page with the parts
named in its contents list, long lines wrapped, and no MathJax from a CDN).

Math is turned into MathML when the feedback is made, so it renders in any browser offline and
in JupyterLab's HTML viewer, which runs no scripts. MathML is some 25 times longer than the LaTeX
it replaces, so a notebook's markdown is converted only up to a budget (MathBudget): a student's
notebook of dense math keeps its LaTeX past it, instead of growing 25-fold (and costing seconds)."""
import functools
import re
from pathlib import Path

from latex2mathml.converter import convert
from nbconvert.preprocessors import Preprocessor
from nbgrader.preprocessors import ClearHiddenTests
from traitlets import Bool, List

from .i18n import ASSIGNMENT_LANG, _, use
from .parts import PARTS

TEMPLATES = Path(__file__).resolve().parent / "templates"
# code is left alone: fenced blocks and inline code spans
CODE = re.compile(r"(```.*?```|`[^`\n]*`)", re.S)
# $$display$$ or $inline$ (not \$, not "$5 and $6": no space inside the dollars, no digit after)
MATH = re.compile(r"\$\$(.+?)\$\$|(?<![\\$])\$(?![\s$])([^$\n]+?)(?<![\s\\])\$(?!\d)", re.S)


MATH_CELL = 16 << 10      # characters: a longer markdown cell keeps its LaTeX (the course's longest: 4.3 K)
MATH_GROWTH = 256 << 10   # characters MathML may add to one notebook (the course's own markdown: 9 K)


@functools.lru_cache(maxsize=512)   # a class's notebooks share almost every markdown cell
def to_mathml(markdown: str) -> str:
    """The markdown with each $...$ and $$...$$ replaced by MathML (left as it was where it will not parse)."""
    def one(m):
        latex, display = (m.group(1), "block") if m.group(1) is not None else (m.group(2), "inline")
        try:
            return convert(latex.strip(), display=display).replace("\n", "")
        except Exception:  # noqa: BLE001 - LaTeX that latex2mathml does not know stays as text
            return m.group(0)
    pieces = CODE.split(markdown)
    return "".join(p if i % 2 else MATH.sub(one, p) for i, p in enumerate(pieces))


class MathBudget:
    """to_mathml for one notebook's markdown cells, in order, until they have grown by MATH_GROWTH
    characters; a cell longer than MATH_CELL, and every cell after the budget ran out, keeps its LaTeX."""

    def __init__(self):
        self.left = MATH_GROWTH

    def __call__(self, markdown: str) -> str:
        if len(markdown) > MATH_CELL or self.left <= 0:
            return markdown
        out = to_mathml(markdown)
        grown = len(out) - len(markdown)
        self.left -= grown
        return out if self.left >= 0 else markdown


class MathToMathML(Preprocessor):
    """Markdown cells' LaTeX becomes MathML (the stock feedback page loads MathJax from a CDN)."""
    enabled = Bool(True)   # nbconvert's preprocessors are off unless enabled

    def preprocess(self, nb, resources):
        self._mathml = MathBudget()   # one budget per notebook
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown" and not cell.get("metadata", {}).get("nbgrader"):   # never a graded answer
            cell.source = self._mathml(cell.source)
        return cell, resources


class NamePartsInFeedback(Preprocessor):
    """The feedback's contents list names each graded cell by its part (stock nbgrader: "Test cell")."""
    enabled = Bool(True)

    def preprocess(self, nb, resources):
        lang = nb.metadata.get("embedding_kit", {}).get("lang") or \
            ASSIGNMENT_LANG.get(resources.get("nbgrader", {}).get("assignment"), "en")
        with use(lang):
            resources.setdefault("kit", {})["part_names"] = {p.id: _("part." + p.id) for p in PARTS}
        return nb, resources


class QuietClearHiddenTests(ClearHiddenTests):
    """nbgrader's ClearHiddenTests. HTMLExporter configures display_data_priority for every
    preprocessor, and nbgrader's base class redeclares that trait as not configurable: traitlets
    warned "Config option `display_data_priority` not recognized" at every student's feedback."""
    display_data_priority = List(["text/html", "application/pdf", "text/latex", "image/svg+xml", "image/png",
                                  "image/jpeg", "text/plain"]).tag(config=True)   # nbgrader's default
