"""The worker runs each job in its own loop: a slow or failing job never holds up another."""

from __future__ import annotations

import asyncio
import contextlib

from app.worker import dispatcher, schedule
from app.worker.jobs import Job, WorkerContext


async def test_each_job_runs_in_its_own_loop(sessionmaker, settings) -> None:
    runs: dict[str, int] = {"slow": 0, "failing": 0, "busy": 0}
    contexts: list[WorkerContext] = []

    async def slow(ctx: WorkerContext) -> bool:
        runs["slow"] += 1
        await asyncio.sleep(60)
        return False

    async def failing(ctx: WorkerContext) -> bool:
        runs["failing"] += 1
        raise RuntimeError("boom")

    async def busy(ctx: WorkerContext) -> bool:
        runs["busy"] += 1
        contexts.append(ctx)
        return runs["busy"] < 3  # a full batch twice: run again at once

    jobs = [
        Job("slow", slow, lambda s: 0.01),
        Job("failing", failing, lambda s: 0.01),
        Job("busy", busy, lambda s: 60.0),
        Job("off", slow, lambda s: 0.01, enabled=lambda s: False),
    ]
    task = asyncio.create_task(dispatcher.run_forever(sessionmaker, settings, jobs=jobs))
    try:
        for _ in range(300):
            if runs["failing"] >= 3 and runs["busy"] >= 3:
                break
            await asyncio.sleep(0.01)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert runs["slow"] == 1  # still in its first step, and the others went on
    assert runs["failing"] >= 3  # a failure is retried after the job's wait
    assert runs["busy"] == 3  # again at once while it had more, then the 60 s wait
    assert contexts[0].http is not contexts[0].carrier_http


def test_the_schedule_names_every_job_once() -> None:
    names = [job.name for job in schedule.JOBS]
    assert len(names) == len(set(names))
    assert {"route_events", "carrier_round", "raise_overdue"} <= set(names)


async def test_the_carrier_round_retries_labels_and_polls_over_the_carrier_client(
    sessionmaker, settings, monkeypatch
) -> None:
    calls: list[tuple[str, object]] = []

    async def retry(maker, client, settings) -> int:
        calls.append(("retry_labels", client))
        return 0

    async def poll(maker, client, *, interval, settings) -> int:
        calls.append(("poll_carriers", interval))
        return 0

    monkeypatch.setattr(schedule.housekeeping, "retry_labels", retry)
    monkeypatch.setattr(schedule.tracking, "poll_carriers", poll)
    marker = object()
    ctx = WorkerContext(
        sessionmaker,
        settings.model_copy(update={"tracking_poll_minutes": 7}),
        http=None,  # type: ignore[arg-type]
        carrier_http=marker,  # type: ignore[arg-type]
    )
    assert await schedule.carrier_round(ctx) is False
    from datetime import timedelta

    assert calls == [("retry_labels", marker), ("poll_carriers", timedelta(minutes=7))]
