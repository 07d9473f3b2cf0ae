"""The carriers summary (a ``Summary`` of ``app.repositories.report_summaries``): the facts of
the shipments a batch of events touched derived again, and the roll-ups of the days they stood
and stand on summed again; the whole of it rebuilt from the shipments; a sample compared."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.reports.carriers import touched
from app.repositories.delivery_plans import DeliveryStop
from app.repositories.events import OutboxEvent
from app.repositories.report_carrier_check import day_mismatches
from app.repositories.report_carrier_facts import ShipmentFactWriter
from app.repositories.report_carrier_models import (
    ReportCarrier,
    ReportCarrierMonth,
    ReportShipmentFact,
)
from app.repositories.report_carrier_rollups import CarrierRollups
from app.repositories.report_summaries import Mismatch
from app.repositories.shipments import Shipment

CHUNK = 2000
SAMPLE_DAYS = 31


class CarrierSummary:
    name: str = "carriers"
    tables: Sequence[Any] = (ReportShipmentFact, ReportCarrier, ReportCarrierMonth)

    async def project(self, session: AsyncSession, events: Sequence[OutboxEvent]) -> None:
        ids = await self._shipments_touched(session, events)
        if not ids:
            return
        writer = ShipmentFactWriter(session)
        days: set[Any] = set()
        for chunk in _chunks(sorted(ids)):
            days |= await writer.days_of(chunk)
            days |= await writer.replace(chunk)
        await CarrierRollups(session).refresh(days)

    async def _shipments_touched(
        self, session: AsyncSession, events: Sequence[OutboxEvent]
    ) -> set[uuid.UUID]:
        ids: dict[str, set[uuid.UUID]] = {"shipment": set(), "order": set(), "delivery_plan": set()}
        for e in events:
            touch = touched(e.event_type, e.aggregate_type, e.aggregate_id)
            if touch is None:
                continue
            try:
                ids[touch.kind].add(uuid.UUID(touch.id))
            except ValueError:
                continue
        found = set(ids["shipment"])
        for chunk in _chunks(sorted(ids["order"])):
            rows = await session.scalars(select(Shipment.id).where(Shipment.order_id.in_(chunk)))
            found.update(rows.all())
        for chunk in _chunks(sorted(ids["delivery_plan"])):
            rows = await session.scalars(
                select(DeliveryStop.shipment_id).where(DeliveryStop.plan_id.in_(chunk))
            )
            found.update(rows.all())
        return found

    async def rebuild(self, session: AsyncSession) -> None:
        writer = ShipmentFactWriter(session)
        after: uuid.UUID | None = None
        while ids := await _shipped_after(session, after, CHUNK):
            await writer.replace(ids)
            after = ids[-1]
        await CarrierRollups(session).refresh(None)

    async def mismatches(self, session: AsyncSession, sample: int) -> list[Mismatch]:
        """Shipped shipments of a sample (spread over the id space) whose stored fact differs
        from the one derived now, or that have none; and the latest days whose roll-ups
        differ from their facts."""
        return await self._fact_mismatches(session, sample) + await day_mismatches(
            session, SAMPLE_DAYS
        )

    async def _fact_mismatches(self, session: AsyncSession, sample: int) -> list[Mismatch]:
        start = uuid.uuid4()
        ids = await _shipped_from(session, start, sample)
        ids += await _shipped_after(session, None, sample - len(ids), before=start)
        if not ids:
            return []
        writer = ShipmentFactWriter(session)
        derived = await writer.derive(ids)
        stored = await writer.stored(ids)
        out = []
        for fact in derived:
            have = stored.get(fact["shipment_id"])
            if _plain(have) != _plain(fact):
                detail = "no stored fact" if have is None else _differences(have, fact)
                out.append(Mismatch("shipment", str(fact["shipment_id"]), detail))
        return out


def _chunks(ids: list[uuid.UUID]) -> list[list[uuid.UUID]]:
    return [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]


async def _shipped_after(
    session: AsyncSession, after: uuid.UUID | None, limit: int, before: uuid.UUID | None = None
) -> list[uuid.UUID]:
    if limit <= 0:
        return []
    stmt = select(Shipment.id).where(Shipment.shipped_at.is_not(None))
    if after is not None:
        stmt = stmt.where(Shipment.id > after)
    if before is not None:
        stmt = stmt.where(Shipment.id < before)
    return list((await session.scalars(stmt.order_by(Shipment.id).limit(limit))).all())


async def _shipped_from(session: AsyncSession, start: uuid.UUID, limit: int) -> list[uuid.UUID]:
    stmt = (
        select(Shipment.id)
        .where(Shipment.shipped_at.is_not(None), Shipment.id >= start)
        .order_by(Shipment.id)
        .limit(limit)
    )
    return list((await session.scalars(stmt)).all())


def _plain(fact: dict[str, Any] | None) -> dict[str, str] | None:
    if fact is None:
        return None
    return {k: str(v.normalize() if isinstance(v, Decimal) else v) for k, v in fact.items()}


def _differences(have: dict[str, Any], want: dict[str, Any]) -> str:
    a, b = _plain(have) or {}, _plain(want) or {}
    names = sorted(k for k in b if a.get(k) != b[k])
    return "differs in " + ", ".join(names)
