"""Sending: the worker claims due notifications in a short transaction, sends them through
the channel adapters outside any transaction, and records each answer in another. A failed
send is retried with exponential back-off and jitter (``app.domain.retry``) until
``LADING_NOTIFICATION_MAX_ATTEMPTS``, then it is dead (``failed``); a worker killed while
sending leaves its claims to be retried when their lease ends, so nothing claimed is lost."""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.adapters.notifiers.base import Notifier, NotifierError, OutboundMessage
from app.domain.notifications.kinds import NotificationStatus
from app.domain.retry import backoff_delay
from app.repositories.notifications import NotificationRepository
from app.settings import Settings

log = logging.getLogger(__name__)

# Back-off between attempts: up to 30 s after the first failure, doubling, at most 6 hours
# (full jitter); the default 8 attempts span up to about two hours of an SMTP or SMS outage.
RETRY_BASE_SECONDS = 30.0
RETRY_CAP_SECONDS = 6 * 3600.0


async def send_due(
    sessionmaker: async_sessionmaker[AsyncSession],
    notifiers: Mapping[str, Notifier],
    settings: Settings,
    *,
    now: datetime | None = None,
    rand: random.Random | None = None,
) -> int:
    """Send one batch of due notifications; returns how many were claimed."""
    now = now or datetime.now(UTC)
    lease_until = now + timedelta(seconds=settings.notification_lease_seconds)
    async with sessionmaker() as session:
        claimed = await NotificationRepository(session).claim_due(
            now, lease_until, settings.notification_batch_size
        )
        work = [
            (
                n.id,
                n.channel,
                n.attempts,
                OutboundMessage(n.recipient or "", n.message_subject, n.message_body),
            )
            for n in claimed
        ]
        await session.commit()
    for notification_id, channel, attempts, message in work:
        await _send_one(
            sessionmaker, notifiers[channel], notification_id, attempts, message, settings, rand
        )
    return len(work)


async def _send_one(
    sessionmaker: async_sessionmaker[AsyncSession],
    notifier: Notifier,
    notification_id: uuid.UUID,
    attempts: int,
    message: OutboundMessage,
    settings: Settings,
    rand: random.Random | None,
) -> None:
    try:
        answer = await notifier.send(message)
    except Exception as exc:  # an adapter's bug must not lose the message either
        answer = exc.answer if isinstance(exc, NotifierError) else f"{type(exc).__name__}: {exc}"
        await _failed(sessionmaker, notification_id, attempts, answer, settings, rand)
        return
    async with sessionmaker() as session:
        await NotificationRepository(session).finish(
            notification_id,
            status=NotificationStatus.SENT.value,
            answer=answer,
            next_attempt_at=None,
            sent_at=datetime.now(UTC),
        )
        await session.commit()
    log.info(
        "notification.sent",
        extra={
            "notification_id": str(notification_id),
            "channel": notifier.channel,
            "answer": answer,
        },
    )


async def _failed(
    sessionmaker: async_sessionmaker[AsyncSession],
    notification_id: uuid.UUID,
    attempts: int,
    answer: str,
    settings: Settings,
    rand: random.Random | None,
) -> None:
    # ``attempts`` already counts this one (the claim counted it).
    delay = None
    if attempts < settings.notification_max_attempts:
        delay = backoff_delay(
            attempts, base_seconds=RETRY_BASE_SECONDS, cap_seconds=RETRY_CAP_SECONDS, rand=rand
        )
    now = datetime.now(UTC)
    async with sessionmaker() as session:
        await NotificationRepository(session).finish(
            notification_id,
            status=(
                NotificationStatus.PENDING if delay is not None else NotificationStatus.FAILED
            ).value,
            answer=answer,
            next_attempt_at=now + delay if delay is not None else None,
            sent_at=None,
        )
        await session.commit()
    log.warning(
        "notification.send_failed",
        extra={"notification_id": str(notification_id), "answer": answer, "dead": delay is None},
    )
