"""Mutation testing of the grading core (`make mutation`; README, "Mutation testing").

mutmut 3 makes every small change ("mutant") it can to the functions in SCOPE and runs, for each
one, only the tests of TESTS that call the changed function (it learns which from one traced run
first), in a forked process: torch, pytest and the tests are imported once. A mutant that makes a
test fail is killed; one that passes every test survived, and is either killed by a new test or
listed, with the reason it is equivalent (no input can tell it from the original), in
docs/mutation-survivors.md. This prints every survivor with its reason, the kill rate per module
and overall, and exits non-zero if the kill rate is below MIN_KILL_RATE or a survivor is not listed.

    python scripts/mutation.py [--jobs N] [MODULE ...]            # MODULE: compare, score, wire, ...
    python scripts/mutation.py show NAME                          # a mutant's diff (after a run)
    python scripts/mutation.py last [MODULE ...]                  # the last run's survivors and rates again
    python scripts/mutation.py skeleton                           # entries for unlisted survivors

The work happens in build/mutation/ (a copy of autograder/, tests/ and solutions/ and a pyproject.toml
with mutmut's settings; mutmut's own copy with the mutants is build/mutation/mutants/, its output
build/mutation/mutmut.log), never in the checkout: the normal test run sees none of it. Each run
starts afresh (mutmut retests every mutant it is named, cached or not).
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "build" / "mutation"
SURVIVORS = ROOT / "docs" / "mutation-survivors.md"
MIN_KILL_RATE = 0.90

# What is mutated: module -> the functions (mutmut's keys: x_<function>, xǁ<Class>ǁ<method>), "*" for
# all. Left out, and why (each is run only in another process, so no in-process test can reach it;
# the slow tests that do are named):
# - batch._grade_class: starts the zygote, the forkserver and the worker pool (tests/test_batch.py);
# - sandbox.py, zygote.py, spawn.py: the rlimits (spawn._confine) and the deadlines (the zygote's loop)
#   are set in the job's and the zygote's own processes, and Job waits on a live one's socket
#   (tests/test_hostile.py, tests/test_confine.py, tests/test_batch_hostile.py, tests/test_wire.py);
# - wire's Encoder, pack and send (what a job sends; the grader checks what arrives: recv, unpack, decode);
# - cgroup's other functions read and write the machine's cgroup tree (tests/test_hostile.py).
SCOPE = {
    "compare": ["*"],
    "score": ["*"],
    "record": ["*"],
    "batch": ["x_grade_class", "x__skip_unused_format_checker", "x__collect", "xǁBatchIncompleteǁ__init__"],
    "report": ["*"],
    "run": ["*"],
    "extract": ["*"],
    # the sandbox's limits, as the trusted side applies them
    "wire": ["xǁAllowanceǁ__init__", "x_unpack", "x_recv", "x__read_exactly", "x_decode"],
    "remote": ["x_reply_limits", "xǁStudentAPIǁ_flush", "x_not_graded"],
    "cgroup": ["x_create"],
}

# The tests each mutant may be killed by: fast, in-process ones only (no sandboxed job, no batch, no
# nbgrader command), so that a mutant costs a fraction of a second.
TESTS = [
    "tests/test_compare.py",
    "tests/test_score.py",
    "tests/test_report.py",
    "tests/test_causes.py::test_the_graded_feedback_tells_a_shared_exception_once_first",
    "tests/test_record.py",
    "tests/test_collect.py",
    "tests/test_run.py",
    "tests/test_extract.py",
    "tests/test_limits.py",
    "tests/test_wire.py",
    "tests/test_robust.py::test_deeply_nested_json_is_a_clear_error",
    "tests/test_robust.py::test_symbolic_links_are_never_followed",
    "tests/test_robust.py::test_size_is_checked_before_reading_and_per_submission",
    "tests/test_bounds.py::test_a_reply_is_refused_before_it_is_read_when_over_its_request_s_limits",
]
DESELECT = [   # in those files, but they grade through the sandbox or start a zygote
    "tests/test_extract.py::test_deleted_cells_and_huge_outputs",
    "tests/test_wire.py::test_a_shared_zygote_serves_each_grader_apart_and_ends_with_them",
]

DATA = ["solutions"]   # what those tests read besides autograder/ and tests/ (solutions/embedding-zh's notebook)

KILLED = {"killed", "timeout", "segfault"}   # mutmut's statuses that mean a test noticed the mutant


def mutmut_config() -> str:
    """The [tool.mutmut] table for build/mutation/pyproject.toml."""
    def array(items):
        return "[" + ", ".join(f'"{i}"' for i in items) + "]"
    selection = TESTS + [arg for d in DESELECT for arg in ("--deselect", d)]
    return "\n".join([
        "[tool.mutmut]",
        'source_paths = ["autograder"]',
        f"also_copy = {array(DATA)}",
        f"only_mutate = {array(f'autograder/{m}.py' for m in SCOPE)}",
        f"pytest_add_cli_args_test_selection = {array(selection)}",
        # pytest's own end-of-session gc.collect() runs (unraisableexception, threadexception) walk the
        # heap torch filled, and a forked child copies every page they touch: 0.3 s of a 0.4 s mutant
        'pytest_add_cli_args = ["-p", "no:unraisableexception", "-p", "no:threadexception", "-p", "no:faulthandler"]',
        "use_git_change_detection = false",   # the copy is not the checkout
        ""])


def prepare() -> None:
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis")
    for name in ["autograder", "tests"] + DATA:
        shutil.copytree(ROOT / name, WORK / name, ignore=ignore)
    # pytest's settings as the checkout has them (markers, pythonpath), then mutmut's
    lines = (ROOT / "pyproject.toml").read_text().splitlines()
    start = lines.index("[tool.pytest.ini_options]")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("[")), len(lines))
    (WORK / "pyproject.toml").write_text("\n".join(lines[start:end]).rstrip() + "\n\n" + mutmut_config())


def patterns(modules) -> list[str]:
    return [f"autograder.{m}.{'*' if f == '*' else f + '__mutmut_*'}" for m in modules for f in SCOPE[m]]


def run_mutmut(modules, jobs: int) -> float:
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")   # 2 cores: one thread a mutant
    start = time.monotonic()
    # mutmut redraws a progress line many times a second: its output goes to a log (its end shown if it fails)
    log = WORK / "mutmut.log"
    with open(log, "w") as out:
        code = subprocess.call([sys.executable, "-m", "mutmut", "run", "--max-children", str(jobs), *patterns(modules)],
                               cwd=WORK, env=env, stdout=out, stderr=subprocess.STDOUT)
    elapsed = time.monotonic() - start
    if code != 0:
        tail = log.read_text(errors="replace")[-3000:]
        sys.exit(f"mutmut failed (exit {code}); the end of {log}:\n{tail}")
    return elapsed


# ---------------------------------------------------------------- results

def results(modules) -> dict:
    """module -> {mutant name: status}, for the mutants in SCOPE."""
    import json
    from fnmatch import fnmatch

    from mutmut.stats import status_by_exit_code
    pats = patterns(modules)
    out = {}
    for m in modules:
        meta = json.loads((WORK / "mutants" / "autograder" / f"{m}.py.meta").read_text())
        out[m] = {k: status_by_exit_code[v] for k, v in meta["exit_code_by_key"].items()
                  if any(fnmatch(k, p) for p in pats)}
    return out


def change(name: str) -> list[str]:
    """The mutant's changed lines, as a diff's - and + lines."""
    from mutmut.mutation.diff_apply import find_mutant, get_diff_for_mutant
    diff = get_diff_for_mutant(name, path=find_mutant(name).path)
    return [ln.rstrip() for ln in diff.splitlines()
            if ln[:1] in "-+" and not ln.startswith(("---", "+++"))]


ENTRY = re.compile(r"^### (?P<name>\S+)\n```diff\n(?P<diff>.*?)\n```\n(?P<why>.*?)(?=^#|\Z)", re.S | re.M)


def listed() -> dict:
    """name -> (diff lines, reason) from docs/mutation-survivors.md."""
    text = SURVIVORS.read_text() if SURVIVORS.exists() else ""
    return {m["name"]: ([ln.rstrip() for ln in m["diff"].splitlines()], " ".join(m["why"].split()))
            for m in ENTRY.finditer(text)}


def report(found: dict, elapsed: float | None) -> int:
    os.chdir(WORK)   # mutmut reads its settings and mutants from here
    known = listed()
    rows, unexplained, survivors = [], [], []
    for m, statuses in found.items():
        killed = sum(s in KILLED for s in statuses.values())
        alive = sorted(k for k, s in statuses.items() if s not in KILLED)
        rows.append((m, len(statuses), killed, len(alive)))
        for name in alive:
            diff = change(name)
            entry = known.get(name)
            ok = entry is not None and entry[0] == diff
            survivors.append((name, statuses[name], diff, entry[1] if ok else None))
            if not ok:
                unexplained.append((name, diff))
    print("\nSurviving mutants (docs/mutation-survivors.md says why each is equivalent):")
    for name, status, diff, why in survivors:
        print(f"\n  {name} ({status})")
        for ln in diff:
            print(f"      {ln}")
        print(f"    {'why: ' + why if why else 'NOT LISTED: kill it with a test, or list it with its reason'}")
    alive = {s[0] for s in survivors}
    stale = sorted(n for n in known if n.split(".")[1] in found and n not in alive)
    if stale:
        print("\nListed in docs/mutation-survivors.md but killed or gone now (remove them there):")
        for name in stale:
            print(f"  {name}")
    total = sum(r[1] for r in rows)
    killed = sum(r[2] for r in rows)
    print(f"\n{'module':<10} {'mutants':>8} {'killed':>8} {'survived':>9} {'kill rate':>10}")
    for m, n, k, s in rows:
        print(f"{m:<10} {n:>8} {k:>8} {s:>9} {k / n if n else 1:>10.1%}")
    rate = killed / total if total else 1.0
    print(f"{'overall':<10} {total:>8} {killed:>8} {total - killed:>9} {rate:>10.1%}")
    if elapsed is not None:
        print(f"\nmutmut ran {elapsed / 60:.1f} minutes")
    status = 0
    if rate < MIN_KILL_RATE:
        print(f"FAIL: kill rate {rate:.1%} is below {MIN_KILL_RATE:.0%}")
        status = 1
    if unexplained:
        print(f"FAIL: {len(unexplained)} surviving mutant(s) not listed in docs/mutation-survivors.md")
        status = 1
    return status


def skeleton() -> int:
    """Entries for docs/mutation-survivors.md, one per survivor not yet listed (reason to be written)."""
    found = results(list(SCOPE))
    os.chdir(WORK)
    known = listed()
    for m, statuses in found.items():
        for name in sorted(k for k, s in statuses.items() if s not in KILLED):
            diff = change(name)
            if known.get(name, (None,))[0] != diff:
                print(f"### {name}\n```diff\n" + "\n".join(diff) + "\n```\nEquivalent: TODO\n")
    return 0


def main(argv=None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    if argv[:1] == ["show"]:
        os.chdir(WORK)
        from mutmut.mutation.diff_apply import find_mutant, get_diff_for_mutant
        for name in argv[1:]:
            print(f"# {name}\n{get_diff_for_mutant(name, path=find_mutant(name).path)}")
        return 0
    if argv[:1] == ["skeleton"]:
        return skeleton()
    if argv[:1] == ["last"]:
        return report(results([m for m in SCOPE if not argv[1:] or m in argv[1:]]), None)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", metavar="MODULE", help=f"only these ({', '.join(SCOPE)}); default: all")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="mutants tested at once")
    args = parser.parse_args(argv)
    if set(args.modules) - set(SCOPE):
        parser.error(f"unknown module(s) {sorted(set(args.modules) - set(SCOPE))}: choose from {', '.join(SCOPE)}")
    modules = args.modules or list(SCOPE)
    prepare()
    elapsed = run_mutmut(modules, args.jobs)
    return report(results(modules), elapsed)


if __name__ == "__main__":
    sys.exit(main())
