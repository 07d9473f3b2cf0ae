"""The live stream for the operations SPA: routed events as Server-Sent Events."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse

from app.deps import AUTHENTICATED, CurrentPrincipal, SettingsDep, UowFactoryDep
from app.domain.errors import RuleViolation
from app.errors import problem_responses
from app.services import stream
from app.settings import Settings

router = APIRouter(prefix="/api/v1/stream", tags=["stream"], dependencies=AUTHENTICATED)

EVENT_STREAM = "text/event-stream"
FRAMES = (
    "Server-Sent Events (text/event-stream). Each event: `id: <stream position>`, "
    "`event: <event type>` (e.g. `order.approved`), `data: <JSON>` with `id` (the event's "
    "UUID), `type`, `aggregate_type`, `aggregate_id`, `occurred_at` (RFC 3339) and `payload`. "
    "A block with only `id:` moves the last id past events the caller may not see; a line "
    "starting with `:` is a heartbeat. The response ends after `max_seconds`; reconnect with "
    "`Last-Event-ID` to go on without loss."
)
LastEventId = Annotated[
    str | None,
    Header(
        alias="Last-Event-ID",
        max_length=19,
        description="The id of the last event received: the stream goes on after it. "
        "Without it the stream starts now.",
    ),
]
MaxSeconds = Annotated[
    float | None,
    Query(
        gt=0,
        description="End the response after this many seconds (at most "
        "LADING_STREAM_MAX_SECONDS, the default).",
    ),
]


def _after(last_event_id: str | None) -> int | None:
    if last_event_id is None or not last_event_id.strip():
        return None
    raw = last_event_id.strip()
    if not raw.isascii() or not raw.isdigit():
        raise RuleViolation.on(
            "header.last-event-id", "integer", "Last-Event-ID must be a stream position."
        )
    return int(raw)


def _limits(settings: Settings, max_seconds: float | None) -> stream.StreamLimits:
    if max_seconds is not None and max_seconds > settings.stream_max_seconds:
        raise RuleViolation.on(
            "query.max_seconds",
            "less_than_equal",
            f"max_seconds must be at most {settings.stream_max_seconds:g}.",
        )
    return stream.StreamLimits(
        poll_seconds=settings.stream_poll_seconds,
        heartbeat_seconds=settings.stream_heartbeat_seconds,
        max_seconds=max_seconds or settings.stream_max_seconds,
        batch_size=settings.stream_batch_size,
    )


def frame(item: stream.Item) -> str:
    """One item as SSE text (https://html.spec.whatwg.org/multipage/server-sent-events.html);
    the JSON is on one line (``json.dumps`` escapes newlines inside strings)."""
    if isinstance(item, stream.Delivered):
        data = json.dumps(item.data, ensure_ascii=False, separators=(",", ":"))
        return f"id: {item.position}\nevent: {item.event_type}\ndata: {data}\n\n"
    if isinstance(item, stream.Passed):
        return f"id: {item.position}\n\n"
    return ": heartbeat\n\n"


async def _frames(items: AsyncIterator[stream.Item]) -> AsyncIterator[str]:
    yield "retry: 1000\n\n"  # reconnect a second after the response ends
    async for item in items:
        yield frame(item)


@router.get(
    "",
    summary="Follow the event stream (Server-Sent Events)",
    response_class=StreamingResponse,
    responses={
        200: {"content": {EVENT_STREAM: {"schema": {"type": "string"}}}, "description": FRAMES},
        **problem_responses(401, 403, 422),
    },
)
async def events(
    request: Request,
    principal: CurrentPrincipal,
    settings: SettingsDep,
    new_uow: UowFactoryDep,
    last_event_id: LastEventId = None,
    max_seconds: MaxSeconds = None,
) -> StreamingResponse:
    """The routed events the caller may see (an event needs the read permission of what it
    is about: `order.*` needs orders:read, `invoice.*` invoices:read, `alert.*` alerts:read,
    events of users, keys and webhook endpoints are the administrators'), as they happen,
    with a heartbeat comment when nothing happens. Authenticated with a bearer token or an
    API key in the headers (use a fetch-based EventSource in the browser)."""
    limits = _limits(settings, max_seconds)
    after = _after(last_event_id)
    last = await stream.last_position(new_uow)
    if after is None or after > last:  # an id this stream never gave: from now
        after = last
    items = stream.follow(new_uow, principal.scopes, after, limits, request.is_disconnected)
    return StreamingResponse(
        _frames(items),
        media_type=EVENT_STREAM,
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
