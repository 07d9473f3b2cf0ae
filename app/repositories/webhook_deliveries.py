"""The worker's side of webhook deliveries: creating them when events are routed, leasing
the due ones (any number of workers share them), settling each attempt, and replays."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, delete, exists, func, insert, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.repositories.base import UtcDateTime
from app.repositories.events import OutboxEvent
from app.repositories.webhooks import WebhookAttempt, WebhookDelivery, WebhookEndpoint

DELIVERIES = cast(Table, WebhookDelivery.__table__)
ATTEMPTS = cast(Table, WebhookAttempt.__table__)
ENDPOINTS = cast(Table, WebhookEndpoint.__table__)


@dataclass(frozen=True)
class Claimed:
    """A leased delivery with what sending it needs (plain values: used outside a session)."""

    id: uuid.UUID
    attempts: int
    endpoint_id: uuid.UUID
    url: str
    secret: str = field(repr=False)
    previous_secret: str | None = field(repr=False)
    previous_secret_until: datetime | None
    event_id: uuid.UUID
    event_type: str
    aggregate_type: str
    aggregate_id: str
    occurred_at: datetime
    payload: dict[str, Any] = field(repr=False)


class WebhookDeliveryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @property
    def _postgres(self) -> bool:
        return self.session.bind.dialect.name == "postgresql"

    async def active_endpoints(self) -> list[tuple[uuid.UUID, list[str]]]:
        """(id, event-type filter) of every active endpoint (endpoints are few)."""
        rows = await self.session.execute(
            select(WebhookEndpoint.id, WebhookEndpoint.event_types).where(
                WebhookEndpoint.active.is_(True)
            )
        )
        return [(row[0], list(row[1])) for row in rows]

    async def upsert(self, rows: Sequence[dict[str, Any]], *, reset: bool) -> int:
        """Insert deliveries; one that exists is left alone, or with ``reset`` (a replay)
        is due again at ``next_attempt_at`` with a fresh retry schedule and the same id."""
        if not rows:
            return 0
        insert = (postgresql.insert if self._postgres else sqlite.insert)(WebhookDelivery)
        stmt = insert.values(list(rows))
        keys = [WebhookDelivery.endpoint_id, WebhookDelivery.event_id]
        if reset:
            stmt = stmt.on_conflict_do_update(
                index_elements=keys,
                set_={
                    "status": "pending",
                    "attempts": 0,
                    "next_attempt_at": stmt.excluded.next_attempt_at,
                    "delivered_at": None,
                },
            )
        else:
            stmt = stmt.on_conflict_do_nothing(index_elements=keys)
        await self.session.execute(stmt)
        return len(rows)

    async def claim_due(self, now: datetime, limit: int, lease_until: datetime) -> list[Claimed]:
        """Lease due deliveries of active endpoints: ``next_attempt_at`` moves to
        ``lease_until``, so once this commits no other worker takes them until it runs out.
        A delivery waits while an earlier (by stream position) delivery of the same endpoint
        and ordering key is still pending, so one order's events arrive in order. On
        PostgreSQL ``FOR UPDATE SKIP LOCKED``: concurrent claimers never pick the same rows."""
        d, event = WebhookDelivery, OutboxEvent
        earlier, earlier_event = aliased(WebhookDelivery), aliased(OutboxEvent)
        blocked = (
            exists()
            .where(
                earlier.endpoint_id == d.endpoint_id,
                earlier.ordering_key == d.ordering_key,
                earlier.status == "pending",
                earlier.id != d.id,
                earlier_event.id == earlier.event_id,
                earlier_event.position < event.position,
            )
            .correlate(d, event)
        )
        stmt = (
            select(d.id)
            .join(event, event.id == d.event_id)
            .join(WebhookEndpoint, WebhookEndpoint.id == d.endpoint_id)
            .where(
                d.status == "pending",
                d.next_attempt_at <= now,
                WebhookEndpoint.active.is_(True),
                ~blocked,
            )
            .order_by(d.next_attempt_at, event.position)
            .limit(limit)
        )
        if self._postgres:
            stmt = stmt.with_for_update(skip_locked=True, of=d)
        ids = list((await self.session.scalars(stmt)).all())
        if not ids:
            return []
        # Still due as the lease is written: on SQLite (no row locks) a second process that
        # read the same rows takes none of them once the first one's lease is committed.
        leased = await self.session.scalars(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.id.in_(ids),
                WebhookDelivery.status == "pending",
                WebhookDelivery.next_attempt_at <= now,
            )
            .values(next_attempt_at=lease_until)
            .returning(WebhookDelivery.id)
        )
        return await self._load(list(leased.all()))

    async def _load(self, ids: list[uuid.UUID]) -> list[Claimed]:
        if not ids:
            return []
        d, event, endpoint = WebhookDelivery, OutboxEvent, WebhookEndpoint
        rows = await self.session.execute(
            select(d, event, endpoint)
            .join(event, event.id == d.event_id)
            .join(endpoint, endpoint.id == d.endpoint_id)
            .where(d.id.in_(ids))
            .order_by(d.next_attempt_at, event.position)
        )
        return [
            Claimed(
                id=row[0].id,
                attempts=row[0].attempts,
                endpoint_id=row[2].id,
                url=row[2].url,
                secret=row[2].secret,
                previous_secret=row[2].previous_secret,
                previous_secret_until=row[2].previous_secret_until,
                event_id=row[1].id,
                event_type=row[1].event_type,
                aggregate_type=row[1].aggregate_type,
                aggregate_id=row[1].aggregate_id,
                occurred_at=row[1].created_at,
                payload=row[1].payload,
            )
            for row in rows
        ]

    async def _execute(self, stmt: Any) -> Any:
        """Core statements on the session's connection: the hot path of sending skips the
        ORM's bulk-update bookkeeping (a third of a delivery's CPU otherwise)."""
        return await (await self.session.connection()).execute(stmt)

    async def renew(
        self, ids: list[uuid.UUID], lease: datetime, lease_until: datetime
    ) -> set[uuid.UUID]:
        """Extend this worker's lease on deliveries it has not sent yet; returns those still
        held. The lease's end is its token: a delivery whose ``next_attempt_at`` is no longer
        ``lease`` was settled, or its lease ran out and another worker took it."""
        if not ids:
            return set()
        renewed = await self._execute(
            update(DELIVERIES)
            .where(
                DELIVERIES.c.id.in_(ids),
                DELIVERIES.c.status == "pending",
                DELIVERIES.c.next_attempt_at == lease,
            )
            .values(next_attempt_at=lease_until)
            .returning(DELIVERIES.c.id)
        )
        return set(renewed.scalars().all())

    async def log_attempt(self, **values: Any) -> None:
        """One row of the attempt log (``WebhookAttempt``'s columns)."""
        await self._execute(insert(ATTEMPTS).values(id=uuid.uuid4(), **values))

    async def settle(
        self,
        delivery_id: uuid.UUID,
        *,
        status: str,
        last_status: str,
        next_attempt_at: datetime | None,
        delivered_at: datetime | None,
    ) -> None:
        values: dict[str, Any] = {
            "status": status,
            "last_status": last_status[:200],
            "attempts": DELIVERIES.c.attempts + 1,
            "delivered_at": delivered_at,
        }
        if next_attempt_at is not None:
            values["next_attempt_at"] = next_attempt_at
        await self._execute(
            update(DELIVERIES).where(DELIVERIES.c.id == delivery_id).values(**values)
        )

    async def endpoint_answered(self, endpoint_id: uuid.UUID) -> None:
        """A success ends the endpoint's failing run."""
        await self._execute(
            update(ENDPOINTS)
            .where(ENDPOINTS.c.id == endpoint_id, ENDPOINTS.c.failing_since.is_not(None))
            .values(failing_since=None)
        )

    async def endpoint_failed(self, endpoint_id: uuid.UUID, now: datetime) -> datetime | None:
        """Start the endpoint's failing run unless one is going on; returns its start."""
        since = func.coalesce(ENDPOINTS.c.failing_since, literal(now, UtcDateTime()))
        result = await self._execute(
            update(ENDPOINTS)
            .where(ENDPOINTS.c.id == endpoint_id)
            .values(failing_since=since)
            .returning(ENDPOINTS.c.failing_since)
        )
        value: datetime | None = result.scalar()
        return value

    async def due_now(self, endpoint_id: uuid.UUID, now: datetime) -> None:
        """Every pending delivery of the endpoint due at ``now`` (it was switched back on)."""
        await self.session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint_id, WebhookDelivery.status == "pending")
            .values(next_attempt_at=now)
        )

    async def routed_events(
        self, *, start: datetime, end: datetime, limit: int
    ) -> list[OutboxEvent]:
        """Routed events that happened in [start, end), oldest first, at most ``limit``."""
        stmt = (
            select(OutboxEvent)
            .where(
                OutboxEvent.status == "routed",
                OutboxEvent.created_at >= start,
                OutboxEvent.created_at < end,
            )
            .order_by(OutboxEvent.position)
            .limit(limit)
        )
        return list((await self.session.scalars(stmt)).all())

    async def event(self, event_id: uuid.UUID) -> OutboxEvent | None:
        return await self.session.get(OutboxEvent, event_id)

    async def purge_before(self, cutoff: datetime) -> int:
        """Forget attempts older than ``cutoff``, and settled deliveries (delivered or dead)
        made before it; pending ones stay. A replay makes a forgotten delivery again under the
        same id. Returns how many deliveries went."""
        settled = select(DELIVERIES.c.id).where(
            DELIVERIES.c.status.in_(["delivered", "dead"]), DELIVERIES.c.created_at < cutoff
        )
        await self._execute(
            delete(ATTEMPTS).where(or_(ATTEMPTS.c.at < cutoff, ATTEMPTS.c.delivery_id.in_(settled)))
        )
        result = await self._execute(delete(DELIVERIES).where(DELIVERIES.c.id.in_(settled)))
        return int(result.rowcount or 0)
