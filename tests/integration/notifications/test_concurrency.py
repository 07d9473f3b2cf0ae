"""Several workers send at once on PostgreSQL, with real parallel connections: each claim
skips what another holds (``FOR UPDATE SKIP LOCKED``) and leases it, so every notification is
sent once. The rows are this test's own (due in the year 2000, a time no other row is due at,
so the rounds here take only them), removed afterwards."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from app.adapters.notifiers.base import OutboundMessage
from app.repositories.notifications import Notification, NotificationRepository
from app.worker.notify.sending import send_due

LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)


class Recording:
    channel = "email"

    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send(self, message: OutboundMessage) -> str:
        await asyncio.sleep(0.01)  # the other worker runs meanwhile
        self.sent.append(message.recipient)
        return "250 ok"


@pytest.mark.postgres_only
async def test_two_workers_send_each_notification_once(pg_engine, settings) -> None:
    maker = async_sessionmaker(pg_engine, expire_on_commit=False)
    marker = uuid.uuid4().hex
    rows = [
        {
            "kind": "order_confirmed",
            "subject_type": "test",
            "subject_id": f"{marker}-{n}",
            "channel": "email",
            "recipient": f"{marker}-{n}@example.cn",
            "language": "zh-CN",
            "message_subject": "s",
            "message_body": "b",
            "status": "pending",
            "next_attempt_at": LONG_AGO + timedelta(microseconds=n),
        }
        for n in range(30)
    ]
    async with maker() as session:
        assert await NotificationRepository(session).add_once(rows) == 30
        await session.commit()
    small = settings.model_copy(update={"notification_batch_size": 4})
    notifier = Recording()
    then = LONG_AGO + timedelta(days=1)

    async def worker() -> None:
        while await send_due(maker, {"email": notifier}, small, now=then):
            pass

    try:
        await asyncio.gather(worker(), worker(), worker())
        mine = [r for r in notifier.sent if r.startswith(marker)]
        assert Counter(mine) == Counter(r["recipient"] for r in rows)  # each once
        async with maker() as session:
            stored = (
                await session.scalars(
                    select(Notification).where(
                        Notification.subject_type == "test",
                        Notification.subject_id.startswith(marker),
                    )
                )
            ).all()
        assert {(n.status, n.attempts) for n in stored} == {("sent", 1)}
    finally:
        async with maker() as session:
            await session.execute(
                delete(Notification).where(
                    Notification.subject_type == "test", Notification.subject_id.startswith(marker)
                )
            )
            await session.commit()
