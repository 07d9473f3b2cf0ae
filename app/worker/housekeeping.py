"""Periodic work of the worker: purge expired idempotency records and forgotten failed
sign-in counters, expire unpaid reservations, retry pending label purchases."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.domain.auth import Principal
from app.repositories.idempotency import IdempotencyRepository
from app.settings import Settings

log = logging.getLogger(__name__)


async def purge_idempotency_keys(
    sessionmaker: async_sessionmaker[AsyncSession], *, retention: timedelta
) -> int:
    """Delete idempotency records older than ``retention`` (at least 24 hours by setting)."""
    cutoff = datetime.now(UTC) - retention
    async with sessionmaker() as session:
        purged = await IdempotencyRepository(session).purge_older_than(cutoff)
        await session.commit()
    if purged:
        log.info("idempotency.purged", extra={"count": purged})
    return purged


async def purge_login_failures(
    sessionmaker: async_sessionmaker[AsyncSession], *, window: timedelta
) -> int:
    """Delete failed sign-in counters that no longer change any decision."""
    from app.domain.login_throttle import forgotten_before
    from app.repositories.login_throttle import LoginThrottleRepository

    cutoff = forgotten_before(datetime.now(UTC), window)
    async with sessionmaker() as session:
        purged = await LoginThrottleRepository(session).purge_forgotten(cutoff)
        await session.commit()
    if purged:
        log.info("login_failures.purged", extra={"count": purged})
    return purged


SYSTEM = Principal(subject_id="system", name="worker", kind="system", roles=(), scopes=frozenset())


async def expire_reservations(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> int:
    """Release the reservations of unpaid prepaid orders whose time ran out."""
    from app.bootstrap import build_bus, unit_of_work
    from app.services.allocation.commands import ExpireUnpaidReservations

    bus = build_bus(settings)
    expired: int = await bus.handle(
        ExpireUnpaidReservations(principal=SYSTEM), unit_of_work(sessionmaker, bus)
    )
    if expired:
        log.info("reservations.expired", extra={"orders": expired})
    return expired


async def retry_labels(
    sessionmaker: async_sessionmaker[AsyncSession], client: httpx.AsyncClient, settings: Settings
) -> int:
    """Retry the label purchases waiting for a carrier that was down (same idempotency key)."""
    from app.bootstrap import build_bus, unit_of_work
    from app.services.shipments.labels.commands import RetryPendingLabels

    bus = build_bus(settings)
    command = RetryPendingLabels(actor=SYSTEM.actor, client=client)
    retried: int = await bus.handle(command, unit_of_work(sessionmaker, bus))
    if retried:
        log.info("labels.retried", extra={"count": retried})
    return retried
