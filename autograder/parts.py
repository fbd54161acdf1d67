"""The registry of the assignment's parts: one id per part, used everywhere.

The id is the notebook's nbgrader grade_id of the part's graded cell, the part's solution cell is
"<id>_code", the hidden checks live in autograder/checks/<id>.py, and reports use the id as the row.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Part:
    id: str                   # its title, per language, is i18n's "part.<id>"
    points: float
    defines: tuple[str, ...]  # names the student's code must define for this part
    uses: tuple[str, ...]     # every name the part's checks call (a missing one costs this part)

    @property
    def solution_cell(self) -> str:
        return f"{self.id}_code"


PARTS = (
    Part("one_hot_lookup", 25.0,
         ("one_hot_lookup",), ("one_hot_lookup",)),
    Part("embedding_backward", 25.0,
         ("embedding_backward",), ("embedding_backward",)),
    Part("embedding_renorm", 25.0,
         ("embedding_renorm_",), ("embedding_renorm_",)),
    Part("embedding_module", 25.0,
         ("Embedding",), ("Embedding",)),
)
BY_ID = {p.id: p for p in PARTS}
# torch's own embedding ops (aten names): a part whose run calls one scores zero (CONTRACT §1)
FORBIDDEN_OPS = frozenset({"embedding", "embedding_dense_backward", "embedding_backward", "embedding_renorm_",
                           "embedding_sparse_backward", "_embedding_bag", "_embedding_bag_forward_only",
                           "embedding_bag", "_embedding_bag_backward", "_embedding_bag_dense_backward"})
API_NAMES = tuple(name for p in PARTS for name in p.defines)
MAX_SCORE = sum(p.points for p in PARTS)
