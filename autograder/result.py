"""A grade as data: what the grader returns, the batch stores and nbgrader records. Torch-free and
pytest-free on purpose: the batch's own process (gradebook, class report) imports it, not them."""
from dataclasses import dataclass, field


@dataclass
class TestResult:
    name: str                 # the test's function name in autograder/graders/test_<part>.py, without "test_"
    passed: bool
    message: str = ""
    question: str = ""        # the test's docstring: what it asks
    score: float = 0.0
    max_score: float = 0.0
    rule: bool = False        # a rule test (@pytest.mark.rule): failing it zeroes the part


@dataclass
class PartResult:
    score: float
    max_score: float
    tests: list = field(default_factory=list)
    zeroed_by: str = ""       # a rule the part's code breaks, which zeroed it: which rule and where


@dataclass
class Result:
    score: float
    max_score: float
    parts: dict
    notes: list = field(default_factory=list)   # what the grader wants the student to know overall
    devices: list = field(default_factory=list)
    confinement: list = field(default_factory=list)
    lang: str = "en"          # the language of every message in it

    def to_json(self) -> dict:
        return {"score": round(self.score, 4), "max_score": self.max_score,
                "parts": {pid: {"score": round(p.score, 4), "max_score": p.max_score,
                                "tests": [dict(vars(t)) for t in p.tests],   # flat: asdict's deep copy was 4/5 of it
                                **({"zeroed_by": p.zeroed_by} if p.zeroed_by else {})}
                          for pid, p in self.parts.items()},
                "notes": self.notes, "devices": self.devices, "confinement": self.confinement, "lang": self.lang}

    @classmethod
    def from_json(cls, data: dict) -> "Result":
        parts = {pid: PartResult(p["score"], p["max_score"], [TestResult(**t) for t in p["tests"]], p.get("zeroed_by", ""))
                 for pid, p in data["parts"].items()}
        return cls(data["score"], data["max_score"], parts, data.get("notes", []), data.get("devices", []),
                   data.get("confinement", []), data.get("lang", "en"))
