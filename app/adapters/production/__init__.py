"""Production systems (MES) that make what make-to-order requests ask for: the port
(``base``) and Lading's own signed JSON protocol (``lading_json``)."""

from __future__ import annotations

from app.adapters.production.base import ProductionSystem
from app.adapters.production.lading_json import LadingJsonMes


def production_system(secret: str | None) -> ProductionSystem:
    """The production system Lading talks to: its JSON protocol, verifying reports with
    ``secret`` (without one, every report is refused)."""
    return LadingJsonMes(secret or "")
