"""Order and line facts, derived from the transaction tables for a set of orders and written in
place of what was there (the projector and the rebuild share this one derivation)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.reports import facts as rules
from app.repositories.base import insert_rows
from app.repositories.carriers import Carrier
from app.repositories.customers import Customer
from app.repositories.events import AuditEvent
from app.repositories.orders import Order, OrderLine
from app.repositories.report_models import ReportLineFact, ReportOrderFact
from app.repositories.shipments import Shipment
from app.repositories.warehouses import Warehouse

ZERO = Decimal(0)


class ReportFactWriter:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def days_of(self, order_ids: Collection[uuid.UUID]) -> set[date]:
        """The days the facts of these orders stand on now (before they are derived again)."""
        rows = await self.session.scalars(
            select(ReportOrderFact.day).where(ReportOrderFact.order_id.in_(list(order_ids)))
        )
        return set(rows.all())

    async def replace(self, order_ids: Collection[uuid.UUID]) -> set[date]:
        """Derive the facts of these orders again and write them in place of the old ones;
        the days their new facts stand on."""
        ids = list(order_ids)
        await self.session.execute(delete(ReportLineFact).where(ReportLineFact.order_id.in_(ids)))
        await self.session.execute(delete(ReportOrderFact).where(ReportOrderFact.order_id.in_(ids)))
        orders, lines = await self.derive(ids)
        if orders:
            await insert_rows(self.session, ReportOrderFact, orders)
        if lines:
            await insert_rows(self.session, ReportLineFact, lines)
        return {row["day"] for row in orders}

    async def derive(
        self, ids: Sequence[uuid.UUID]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        o = Order
        heads = (
            await self.session.execute(
                select(
                    o.id, o.submitted_at, o.created_at, o.customer_id, o.customer_name,
                    o.channel, o.ship_to, o.created_by, o.currency, o.net_total, o.status,
                    o.fulfillment_status, o.requested_delivery_date, Customer.customer_group,
                )
                .join(Customer, Customer.id == o.customer_id)
                .where(o.id.in_(ids))
            )
        ).all()  # fmt: skip
        if not heads:
            return [], []
        lines = await self._lines(ids)
        audits = await self._milestones(ids)
        shipments = await self._shipments(ids)
        order_rows, line_rows = [], []
        for order in heads:
            own = lines.get(order.id, [])
            group = order.customer_group
            order_rows.append(
                _order_fact(order, group, own, audits.get(order.id, {}), shipments[order.id])
            )
            line_rows += [_line_fact(order, line) for line in own]
        return order_rows, line_rows

    async def _lines(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Any]]:
        x = OrderLine
        out: dict[uuid.UUID, list[Any]] = defaultdict(list)
        rows = await self.session.execute(
            select(x.id, x.order_id, x.product_id, x.sku, x.net, x.quantity_ordered,
                   x.quantity_shipped)
            .where(x.order_id.in_(ids))
            .order_by(x.order_id, x.line_no)
        )  # fmt: skip
        for line in rows:
            out[line.order_id].append(line)
        return out

    async def _milestones(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
        """Per order, the first approval and the first allocation (with the lines it left
        short), from the audit trail."""
        rows = await self.session.execute(
            select(AuditEvent.entity_id, AuditEvent.action, AuditEvent.at, AuditEvent.after)
            .where(
                AuditEvent.entity_type == "order",
                AuditEvent.entity_id.in_([str(i) for i in ids]),
                AuditEvent.action.in_(["approved", "allocated", "backordered"]),
            )
            .order_by(AuditEvent.at, AuditEvent.id)
        )
        out: dict[uuid.UUID, dict[str, Any]] = defaultdict(dict)
        for entity_id, action, at, after in rows:
            seen = out[uuid.UUID(entity_id)]
            if action == "approved":
                seen.setdefault("approved", at)
            elif "allocated" not in seen:
                seen["allocated"] = at
                seen["short_at_first"] = rules.short_lines(after)
        return out

    async def _shipments(
        self, ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[rules.ShipmentRow]]:
        rows = await self.session.execute(
            select(
                Shipment.order_id,
                Shipment.warehouse_id,
                Warehouse.code,
                Shipment.carrier_id,
                Carrier.code,
                Shipment.shipped_at,
                Shipment.delivered_at,
                Shipment.promised_date,
            )
            .join(Warehouse, Warehouse.id == Shipment.warehouse_id)
            .outerjoin(Carrier, Carrier.id == Shipment.carrier_id)
            .where(Shipment.order_id.in_(ids))
            .order_by(Shipment.created_at, Shipment.id)
        )
        out: dict[uuid.UUID, list[rules.ShipmentRow]] = defaultdict(list)
        for order_id, wid, wcode, cid, ccode, shipped, delivered, promise in rows:
            out[order_id].append(
                rules.ShipmentRow(
                    str(wid),
                    wcode,
                    str(cid) if cid else rules.OWN_FLEET,
                    ccode or rules.OWN_FLEET,
                    shipped,
                    delivered,
                    promise,
                )
            )
        return out


def _order_fact(
    order: Any,
    group: str | None,
    lines: list[Any],
    seen: dict[str, Any],
    shipments: list[rules.ShipmentRow],
) -> dict[str, Any]:
    submitted = order.submitted_at or order.created_at
    first = rules.first_shipment(shipments)
    delivered = rules.delivered_at(order.fulfillment_status, shipments)
    promise = rules.promised(order.requested_delivery_date, shipments)
    milestones = rules.Milestones(
        submitted=submitted,
        approved=seen.get("approved"),
        allocated=seen.get("allocated"),
        shipped=first.shipped_at if first else None,
        delivered=delivered,
    )
    ordered = sum((x.quantity_ordered for x in lines), ZERO)
    shipped = sum((x.quantity_shipped for x in lines), ZERO)
    short = seen.get("short_at_first")
    ship_to = order.ship_to or {}
    return {
        "order_id": order.id,
        "day": submitted.date(),
        "counted": order.status not in rules.NOT_COUNTED,
        "status": order.status,
        "customer_id": order.customer_id,
        "customer_name": order.customer_name,
        "customer_group": group or "",
        "channel": order.channel,
        "province": str(ship_to.get("region") or "")[:100],
        "city": str(ship_to.get("city") or "")[:100],
        "entered_by": order.created_by,
        "currency": order.currency,
        "net": order.net_total,
        "units": ordered,
        "lines": len(lines),
        "lines_filled_first": None if short is None else max(len(lines) - short, 0),
        "warehouse_key": first.warehouse_key if first else "",
        "warehouse_label": first.warehouse_label if first else "",
        "carrier_key": first.carrier_key if first else "",
        "carrier_label": first.carrier_label if first else "",
        "shipped": first is not None and first.shipped_at is not None,
        "in_full": rules.in_full(ordered, shipped),
        "promised_delivered": delivered is not None and promise is not None,
        "on_time": rules.on_time(delivered, promise),
        **{f"h_{stage}": hours for stage, hours in rules.lead_hours(milestones).items()},
        "backlog": rules.backlog_kind(order.status, order.fulfillment_status),
    }


def _line_fact(order: Any, line: Any) -> dict[str, Any]:
    return {
        "line_id": line.id,
        "order_id": order.id,
        "day": (order.submitted_at or order.created_at).date(),
        "counted": order.status not in rules.NOT_COUNTED,
        "product_id": line.product_id,
        "sku": line.sku,
        "currency": order.currency,
        "net": line.net,
        "units": line.quantity_ordered,
    }
