"""The class report: a score histogram and how often each check failed (which mistakes are common),
as a picture and a Markdown table, from the per-student results the batch grader stored. A table
cell's text stays text (textsafe.markdown_text): a | or a [ in a question, or markup in anything
a result holds, neither breaks the table nor becomes HTML where the report is rendered."""
from collections import Counter
from pathlib import Path

from .result import Result
from .textsafe import markdown_text


def prepare():
    """Import the plotting library (a second of CPU): the batch does it while the class is graded,
    not after the last submission, when one core would work alone."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401


def write(results: dict[str, Result], out_dir: Path) -> dict[str, Path]:
    prepare()
    import matplotlib.pyplot as plt

    out_dir.mkdir(parents=True, exist_ok=True)
    n = len(results)
    failed: Counter = Counter()
    questions = {}
    for r in results.values():
        for pid, part in r.parts.items():
            for t in part.tests:
                key = f"{pid}.{t.name}"
                if key not in questions or r.lang == "en":   # a class of both editions: English wins
                    questions[key] = t.question or t.name
                failed[key] += not t.passed
    scores = sorted(r.score for r in results.values())
    fig, (a, b) = plt.subplots(1, 2, figsize=(13, 4.5))
    a.hist(scores, bins=range(0, 105, 5), color="#4a7bb7", edgecolor="white")
    a.set(title=f"Scores ({n} students)", xlabel="score / 100", ylabel="students")
    common = [(k, c) for k, c in failed.most_common(12) if c]
    b.barh([k for k, _ in common][::-1], [100 * c / max(n, 1) for _, c in common][::-1], color="#c44e52")
    b.set(title="Most failed checks", xlabel="% of students failing")
    b.tick_params(axis="y", labelsize=7)
    fig.tight_layout()
    png = out_dir / "class_report.png"
    fig.savefig(png, dpi=110)
    plt.close(fig)
    lines = [f"# Class report: {n} submissions", "",
             f"Mean {sum(scores) / max(n, 1):.1f}, median {scores[n // 2] if n else 0:.1f}, "
             f"full marks {sum(s == 100 for s in scores)}, zero {sum(s == 0 for s in scores)}.", "",
             "![scores and most failed checks](class_report.png)", "",
             "| check | question | students failing | % |", "|---|---|---:|---:|"]
    for key, c in failed.most_common():
        lines.append(f"| `{key}` | {markdown_text(questions[key])} | {c} | {100 * c / max(n, 1):.0f} |")
    md = out_dir / "class_report.md"
    md.write_text("\n".join(lines) + "\n")
    return {"markdown": md, "picture": png}
