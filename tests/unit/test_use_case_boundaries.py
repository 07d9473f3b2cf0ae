"""The shape of the use-case layer (CONTRIBUTING, "The shape of a command"): use cases do not
import each other, HTTP schemas stay out of them, and each invariant has one writer."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app"
SERVICES = APP / "services"
# The use-case layer's own infrastructure, which every area may import.
KERNEL = {
    "app.services.bus",
    "app.services.unit_of_work",
    "app.services.common",
    "app.services.resources",
    "app.services.idempotency",
}


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_module(name: str) -> bool:
    base = ROOT.joinpath(*name.split("."))
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def _imports(path: Path) -> Iterator[tuple[str, int]]:
    """Every module ``path`` imports, at any depth of the file (imports inside functions too),
    with ``from package import module`` resolved to the module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                yield (candidate if _is_module(candidate) else node.module), node.lineno


def _service_modules() -> list[Path]:
    return sorted(SERVICES.rglob("*.py"))


def _area(module: str) -> str:
    """``app.services.orders.place`` → ``orders``: the package (or module) under services."""
    return module.split(".")[2] if module.count(".") >= 2 else ""


def _service_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in _service_modules():
        name = _module(path)
        graph[name] = {m for m, _ in _imports(path) if m.startswith("app.services.")}
    return graph


def test_no_import_cycle_among_services() -> None:
    graph = _service_graph()
    cycles: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append([*trail[trail.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    assert cycles == []


def test_services_import_no_http_schemas() -> None:
    offenders = {
        f"{_module(path)}:{line}": name
        for path in _service_modules()
        for name, line in _imports(path)
        if name.startswith("app.schemas") or name.split(".")[0] == "fastapi"
    }
    assert offenders == {}


def test_use_cases_import_no_other_area_of_services() -> None:
    """A use-case module imports the kernel and its own area's modules, never another area:
    a reaction is a handler on the bus, not a call."""
    offenders = {}
    for path in _service_modules():
        name = _module(path)
        if name in KERNEL or name == "app.services":
            continue
        for imported, line in _imports(path):
            if not imported.startswith("app.services.") or imported in KERNEL:
                continue
            if _area(imported) != _area(name):
                offenders[f"{name}:{line}"] = imported
    assert offenders == {}


def test_services_take_settings_from_their_caller() -> None:
    offenders = [
        f"{_module(path)}:{line}"
        for path in _service_modules()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name | ast.Attribute)
        and getattr(node.func, "id", getattr(node.func, "attr", "")) == "get_settings"
        for line in [node.lineno]
    ]
    assert offenders == []


LINE_QUANTITIES = {
    "quantity_reserved",
    "quantity_shipped",
    "quantity_delivered",
    "quantity_invoiced",
    "quantity_returned",
    "quantity_credited",
}


def _assigned_attributes(path: Path) -> Iterator[tuple[str, int]]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Attribute):
                yield target.attr, node.lineno


def test_line_quantities_have_one_writer() -> None:
    """Reserved, shipped, delivered, invoiced and returned quantities of order lines change
    only in app/domain/order_lines.py, which re-derives the order's statuses each time."""
    writer = APP / "domain" / "order_lines.py"
    offenders = [
        f"{path.relative_to(ROOT)}:{line} {attr}"
        for path in sorted(APP.rglob("*.py"))
        if path != writer
        for attr, line in _assigned_attributes(path)
        if attr in LINE_QUANTITIES
    ]
    assert offenders == []


def test_stock_levels_and_movements_have_one_writer() -> None:
    """On-hand stock and its movement are written together by StockRepository.move only."""
    writer = APP / "repositories" / "stock.py"
    offenders = []
    for path in sorted(APP.rglob("*.py")):
        if path == writer:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            called = (
                node.func.id
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                else node.func.attr
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                else None
            )
            if called in {"StockMovement", "StockLevel", "_change_on_hand"}:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {called}")
        for attr, line in _assigned_attributes(path):
            if attr == "on_hand":
                offenders.append(f"{path.relative_to(ROOT)}:{line} on_hand")
    assert offenders == []


def test_audit_and_outbox_rows_come_from_events_only() -> None:
    """Invariant 5 has one mechanism: the unit of work writes the rows of recorded events."""
    writer = APP / "repositories" / "uow.py"
    offenders = []
    for path in sorted(APP.rglob("*.py")):
        if path == writer:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", None))
                if name in {"AuditEvent", "OutboxEvent", "record_change"}:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}")
    assert offenders == []
