"""The rules for graded code (rules.py) applied per part, on the trusted side, from the source alone
(the notebook states them; a break scores the parts it reaches zero, naming the line and the rule).

A break counts against every part whose code reaches it: from the part's API name through the
top-level definitions it refers to (other parts' API names are stand-ins there, so the search stops
at them); a break in a top-level statement outside any definition runs in every part and counts
against all. Names the code defines at top level are reported too, so a missing definition is known
without running anything.
"""
import ast
from dataclasses import dataclass, field

from . import rules
from .i18n import _
from .parts import API_NAMES, PARTS


@dataclass
class Verdict:
    """What the rules say of one submission."""
    defined: set = field(default_factory=set)      # names bound at top level
    breaks: dict = field(default_factory=dict)     # part id -> ["label, line n: `code`: rule", ...]

    def message(self, part: str) -> str:
        hits = self.breaks.get(part, [])
        return _("rule.static", hits="; ".join(hits[:3])) if hits else ""


def judge(trees: list) -> Verdict:
    """trees: [(label, [top-level nodes kept for grading]), ...] in notebook order."""
    verdict = Verdict()
    memo: dict = {}
    walked = {id(node): list(ast.walk(node)) for _label, body in trees for node in body}   # once: ast.walk is slow
    modules = rules.imported_names((n for nodes in walked.values() for n in nodes), walked=True)

    def breaks(label, node):   # each definition is judged once, however many parts reach it
        if id(node) not in memo:
            memo[id(node)] = [_("rule.where", label=label, line=line, code=code, rule=_("rule." + rule))
                              for line, code, rule in rules.breaks(node, modules, walked[id(node)])]
        return memo[id(node)]

    def refers(node) -> set:
        return {n.id for n in walked[id(node)] if isinstance(n, ast.Name)}
    bindings: dict[str, list] = {}          # name -> [(label, node)]
    everywhere: list[str] = []               # breaks in statements that run for every part
    for label, body in trees:
        for node in body:
            names = _binds(node)
            verdict.defined |= names
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) or _extends(node):
                for name in names or {_extends(node)}:
                    bindings.setdefault(name, []).append((label, node))
            else:
                everywhere += breaks(label, node)
                for name in names:
                    bindings.setdefault(name, []).append((label, node))
    for part in PARTS:
        hits = list(everywhere)
        seen, todo = set(), list(part.defines)
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            for label, node in bindings.get(name, []):
                hits += [h for h in breaks(label, node) if h not in hits]
                todo += [n for n in refers(node) if n in bindings and (n in part.defines or n not in API_NAMES)]
        if hits:
            verdict.breaks[part.id] = list(dict.fromkeys(hits))
    return verdict


def _binds(node) -> set:
    """Names a top-level statement binds (inside if/try too)."""
    out = set()
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        out.add(node.name)
    elif isinstance(node, (ast.Import, ast.ImportFrom)):
        out |= {(a.asname or a.name).split(".")[0] for a in node.names}
    elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for t in targets:
            out |= {n.id for n in ast.walk(t) if isinstance(n, ast.Name)} if not isinstance(t, ast.Attribute) else set()
    elif isinstance(node, (ast.If, ast.Try)):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt):
                out |= _binds(child)
            elif isinstance(child, ast.ExceptHandler):
                for stmt in child.body:
                    out |= _binds(stmt)
    return out


def _extends(node) -> str | None:
    """`Embedding.extra_repr = f` or `setattr(Embedding, "extra_repr", f)`: the class it extends."""
    target = None
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Attribute):
        target = node.targets[0].value
    elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Name) \
            and node.value.func.id == "setattr" and node.value.args:
        target = node.value.args[0]
    return target.id if isinstance(target, ast.Name) else None
