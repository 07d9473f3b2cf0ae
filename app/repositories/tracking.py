"""Tracking: the carriers' webhook inbox, shipment timelines, and which shipments to poll.
The tables are declared with the shipments (``app.repositories.shipments``)."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.base import first
from app.repositories.carriers import Carrier
from app.repositories.shipments import CarrierInboxEntry, Shipment, ShipmentEvent


@dataclass(frozen=True)
class PollTarget:
    shipment_id: uuid.UUID
    tracking_number: str
    carrier_id: uuid.UUID
    carrier_shipment_id: str | None = None


class TrackingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def receive(self, carrier_code: str, event_id: str, received_at: datetime) -> bool:
        """Keep a webhook delivery in the inbox: True the first time, False when (carrier,
        event id) is already there. The unique key decides, in one statement: on PostgreSQL a
        concurrent delivery of the same event waits here for the first one's transaction and
        then finds its row (``ON CONFLICT DO NOTHING``), so it never raises."""
        insert = (
            postgresql.insert if self.session.bind.dialect.name == "postgresql" else sqlite.insert
        )
        stmt = (
            insert(CarrierInboxEntry)
            .values(
                id=uuid.uuid4(),
                carrier_code=carrier_code,
                event_id=event_id,
                received_at=received_at,
                outcome="received",
            )
            .on_conflict_do_nothing(
                index_elements=[CarrierInboxEntry.carrier_code, CarrierInboxEntry.event_id]
            )
            .returning(CarrierInboxEntry.id)
        )
        return (await self.session.execute(stmt)).first() is not None

    async def settle(self, carrier_code: str, event_id: str, outcome: str) -> None:
        """Record what the delivery did (``accepted``, ``unknown_tracking_number``, ...)."""
        await self.session.execute(
            update(CarrierInboxEntry)
            .where(
                CarrierInboxEntry.carrier_code == carrier_code,
                CarrierInboxEntry.event_id == event_id,
            )
            .values(outcome=outcome[:200])
        )

    async def inbox_entry(self, carrier_code: str, event_id: str) -> CarrierInboxEntry | None:
        return await first(
            self.session,
            select(CarrierInboxEntry).where(
                CarrierInboxEntry.carrier_code == carrier_code,
                CarrierInboxEntry.event_id == event_id,
            ),
        )

    async def shipments_for_update(
        self, carrier_id: uuid.UUID, tracking_numbers: Collection[str]
    ) -> list[Shipment]:
        """The carrier's shipments with these tracking numbers, locked (PostgreSQL) in id
        order, so that two deliveries touching the same shipments take turns."""
        if not tracking_numbers:
            return []
        stmt = (
            select(Shipment)
            .where(
                Shipment.carrier_id == carrier_id,
                Shipment.tracking_number.in_(sorted(tracking_numbers)),
            )
            .order_by(Shipment.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return list((await self.session.scalars(stmt)).all())

    async def timeline(self, shipment_id: uuid.UUID) -> list[ShipmentEvent]:
        """A shipment's tracking events, oldest first (by event time, then arrival)."""
        rows = await self.session.scalars(
            select(ShipmentEvent)
            .where(ShipmentEvent.shipment_id == shipment_id)
            .order_by(ShipmentEvent.occurred_at, ShipmentEvent.recorded_at, ShipmentEvent.id)
        )
        return list(rows)

    def add_event(self, event: ShipmentEvent) -> None:
        self.session.add(event)

    async def by_token(self, token: str) -> Shipment | None:
        """The shipment whose public tracking token is exactly ``token``."""
        return await first(self.session, select(Shipment).where(Shipment.tracking_token == token))

    async def claim_for_polling(
        self,
        *,
        status: str,
        adapter_kinds: Collection[str],
        final_statuses: Collection[str],
        due_before: datetime,
        now: datetime,
        limit: int,
    ) -> list[PollTarget]:
        """Shipments in ``status`` with a tracking number, of an active carrier that sends no
        webhooks and speaks one of ``adapter_kinds``, not in a final tracking status, last
        tracked before ``due_before`` (or never): least recently tracked first. Their
        ``tracked_at`` moves to ``now`` at once, so the claim also spaces out the next poll
        (whatever the carrier answers) and, once committed, keeps other workers off them; on
        PostgreSQL ``SKIP LOCKED`` lets concurrent claimers pass each other."""
        stmt = (
            select(
                Shipment.id,
                Shipment.tracking_number,
                Shipment.carrier_id,
                Shipment.carrier_shipment_id,
            )
            .join(Carrier, Carrier.id == Shipment.carrier_id)
            .where(
                Shipment.status == status,
                Shipment.tracking_number.is_not(None),
                Carrier.active.is_(True),
                Carrier.webhooks.is_(False),
                Carrier.adapter_kind.in_(sorted(adapter_kinds)),
                or_(
                    Shipment.tracking_status.is_(None),
                    Shipment.tracking_status.not_in(sorted(final_statuses)),
                ),
                or_(Shipment.tracked_at.is_(None), Shipment.tracked_at < due_before),
            )
            .order_by(Shipment.tracked_at.asc().nulls_first(), Shipment.id)
            .limit(limit)
        )
        if self.session.bind.dialect.name == "postgresql":
            stmt = stmt.with_for_update(of=Shipment, skip_locked=True)
        rows = (await self.session.execute(stmt)).tuples().all()
        targets = [
            PollTarget(shipment_id, number, carrier_id, carrier_ref)
            for shipment_id, number, carrier_id, carrier_ref in rows
            if number is not None and carrier_id is not None
        ]
        if targets:
            # A plain UPDATE: polling alone is not a change of the shipment (no new version).
            await self.session.execute(
                update(Shipment)
                .where(Shipment.id.in_([t.shipment_id for t in targets]))
                .values(tracked_at=now)
                .execution_options(synchronize_session=False)
            )
        return targets
