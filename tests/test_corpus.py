"""The graders against the corpus: every correct style gets full marks, every wrong one fails the
hidden tests it declares (FAILS = ("part::test", ...)) and loses points on the parts it breaks
(BREAKS) and on no other. Each file is graded by the real sandboxed runner."""
import json
import subprocess
from pathlib import Path

import pytest

from conftest import CORPUS, ROOT, compose, declared

CORRECT = sorted((CORPUS / "correct").glob("*.py"))
WRONG = sorted((CORPUS / "wrong").glob("*.py"))
HIDDEN_CODE = ("lambda api", "make.", "observe(", "def ", "autograder/", "check(", "api.")


def failed_tests(result) -> set:
    return {f"{pid}::{t.name}" for pid, p in result.parts.items() for t in p.tests if not t.passed}


def test_corpus_is_big_enough():
    """Does the corpus hold at least 5 correct styles and 30 wrong submissions (issue 4)?"""
    assert len(CORRECT) >= 5 and len(WRONG) >= 30, (len(CORRECT), len(WRONG))


@pytest.mark.parametrize("path", CORRECT, ids=lambda p: p.stem)
def test_correct_style_gets_full_marks(grader, path: Path):
    """Does a correct implementation, in this style, get every point on every part?"""
    result = grader.grade(path)
    failures = {pid: [(t.name, t.message) for t in p.tests if not t.passed] for pid, p in result.parts.items()}
    assert result.score == result.max_score, (failures, result.notes)


@pytest.mark.parametrize("path", WRONG, ids=lambda p: p.stem)
def test_wrong_fails_its_tests_and_loses_points_only_where_broken(grader, path: Path, tmp_path):
    """Does this mistake fail the hidden tests it declares, cost points on the parts it breaks, and
    cost nothing on the parts that do not use it?"""
    breaks, fails = set(declared(path, "BREAKS")), set(declared(path, "FAILS"))
    assert fails and {f.split("::")[0] for f in fails} <= breaks, "FAILS must name tests of the BREAKS parts"
    result = grader.grade(compose(path, tmp_path))
    missing = fails - failed_tests(result)
    assert not missing, f"these tests should fail and did not: {sorted(missing)}"
    for pid, part in result.parts.items():
        if pid in breaks:
            assert part.score < part.max_score, f"{pid} kept full marks despite the mistake"
            messages = [t.message for t in part.tests if not t.passed]
            assert all(m.strip() for m in messages), "a failed test without a message"
            assert not any(h in m for m in messages for h in HIDDEN_CODE), messages
        else:
            lost = [(t.name, t.message) for t in part.tests if not t.passed]
            assert part.score == part.max_score, f"{pid} lost points it should not: {lost}"


@pytest.mark.cuda
@pytest.mark.parametrize("path", CORRECT[:3], ids=lambda p: p.stem)
def test_correct_style_gets_full_marks_on_cuda(path: Path):
    """On a CUDA machine, do correct styles get full marks on the CUDA cases too (half precision included)?"""
    from autograder.grade import Grader, present_devices
    if "cuda" not in present_devices():
        pytest.skip("no CUDA device here: the CUDA cases run where one is present")
    with Grader(["cuda"]) as g:
        result = g.grade(path)
    assert result.score == result.max_score, result.to_json()


def test_vectorised_corpus_base_is_the_notebook_solution():
    """tests/corpus/correct/vectorised.py (the base every wrong mutation is appended to) repeats the
    notebook's solution cells: are its definitions and imports still the same (docstrings aside)?"""
    import ast
    from autograder.demo import solutions_by_cell
    from conftest import BASE

    def shape(src):
        defs, imports = [], set()
        for node in ast.parse(src).body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                imports.add(ast.dump(node))
            elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                for n in ast.walk(node):
                    body = getattr(n, "body", None)
                    if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and body and isinstance(body[0], ast.Expr) \
                            and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
                        n.body = body[1:] or [ast.Pass()]
                defs.append(ast.dump(node))
        return defs, imports
    assert shape("\n\n".join(solutions_by_cell().values())) == shape(BASE.read_text())


def test_init_distribution_passes_n01_and_fails_its_near_misses():
    """Do the init distribution check's statistics (the count beyond ±3, the Kolmogorov-Smirnov
    distance) pass 200 fresh N(0, 1) weights, and fail a truncated normal (std 0.985, nothing beyond
    ±3), a uniform, a logistic and a Laplace weight of std 1 (issue 23)?"""
    import math

    import torch
    from torch import nn

    from autograder.graders.test_embedding_module import normal_fit

    def passes(w):
        return all(v.startswith(("between", "at most")) for v in normal_fit(w, "w").values())
    torch.set_num_threads(1)
    assert all(passes(torch.randn(2000, 32, generator=torch.Generator().manual_seed(s))) for s in range(200))
    g = torch.Generator().manual_seed(0)
    u = torch.rand(2000, 32, generator=g, dtype=torch.float64)
    near = {"truncated at ±3": nn.init.trunc_normal_(torch.empty(2000, 32), a=-3.0, b=3.0, generator=g),
            "uniform": (torch.rand(2000, 32, generator=g) * 2 - 1) * 3 ** 0.5,
            "logistic": (torch.log(u / (1 - u)) * 3 ** 0.5 / math.pi).float(),
            "laplace": (-torch.sign(u - 0.5) * torch.log1p(-2 * (u - 0.5).abs()) / 2 ** 0.5).float()}
    assert not [name for name, w in near.items() if passes(w)]


def test_functions_that_only_raise_score_nothing(grader, tmp_path):
    """Do four functions that only raise ValueError (they "pass" every must-raise check) score 0
    in every part, saying why?"""
    result = grader.grade(compose(CORPUS / "wrong" / "all_raise_value_error.py", tmp_path))
    assert result.score == 0, {pid: p.score for pid, p in result.parts.items()}
    refusals = [t for p in result.parts.values() for t in p.tests if t.name.startswith(("rejects", "padding_idx_must"))]
    assert refusals and all("only when the same function also works" in t.message for t in refusals)


def test_a_forbidden_call_names_the_line(grader, tmp_path):
    """Does the zero for calling F.embedding name the line that does it, and the rule?"""
    result = grader.grade(compose(CORPUS / "wrong" / "oh_calls_F_embedding.py", tmp_path))
    rule = result.parts["one_hot_lookup"].tests[-1]
    assert rule.name == "uses_its_own_code" and not rule.passed
    assert "F.embedding" in rule.message and "line" in rule.message, rule.message
    assert result.parts["one_hot_lookup"].score == 0


@pytest.mark.slow
def test_the_pytest_command_passes_exactly_when_every_test_passes(tmp_path):
    """Does `python -m pytest autograder/graders --submission PATH` (CONTRACT §3) exit 0 for a
    correct submission and non-zero for a wrong one, selecting with -k as pytest does?"""
    def run(path, *extra):
        return subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "-m", "pytest", "autograder/graders",
                               "--submission", str(path), "-q", "-p", "no:cacheprovider", *extra],
                              cwd=ROOT, capture_output=True, text=True, timeout=900)
    good = run(CORRECT[0])
    assert good.returncode == 0, good.stdout[-3000:]
    wrong = compose(CORPUS / "wrong" / "bwd_padding_zero_is_falsy.py", tmp_path)
    bad = run(wrong, "-k", "padding_idx_zero")
    assert bad.returncode == 1 and "1 failed" in bad.stdout, bad.stdout[-3000:]
    assert run(wrong, "-k", "one_hot").returncode == 0


def test_grading_command_prints_one_json_object(tmp_path):
    """Does `python -m autograder grade PATH --format json` print exactly one JSON object whose
    scores are the grader's (CONTRACT §3)?"""
    out = subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "-m", "autograder", "grade",
                          str(compose(CORPUS / "wrong" / "rn_missing_eps.py", tmp_path)), "--format", "json",
                          "--device", "cpu"], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stderr[-3000:]
    data = json.loads(out.stdout)
    assert data["parts"]["embedding_renorm"]["score"] < 25 and data["parts"]["one_hot_lookup"]["score"] == 25


def test_a_typical_mistake_is_told_its_common_cause(grader, tmp_path):
    """Does the feedback of `if padding_idx:` (0 taken for no padding) say what to check, in the
    student's language, beside what differs?"""
    path = compose(CORPUS / "wrong" / "bwd_padding_zero_is_falsy.py", tmp_path)
    for lang, words in (("en", "Likely cause: `if padding_idx:`"), ("zh", "可能的原因：`if padding_idx:`")):
        tests = {t.name: t for t in grader.grade(path, lang=lang).parts["embedding_backward"].tests}
        assert words in tests["padding_idx_zero"].message, tests["padding_idx_zero"].message
