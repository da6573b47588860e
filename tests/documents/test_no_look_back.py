"""Documents never look back: no module under ``portal/documents/`` imports ``portal.services`` — builders receive
everything they print as plain data from the services layer (ast scan: absolute and relative imports, at any depth
in the module, including imports inside functions)."""
import ast
from pathlib import Path

import portal

PORTAL = Path(portal.__file__).resolve().parent
DOCUMENTS = PORTAL / "documents"


def imported_modules(source: str, package: str) -> set[str]:
    """Absolute names of every module ``source`` (a module of ``package``, e.g. "portal.documents") imports;
    ``from x import y`` gives ``x`` and ``x.y`` (``y`` may be a module)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def services_imported(path: Path) -> list[str]:
    package = ".".join(("portal", *path.relative_to(PORTAL).parent.parts))
    names = imported_modules(path.read_text(), package)
    return sorted(n for n in names if n == "portal.services" or n.startswith("portal.services."))


def test_the_scan_sees_relative_absolute_and_nested_imports():
    source = ("from . import list_pdf\nfrom ..formatting import money\nimport portal.services.audit\n"
              "def f():\n    from ..services.payouts import pdf\n    from .. import services\n")
    assert imported_modules(source, "portal.documents") >= {
        "portal.documents.list_pdf", "portal.formatting", "portal.services.audit", "portal.services.payouts",
        "portal.services"}


def test_documents_import_no_service():
    modules = sorted(DOCUMENTS.rglob("*.py"))
    assert len(modules) >= 10
    offenders = {str(path.relative_to(PORTAL)): services_imported(path) for path in modules}
    assert {path: names for path, names in offenders.items() if names} == {}
