"""The registry of the assignment's parts: one id per part, used everywhere.

The id is the notebook's nbgrader grade_id of the part's graded cell, the part's solution cell is
"<id>_code", the hidden tests live in autograder/graders/test_<id>.py, and reports use the id as
the row. To add a part: add it here, write autograder/graders/test_<id>.py, give its API names a
stand-in in reference.py, write its chapter in authoring/chapters/ (and add it to CHAPTERS in
authoring/embedding.py) and its title to the catalogs (i18n.py, lang_zh.py); tests/test_registry.py
checks that each of these exists.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Part:
    id: str                   # its title, per language, is i18n's "part.<id>"
    points: float
    defines: tuple[str, ...]  # the API names the student's code defines for this part (CONTRACT §1)

    @property
    def solution_cell(self) -> str:
        return f"{self.id}_code"


PARTS = (
    Part("one_hot_lookup", 25.0, ("one_hot_lookup",)),
    Part("embedding_backward", 25.0, ("embedding_backward",)),
    Part("embedding_renorm", 25.0, ("embedding_renorm_",)),
    Part("embedding_module", 25.0, ("Embedding",)),
)
BY_ID = {p.id: p for p in PARTS}
API_NAMES = tuple(name for p in PARTS for name in p.defines)
MAX_SCORE = sum(p.points for p in PARTS)
# the editions of the assignment (nbgrader assignment names) and the language of each
EDITIONS = {"embedding": "en", "embedding-zh": "zh"}
EDITION_OF = {lang: edition for edition, lang in EDITIONS.items()}   # "en" -> "embedding"
DEFAULT_EDITION = EDITION_OF["en"]   # what a command grades unless told otherwise
