"""Exception alerts on the bus."""

from __future__ import annotations

from app.services.alerts import handling, scan
from app.services.alerts.commands import (
    AcknowledgeAlert,
    RaiseDueAlerts,
    ResolveAlert,
    ResolveClearedAlerts,
)
from app.services.bus import CommandHandler

COMMANDS: dict[type, CommandHandler] = {
    AcknowledgeAlert: handling.acknowledge_alert,
    ResolveAlert: handling.resolve_alert,
    RaiseDueAlerts: scan.raise_due_alerts,
    ResolveClearedAlerts: scan.resolve_cleared_alerts,
}
