"""The conditions of the time-based alert rules as queries (the worker's scan).

Each rule is a condition on its subject's table, given the moments of
``app.domain.alert_conditions.Bounds``. The scan walks the subjects meeting it in batches by id
(raising skips those already alerted) and asks which subjects of unresolved alerts still meet it
(to resolve the others)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from app.domain.alert_conditions import Bounds
from app.domain.alerts import Rule
from app.domain.orders import FulfillmentStatus, OrderStatus
from app.domain.shipments import LabelStatus, ShipmentStatus
from app.repositories.carriers import Carrier
from app.repositories.cases import ServiceCase, overdue
from app.repositories.orders import Order, OrderLine
from app.repositories.shipments import Shipment, ShipmentEvent


@dataclass(frozen=True)
class Subject:
    id: uuid.UUID
    details: dict[str, Any]


def _backordered() -> ColumnElement[bool]:
    return exists().where(
        OrderLine.order_id == Order.id,
        OrderLine.quantity_ordered - OrderLine.quantity_reserved - OrderLine.quantity_shipped > 0,
    )


def _approved() -> ColumnElement[bool]:
    return and_(Order.status == OrderStatus.APPROVED, Order.short_closed_at.is_(None))


def _last_news() -> Any:
    """When the carrier last told something new (else when the shipment left)."""
    recorded = (
        select(func.max(ShipmentEvent.recorded_at))
        .where(ShipmentEvent.shipment_id == Shipment.id)
        .scalar_subquery()
    )
    return func.coalesce(recorded, Shipment.shipped_at)


def _tracked_by_carrier() -> ColumnElement[bool]:
    """Carriers that send tracking (own fleet and table-rate carriers record delivery by
    hand: their shipments are never silent)."""
    return exists().where(Carrier.id == Shipment.carrier_id, Carrier.adapter_kind != "table_rate")


ORDER_COLUMNS = (Order.id, Order.number, Order.next_approver)
SHIPMENT_COLUMNS = (Shipment.id, Shipment.number, Shipment.promised_date, Shipment.created_at)
CASE_COLUMNS = (
    ServiceCase.id,
    ServiceCase.number,
    ServiceCase.kind,
    ServiceCase.priority,
    ServiceCase.assignee,
    ServiceCase.state,
    ServiceCase.first_response_at,
    ServiceCase.response_due_at,
    ServiceCase.resolution_due_at,
)

# rule -> (the subject's id column, the columns its details show, the condition)
Condition = Callable[[Bounds], ColumnElement[bool]]
CONDITIONS: dict[Rule, tuple[Any, tuple[Any, ...], Condition]] = {
    Rule.BACKORDER_AGED: (
        Order.id,
        ORDER_COLUMNS,
        lambda b: and_(_approved(), Order.submitted_at < b.backorder_since, _backordered()),
    ),
    Rule.ORDER_NOT_ALLOCATED: (
        Order.id,
        ORDER_COLUMNS,
        lambda b: and_(
            _approved(),
            Order.submitted_at < b.unallocated_since,
            Order.fulfillment_status == FulfillmentStatus.UNFULFILLED,
        ),
    ),
    Rule.APPROVAL_WAITING: (
        Order.id,
        ORDER_COLUMNS,
        lambda b: and_(
            Order.status == OrderStatus.PENDING_APPROVAL, Order.submitted_at < b.approval_since
        ),
    ),
    Rule.LABEL_PENDING: (
        Shipment.id,
        SHIPMENT_COLUMNS,
        lambda b: and_(
            Shipment.label_status == LabelStatus.PENDING, Shipment.created_at < b.label_since
        ),
    ),
    Rule.SHIPMENT_MISSED_CUTOFF: (
        Shipment.id,
        SHIPMENT_COLUMNS,
        lambda b: and_(
            Shipment.status == ShipmentStatus.READY, Shipment.created_at < b.cutoff_passed_for
        ),
    ),
    Rule.TRACKING_SILENT: (
        Shipment.id,
        SHIPMENT_COLUMNS,
        lambda b: and_(
            Shipment.status == ShipmentStatus.SHIPPED,
            _tracked_by_carrier(),
            _last_news() < b.tracking_since,
        ),
    ),
    Rule.DELIVERY_LATE: (
        Shipment.id,
        SHIPMENT_COLUMNS,
        lambda b: and_(Shipment.status == ShipmentStatus.SHIPPED, Shipment.promised_date < b.today),
    ),
    Rule.CASE_OVERDUE: (ServiceCase.id, CASE_COLUMNS, lambda b: overdue(b.now)),
}


class AlertScanRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _select(self, rule: Rule, bounds: Bounds) -> tuple[Select[Any], Any]:
        id_column, columns, condition = CONDITIONS[rule]
        return select(*columns).where(condition(bounds)), id_column

    async def matching(
        self, rule: Rule, bounds: Bounds, *, after: uuid.UUID | None, limit: int
    ) -> list[Subject]:
        """Up to ``limit`` subjects meeting the rule's condition, by id after ``after`` (the
        scan's batches)."""
        stmt, id_column = self._select(rule, bounds)
        if after is not None:
            stmt = stmt.where(id_column > after)
        rows = await self.session.execute(stmt.order_by(id_column).limit(limit))
        return [Subject(r["id"], _details(r)) for r in rows.mappings().all()]

    async def still_holding(
        self, rule: Rule, bounds: Bounds, ids: Collection[uuid.UUID]
    ) -> set[uuid.UUID]:
        """Which of ``ids`` still meet the rule's condition."""
        stmt, id_column = self._select(rule, bounds)
        rows = await self.session.execute(stmt.where(id_column.in_(list(ids))))
        return {r["id"] for r in rows.mappings().all()}


def _details(row: Any) -> dict[str, Any]:
    return {k: v for k, v in dict(row).items() if k != "id"}
