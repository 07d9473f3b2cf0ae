"""The worker's scan: raise the time-based rules' alerts and resolve those whose condition no
longer holds, a batch per transaction. Safe in several workers at once: raising is one insert
that a second raiser of the same alert skips (``AlertRepository.insert_open``), and resolving
locks the alert first (a second resolver finds it resolved)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time
from typing import Any

from app.domain.alert_conditions import Bounds, Thresholds, overdue_case
from app.domain.alerts import AlertSpec, Rule, approver_role
from app.repositories.alert_scan import Subject
from app.services.alerts import stock
from app.services.alerts.commands import RaiseDueAlerts, ResolveClearedAlerts, ScanBatch
from app.services.alerts.raising import clear_alerts, open_alert
from app.services.bus import Context
from app.services.common import retrying
from app.services.unit_of_work import UnitOfWork
from app.settings import Settings


def thresholds(settings: Settings) -> Thresholds:
    return Thresholds(
        backorder_days=settings.alert_backorder_days,
        unallocated_hours=settings.alert_unallocated_hours,
        approval_hours=settings.alert_approval_hours,
        label_pending_minutes=settings.alert_label_pending_minutes,
        tracking_silent_hours=settings.alert_tracking_silent_hours,
        ship_cutoff=time.fromisoformat(settings.alert_ship_cutoff),
        timezone=settings.alert_timezone,
    )


def _spec(rule: Rule, subject: Subject, t: Thresholds, b: Bounds, actor: str) -> AlertSpec:
    details: dict[str, Any] = {**subject.details, **t.details(rule)}
    if rule == Rule.SHIPMENT_MISSED_CUTOFF:
        details["day"] = b.cutoff_day.isoformat()
    if rule == Rule.CASE_OVERDUE:
        details = overdue_case(details, b.now)
    role = approver_role(details.get("next_approver")) if rule == Rule.APPROVAL_WAITING else None
    return AlertSpec(rule, str(subject.id), details, actor=actor, role=role)


@retrying
async def raise_due_alerts(cmd: RaiseDueAlerts, uow: UnitOfWork, ctx: Context) -> ScanBatch:
    """One batch of subjects meeting ``cmd.rule``'s condition get its alert (those that have
    one keep it); returns how many were opened and where the next batch starts."""
    t = thresholds(ctx.settings)
    b = t.bounds(cmd.now or datetime.now(UTC))
    actor = cmd.principal.actor
    opened = 0
    async with uow:
        if cmd.rule == Rule.STOCK_BELOW_REORDER_POINT:
            for p in await stock.below(uow):
                opened += await open_alert(uow, stock.spec(p, actor))
            await uow.commit()
            return ScanBatch(opened, None)
        subjects = await uow.alert_scan.matching(cmd.rule, b, after=cmd.after, limit=cmd.batch)
        for subject in subjects:
            opened += await open_alert(uow, _spec(cmd.rule, subject, t, b, actor))
        await uow.commit()
    full = len(subjects) == cmd.batch
    return ScanBatch(opened, subjects[-1].id if full else None)


@retrying
async def resolve_cleared_alerts(
    cmd: ResolveClearedAlerts, uow: UnitOfWork, ctx: Context
) -> ScanBatch:
    """One batch of ``cmd.rule``'s unresolved alerts: those whose subject no longer meets the
    condition are resolved automatically."""
    b = thresholds(ctx.settings).bounds(cmd.now or datetime.now(UTC))
    resolved = 0
    async with uow:
        alerts = await uow.alerts.unresolved(cmd.rule.value, after=cmd.after, limit=cmd.batch)
        ids = {uuid.UUID(a.subject_id) for a in alerts}
        if cmd.rule == Rule.STOCK_BELOW_REORDER_POINT:
            holding = {p.product_id for p in await stock.below(uow, ids, limit=len(ids) or 1)}
        else:
            holding = await uow.alert_scan.still_holding(cmd.rule, b, ids) if ids else set()
        for alert in alerts:
            if uuid.UUID(alert.subject_id) not in holding:
                resolved += await clear_alerts(
                    uow,
                    cmd.rule,
                    alert.subject_type,
                    alert.subject_id,
                    "the condition no longer holds",
                    actor=cmd.principal.actor,
                )
        await uow.commit()
    full = len(alerts) == cmd.batch
    return ScanBatch(resolved, alerts[-1].id if full else None)
