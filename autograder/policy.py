"""The rules for graded code, judged on the trusted side from the source alone (the notebook states
them; a break scores that part zero, naming the line and the rule):

- no call of torch's own embedding (F.embedding, torch.embedding, nn.Embedding, torch.embedding_renorm_,
  torch.ops.aten.embedding*, F.embedding_bag), however aliased; a type annotation is not a call;
- no dynamic attribute access or code generation: getattr/setattr/hasattr/delattr with a name that
  is not a literal (on `self`, a module's own attributes, it is allowed), vars/globals/locals,
  __dict__ (but `self.__dict__`) and the other doors into objects' insides,
  eval/exec/compile/__import__/importlib, sys.modules, operator.attrgetter, ctypes, gc, inspect, pickle;
- no threads or processes (threading, multiprocessing, subprocess, os.fork, os.system, ...);
- nothing of the grader's own (autograder).

A break counts against every part whose code reaches it: from the part's API name through the
top-level definitions it refers to (other parts' API names are stand-ins there, so the search stops
at them); a break in a top-level statement outside any definition runs in every part and counts
against all. Names the code defines at top level are reported too, so a missing definition is known
without running anything.
"""
import ast
from dataclasses import dataclass, field

from .i18n import _
from .parts import API_NAMES, PARTS

EMBEDDING_NAMES = {"embedding", "Embedding", "embedding_renorm_", "embedding_bag", "EmbeddingBag", "_embedding_bag",
                   "embedding_dense_backward", "embedding_backward", "embedding_sparse_backward",
                   "_embedding_bag_forward_only", "_embedding_bag_backward", "_embedding_bag_dense_backward"}
DYNAMIC_CALLS = {"vars", "globals", "locals", "eval", "exec", "compile", "__import__", "breakpoint"}
NAME_ARG_CALLS = {"getattr", "setattr", "hasattr", "delattr"}
DOOR_ATTRS = {"__dict__", "__globals__", "__code__", "__closure__", "__builtins__", "__subclasses__", "__bases__",
              "__base__", "__mro__", "__getattribute__", "__reduce__", "__reduce_ex__", "__loader__", "__spec__",
              "__wrapped__", "__self__", "__func__", "__import__", "f_globals", "f_locals", "f_back", "f_builtins",
              "f_code", "gi_frame", "cr_frame", "ag_frame", "tb_frame", "tb_next", "_getframe", "attrgetter",
              "methodcaller", "modules", "_C", "library", "cpp_extension", "_dynamo", "load_library"}
DYNAMIC_MODULES = {"importlib", "ctypes", "gc", "inspect", "pickle", "marshal", "dill", "cloudpickle", "copyreg",
                   "builtins", "types", "code", "codeop", "runpy", "pkgutil", "zipimport", "sys"}
PROCESS_MODULES = {"threading", "_thread", "multiprocessing", "subprocess", "concurrent", "asyncio", "pty", "signal",
                   "sched", "socket", "selectors", "os"}
PROCESS_ATTRS = {"fork", "forkpty", "system", "popen", "posix_spawn", "posix_spawnp", "spawnl", "spawnle", "spawnlp",
                 "spawnlpe", "spawnv", "spawnve", "spawnvp", "spawnvpe", "execl", "execle", "execlp", "execlpe",
                 "execv", "execve", "execvp", "execvpe", "kill", "killpg", "multiprocessing", "Thread", "Process"}
# modules that may be imported whole although some of their attributes are not allowed
PARTLY_ALLOWED = {"sys": {"modules", "_getframe"}, "os": PROCESS_ATTRS}


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

    def breaks(label, node):   # each definition is judged once, however many parts reach it
        if id(node) not in memo:
            memo[id(node)] = _breaks(label, node)
        return memo[id(node)]
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
                todo += [n for n in _refers(node) if n in bindings and (n in part.defines or n not in API_NAMES)]
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


def _refers(node) -> set:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _annotations(node) -> set:
    """ids of every node inside a type annotation (annotations are not calls)."""
    skip = set()
    for n in ast.walk(node):
        for ann in ([n.annotation] if isinstance(n, (ast.arg, ast.AnnAssign)) and n.annotation else []) + \
                   ([n.returns] if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.returns else []):
            skip |= {id(x) for x in ast.walk(ann)}
    return skip


def _breaks(label: str, node) -> list[str]:
    out = []
    skip = _annotations(node)

    def hit(n, rule, what=None):
        text = what or _snippet(n)
        out.append(_("rule.where", label=label, line=getattr(n, "lineno", "?"), code=text, rule=_(rule)))

    for n in ast.walk(node):
        if id(n) in skip:
            continue
        if isinstance(n, (ast.Import, ast.ImportFrom)):
            modules = [a.name for a in n.names] if isinstance(n, ast.Import) else [n.module or ""]
            for m in modules:
                root = m.split(".")[0]
                if root == "autograder":
                    hit(n, "rule.kit")
                elif root in DYNAMIC_MODULES and (root not in PARTLY_ALLOWED or isinstance(n, ast.ImportFrom)):
                    hit(n, "rule.dynamic")
                elif root in PROCESS_MODULES and (root not in PARTLY_ALLOWED or isinstance(n, ast.ImportFrom)) \
                        or m in ("torch.multiprocessing",):
                    hit(n, "rule.processes")
            if isinstance(n, ast.ImportFrom):
                for a in n.names:
                    if (n.module or "").startswith("torch") and a.name in EMBEDDING_NAMES:
                        hit(n, "rule.torch_embedding")
                    elif (n.module or "").split(".")[0] in PARTLY_ALLOWED and a.name in PARTLY_ALLOWED[n.module.split(".")[0]]:
                        hit(n, "rule.processes" if n.module.split(".")[0] == "os" else "rule.dynamic")
                    elif n.module == "operator" and a.name in ("attrgetter", "methodcaller"):
                        hit(n, "rule.dynamic")
        elif isinstance(n, ast.Attribute):
            root = _root(n)
            if n.attr in EMBEDDING_NAMES and root not in ("self", "cls"):
                hit(n, "rule.torch_embedding")
            elif n.attr in DOOR_ATTRS and not (n.attr == "modules" and root in ("self", "cls")) \
                    and not (n.attr == "__dict__" and _is_self(n.value)):   # its own object's dict: as nn.Embedding's extra_repr
                hit(n, "rule.dynamic")
            elif n.attr in PROCESS_ATTRS and root in ("os", "torch", "mp", "multiprocessing", "threading"):
                hit(n, "rule.processes")
        elif isinstance(n, ast.Call) and isinstance(n.func, ast.Name):
            if n.func.id in NAME_ARG_CALLS:
                name = n.args[1] if len(n.args) > 1 else None
                if not (isinstance(name, ast.Constant) and isinstance(name.value, str)):
                    if not (n.args and _is_self(n.args[0])):   # getattr(self, name): only its own attributes
                        hit(n, "rule.dynamic")
                elif name.value in EMBEDDING_NAMES or name.value in DOOR_ATTRS:
                    hit(n, "rule.torch_embedding" if name.value in EMBEDDING_NAMES else "rule.dynamic")
        elif isinstance(n, ast.Name) and n.id in DYNAMIC_CALLS and isinstance(n.ctx, ast.Load):
            hit(n, "rule.dynamic")   # called or passed around alike
    return list(dict.fromkeys(out))


def _is_self(node) -> bool:
    """The object a method was called on (reaching further takes another door, judged on its own)."""
    return isinstance(node, ast.Name) and node.id == "self"


def _root(node):
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.value if not isinstance(node, ast.Call) else node.func
    return node.id if isinstance(node, ast.Name) else None


def _snippet(node) -> str:
    try:
        text = ast.unparse(node)
    except Exception:  # noqa: BLE001
        text = type(node).__name__
    return text if len(text) <= 80 else text[:77] + "..."
