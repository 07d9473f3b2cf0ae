"""Helpers of the outbound webhook tests: endpoints and events written directly, routing with
the webhook route only, and a receiver served over real HTTP on loopback."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.domain.webhooks import new_secret
from app.repositories.events import OutboxEvent
from app.repositories.outbox import OutboxRepository
from app.repositories.webhooks import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from app.settings import Settings
from app.worker.webhooks import fan_out

URL = "https://hooks.example/lading"


def one_at_a_time(settings: Settings) -> Settings:
    """Settings whose worker sends one delivery at a time, in the batch's order."""
    return settings.model_copy(update={"webhook_concurrency": 1})


async def make_endpoint(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    url: str = URL,
    event_types: Sequence[str] = ("*",),
    secret: str | None = None,
) -> WebhookEndpoint:
    async with sessionmaker() as session:
        endpoint = WebhookEndpoint(
            url=url,
            event_types=list(event_types),
            secret=secret or new_secret(),
            created_by="test",
            updated_by="test",
        )
        session.add(endpoint)
        await session.commit()
    return endpoint


def outbox_event(
    event_type: str = "order.placed",
    *,
    aggregate_type: str = "order",
    aggregate_id: str | None = None,
    payload: dict[str, Any] | None = None,
) -> OutboxEvent:
    return OutboxEvent(
        event_type=event_type,
        aggregate_type=aggregate_type,
        aggregate_id=aggregate_id or str(uuid.uuid4()),
        payload=payload if payload is not None else {"number": "SO-2026-000001", "城市": "上海"},
    )


async def routed(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    events: Sequence[OutboxEvent],
) -> list[OutboxEvent]:
    """Write ``events`` and route them as the worker does (positions in the order given,
    the webhook route), touching no other pending event (the committed PostgreSQL database
    holds other tests' events)."""
    async with sessionmaker() as session:
        session.add_all(events)
        await session.flush()
        await fan_out(session, events, settings)
        await OutboxRepository(session).mark_routed(events, datetime.now(UTC))
        await session.commit()
    return list(events)


async def deliveries_of(
    sessionmaker: async_sessionmaker[AsyncSession], endpoint_id: uuid.UUID
) -> list[WebhookDelivery]:
    """An endpoint's deliveries in stream order (the order they are sent in)."""
    async with sessionmaker() as session:
        rows = await session.scalars(
            select(WebhookDelivery)
            .join(OutboxEvent, OutboxEvent.id == WebhookDelivery.event_id)
            .where(WebhookDelivery.endpoint_id == endpoint_id)
            .order_by(OutboxEvent.position)
        )
        return list(rows.all())


async def delivery(
    sessionmaker: async_sessionmaker[AsyncSession], delivery_id: uuid.UUID
) -> WebhookDelivery:
    async with sessionmaker() as session:
        row = await session.get(WebhookDelivery, delivery_id)
        assert row is not None
        return row


async def attempts_of(
    sessionmaker: async_sessionmaker[AsyncSession], delivery_id: uuid.UUID
) -> list[WebhookAttempt]:
    async with sessionmaker() as session:
        rows = await session.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id == delivery_id)
            .order_by(WebhookAttempt.at)
        )
        return list(rows.all())


async def make_due(sessionmaker: async_sessionmaker[AsyncSession], *ids: uuid.UUID) -> None:
    """Skip the back-off: the deliveries are due now."""
    async with sessionmaker() as session:
        for row_id in ids:
            row = await session.get(WebhookDelivery, row_id)
            assert row is not None
            row.next_attempt_at = datetime.now(UTC)
        await session.commit()


class Recorder:
    """An ``httpx.MockTransport`` handler recording requests; ``answer(request, index)``
    gives the response (204 by default) or raises a transport error."""

    def __init__(
        self, answer: Callable[[httpx.Request, int], httpx.Response] | None = None
    ) -> None:
        self.requests: list[httpx.Request] = []
        self.answer = answer or (lambda request, index: httpx.Response(204))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.answer(request, len(self.requests) - 1)

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(self))


@dataclass
class Receiver:
    """An ASGI receiver for ``served_on_loopback``: records (headers, body) and answers
    ``answer(headers, index) -> (status, delay seconds)``."""

    answer: Callable[[dict[str, str], int], tuple[int, float]] = lambda headers, index: (204, 0.0)
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        index = len(self.received)
        self.received.append((headers, body))
        status, delay = self.answer(headers, index)
        if delay:
            await asyncio.sleep(delay)
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b"" if status == 204 else b"thanks"})
