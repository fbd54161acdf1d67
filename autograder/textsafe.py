"""Text the grader prints or stores is valid UTF-8 whatever a student writes: a lone surrogate (from
an exception message, a file name decoded with surrogateescape, a crafted JSON escape) becomes its
escape sequence (\\udcff) instead of making the write fail or the output invalid."""


def clean(text: str) -> str:
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def clean_tree(obj):
    """The same for every string in a JSON-like tree (dict keys included)."""
    if isinstance(obj, str):
        return clean(obj)
    if isinstance(obj, dict):
        return {clean_tree(k): clean_tree(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [clean_tree(v) for v in obj]
    return obj
