"""Reading alerts (``AlertFilter`` is the list's filter)."""

from __future__ import annotations

import uuid

from app.repositories.alerts import Alert, AlertFilter

__all__ = ["AlertFilter", "get_alert", "list_alerts"]
from app.repositories.pagination import PageResult
from app.services.unit_of_work import UnitOfWork


async def list_alerts(
    uow: UnitOfWork, f: AlertFilter, *, limit: int, cursor: str | None
) -> PageResult[Alert]:
    async with uow:
        return await uow.alerts.page(f, limit=limit, cursor=cursor)


async def get_alert(uow: UnitOfWork, alert_id: uuid.UUID) -> Alert:
    async with uow:
        return await uow.alerts.get_or_raise(alert_id)
