"""Shipment facts for the carriers report, derived from the transaction tables for a set of
shipments and written in place of what was there (the projector, the rebuild and the check
share this one derivation)."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.reports import carriers as rules
from app.repositories.base import insert_rows
from app.repositories.carriers import Carrier
from app.repositories.report_carrier_models import ReportShipmentFact
from app.repositories.shipments import Shipment, ShipmentEvent, ShipmentPackage
from app.repositories.warehouses import Warehouse

FACT_COLUMNS = [c.key for c in ReportShipmentFact.__table__.columns]


class ShipmentFactWriter:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def days_of(self, ids: Collection[uuid.UUID]) -> set[date]:
        """The days the facts of these shipments stand on now (before they are derived)."""
        rows = await self.session.scalars(
            select(ReportShipmentFact.day).where(ReportShipmentFact.shipment_id.in_(list(ids)))
        )
        return set(rows.all())

    async def replace(self, ids: Collection[uuid.UUID]) -> set[date]:
        """Derive these shipments' facts again (none for one not shipped) and write them in
        place of the old ones; the days the new facts stand on."""
        ids = list(ids)
        await self.session.execute(
            delete(ReportShipmentFact).where(ReportShipmentFact.shipment_id.in_(ids))
        )
        facts = await self.derive(ids)
        if facts:
            await insert_rows(self.session, ReportShipmentFact, facts)
        return {f["day"] for f in facts}

    async def stored(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
        rows = await self.session.scalars(
            select(ReportShipmentFact).where(ReportShipmentFact.shipment_id.in_(list(ids)))
        )
        return {r.shipment_id: {k: getattr(r, k) for k in FACT_COLUMNS} for r in rows}

    async def derive(self, ids: Sequence[uuid.UUID]) -> list[dict[str, Any]]:
        s = Shipment
        heads = (
            await self.session.execute(
                select(
                    s.id, s.shipped_at, s.carrier_id, Carrier.code, s.service, s.warehouse_id,
                    Warehouse.code, s.shipping_cost, s.shipping_currency, s.promised_date,
                    s.delivered_at, s.tracking_status,
                )
                .join(Warehouse, Warehouse.id == s.warehouse_id)
                .outerjoin(Carrier, Carrier.id == s.carrier_id)
                .where(s.id.in_(list(ids)), s.shipped_at.is_not(None))
            )
        ).all()  # fmt: skip
        if not heads:
            return []
        shipped = [h.id for h in heads]
        weights = await self._weights(shipped)
        alerted = await self._alerted(shipped)
        return [_fact(h, weights.get(h.id, Decimal(0)), h.id in alerted) for h in heads]

    async def _weights(self, ids: list[uuid.UUID]) -> dict[uuid.UUID, Decimal]:
        p = ShipmentPackage
        rows = await self.session.execute(
            select(p.shipment_id, func.sum(p.weight_kg))
            .where(p.shipment_id.in_(ids))
            .group_by(p.shipment_id)
        )
        return {sid: Decimal(str(w or 0)).quantize(Decimal("0.001")) for sid, w in rows}

    async def _alerted(self, ids: list[uuid.UUID]) -> set[uuid.UUID]:
        """The shipments with a tracking event the tracking domain raises an alert for."""
        e = ShipmentEvent
        rows = await self.session.scalars(
            select(e.shipment_id)
            .where(e.shipment_id.in_(ids), e.status.in_(sorted(rules.EXCEPTION_STATUSES)))
            .distinct()
        )
        return set(rows.all())


def _fact(h: Any, weight: Decimal, alerted: bool) -> dict[str, Any]:
    (sid, shipped_at, carrier_id, carrier_code, service, warehouse_id, warehouse_code,
     cost, currency, promised, delivered, tracking_status) = h  # fmt: skip
    carrier = rules.carrier_of(str(carrier_id) if carrier_id else None, carrier_code)
    service_key, service_label = rules.service_of(carrier, service)
    costed = cost is not None and currency is not None
    with_promise, on_time = rules.delivered_on_time(delivered, promised)
    return {
        "shipment_id": sid,
        "day": shipped_at.date(),
        "carrier_key": carrier[0],
        "carrier_label": carrier[1],
        "service_key": service_key[:140],
        "service_label": service_label[:140],
        "warehouse_key": str(warehouse_id),
        "warehouse_label": warehouse_code,
        "weight_kg": weight,
        "cost": cost if costed else None,
        "currency": currency if costed else "",
        "promised_date": promised,
        "delivered_at": delivered,
        "delivered_with_promise": with_promise,
        "on_time": on_time,
        "exception": alerted or rules.is_exception([tracking_status]),
    }
