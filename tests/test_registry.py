"""The parts registry (autograder/parts.py) is what everything reads: does each part have what its
"to add a part" checklist asks for?"""
import json

import pytest

from autograder.parts import API_NAMES, EDITIONS, MAX_SCORE, PARTS
from conftest import ROOT


@pytest.mark.parametrize("part", PARTS, ids=lambda p: p.id)
def test_each_part_has_its_graders_stand_ins_titles_and_cells(part):
    """Does the part have a grader file with a rule test, torch stand-ins for its API names, a title in
    every language, and a solution and a graded cell in every edition's source notebook?"""
    from autograder import reference
    from autograder.i18n import EN
    from autograder.lang_zh import MESSAGES
    from autograder.items import questions
    asked = [k for k in questions() if k.startswith(part.id + "/")]
    assert asked and f"{part.id}/uses_its_own_code" in asked
    assert all(hasattr(reference.TORCH, name) for name in part.defines)
    assert f"part.{part.id}" in EN and f"part.{part.id}" in MESSAGES
    for edition in EDITIONS:
        nb = json.loads((ROOT / "source" / edition / f"{edition.split('-')[0]}.ipynb").read_text())
        ids = {c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in nb["cells"]}
        assert {part.id, part.solution_cell} <= ids, edition


def test_points_and_names_add_up():
    """Do the parts' points make the maximum score, and are the API names the contract's?"""
    assert MAX_SCORE == sum(p.points for p in PARTS) == 100
    assert set(API_NAMES) == {"one_hot_lookup", "embedding_backward", "embedding_renorm_", "Embedding"}


def test_the_readme_maps_every_module_of_the_grading_tool():
    """Does the README's map of autograder/ name every module there, and no module that is gone?"""
    import re
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Map of `autograder/`", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"`([a-z_0-9]+\.py)`", section))
    files = {p.name for p in (ROOT / "autograder").glob("*.py")}
    assert files - named == set(), "modules missing from the README's map"
    assert named - files == set(), "the README's map names modules that do not exist"


def test_every_message_of_the_catalog_is_used():
    """Is each key of the grader's catalog used by the code (by its name, or by its prefix where the
    code builds the key: "rule." + rule, f"run.{name}")? A key nothing uses is a sentence to translate
    and keep for nothing."""
    import re
    from autograder import i18n
    code = ""
    for folder in ("autograder", "authoring", "hub"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            if path.name == "lang_zh.py":
                continue
            code += text[text.index("KINDS = "):] if path.name == "i18n.py" else text
    unused = []
    for key in i18n.EN:
        prefix = key.rsplit(".", 1)[0] + "."
        if f'"{key}"' in code or re.search(re.escape(f'"{prefix}"') + r"\s*\+|f\"" + re.escape(prefix) + r"\{", code):
            continue
        unused.append(key)
    assert unused == []


@pytest.mark.parametrize("code", [c for c in EDITIONS.values()])
def test_each_language_has_what_its_to_add_a_language_checklist_asks_for(code):
    """i18n.py's "To add a language": does each language of the registry have its edition, its
    catalog (every message with the same fields, every hidden test's question), its side of the
    authoring source, its Gradescope sentences and its built notebooks?"""
    import string
    import sys
    from autograder import gradescope_run, i18n
    from autograder.items import questions
    from autograder.parts import EDITION_OF
    sys.path.insert(0, str(ROOT / "authoring"))
    import build
    assert code in i18n.LANGS and code in build.INLINE_LANGS and set(gradescope_run.NOTES[code]) == set(gradescope_run.NOTES["en"])
    catalog = i18n._catalogs()[code]
    fields = lambda text: {f for _t, f, _s, _c in string.Formatter().parse(text) if f}
    assert {k: fields(v) for k, v in catalog.items()} == {k: fields(v) for k, v in i18n.EN.items()}
    if code != "en":
        assert set(i18n._questions(code)) == set(questions())
    edition = EDITION_OF[code]
    for folder in ("source", "assignments", "solutions"):
        assert (ROOT / folder / edition / "embedding.ipynb").is_file(), (folder, edition)
