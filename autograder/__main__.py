"""python -m autograder COMMAND ...

  grade PATH        grade one submission (notebook, nbgrader folder or .py): JSON, text or Gradescope
  batch COURSE      grade every submitted/<student>/embedding in a course: parallel, resumable, gradebook
  report COURSE     class report (histogram, most failed checks) from the stored results
  export COURSE     grades CSV for an LMS: one row per student, for the edition they took
  demo              the whole nbgrader course cycle in build/demo (make demo)
  release           rebuild source/, assignments/ and solutions/ (make release)
  student-release   what students get without an exchange: both released editions, pins, README; folder + zip
  bench             kit vs stock nbgrader autograde on a synthetic class (make bench)
  gradescope-zip    build Gradescope's autograder.zip
  gradescope-run    grade /autograder/submission into /autograder/results/results.json (run_autograder)
"""
import argparse
import os
import sys
from pathlib import Path

from .gradescope import VISIBILITIES
from .i18n import LANGS
from .parts import DEFAULT_EDITION, EDITIONS


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m autograder", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("grade", help="grade one submission")
    g.add_argument("path")
    g.add_argument("--format", choices=["json", "text", "gradescope"], default="text")
    g.add_argument("--device", choices=["cpu", "cuda", "all"], default="all")
    g.add_argument("--no-isolation", action="store_true", help="skip rlimits/namespaces/Landlock (debugging only)")
    g.add_argument("--lang", choices=("auto",) + LANGS, default="auto",
                   help="language of the messages: en, zh, or auto (the notebook's edition; default)")
    for p in (g,):
        _limit_options(p)
    b = sub.add_parser("batch", help="grade a course's submitted/ folder")
    _limit_options(b)
    b.add_argument("course", nargs="?", default=".")
    b.add_argument("--assignment", default=DEFAULT_EDITION, choices=sorted(EDITIONS),
                   help="embedding (English) or embedding-zh (Chinese)")
    b.add_argument("--workers", type=int, default=None)
    b.add_argument("--force", action="store_true", help="regrade everything, even what finished before")
    b.add_argument("--no-gradebook", action="store_true", help="grade only; do not write the gradebook or autograded/")
    r = sub.add_parser("report", help="class report from stored results")
    r.add_argument("course", nargs="?", default=".")
    r.add_argument("--assignment", default=DEFAULT_EDITION, choices=sorted(EDITIONS), help="the edition to report on")
    ex = sub.add_parser("export", help="grades CSV, one row per student for the edition they took")
    ex.add_argument("course", nargs="?", default=".")
    ex.add_argument("--out", default="grades.csv", help="the CSV file to write (default: grades.csv)")
    sub.add_parser("demo")
    sub.add_parser("release")
    sr = sub.add_parser("student-release", help="the students' release: folder and zip (make student-release)")
    sr.add_argument("out", nargs="?", default="build/embedding-student-release",
                    help="the folder to make; the zip is OUT.zip (default: build/embedding-student-release)")
    be = sub.add_parser("bench")
    be.add_argument("--students", type=int, default=100)
    be.add_argument("--nbgrader-sample", type=int, default=6, help="how many of them stock nbgrader grades")
    z = sub.add_parser("gradescope-zip")
    z.add_argument("out", nargs="?", default="build/autograder.zip")
    z.add_argument("--lang", choices=LANGS, default="en",
                   help="feedback language when a submission does not carry its own (a .py file)")
    z.add_argument("--visibility", choices=VISIBILITIES, default="visible",
                   help="when students see each check's result (the total score is always visible)")
    gr = sub.add_parser("gradescope-run")
    gr.add_argument("--root", default=os.environ.get("AUTOGRADER_ROOT", "/autograder"),
                    help="Gradescope's /autograder folder (default: $AUTOGRADER_ROOT or /autograder)")
    args = ap.parse_args(argv)
    return COMMANDS[args.cmd](args)


def _limit_options(p):
    from .sandbox import Limits
    d = Limits()
    p.add_argument("--wall-s", type=float, default=d.wall_s, help=f"wall-clock seconds per part (default {d.wall_s:g})")
    p.add_argument("--cpu-s", type=int, default=d.cpu_s, help=f"CPU seconds per part (default {d.cpu_s})")
    p.add_argument("--memory-mb", type=int, default=d.memory_mb, help=f"memory per job in MB (default {d.memory_mb})")


def _limits(args):
    from .sandbox import Limits
    return Limits(wall_s=args.wall_s, cpu_s=args.cpu_s, memory_mb=args.memory_mb)


def _grade(args) -> int:
    from .sandbox import zygote_first
    limits, isolate = _limits(args), not args.no_isolation
    with zygote_first(limits, isolate) as zygote:   # first: it starts while this process imports torch
        from .grade import Grader, present_devices
        from .report import FORMATS
        devices = present_devices()
        if args.device == "cpu":
            devices = ["cpu"]
        elif args.device == "cuda":
            if "cuda" not in devices:
                print("--device cuda: no CUDA device is present", file=sys.stderr)
                return 2
            devices = ["cuda"]
        with Grader(devices, limits=limits, isolate=isolate, zygote=zygote) as grader:
            result = grader.grade(args.path, lang=None if args.lang == "auto" else args.lang)
    print(FORMATS[args.format](result))
    return 0


def _batch(args) -> int:
    from . import batch, class_report
    try:
        results = batch.grade_class(Path(args.course), workers=args.workers, force=args.force, limits=_limits(args),
                                    record=not args.no_gradebook, assignment=args.assignment, report=True)
    except (batch.BatchIncomplete, RuntimeError) as exc:
        print(f"batch: {exc}", file=sys.stderr)
        return 1
    out = class_report.write(results, Path(args.course) / "autograder_results" / "report" /
                             ("" if args.assignment == DEFAULT_EDITION else args.assignment))
    print(f"{len(results)} submissions graded; class report: {out['markdown']}")
    return 0


def _report(args) -> int:
    from . import class_report
    from .store import stored
    folder = Path(args.course) / "autograder_results" / args.assignment
    results = stored(folder.parent, args.assignment)
    out = class_report.write(results, folder.parent / "report" / ("" if args.assignment == DEFAULT_EDITION else args.assignment))
    print(out["markdown"])
    return 0


def _export(args) -> int:
    from . import course
    cfg = course.load_config(Path(args.course).resolve())
    try:
        dest, rows, notes = course.export_editions(cfg, Path(args.out))
    except ValueError as exc:
        print(f"export: {exc}", file=sys.stderr)
        return 1
    for note in notes:
        print(f"export: {note}", file=sys.stderr)
    counts = {e: sum(r["edition"] == e for r in rows) for e in course.ASSIGNMENTS}
    none = sum(not r["edition"] for r in rows)
    print(f"{len(rows)} students (" + ", ".join(f"{e}: {n}" for e, n in counts.items())
          + f", no submission: {none}): {dest}")
    return 0


def _student_release(args) -> int:
    from . import release
    folder, archive = release.student_release(Path(args.out))
    print(f"students' release: {folder}\n                   {archive}")
    return 0


def _demo(args) -> int:
    from . import demo
    demo.run()
    return 0


def _release(args) -> int:
    from . import release
    return release.main()


def _bench(args) -> int:
    from . import bench
    return bench.main(args.students, args.nbgrader_sample)


def _gradescope_zip(args) -> int:
    from . import gradescope
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    print(gradescope.build(Path(args.out), args.lang, args.visibility))
    return 0


def _gradescope_run(args) -> int:
    from . import gradescope_run
    return gradescope_run.main(Path(args.root))


COMMANDS = {"grade": _grade, "batch": _batch, "report": _report, "export": _export, "demo": _demo,
            "release": _release, "student-release": _student_release,
            "bench": _bench, "gradescope-zip": _gradescope_zip, "gradescope-run": _gradescope_run}

if __name__ == "__main__":
    sys.exit(main())
