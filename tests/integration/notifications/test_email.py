"""Email over SMTP to a real SMTP server started by the test (aiosmtpd on 127.0.0.1): the
order confirmation arrives as a UTF-8 message with a Chinese subject and body; a server that
refuses (550) or drops the connection leaves the message pending for a later attempt, with
the answer logged, until it is dead after ``LADING_NOTIFICATION_MAX_ATTEMPTS``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.policy import default as default_policy

from aiosmtpd.controller import Controller

from app.adapters.notifiers.registry import notifiers_for
from app.worker.notify.sending import send_due
from tests.integration.notifications.data import (
    approved_order,
    by_channel,
    customer,
    event,
    free_port,
    notifications_of,
    route,
)


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 2.0.0 Ok: queued as 4A1B2C"


class Refusing(Inbox):
    async def handle_RCPT(self, server, session, envelope, address, options) -> str:
        return "550 5.1.1 <wang@example.cn>: Recipient address rejected"


@asynccontextmanager
async def smtp_server(handler) -> AsyncIterator[int]:
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


@asynccontextmanager
async def dropping_server() -> AsyncIterator[int]:
    """Accepts a connection and closes it before the greeting."""

    async def drop(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()

    server = await asyncio.start_server(drop, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


def smtp_settings(settings, port: int, **kw):
    return settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            "smtp_security": "none",
            "smtp_timeout_seconds": 5.0,
            "notification_email_from": "华东贸易 <noreply@lading.test>",
            "company_name": "华东贸易",
            **kw,
        }
    )


async def _send(sessionmaker, settings, *, now: datetime | None = None) -> int:
    async with _http() as http:
        return await send_due(sessionmaker, notifiers_for(settings, http), settings, now=now)


@asynccontextmanager
async def _http():
    import httpx

    async with httpx.AsyncClient() as client:
        yield client


async def test_the_order_confirmation_arrives_at_a_real_smtp_server(sessionmaker, settings) -> None:
    inbox = Inbox()
    async with smtp_server(inbox) as port:
        settings = smtp_settings(settings, port)
        who = await customer(sessionmaker)
        order = await approved_order(sessionmaker, who)
        await route(sessionmaker, settings, event("order.approved", "order", order.id))
        assert await _send(sessionmaker, settings) >= 2  # email and (logged) sms
    (rcpt, raw), *_ = inbox.messages
    assert rcpt == ["wang@example.cn"] and len(inbox.messages) == 1
    message = message_from_bytes(raw, policy=default_policy)
    assert message["Subject"] == f"订单确认：{order.order.number}"
    assert message["To"] == "wang@example.cn"
    assert message["From"].addresses[0].display_name == "华东贸易"
    assert message.get_content_charset() == "utf-8"
    body = message.get_content()
    assert "上海华东贸易有限公司，您好" in body and "不锈钢螺栓 M8" in body
    assert f"您的订单 {order.order.number} 已确认" in body
    rows = by_channel(await notifications_of(sessionmaker, order.id))
    email = rows["email"]
    assert (email.status, email.attempts) == ("sent", 1) and email.sent_at is not None
    assert "4A1B2C" in (email.provider_answer or "")
    assert rows["sms"].status == "sent"
    assert rows["sms"].provider_answer == "logged (no provider configured)"


async def test_a_refusing_server_is_retried_then_the_message_is_dead(
    sessionmaker, settings
) -> None:
    async with smtp_server(Refusing()) as port:
        settings = smtp_settings(settings, port, notification_max_attempts=3)
        who = await customer(sessionmaker, sms_opt_out=True)
        order = await approved_order(sessionmaker, who)
        await route(sessionmaker, settings, event("order.approved", "order", order.id))
        await _send(sessionmaker, settings)
        email = by_channel(await notifications_of(sessionmaker, order.id))["email"]
        assert (email.status, email.attempts) == ("pending", 1)
        assert email.provider_answer.startswith("550 5.1.1")
        assert email.next_attempt_at is not None
        # The first back-off is at most 30 seconds (full jitter), the next at most 60.
        assert email.next_attempt_at - email.updated_at <= timedelta(seconds=30)
        # Not due again before its back-off: a round now leaves it alone.
        retry_at = email.next_attempt_at
        later = retry_at + timedelta(seconds=1)
        await _send(sessionmaker, settings, now=retry_at - timedelta(seconds=1))
        email = by_channel(await notifications_of(sessionmaker, order.id))["email"]
        assert email.attempts == 1
        await _send(sessionmaker, settings, now=later)
        email = by_channel(await notifications_of(sessionmaker, order.id))["email"]
        assert (email.status, email.attempts) == ("pending", 2)
        assert email.next_attempt_at - email.updated_at <= timedelta(seconds=60)
        await _send(sessionmaker, settings, now=later + timedelta(days=1))
        email = by_channel(await notifications_of(sessionmaker, order.id))["email"]
    assert (email.status, email.attempts, email.next_attempt_at) == ("failed", 3, None)
    assert email.provider_answer.startswith("550")


async def test_a_dropped_connection_is_retried_not_lost(sessionmaker, settings) -> None:
    async with dropping_server() as port:
        settings = smtp_settings(settings, port)
        who = await customer(sessionmaker, sms_opt_out=True)
        order = await approved_order(sessionmaker, who)
        await route(sessionmaker, settings, event("order.approved", "order", order.id))
        await _send(sessionmaker, settings)
    email = by_channel(await notifications_of(sessionmaker, order.id))["email"]
    assert (email.status, email.attempts) == ("pending", 1)
    assert "SMTP" in (email.provider_answer or "")
    # The server is back: the next attempt delivers the same message.
    inbox = Inbox()
    async with smtp_server(inbox) as port:
        settings = smtp_settings(settings, port)
        await _send(sessionmaker, settings, now=datetime.now(UTC) + timedelta(days=1))
    email = by_channel(await notifications_of(sessionmaker, order.id))["email"]
    assert (email.status, email.attempts) == ("sent", 2)
    assert len(inbox.messages) == 1


async def test_a_claimed_message_is_not_sent_twice_by_a_second_round(
    sessionmaker, settings
) -> None:
    """A claim leases the message: a round that starts before the first one answered (another
    worker) does not take it; a claim whose worker died is taken again after its lease."""
    from app.repositories.notifications import NotificationRepository

    who = await customer(sessionmaker)
    order = await approved_order(sessionmaker, who)
    await route(sessionmaker, settings, event("order.approved", "order", order.id))
    now = datetime.now(UTC)
    async with sessionmaker() as session:
        claimed = await NotificationRepository(session).claim_due(
            now, now + timedelta(minutes=2), 10
        )
        await session.commit()
    assert {c.order_id for c in claimed} == {order.id}
    async with sessionmaker() as session:
        again = await NotificationRepository(session).claim_due(now, now, 10)
    assert [c for c in again if c.order_id == order.id] == []
    # That worker died: once the lease is over, the next round sends the messages.
    sent = await _send(sessionmaker, settings, now=now + timedelta(minutes=3))
    assert sent == 2
    rows = await notifications_of(sessionmaker, order.id)
    assert {(r.status, r.attempts) for r in rows} == {("sent", 2)}
