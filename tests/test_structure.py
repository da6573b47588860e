"""The shape of the code (read with ``ast``, nothing is run): views never end the unit of work themselves
(``portal.unit_of_work`` commits once per request) and never catch a refused rule (``portal.errors_web`` answers it)."""
import ast
import importlib
import pkgutil
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
