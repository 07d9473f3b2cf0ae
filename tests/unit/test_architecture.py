"""The dependency rule (DESIGN §4): the domain imports nothing but the standard library and
itself; services and routers do not write SQL."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_domain_imports_only_stdlib_and_domain() -> None:
    offenders = {}
    for path in sorted((APP / "domain").rglob("*.py")):
        bad = {
            name
            for name in _imports(path)
            if not name.startswith("app.domain")
            and name.split(".")[0] not in sys.stdlib_module_names
            and name != "__future__"
        }
        if bad:
            offenders[path.name] = sorted(bad)
    assert offenders == {}


def test_routers_and_services_do_not_import_sqlalchemy() -> None:
    offenders = {}
    for folder in ("routers", "services"):
        for path in sorted((APP / folder).rglob("*.py")):
            bad = {n for n in _imports(path) if n.split(".")[0] == "sqlalchemy"}
            if bad:
                offenders[f"{folder}/{path.name}"] = sorted(bad)
    assert offenders == {}


def test_routers_do_not_import_repositories() -> None:
    offenders = {}
    for path in sorted((APP / "routers").rglob("*.py")):
        bad = {n for n in _imports(path) if n.startswith("app.repositories")}
        if bad:
            offenders[path.name] = sorted(bad)
    assert offenders == {}
