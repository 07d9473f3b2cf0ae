"""Replaying events to an endpoint: each goes out again under the ``webhook-id`` it had (the
delivery of an event to an endpoint has one id, derived from both), with a fresh retry
schedule; an event the endpoint never had gets its delivery now."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from app.domain.errors import FieldIssue, NotFound, RuleViolation
from app.domain.products import raise_for_issues
from app.domain.webhooks import delivery_id, matches, ordering_key
from app.repositories.events import OutboxEvent
from app.repositories.webhooks import WebhookEndpoint
from app.services.bus import Context
from app.services.unit_of_work import UnitOfWork
from app.services.webhooks.commands import ReplayWebhookEvents

# The most events one replay takes (a longer range is refused: replay it in parts).
MAX_REPLAY = 10_000


def delivery_row(endpoint_id: Any, event: OutboxEvent, due: datetime) -> dict[str, Any]:
    """The delivery row of ``event`` for an endpoint, due at ``due``."""
    return {
        "id": delivery_id(endpoint_id, event.id),
        "endpoint_id": endpoint_id,
        "event_id": event.id,
        "event_type": event.event_type,
        "ordering_key": ordering_key(
            event.event_type, event.aggregate_type, event.aggregate_id, event.payload
        ),
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": due,
        "created_at": due,
    }


def _range_issues(cmd: ReplayWebhookEvents) -> list[FieldIssue]:
    if cmd.event_id is not None:
        if cmd.start is not None or cmd.end is not None:
            message = "Give either event_id or from and to, not both."
            return [FieldIssue("event_id", "one_of", message)]
        return []
    if cmd.start is None or cmd.end is None:
        return [FieldIssue("from", "required", "Give event_id, or both from and to.")]
    if cmd.end <= cmd.start:
        return [FieldIssue("to", "after_from", "'to' must be after 'from'.")]
    return []


async def replay_events(cmd: ReplayWebhookEvents, uow: UnitOfWork, ctx: Context) -> int:
    """How many events are due again at the endpoint."""
    raise_for_issues(_range_issues(cmd))
    now = datetime.now(UTC)
    async with uow:
        endpoint = await uow.webhook_endpoints.get_or_raise(cmd.endpoint_id)
        events = await _events(uow, endpoint, cmd)
        count = await uow.webhook_deliveries.upsert(
            [delivery_row(endpoint.id, event, now) for event in events], reset=True
        )
        await uow.commit()
    return count


async def _events(
    uow: UnitOfWork, endpoint: WebhookEndpoint, cmd: ReplayWebhookEvents
) -> list[OutboxEvent]:
    if cmd.event_id is not None:
        event = await uow.webhook_deliveries.event(cmd.event_id)
        if event is None or event.status != "routed":
            raise NotFound(f"No routed event with id {cmd.event_id}.")
        return [event]
    assert cmd.start is not None and cmd.end is not None
    events = await uow.webhook_deliveries.routed_events(
        start=cmd.start, end=cmd.end, limit=MAX_REPLAY + 1
    )
    if len(events) > MAX_REPLAY:
        raise RuleViolation.on(
            "to", "max_events", f"The range holds more than {MAX_REPLAY} events; replay parts."
        )
    return [e for e in events if matches(endpoint.event_types, e.event_type)]
