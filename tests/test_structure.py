"""The shape of the code (read with ``ast``, nothing is run): the import graph of ``portal/`` (module-level and
function-level imports) has no cycle outside the app factory's wiring; views never end the unit of work themselves
(``portal.unit_of_work`` commits once per request) and never catch a refused rule (``portal.errors_web`` answers it).
That ``portal/documents/`` imports no service is checked in ``tests/documents/test_no_look_back.py``."""
import ast
import importlib
import pkgutil
import sys
from pathlib import Path

import portal
from portal.errors import PortalError

PORTAL = Path(portal.__file__).parent
BLUEPRINTS = PORTAL / "blueprints"


def _trees(folder: Path):
    for path in sorted(folder.rglob("*.py")):
        yield path.relative_to(PORTAL.parent), ast.parse(path.read_text(encoding="utf-8"))


def _called_name(call: ast.Call) -> str | None:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None


def test_no_commit_or_rollback_in_blueprints():
    """A call, not a name: a view may be called ``import_commit``."""
    found = [f"{path}:{node.lineno} {_called_name(node)}()" for path, tree in _trees(BLUEPRINTS)
             for node in ast.walk(tree)
             if isinstance(node, ast.Call) and _called_name(node) in ("commit", "rollback")]
    assert found == []


def _portal_errors() -> set[str]:
    """Names of ``PortalError`` and its subclasses, once every view module (and so every service a view uses) is
    imported."""
    import portal.blueprints

    for module in pkgutil.walk_packages(portal.blueprints.__path__, "portal.blueprints."):
        importlib.import_module(module.name)
    names, todo = set(), [PortalError]
    while todo:
        cls = todo.pop()
        names.add(cls.__name__)
        todo += cls.__subclasses__()
    return names


def test_no_view_catches_a_refused_rule():
    caught = _portal_errors() | {"Exception", "ValueError"}

    def names(node):
        if node is None:
            return {"(bare except)"}
        if isinstance(node, ast.Tuple):
            return set().union(*(names(e) for e in node.elts))
        return {node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")}

    found = [f"{path}:{node.lineno} except {sorted(names(node.type) & (caught | {'(bare except)'}))}"
             for path, tree in _trees(BLUEPRINTS) for node in ast.walk(tree)
             if isinstance(node, ast.ExceptHandler) and names(node.type) & (caught | {"(bare except)"})]
    assert found == []


#: the app factory (``portal/__init__.py``: ``create_app``) imports the blueprints, CLI and filters it wires, and
#: nothing imports it back but the entry points; those wiring edges are not architecture.
WIRING = {"portal"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PORTAL.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PORTAL.rglob("*.py")}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Every portal module ``name`` imports (``from . import x`` counts as importing ``pkg.x`` when it is a module)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[:len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found |= {f"{base}.{a.name}" for a in node.names}
    return {m for m in found if m in known and m != name}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(name, path, known) for name, path in modules.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    sys.setrecursionlimit(10000)
    for v in graph:
        if v not in index:
            visit(v)
    return out


def test_no_import_cycle_outside_the_app_factory():
    graph = {m: {t for t in targets if t not in WIRING} for m, targets in _graph().items() if m not in WIRING}
    assert _cycles(graph) == []


def test_the_graph_sees_known_edges():
    graph = _graph()  # a broken scanner would find no cycle because it finds no edge
    assert "portal.services.payouts.lists" in graph["portal.services.payouts.build"]
    assert "portal.access" in graph["portal.blueprints.district.lists"]
