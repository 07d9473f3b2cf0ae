"""The worker as a set of jobs, each in its own loop, so a slow one never holds up another.

A job is a step and how long to wait between steps when it has nothing more to do: a step
returns True when it did a full batch (more is waiting: run again at once). A step that raises
is logged and tried again after its wait. The jobs of Lading are listed in
``app.worker.schedule``."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.observability import Metrics
from app.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkerContext:
    """What every step may use. ``http`` is the pooled client for outbound webhooks and
    notification providers, ``carrier_http`` the one for carrier calls; both check each
    request against the outbound URL rule."""

    sessionmaker: async_sessionmaker[AsyncSession]
    settings: Settings
    http: httpx.AsyncClient
    carrier_http: httpx.AsyncClient
    metrics: Metrics | None = None


Step = Callable[[WorkerContext], Awaitable[bool]]


def _always(settings: Settings) -> bool:
    return True


@dataclass(frozen=True)
class Job:
    name: str
    step: Step
    every: Callable[[Settings], float]  # seconds to wait after a step that left nothing
    enabled: Callable[[Settings], bool] = _always


async def run_job(job: Job, ctx: WorkerContext) -> None:
    """Run ``job`` until cancelled."""
    while True:
        try:
            more = await job.step(ctx)
        except Exception:
            log.exception("worker.job_failed", extra={"job": job.name})
            more = False
        if not more:
            await asyncio.sleep(job.every(ctx.settings))


async def run_jobs(ctx: WorkerContext, jobs: Sequence[Job]) -> None:
    """Every enabled job in a task of its own, until cancelled."""
    enabled = [job for job in jobs if job.enabled(ctx.settings)]
    log.info("worker.started", extra={"jobs": [job.name for job in enabled]})
    async with asyncio.TaskGroup() as group:
        for job in enabled:
            group.create_task(run_job(job, ctx), name=f"lading-{job.name}")
