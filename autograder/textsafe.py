"""Text the grader prints or stores is valid UTF-8 whatever a student writes: a lone surrogate (from
an exception message, a file name decoded with surrogateescape, a crafted JSON escape) becomes its
escape sequence (\\udcff) instead of making the write fail or the output invalid. Text that reaches
a page (Markdown rendered as HTML) is inert there (`markdown_text`), and text that is stored is
bounded (`cut`)."""
import re


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


def cut(text: str, limit: int) -> str:
    """text, at most `limit` characters: cut with an ellipsis."""
    return text if len(text) <= limit else text[:max(0, limit - 1)] + "…"


_MARKDOWN_ACTIVE = re.compile(r"[&<>\[\]\\|]")


def markdown_text(text: str) -> str:
    """Text that stays text where it is rendered as Markdown (nbgrader's comments, the class
    report), whatever it holds: no HTML, autolink or entity (& < > as entities), no link, image or
    table cell ([ ] | escaped with a backslash, which Markdown removes; a backslash of its own
    escaped too). Emphasis and code spans are left: they make no markup of their own."""
    return _MARKDOWN_ACTIVE.sub(lambda m: {"&": "&amp;", "<": "&lt;", ">": "&gt;"}.get(m.group(), "\\" + m.group()),
                                clean(text))
