"""Stored results: one JSON file per student, reused while the code, the graders and the language
are unchanged. Light on purpose (no nbgrader): grading workers import it."""
import json
import os
from pathlib import Path

from .result import Result


def result_path(results_dir, assignment: str, student: str) -> Path:
    return Path(results_dir) / assignment / f"{student}.json"


def load_cached(path: Path, key: str, fingerprint: str, lang: str = "en"):
    """A result the batch grader stored for exactly this code, these graders and language, else None."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if data.get("submission_key") == key and data.get("grader") == fingerprint:
        result = Result.from_json(data["result"])
        return result if result.lang == lang else None
    return None


def store(path: Path, key: str, fingerprint: str, result: Result, student: str = "") -> None:
    """Write atomically: a crash mid-write never leaves a half result that would be trusted."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    from .textsafe import clean_tree
    tmp.write_text(json.dumps(clean_tree({"student": student, "submission_key": key, "grader": fingerprint,
                                          "result": result.to_json()}), ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def stored(results_dir, assignment: str) -> dict:
    """{student: Result} of every result stored for `assignment` (what `report` and the bench read)."""
    folder = Path(results_dir) / assignment
    return {p.stem: Result.from_json(json.loads(p.read_text())["result"]) for p in sorted(folder.glob("*.json"))}
