"""The rules for graded code, judged from the source alone (no package import: this same file is
released beside the notebook as `graded_code_rules.py`, where the visible checks' preview runs it,
and policy.py applies it per part in the grader). They are the second layer: in the sandboxed job
torch's embedding kernels are switched off whatever reaches them (forbid.py), and the one-hot rule
is judged from what the lookup computes (onehot.py). This layer is an allowlist, so that what it
does not know is refused rather than let through:

- imports only from ALLOWED_IMPORTS (the notebook lists them); no star import;
- no torch embedding name (F.embedding, torch.embedding, nn.Embedding, torch.embedding_renorm_,
  torch.ops.aten.embedding*, F.embedding_bag), however imported; a type annotation is not a use;
- the builtins that reach into objects or make code (getattr, setattr, hasattr, delattr, open) only
  as direct calls with a literal name; vars, globals, locals, eval, exec, compile, __import__,
  breakpoint never — any other reference to them (an alias, an argument, a default, a container, a
  decorator) is a break. `getattr(self, name)` inside a class reads the module's own attributes;
- no door into objects' insides: dunder attributes and names outside ALLOWED_DUNDERS (on the module's
  own object, `self.__dict__` say, as nn.Embedding's own extra_repr uses it, all but DOOR_DUNDERS),
  the frame, code, globals and module-table attributes (DOOR_ATTRS), private attributes (`_name`)
  of an imported module such as torch._C, keyword patterns of `match` (they read attributes too),
  and defining `__torch_function__` or `__torch_dispatch__`;
- no threads or processes; nothing of the grader's own (autograder).

breaks(node, modules) -> [(line, code, rule)], rule one of RULES.
"""
import ast

RULES = ("torch_embedding", "dynamic", "processes", "kit", "import", "star")

# what graded code may import: the notebook's own imports and a few harmless helpers (a tree: its submodules too)
ALLOWED_IMPORTS = {"torch", "torch.nn", "torch.nn.functional", "torch.nn.init", "torch.nn.parameter", "torch.autograd",
                   "torch.linalg", "torch.sparse", "torch.special", "math", "numbers", "typing", "__future__",
                   "functools", "itertools", "collections", "dataclasses", "warnings", "time", "pathlib", "ast",
                   "numpy"}
ALLOWED_TREES = {"matplotlib"}
EMBEDDING_NAMES = {"embedding", "Embedding", "embedding_renorm_", "embedding_bag", "EmbeddingBag", "_embedding_bag",
                   "embedding_dense_backward", "embedding_backward", "embedding_sparse_backward",
                   "_embedding_bag_forward_only", "_embedding_bag_backward", "_embedding_bag_dense_backward"}
DYNAMIC_CALLS = {"vars", "globals", "locals", "eval", "exec", "compile", "__import__", "breakpoint"}
NAME_ARG_CALLS = {"getattr": 1, "setattr": 1, "hasattr": 1, "delattr": 1, "open": 0}   # -> the literal argument
ALLOWED_DUNDERS = {"__init__", "__name__", "__qualname__", "__class__", "__doc__", "__module__", "__version__",
                   "__len__", "__repr__", "__str__", "__call__", "__constants__", "__annotations__"}
# on a module's own object (self, cls) other dunders are allowed too, but not these doors out of it
DOOR_DUNDERS = {"__globals__", "__code__", "__closure__", "__builtins__", "__subclasses__", "__bases__", "__base__",
                "__mro__", "__getattribute__", "__reduce__", "__reduce_ex__", "__loader__", "__spec__", "__wrapped__",
                "__self__", "__func__", "__import__", "__defaults__", "__kwdefaults__", "__getstate__", "__setattr__"}
FORBIDDEN_METHODS = {"__torch_function__", "__torch_dispatch__", "__getattribute__", "__del__", "__init_subclass__"}
DOOR_ATTRS = {"f_globals", "f_locals", "f_back", "f_builtins", "f_code", "gi_frame", "cr_frame", "ag_frame", "tb_frame",
              "tb_next", "_getframe", "attrgetter", "methodcaller", "modules", "_C", "library", "cpp_extension",
              "_dynamo", "load_library"}
DYNAMIC_MODULES = {"importlib", "ctypes", "gc", "inspect", "pickle", "marshal", "dill", "cloudpickle", "copyreg",
                   "builtins", "types", "code", "codeop", "runpy", "pkgutil", "zipimport", "sys"}
PROCESS_MODULES = {"threading", "_thread", "multiprocessing", "subprocess", "concurrent", "asyncio", "pty", "signal",
                   "sched", "socket", "selectors", "os"}
PROCESS_ATTRS = {"fork", "forkpty", "system", "popen", "posix_spawn", "posix_spawnp", "spawnl", "spawnle", "spawnlp",
                 "spawnlpe", "spawnv", "spawnve", "spawnvp", "spawnvpe", "execl", "execle", "execlp", "execlpe",
                 "execv", "execve", "execvp", "execvpe", "kill", "killpg", "multiprocessing", "Thread", "Process"}


def allowed_import(module: str) -> bool:
    return module in ALLOWED_IMPORTS or module.split(".")[0] in ALLOWED_TREES


def imported_names(nodes, walked=False) -> set:
    """Names that hold an imported module or object, anywhere in these nodes (for private attributes);
    walked: nodes holds every node already (ast.walk's), not only top-level ones."""
    every = nodes if walked else (n for node in nodes for n in ast.walk(node))
    return {(a.asname or a.name).split(".")[0] for n in every
            if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names}


def _annotations(nodes) -> set:
    """ids of every node inside a type annotation (annotations are not calls)."""
    skip = set()
    for n in nodes:
        for ann in ([n.annotation] if isinstance(n, (ast.arg, ast.AnnAssign)) and n.annotation else []) + \
                   ([n.returns] if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.returns else []):
            skip |= {id(x) for x in ast.walk(ann)}
    return skip


def breaks(node, modules=frozenset(), nodes=None) -> list[tuple]:
    """(line, code, rule) of each break in node; nodes: list(ast.walk(node)), if the caller has it."""
    out = []
    nodes = list(ast.walk(node)) if nodes is None else nodes   # walked once: ast.walk is slow
    skip = _annotations(nodes)
    in_class = isinstance(node, ast.ClassDef)
    direct = {}   # id(Name) -> its Call, for builtins called directly
    for n in nodes:
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name):
            direct[id(n.func)] = n

    def hit(n, rule, what=None):
        out.append((getattr(n, "lineno", 0), what or _snippet(n), rule))

    def attribute(n, attr: str, root):
        """An attribute read, however spelled: `x.attr`, `from x import attr`, `getattr(x, "attr")`,
        `case X(attr=...)` (root None: the object is not known from the source)."""
        own = root in ("self", "cls")
        if attr in EMBEDDING_NAMES and not own:
            hit(n, "torch_embedding")
        elif attr in DOOR_ATTRS and not (attr == "modules" and own):
            hit(n, "dynamic")
        elif _dunder(attr) and attr not in ALLOWED_DUNDERS and (attr in DOOR_DUNDERS or not own):
            hit(n, "dynamic")    # self.__dict__ is its own object's: as nn.Embedding's extra_repr
        elif attr.startswith("_") and not _dunder(attr) and (root in modules or root is None):
            hit(n, "dynamic")    # torch._C, torch._VF, F._private: the inside of a library
        elif attr in PROCESS_ATTRS and root in ("os", "torch", "mp", "multiprocessing", "threading"):
            hit(n, "processes")

    for n in nodes:
        if id(n) in skip:
            continue
        if isinstance(n, (ast.Import, ast.ImportFrom)):
            modules_named = [a.name for a in n.names] if isinstance(n, ast.Import) else [n.module or ""]
            for m in modules_named:
                root = m.split(".")[0]
                if root == "autograder":
                    hit(n, "kit")
                elif root in DYNAMIC_MODULES or isinstance(n, ast.ImportFrom) and n.level:
                    hit(n, "dynamic")
                elif root in PROCESS_MODULES or m.startswith("torch.multiprocessing"):
                    hit(n, "processes")
                elif not allowed_import(m):
                    hit(n, "import")
            if isinstance(n, ast.ImportFrom):
                for a in n.names:
                    if a.name == "*":
                        hit(n, "star")
                    else:
                        attribute(n, a.name, (n.module or "").split(".")[0])
        elif isinstance(n, ast.Attribute):
            attribute(n, n.attr, _root(n))
        elif isinstance(n, ast.MatchClass):
            for attr in n.kwd_attrs:
                attribute(n, attr, None)
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name in FORBIDDEN_METHODS:
            hit(n, "dynamic", f"def {n.name}")
        elif isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load):
            if n.id in DYNAMIC_CALLS:
                hit(n, "dynamic")   # called or passed around alike
            elif n.id in NAME_ARG_CALLS:
                call = direct.get(id(n))
                at = NAME_ARG_CALLS[n.id]
                name = call.args[at] if call is not None and len(call.args) > at else None
                literal = isinstance(name, ast.Constant) and isinstance(name.value, str)
                if call is None:
                    hit(n, "dynamic")   # an alias, an argument, a default, a decorator...
                elif not literal:
                    if not (in_class and n.id != "open" and call.args and _is_self(call.args[0])):
                        hit(call, "dynamic")   # getattr(self, name) in a method: its own attributes
                elif n.id != "open":
                    attribute(call, name.value, call.args[0].id if isinstance(call.args[0], ast.Name) else None)
            elif _dunder(n.id) and n.id not in ALLOWED_DUNDERS:
                hit(n, "dynamic")   # __builtins__, __loader__, __spec__...
    return list(dict.fromkeys(out))


def _dunder(name: str) -> bool:
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


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
