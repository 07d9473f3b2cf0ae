"""The reports' summaries, kept by the worker (the only writer of them, in its own
transactions): the projector follows the event stream, the rebuild recomputes everything.

The projector is a positioned consumer of the stream (``app.worker.routing`` numbers events in
commit order, so reading ``position > offset`` misses none — an outbox *id* order would not do:
on PostgreSQL a later id can commit before an earlier one). A step reads the events after its
offset, derives the facts of every order they touch again from the transaction tables, sums
the roll-ups of the days those facts stood and stand on, and moves its offset — all in one
transaction, so a crash repeats the batch and a repeated batch changes nothing.

``as_of`` is the time up to which every committed change is in the summaries: the step's
start, or the write time of the oldest event it has not read if that is earlier — an event
still waiting to be routed (its change is committed but not yet readable), or, when the step
read a full batch, one further on the stream (under sustained load the figures are then as
fresh as the projector is behind, rather than as old as the last time it caught up)."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.domain.reports.events import issue_days, touched
from app.repositories.base import utcnow
from app.repositories.outbox import OutboxRepository
from app.repositories.report_maintenance import REBUILD_CHUNK, ReportMaintenance
from app.repositories.report_registry import SUMMARIES
from app.settings import Settings

log = logging.getLogger(__name__)


async def _ensure(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    # Created in a transaction of its own: a row this transaction inserted would make a second
    # projector wait for its commit instead of skipping the locked row.
    async with sessionmaker() as session:
        maintenance = ReportMaintenance(session)
        if await maintenance.progress(lock=False) is None:
            await maintenance.ensure_progress()
            await session.commit()


async def project_once(sessionmaker: async_sessionmaker[AsyncSession], batch_size: int) -> int:
    """Apply the next batch of events; how many were read."""
    await _ensure(sessionmaker)
    async with sessionmaker() as session:
        maintenance = ReportMaintenance(session)
        outbox = OutboxRepository(session)
        progress = await maintenance.progress(lock=True)
        if progress is None:  # another projector holds it
            return 0
        started = utcnow()
        pending = await maintenance.oldest_pending()  # read before the stream: see the module
        events = await outbox.after(progress.position, batch_size)
        touches = [touched(e.event_type, e.aggregate_type, e.aggregate_id) for e in events]
        orders = await maintenance.orders_touched(t for t in touches if t is not None)
        await maintenance.apply(orders)
        await maintenance.stock.refresh_issues(issue_days(e.created_at for e in events))
        for summary in SUMMARIES:
            await summary.project(session, events)
        position = events[-1].position if events else progress.position
        # Not read yet: the events still waiting to be routed, and (a full batch) the rest of
        # the stream; every change committed before the oldest of them is in the summaries.
        unread = [pending, None if len(events) < batch_size else await outbox.oldest_after(
            position or progress.position
        )]  # fmt: skip
        as_of = min([started, *(t for t in unread if t is not None)])
        # What held before still holds (an event routed late can be older than the last as_of).
        as_of = max(as_of, progress.as_of) if progress.as_of is not None else as_of
        await maintenance.advance(position or progress.position, as_of)
        await session.commit()
    if events:
        log.info("reports.projected", extra={"events": len(events), "orders": len(orders)})
    return len(events)


async def rebuild(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    """Recompute every summary from the transaction tables in one transaction (the projector
    waits meanwhile) and start the projector at the stream's end; how many orders."""
    await _ensure(sessionmaker)
    async with sessionmaker() as session:
        maintenance = ReportMaintenance(session)
        await maintenance.progress(lock=True, wait=True)
        started = utcnow()
        pending = await maintenance.oldest_pending()
        position = await OutboxRepository(session).last_position()
        await maintenance.clear()
        count, after = 0, None
        while ids := await maintenance.order_ids_after(after, REBUILD_CHUNK):
            await maintenance.rebuild_facts(ids)
            count, after = count + len(ids), ids[-1]
        await maintenance.rollups.refresh(None)
        await maintenance.stock.refresh_issues(None)
        for summary in SUMMARIES:
            await summary.rebuild(session)
        await maintenance.advance(position, min(started, pending) if pending else started)
        await session.commit()
    log.info("reports.rebuilt", extra={"orders": count})
    return count


async def project_all(sessionmaker: async_sessionmaker[AsyncSession], settings: Settings) -> int:
    """Apply every event on the stream (tests and the command line)."""
    total = 0
    while (n := await project_once(sessionmaker, settings.reports_batch_size)) > 0:
        total += n
        if n < settings.reports_batch_size:
            break
    return total
