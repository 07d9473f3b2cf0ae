"""When the alert rules hold: the thresholds (settings ``LADING_ALERT_...``) as the moments the
time-based rules compare with, the cutoff a shipment should have left by, a product below its
reorder point, and what an overdue service case's alert shows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from app.domain.after_sales.cases import CaseState, Deadlines, missed_target
from app.domain.alerts import Rule
from app.domain.replenishment import ProductPosition


@dataclass(frozen=True)
class Bounds:
    """The moments the time-based rules compare with: a subject older than its bound has
    waited too long (a service case compares its own targets with ``now``)."""

    now: datetime
    backorder_since: datetime
    unallocated_since: datetime
    approval_since: datetime
    label_since: datetime
    tracking_since: datetime
    cutoff_passed_for: datetime  # shipments created before this missed a cutoff
    cutoff_day: date  # the local day of that cutoff
    today: date  # a promised date before today is past


@dataclass(frozen=True)
class Thresholds:
    backorder_days: int
    unallocated_hours: int
    approval_hours: int
    label_pending_minutes: int
    tracking_silent_hours: int
    ship_cutoff: time
    timezone: str

    def bounds(self, now: datetime) -> Bounds:
        zone = ZoneInfo(self.timezone)
        cutoff = last_cutoff(now, self.ship_cutoff, zone)
        return Bounds(
            now=now,
            backorder_since=now - timedelta(days=self.backorder_days),
            unallocated_since=now - timedelta(hours=self.unallocated_hours),
            approval_since=now - timedelta(hours=self.approval_hours),
            label_since=now - timedelta(minutes=self.label_pending_minutes),
            tracking_since=now - timedelta(hours=self.tracking_silent_hours),
            cutoff_passed_for=cutoff,
            cutoff_day=cutoff.astimezone(zone).date(),
            today=now.astimezone(zone).date(),
        )

    def details(self, rule: Rule) -> dict[str, Any]:
        """The threshold a rule's message names."""
        named: dict[Rule, dict[str, Any]] = {
            Rule.BACKORDER_AGED: {"days": self.backorder_days},
            Rule.ORDER_NOT_ALLOCATED: {"hours": self.unallocated_hours},
            Rule.APPROVAL_WAITING: {"hours": self.approval_hours},
            Rule.LABEL_PENDING: {"minutes": self.label_pending_minutes},
            Rule.TRACKING_SILENT: {"hours": self.tracking_silent_hours},
            Rule.SHIPMENT_MISSED_CUTOFF: {"cutoff": self.ship_cutoff.strftime("%H:%M")},
        }
        return named.get(rule, {})


def last_cutoff(now: datetime, cutoff: time, zone: ZoneInfo) -> datetime:
    """The latest cutoff (local time ``cutoff`` in ``zone``) at or before ``now``, in UTC:
    a shipment created before it should have left by it."""
    local = now.astimezone(zone)
    today = datetime.combine(local.date(), cutoff, tzinfo=zone)
    moment = today if today <= local else today - timedelta(days=1)
    return moment.astimezone(UTC)


def below_reorder_point(position: ProductPosition) -> bool:
    """A product with a reorder point whose projected position (available + on order −
    backordered, as replenishment weighs it) fell below it."""
    return position.reorder_point > 0 and position.projected < position.reorder_point


def overdue_case(case: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """What a ``case_overdue`` alert shows of a case (its number, kind, priority, assignee,
    state, first response and due times): the target it missed by ``now`` and when that was
    due."""
    due = Deadlines(case["response_due_at"], case["resolution_due_at"])
    miss = missed_target(
        CaseState(case["state"]), due, first_response_at=case["first_response_at"], now=now
    )
    shown = {k: case[k] for k in ("number", "kind", "priority", "assignee")}
    if miss is None:  # not overdue (any more): nothing missed to name
        return shown
    return {**shown, "target": miss.target.value, "due_at": miss.due_at.isoformat()}
