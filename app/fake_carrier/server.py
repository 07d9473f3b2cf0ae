"""The fake carrier's app: both protocols, the test hooks under ``/_fake`` (scan, stats), the
chaos the switches ask for, and ``serve`` for ``lading fake-carrier``."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.fake_carrier import easypost, generic
from app.fake_carrier.easypost import EASYPOST_STATUS, easypost_webhook
from app.fake_carrier.generic import generic_webhook
from app.fake_carrier.state import (
    CHAOS_FREE_PREFIX,
    LOOPBACK,
    FakeCarrier,
    Switches,
    carrier_of,
    error_response,
    json_body,
)


async def fake_scan(request: Request) -> Response:
    """Move a label along (``{"tracking_number", "status", "message"}``, generic status names)
    and answer the signed webhooks the carrier would now send, in both protocols:
    ``{"generic": {"headers", "body"}, "easypost": {...}}`` — post one to Lading's
    ``/api/v1/webhooks/carriers/{code}`` to try tracking by hand. When a webhook URL is set for
    the label's protocol the webhook is also sent there, and ``"sent"`` says how it went."""
    carrier = carrier_of(request)
    body = await json_body(request) or {}
    number = str(body.get("tracking_number", ""))
    if number not in carrier.labels or body.get("status") not in EASYPOST_STATUS:
        return error_response(422, "a known tracking_number and status are required")
    carrier.scan(number, str(body["status"]), str(body.get("message", "")))
    answer: dict[str, Any] = {}
    built: dict[str, tuple[dict[str, str], bytes]] = {}
    for name, build in (("generic", generic_webhook), ("easypost", easypost_webhook)):
        headers, raw = built[name] = build(carrier, number)
        answer[name] = {"headers": headers, "body": raw.decode()}
    protocol = "easypost" if carrier.labels[number].shipment_id else "generic"
    url = (
        carrier.switches.easypost_webhook_url
        if protocol == "easypost"
        else (carrier.switches.webhook_url)
    )
    if url:
        answer["sent"] = await _send_webhook(
            request.app.state.webhook_client, url, *built[protocol]
        )
    return JSONResponse(answer)


async def _send_webhook(
    client: httpx.AsyncClient | None, url: str, headers: dict[str, str], body: bytes
) -> dict[str, Any]:
    """POST one signed webhook; its outcome, never an exception (a test hook, best-effort)."""
    if client is None:
        return {"url": url, "error": "no HTTP client (the app's lifespan did not run)"}
    try:
        response = await client.post(
            url, content=body, headers={**headers, "Content-Type": "application/json"}
        )
    except httpx.HTTPError as exc:
        return {"url": url, "error": f"{type(exc).__name__}: {exc}"}
    return {"url": url, "status": response.status_code}


async def fake_stats(request: Request) -> Response:
    carrier = carrier_of(request)
    return JSONResponse({"purchases": carrier.purchases, "labels": len(carrier.labels)})


class Chaos(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        if request.url.path.startswith(CHAOS_FREE_PREFIX):
            return await call_next(request)
        carrier = carrier_of(request)
        switches = carrier.switches
        if switches.latency_ms:
            await asyncio.sleep(switches.latency_ms / 1000)
        roll = carrier.rng.random
        if switches.timeout_rate and roll() < switches.timeout_rate:
            await asyncio.sleep(switches.stall_s)
            return error_response(504, "stalled")
        if switches.fail_rate and roll() < switches.fail_rate:
            return error_response(503, "fake carrier failure")
        if switches.malformed_rate and roll() < switches.malformed_rate:
            return Response(b'{"rates": [{"id": "rate_', media_type="application/json")
        return await call_next(request)


def create_app(
    switches: Switches | None = None, *, webhook_client: httpx.AsyncClient | None = None
) -> Starlette:
    """The fake carrier's ASGI app; ``app.state.carrier`` is its :class:`FakeCarrier`. Its
    webhooks go out over ``webhook_client``, or one its lifespan opens (and closes)."""
    switches = switches or Switches()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if app.state.webhook_client is not None:
            yield
            return
        async with httpx.AsyncClient(timeout=5.0) as client:
            app.state.webhook_client = client
            try:
                yield
            finally:
                app.state.webhook_client = None

    app = Starlette(
        lifespan=lifespan,
        routes=[
            *easypost.ROUTES,
            *generic.ROUTES,
            Route(f"{CHAOS_FREE_PREFIX}/stats", fake_stats, methods=["GET"]),
            Route(f"{CHAOS_FREE_PREFIX}/scan", fake_scan, methods=["POST"]),
        ],
    )
    app.add_middleware(Chaos)
    app.state.carrier = FakeCarrier(switches, random.Random(switches.seed))
    app.state.webhook_client = webhook_client
    return app


def serve(port: int, switches: Switches) -> None:
    """Serve the fake on 127.0.0.1 only (blocking)."""
    import uvicorn

    uvicorn.run(create_app(switches), host=LOOPBACK, port=port, log_config=None)
