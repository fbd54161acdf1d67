"""Gradescope's autograder.zip: the same graders, for courses on Gradescope.

Gradescope unzips it to /autograder/source, runs setup.sh once per image, then run_autograder per
submission, which must write /autograder/results/results.json (written by report.to_gradescope)."""
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

SETUP = """#!/usr/bin/env bash
set -euo pipefail
apt-get update -q && apt-get install -y -q python3.11 python3.11-venv
cd /autograder/source
python3.11 -m venv .venv
.venv/bin/python -m pip install -q -r requirements.lock
"""
RUN = """#!/usr/bin/env bash
cd /autograder/source
mkdir -p /autograder/results
.venv/bin/python -m autograder grade /autograder/submission --format gradescope --device all --lang {lang} \\
    > /autograder/results/results.json.tmp && mv /autograder/results/results.json.tmp /autograder/results/results.json \\
  || echo '{"score": 0, "output": "The grader itself failed; your instructor has been told."}' > /autograder/results/results.json
"""


def build(out: Path, lang: str = "en") -> Path:
    """The zip for a course in `lang` (en, or zh for the Chinese edition: its messages in Chinese)."""
    out = Path(out)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in (("setup.sh", SETUP), ("run_autograder", RUN.replace("{lang}", lang))):
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o755 << 16
            z.writestr(info, text)
        z.write(REPO / "requirements.lock", "requirements.lock")
        for f in sorted((REPO / "autograder").rglob("*.py")):
            z.write(f, str(f.relative_to(REPO)))
    return out
