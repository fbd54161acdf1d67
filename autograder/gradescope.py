"""Gradescope's autograder.zip: the whole `autograder/` package, the two scripts Gradescope runs, and
the pins grading needs.

Gradescope unzips it to /autograder/source, runs setup.sh once (as root, on a fresh Ubuntu image),
then run_autograder per submission, which must write /autograder/results/results.json
(gradescope_run.py does, through report.to_gradescope). Both scripts read AUTOGRADER_ROOT (default
/autograder), so a scratch folder can stand in for it (tests/test_gradescope.py's simulation).

requirements-grading.txt is derived from requirements.lock when the zip is built: the distributions
the grading roots need (walked through the installed metadata), at the lock's versions."""
import hashlib
import json
import re
import zipfile
from importlib import metadata
from pathlib import Path

from . import REPO as ROOT
from .parts import EDITIONS, PARTS

REPO = Path(ROOT).resolve()
LOCK = REPO / "requirements.lock"
# what grading imports (pytest: the hidden graders are pytest tests); everything else follows from their metadata
ROOTS = ("torch", "numpy", "matplotlib", "nbformat", "hypothesis", "safetensors", "pytest", "rich")
# `pip freeze` (make lock) leaves these out of the lock: they are pinned at the build environment's version
FREEZE_HIDDEN = frozenset({"pip", "setuptools", "wheel"})
# the Python each supported image gives setup.sh: its oldest release there is what the pins must admit
IMAGE_PYTHONS = {"ubuntu 22.04": "3.11.0",    # apt's python3.11 (jammy-updates)
                 "ubuntu 24.04": "3.12.3"}    # the system python3 (noble); it has no python3.11
VISIBILITIES = ("visible", "after_due_date", "after_published", "hidden")
# readable by root alone on Gradescope: what student code must never read, even where Landlock is missing
HIDDEN = ("autograder/graders",)
STUBS = [REPO / "assignments" / a / "embedding.ipynb" for a in EDITIONS]

SETUP = r"""#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the image: a Python from the image's own packages,
# the pins grading needs (requirements-grading.txt) with torch's CPU build, and file modes that keep the
# hidden graders from the student's code (which the sandbox runs as `nobody`).
set -euo pipefail
AUTOGRADER_ROOT="${AUTOGRADER_ROOT:-/autograder}"
SOURCE="$AUTOGRADER_ROOT/source"
TORCH_INDEX="${TORCH_INDEX-https://download.pytorch.org/whl/cpu}"  # empty: pip's own configuration
KIT_PYTHON="${KIT_PYTHON:-}"       # set: use this Python as it is (the simulation); else the image's
HIDDEN="{hidden}"

if [ -z "$KIT_PYTHON" ]; then
  . "${OS_RELEASE:-/etc/os-release}"
  case "$ID $VERSION_ID" in
    "ubuntu 22.04") KIT_PYTHON=python3.11; PACKAGES="python3.11 python3.11-venv" ;;
    "ubuntu 24.04") KIT_PYTHON=python3;    PACKAGES="python3 python3-venv" ;;
    *) echo "setup.sh: $PRETTY_NAME is not a supported image: choose Ubuntu 22.04 or 24.04" >&2; exit 1 ;;
  esac
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends $PACKAGES
fi

"$KIT_PYTHON" -m venv --clear "$SOURCE/.venv"
PY="$SOURCE/.venv/bin/python"
PIP=("$PY" -m pip install --disable-pip-version-check --no-input --no-cache-dir --quiet)
"${PIP[@]}" "pip=={pip}"   # the pip the zip was built with: a distribution's venv brings its own, older one
# torch alone from the CPU index (the default index's torch brings gigabytes of CUDA libraries), then
# everything else from the default index; torch==X is already met by the installed X+cpu
"${PIP[@]}" --no-deps ${TORCH_INDEX:+--index-url "$TORCH_INDEX"} "$(grep -E '^torch==' "$SOURCE/requirements-grading.txt")"
"${PIP[@]}" -r "$SOURCE/requirements-grading.txt"
"$PY" -m pip check
"$PY" -c "import torch, numpy, matplotlib, nbformat, hypothesis, safetensors, pytest, rich
assert torch.version.cuda is None, 'setup.sh installed a CUDA build of torch'
print('setup.sh: Python', __import__('platform').python_version(), 'torch', torch.__version__)"

# modes: Python, its packages and the grading tool readable by all (the sandbox drops student code to
# `nobody` only then, and its zygote imports the public driver from here); the hidden graders and
# the zip's configuration readable by root alone
chmod 755 "$AUTOGRADER_ROOT" "$SOURCE"
chmod -R a+rX "$SOURCE/.venv" "$SOURCE/autograder"
for hidden in $HIDDEN; do
  [ ! -e "$SOURCE/$hidden" ] || chmod -R u+rwX,go-rwx "$SOURCE/$hidden"
done
chmod 600 "$SOURCE/gradescope.json"
[ "$(id -u)" != 0 ] || chown -R root:root "$SOURCE/autograder" "$SOURCE/gradescope.json"
"""

RUN = r"""#!/usr/bin/env bash
# Gradescope runs this per submission, as root. When the grader itself fails it exits non-zero and
# writes no results.json: Gradescope then shows its "autograder failed" state, not a silent 0.
set -euo pipefail
AUTOGRADER_ROOT="${AUTOGRADER_ROOT:-/autograder}"
cd "$AUTOGRADER_ROOT/source"
exec .venv/bin/python -m autograder gradescope-run --root "$AUTOGRADER_ROOT"
"""


def setup_script() -> str:
    return SETUP.replace("{hidden}", " ".join(HIDDEN)).replace("{pip}", installer()[0])


def installer() -> tuple[str, str]:
    """(version, Requires-Python) of this environment's pip, which setup.sh installs first."""
    dist = metadata.distribution("pip")
    return dist.version, dist.metadata.get("Requires-Python") or ""


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_lock(path: Path = LOCK) -> dict:
    """requirements.lock -> {canonical name: version}."""
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins[canonical(name)] = version.strip()
    return pins


def _marker_envs() -> list:
    from packaging.markers import default_environment
    envs = []
    for python in IMAGE_PYTHONS.values():
        env = default_environment()
        env.update(python_version=".".join(python.split(".")[:2]), python_full_version=python,
                   sys_platform="linux", platform_system="Linux", platform_machine="x86_64",
                   implementation_name="cpython", platform_python_implementation="CPython", extra="")
        envs.append(env)
    return envs


def grading_pins(lock: Path = LOCK) -> dict:
    """{canonical name: (version, Requires-Python)}: every distribution the grading roots need on any
    supported image, at requirements.lock's version, walked through this environment's metadata (which
    must hold the lock's versions: `make venv` installs them). ValueError names what does not fit."""
    from packaging.requirements import Requirement
    locked, envs = read_lock(lock), _marker_envs()
    found, todo, problems = {}, list(ROOTS), []
    while todo:
        name = canonical(todo.pop())
        if name in found:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            problems.append(f"{name} is needed for grading but not installed here (make venv)")
            found[name] = ("", "")
            continue
        installed = dist.version.split("+", 1)[0]   # torch's "+cpu" is a local label: the same release
        version = locked.get(name) or (installed if name in FREEZE_HIDDEN else None)
        if version is None:
            problems.append(f"{name} is needed for grading but requirements.lock does not pin it")
        elif version != installed:
            problems.append(f"{name}: requirements.lock pins {version}, this environment has {installed} (make venv)")
        found[name] = (version or "", dist.metadata.get("Requires-Python") or "")
        for text in dist.requires or []:
            req = Requirement(text)
            if req.marker is None or any(req.marker.evaluate(env) for env in envs):
                todo.append(req.name)
    if problems:
        raise ValueError("; ".join(problems))
    return found


def python_problems(pins: dict, python: str) -> list:
    """The pins whose Requires-Python excludes `python` (e.g. 3.11.0), as sentences."""
    from packaging.specifiers import SpecifierSet
    return [f"{name}=={version} requires Python {spec}, the image has {python}"
            for name, (version, spec) in sorted(pins.items())
            if spec and not SpecifierSet(spec).contains(python, prereleases=True)]


def requirements_text(pins: dict) -> str:
    lines = [f"{name}=={version}" for name, (version, _spec) in sorted(pins.items())]
    return ("# The pins of requirements.lock that grading needs (derived when the zip was built).\n"
            + "\n".join(lines) + "\n")


def stub_digests() -> dict:
    """{grade id: [sha256 of the released stub's cell source, per edition]}: how gradescope_run tells
    an untouched copy of the assignment from the student's work."""
    ids = {p.solution_cell for p in PARTS}
    digests: dict = {}
    for path in STUBS:
        for cell in json.loads(path.read_text())["cells"]:
            gid = (cell.get("metadata", {}).get("nbgrader") or {}).get("grade_id")
            if gid in ids:
                digests.setdefault(gid, []).append(source_digest(cell.get("source", "")))
    return digests


def source_digest(source) -> str:
    text = "".join(source) if isinstance(source, list) else str(source)
    return hashlib.sha256(text.strip().encode()).hexdigest()


def build(out: Path, lang: str = "en", visibility: str = "visible") -> Path:
    """The zip. lang: the feedback's language when a submission does not say its own (a .py, or a
    notebook without the kit's metadata); visibility: of each check's result (VISIBILITIES)."""
    if visibility not in VISIBILITIES:
        raise ValueError(f"visibility must be one of {', '.join(VISIBILITIES)}")
    pins = grading_pins()
    problems = [p for python in IMAGE_PYTHONS.values()
                for p in python_problems({**pins, "pip": installer()}, python)]
    if problems:
        raise ValueError("the grading pins do not install on every supported image: " + "; ".join(problems))
    config = {"lang": lang, "visibility": visibility, "stubs": stub_digests()}
    out = Path(out)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in (("setup.sh", setup_script()), ("run_autograder", RUN)):
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o755 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, text)
        z.writestr("requirements-grading.txt", requirements_text(pins))
        z.writestr("gradescope.json", json.dumps(config, ensure_ascii=False, indent=1))
        for f in sorted((REPO / "autograder").rglob("*")):   # every file of the package, data included
            if f.is_file() and "__pycache__" not in f.parts and f.suffix != ".pyc":
                z.write(f, str(f.relative_to(REPO)))
    return out
