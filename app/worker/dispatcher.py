"""The worker process (``lading worker``, or inside the API process in the embedded default):
the jobs of ``app.worker.schedule``, each in its own loop, over two pooled HTTP clients."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.adapters.outbound import OutboundGuard, guarded_client
from app.observability import Metrics
from app.settings import Settings
from app.worker.jobs import Job, WorkerContext, run_jobs


async def run_forever(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    metrics: Metrics | None = None,
    jobs: Sequence[Job] | None = None,
) -> None:
    """Run ``jobs`` (default: every job of the schedule) until cancelled. Both HTTP clients
    check each request against the outbound URL rule (a host is resolved on every request, as
    DNS may change)."""
    from app.worker.schedule import JOBS

    guard = OutboundGuard(settings.outbound_policy)
    async with (
        guarded_client(guard) as carrier_http,
        guarded_client(guard, timeout=settings.webhook_timeout_seconds) as http,
    ):
        ctx = WorkerContext(sessionmaker, settings, http, carrier_http, metrics)
        await run_jobs(ctx, JOBS if jobs is None else jobs)
