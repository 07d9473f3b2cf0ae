"""The fake MES's app: Lading's deliveries in, the control endpoints that make it report, and
``serve`` for running it on 127.0.0.1."""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.adapters.production.lading_json import decimal_text, sign_report, verify_signature
from app.domain.errors import BadSignature
from app.fake_mes.state import FakeMes, FakeMesSettings

LOOPBACK = "127.0.0.1"
RELEASED = "production.released"
Quantity = Annotated[Decimal, Field(ge=0, allow_inf_nan=False)]


class _Progress(BaseModel):
    model_config = ConfigDict(extra="forbid")
    completed_quantity: Quantity | None = None
    expected_finish_date: date | None = None


class _Complete(BaseModel):
    model_config = ConfigDict(extra="forbid")
    completed_quantity: Quantity
    scrapped_quantity: Quantity | None = None
    over_production_reason: str | None = None
    scrap_reason: str | None = None


def _error(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=status)


def _object(raw: bytes) -> dict[str, Any] | None:
    try:
        data = json.loads(raw or b"{}")
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def mes_of(request: Request) -> FakeMes:
    mes: FakeMes = request.app.state.mes
    return mes


async def lading_events(request: Request) -> Response:
    """One of Lading's webhook deliveries: verified with the endpoint secret (401 otherwise);
    a ``production.released`` event's request is kept, any other event acknowledged."""
    mes = mes_of(request)
    raw = await request.body()
    settings = mes.settings
    try:
        msg_id = verify_signature(
            settings.endpoint_secret,
            request.headers,
            raw,
            datetime.now(UTC),
            settings.tolerance_seconds,
        )
    except BadSignature as exc:
        return _error(401, exc.detail)
    envelope = _object(raw)
    if envelope is None:
        return _error(400, "the delivery is not a JSON object")
    if envelope.get("type") != RELEASED:
        mes.deliveries.append(msg_id)
        return JSONResponse({"received": msg_id, "ignored": True})
    data = envelope.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("number"), str):
        return _error(400, "a production.released event's data names its request number")
    mes.deliveries.append(msg_id)
    mes.release(data)
    return JSONResponse({"received": msg_id, "number": data["number"]})


async def list_requests(request: Request) -> Response:
    """Every request released to the fake, with its ``mes`` status and quantities."""
    held = mes_of(request).requests.values()
    return JSONResponse({"items": [one.view() for one in held]})


async def control_start(request: Request) -> Response:
    """Report that production of the request has started."""
    return await _report(request, "started", {})


async def control_progress(request: Request) -> Response:
    """Report progress: ``{"completed_quantity"?, "expected_finish_date"?}``."""
    return await _controlled(request, "progress", _Progress)


async def control_complete(request: Request) -> Response:
    """Report completion: ``{"completed_quantity", "scrapped_quantity"?,
    "over_production_reason"?, "scrap_reason"?}``."""
    return await _controlled(request, "completed", _Complete)


async def _controlled(request: Request, kind: str, model: type[BaseModel]) -> Response:
    data = _object(await request.body())
    if data is None:
        return _error(422, "the body is not a JSON object")
    try:
        fields = model.model_validate(data)
    except ValidationError as exc:
        return _error(422, "invalid control body", errors=json.loads(exc.json(include_url=False)))
    return await _report(request, kind, dict(fields))


async def _report(request: Request, kind: str, fields: dict[str, Any]) -> Response:
    """Send one signed report to Lading; answer with Lading's status and body."""
    mes = mes_of(request)
    number = request.path_params["number"]
    client: httpx.AsyncClient | None = request.app.state.client
    if number not in mes.requests:
        return _error(404, f"no request {number} was released to this MES")
    if client is None:
        return _error(503, "no HTTP client (the app's lifespan did not run)")
    now = datetime.now(UTC)
    report = report_document(kind, number, fields, now)
    body = json.dumps(report, separators=(",", ":")).encode()
    headers = sign_report(
        mes.settings.report_secret, body, f"mes_{uuid.uuid4().hex}", int(now.timestamp())
    )
    try:
        answer = await client.post(
            mes.settings.report_url,
            content=body,
            headers={**headers, "content-type": "application/json"},
        )
    except httpx.HTTPError as exc:
        return _error(502, f"Lading could not be reached: {type(exc).__name__}: {exc}")
    if answer.is_success:
        mes.reported(number, report)
    return Response(
        answer.content,
        status_code=answer.status_code,
        media_type=answer.headers.get("content-type"),
    )


def report_document(
    kind: str, number: str, fields: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """A report's JSON form: decimals as strings, dates ISO 8601, absent fields left out."""
    document: dict[str, Any] = {"type": kind, "request": number}
    for name, value in fields.items():
        if isinstance(value, Decimal):
            document[name] = decimal_text(value)
        elif isinstance(value, date):
            document[name] = value.isoformat()
        elif value is not None:
            document[name] = value
    document["occurred_at"] = now.isoformat().replace("+00:00", "Z")
    return document


def create_app(settings: FakeMesSettings) -> Starlette:
    """The fake MES's ASGI app; ``app.state.mes`` is its :class:`FakeMes`. Reports go out over
    ``settings.client``, or a client its lifespan opens (and closes)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if app.state.client is not None:
            yield
            return
        async with httpx.AsyncClient(timeout=10.0) as client:
            app.state.client = client
            try:
                yield
            finally:
                app.state.client = None

    app = Starlette(
        lifespan=lifespan,
        routes=[
            Route("/lading/events", lading_events, methods=["POST"]),
            Route("/requests", list_requests, methods=["GET"]),
            Route("/control/{number}/start", control_start, methods=["POST"]),
            Route("/control/{number}/progress", control_progress, methods=["POST"]),
            Route("/control/{number}/complete", control_complete, methods=["POST"]),
        ],
    )
    app.state.mes = FakeMes(settings)
    app.state.client = settings.client
    return app


def serve(port: int, settings: FakeMesSettings) -> None:
    """Serve the fake on 127.0.0.1 only (blocking)."""
    import uvicorn

    uvicorn.run(create_app(settings), host=LOOPBACK, port=port, log_config=None)
