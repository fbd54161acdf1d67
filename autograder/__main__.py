"""Command line: python -m autograder {grade,batch,demo,release,bench,gradescope} ... (see --help)."""
import argparse
import sys


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("grade", help="grade one submission: a notebook, an nbgrader folder or a .py file")
    g.add_argument("path")
    g.add_argument("--format", choices=["json", "text", "gradescope"], default="text")
    g.add_argument("--device", choices=["cpu", "cuda", "all"], default="all")
    g.add_argument("--no-isolation", action="store_true", help="skip rlimits/namespaces/Landlock (debugging)")
    args = ap.parse_args(argv)

    if args.cmd == "grade":
        return _grade(args)
    return 2


def _grade(args) -> int:
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
    with Grader(devices, isolate=not args.no_isolation) as grader:
        result = grader.grade(args.path)
    out = FORMATS[args.format](result)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
