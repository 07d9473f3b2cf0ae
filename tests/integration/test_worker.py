"""The worker loop runs the carrier work: label retries and tracking polls, over one client."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from typing import Any

import httpx

from app.worker import dispatcher


async def test_the_worker_loop_retries_labels_and_polls_carriers(
    sessionmaker, settings, monkeypatch
) -> None:
    calls: list[tuple[str, Any]] = []
    intervals: list[timedelta] = []

    async def retry(maker: Any, client: httpx.AsyncClient, settings: Any) -> int:
        calls.append(("retry_labels", client))
        return 0

    async def poll(
        maker: Any, client: httpx.AsyncClient, *, interval: timedelta, settings: Any
    ) -> int:
        calls.append(("poll_carriers", client))
        intervals.append(interval)
        return 0

    monkeypatch.setattr(dispatcher, "retry_labels", retry)
    monkeypatch.setattr(dispatcher, "poll_carriers", poll)
    fast = settings.model_copy(
        update={"dispatcher_interval_seconds": 0.01, "tracking_poll_minutes": 7}
    )
    task = asyncio.create_task(dispatcher.run_forever(sessionmaker, fast))
    try:
        for _ in range(200):
            if len(calls) >= 2:
                break
            await asyncio.sleep(0.01)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert [name for name, _ in calls[:2]] == ["retry_labels", "poll_carriers"]
    assert calls[0][1] is calls[1][1]  # one pooled client for the carrier work
    assert intervals[0] == timedelta(minutes=7)  # LADING_TRACKING_POLL_MINUTES
