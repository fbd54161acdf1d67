"""What the kit reads of a hidden test (a collected pytest item), apart from the plugin that runs
them, so that scoring and the catalogs need not import the plugin: the part it grades, its key
(which names its seed and its question's translation), the user property that carries its message
for the student, and the questions of every test, read without running them."""

MESSAGE = "kit_message"        # a report's user property: the student's message for a failure


def questions() -> dict[str, str]:
    """{"part/name": question} of every hidden test, read from the grader files without running
    them (the questions are public: every report shows them; the notebook lists them too)."""
    import importlib
    import inspect

    from .parts import PARTS
    out = {}
    for part in PARTS:
        module = importlib.import_module(f"autograder.graders.test_{part.id}")
        for name, fn in vars(module).items():
            if name.startswith("test_") and callable(fn):
                out[f"{part.id}/{name.removeprefix('test_')}"] = " ".join(inspect.cleandoc(fn.__doc__ or name).split())
    return out


def part_of(item) -> str:
    return item.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")


def test_key(item) -> str:
    """"part/name[params]": names the test's seed and its question's translation."""
    name = item.originalname.removeprefix("test_")
    param = f"[{item.callspec.id}]" if hasattr(item, "callspec") else ""
    return f"{part_of(item)}/{name}{param}"
