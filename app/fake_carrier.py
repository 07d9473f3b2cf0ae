"""A fake carrier for tests and local runs: one loopback HTTP server speaking both EasyPost's
v2 shapes (``/v2/shipments``, ``/v2/trackers``) and Lading's generic JSON carrier protocol
(``/quotes``, ``/labels``, ``/tracking``; see ``app.adapters.carriers.generic_json``).

Labels are remembered per ``Idempotency-Key``: a retry answers the label already sold and
``FakeCarrier.purchases`` counts each sale once. Switches make it misbehave: ``latency_ms``
before every answer, and with the given probabilities a 503 (``fail_rate``), a stall longer
than any client timeout (``timeout_rate``) or a truncated JSON body (``malformed_rate``).
:func:`create_app` builds the ASGI app in-process; ``lading fake-carrier`` serves it on
127.0.0.1 with uvicorn. :func:`easypost_webhook` and :func:`generic_webhook` build signed
webhook deliveries for a label's events, :func:`easypost_event` a signed Event of any other
type; :meth:`FakeCarrier.insure` gives a label the second tracker EasyPost makes when one is
insured. Like EasyPost, a shipment with incomplete addresses is created with no rates.
``POST /_fake/scan`` moves a label along and, when a webhook URL is configured for the label's
protocol (``webhook_url`` for generic JSON labels, ``easypost_webhook_url`` for EasyPost ones),
also sends the webhook there, best-effort, over the app's shared HTTP client."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import random
import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.adapters.carriers.easypost import easypost_signature
from app.adapters.notifiers.webhook import sign

LOOPBACK = "127.0.0.1"
CHAOS_FREE_PREFIX = "/_fake"


@dataclass
class Switches:
    latency_ms: int = 0
    fail_rate: float = 0.0
    timeout_rate: float = 0.0
    malformed_rate: float = 0.0
    stall_s: float = 60.0
    webhook_secret: bytes = b"fake-carrier-secret"
    seed: int | None = None
    # Where /_fake/scan sends the webhook, per protocol (e.g. Lading's
    # /api/v1/webhooks/carriers/<CODE> of the carrier using this fake); unset: not sent.
    webhook_url: str | None = None
    easypost_webhook_url: str | None = None


@dataclass
class FakeLabel:
    tracking_number: str
    service: str
    carrier: str
    price: str
    currency: str
    shipment_id: str = ""
    events: list[tuple[str, str, str]] = field(default_factory=list)  # (status, time, message)
    refunded: bool = False
    # Trackers EasyPost made for the same code apart from the shipment's own (an insured
    # label gets one with no shipment_id); listed before the shipment's tracker.
    other_trackers: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class FakeCarrier:
    """Everything the fake has sold, by idempotency key and by tracking number."""

    switches: Switches
    rng: random.Random
    shipments: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_key: dict[str, FakeLabel] = field(default_factory=dict)
    labels: dict[str, FakeLabel] = field(default_factory=dict)
    purchases: int = 0

    def sell(self, key: str, label: FakeLabel) -> FakeLabel:
        existing = self.by_key.get(key)
        if existing is not None:
            return existing
        self.purchases += 1
        self.by_key[key] = self.labels[label.tracking_number] = label
        self.scan(label.tracking_number, "label_created", "Label created.")
        return label

    def insure(self, tracking_number: str) -> dict[str, Any]:
        """Insure a label the way EasyPost does: a second tracker of the same code, of no
        shipment, in test mode (its history is the test carrier's canned one)."""
        label = self.labels[tracking_number]
        tracker = {
            "id": "trk_" + secrets.token_hex(8),
            "object": "Tracker",
            "mode": "test",
            "tracking_code": tracking_number,
            "carrier": label.carrier,
            "shipment_id": None,
            "status": "pre_transit",
            "tracking_details": [
                {
                    "object": "TrackingDetail",
                    "message": "Pre-Shipment Info Sent to USPS",
                    "status": "pre_transit",
                    "datetime": "2024-08-27T17:59:00Z",
                }
            ],
        }
        label.other_trackers.insert(0, tracker)
        return tracker

    def scan(self, tracking_number: str, status: str, message: str = "") -> None:
        """Add a tracking event (generic status names; EasyPost's answers translate them)."""
        now = datetime.now(UTC).isoformat()
        self.labels[tracking_number].events.append((status, now, message))


# Generic status → EasyPost tracker status (what the fake answers on /v2).
EASYPOST_STATUS = {
    "label_created": "pre_transit",
    "picked_up": "in_transit",
    "in_transit": "in_transit",
    "out_for_delivery": "out_for_delivery",
    "delivered": "delivered",
    "delivery_failed": "failure",
    "returned_to_sender": "return_to_sender",
    "exception": "error",
    "cancelled": "cancelled",
}


def _price(weight_kg: Decimal, base: str) -> str:
    return str((Decimal(base) + weight_kg * Decimal("1.50")).quantize(Decimal("0.01")))


def _number(prefix: str) -> str:
    return prefix + secrets.token_hex(8).upper()


def _error(
    status: int, message: str, code: str | None = None, errors: list[Any] | None = None
) -> JSONResponse:
    """EasyPost's error body: ``{"error": {"code", "message", "errors": [...]}}``."""
    body = {"code": code or str(status), "message": message, "errors": errors or []}
    return JSONResponse({"error": body}, status_code=status)


# What EasyPost needs of each address before any carrier will rate the shipment.
ADDRESS_FIELDS = ("name", "street1", "city", "country")


def _address_gaps(shipment: dict[str, Any]) -> list[dict[str, str]]:
    gaps = []
    for side in ("from_address", "to_address"):
        address = shipment.get(side)
        address = address if isinstance(address, dict) else {}
        needed = ADDRESS_FIELDS + (("state", "zip") if address.get("country") == "US" else ())
        gaps += [
            {"field": f"{side}.{f}", "message": "cannot be blank"}
            for f in needed
            if not address.get(f)
        ]
    return gaps


async def _body(request: Request) -> dict[str, Any] | None:
    try:
        data = json.loads(await request.body() or b"{}")
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _carrier(request: Request) -> FakeCarrier:
    carrier: FakeCarrier = request.app.state.carrier
    return carrier


def _basic_auth(request: Request) -> bool:
    header = request.headers.get("authorization", "")
    if not header.startswith("Basic "):
        return False
    try:
        user = base64.b64decode(header[6:]).decode().split(":", 1)[0]
    except ValueError:
        return False
    return bool(user)


def _bearer_auth(request: Request) -> bool:
    return request.headers.get("authorization", "").startswith("Bearer ")


# --- EasyPost-shaped endpoints -------------------------------------------------------------


def _ep_label(label: FakeLabel, shipment: dict[str, Any]) -> dict[str, Any]:
    selected = next(r for r in shipment["rates"] if r["service"] == label.service)
    return {
        **shipment,
        "tracking_code": label.tracking_number,
        "selected_rate": selected,
        "postage_label": {
            "object": "PostageLabel",
            "label_url": f"http://{LOOPBACK}/labels/{label.tracking_number}.png",
            "label_file_type": "image/png",
        },
        "refund_status": "submitted" if label.refunded else None,
    }


def ep_tracker(label: FakeLabel) -> dict[str, Any]:
    details = [
        {
            "object": "TrackingDetail",
            "status": EASYPOST_STATUS.get(status, "unknown"),
            "datetime": at,
            "message": message,
        }
        for status, at, message in label.events
    ]
    return {
        "id": "trk_" + label.tracking_number.lower(),
        "object": "Tracker",
        "tracking_code": label.tracking_number,
        "carrier": label.carrier,
        "shipment_id": label.shipment_id,
        "status": details[-1]["status"] if details else "unknown",
        "tracking_details": details,
    }


async def ep_create_shipment(request: Request) -> Response:
    if not _basic_auth(request):
        return _error(401, "Unauthorized")
    body = await _body(request)
    shipment = (body or {}).get("shipment")
    if not isinstance(shipment, dict):
        return _error(422, "shipment is required")
    try:
        weight_kg = Decimal(str(shipment["parcel"]["weight"])) / Decimal("35.27396195")
    except (KeyError, TypeError, ArithmeticError):
        return _error(
            422,
            "Missing required parameter.",
            "PARAMETER.REQUIRED",
            [{"field": "parcel.weight", "message": "cannot be blank"}],
        )
    shipment_id = "shp_" + secrets.token_hex(8)
    gaps = _address_gaps(shipment)
    rates = (
        []
        if gaps
        else [
            {
                "id": f"rate_{service.lower()}_{shipment_id[4:]}",
                "object": "Rate",
                "shipment_id": shipment_id,
                "carrier": "USPS",
                "service": service,
                "rate": _price(weight_kg, base),
                "currency": "USD",
                "delivery_days": days,
                "delivery_date": None,
            }
            for service, base, days in (("Priority", "7.00", 2), ("GroundAdvantage", "4.50", 5))
        ]
    )
    answer = {
        "id": shipment_id,
        "object": "Shipment",
        "mode": "test",
        "reference": shipment.get("reference"),
        "from_address": {"object": "Address", **(shipment.get("from_address") or {})},
        "to_address": {"object": "Address", **(shipment.get("to_address") or {})},
        "parcel": {"object": "Parcel", **shipment["parcel"]},
        # As EasyPost: the shipment is created, but no carrier rates incomplete addresses.
        "messages": [
            {"carrier": "USPS", "type": "rate_error", "message": f"{g['field']} {g['message']}"}
            for g in gaps
        ],
        "rates": rates,
        "tracking_code": None,
        "postage_label": None,
        "selected_rate": None,
        "refund_status": None,
    }
    _carrier(request).shipments[shipment_id] = answer
    return JSONResponse(answer, status_code=201)


async def ep_buy(request: Request) -> Response:
    if not _basic_auth(request):
        return _error(401, "Unauthorized")
    carrier = _carrier(request)
    shipment = carrier.shipments.get(request.path_params["id"])
    if shipment is None:
        return _error(404, "shipment not found")
    key = request.headers.get("idempotency-key") or ""
    existing = carrier.by_key.get(key) if key else None
    if existing is not None:
        return JSONResponse(_ep_label(existing, carrier.shipments[existing.shipment_id]))
    if shipment["tracking_code"]:
        return _error(422, "shipment already purchased")
    rate_id = ((await _body(request)) or {}).get("rate", {}).get("id")
    rate = next((r for r in shipment["rates"] if r["id"] == rate_id), None)
    if rate is None:
        return _error(422, "rate not found")
    label = FakeLabel(
        tracking_number=_number("EZ"),
        service=rate["service"],
        carrier=rate["carrier"],
        price=rate["rate"],
        currency=rate["currency"],
        shipment_id=shipment["id"],
    )
    label = carrier.sell(key or secrets.token_hex(8), label)
    shipment["tracking_code"] = label.tracking_number
    return JSONResponse(_ep_label(label, shipment))


async def ep_get_shipment(request: Request) -> Response:
    if not _basic_auth(request):
        return _error(401, "Unauthorized")
    carrier = _carrier(request)
    shipment = carrier.shipments.get(request.path_params["id"])
    if shipment is None:
        return _error(404, "shipment not found")
    if shipment["tracking_code"]:
        return JSONResponse(_ep_label(carrier.labels[shipment["tracking_code"]], shipment))
    return JSONResponse(shipment)


async def ep_refund(request: Request) -> Response:
    if not _basic_auth(request):
        return _error(401, "Unauthorized")
    carrier = _carrier(request)
    shipment = carrier.shipments.get(request.path_params["id"])
    if shipment is None or not shipment["tracking_code"]:
        return _error(404, "no purchased shipment")
    label = carrier.labels[shipment["tracking_code"]]
    if any(status == "delivered" for status, _, _ in label.events):
        return JSONResponse({**_ep_label(label, shipment), "refund_status": "rejected"})
    if not label.refunded:
        label.refunded = True
        carrier.scan(label.tracking_number, "cancelled", "Label refunded.")
    return JSONResponse(_ep_label(label, shipment))


async def ep_list_trackers(request: Request) -> Response:
    if not _basic_auth(request):
        return _error(401, "Unauthorized")
    label = _carrier(request).labels.get(request.query_params.get("tracking_code", ""))
    trackers = [*label.other_trackers, ep_tracker(label)] if label else []
    return JSONResponse({"trackers": trackers, "has_more": False})


# --- Generic JSON protocol -----------------------------------------------------------------


def _generic_label(label: FakeLabel) -> dict[str, Any]:
    document = f"FAKE LABEL {label.tracking_number} {label.service}\n".encode()
    return {
        "tracking_number": label.tracking_number,
        "service": label.service,
        "price": label.price,
        "currency": label.currency,
        "label": {
            "content_type": "text/plain; charset=utf-8",
            "data_base64": base64.b64encode(document).decode(),
        },
    }


def _generic_tracking(label: FakeLabel) -> dict[str, Any]:
    return {
        "tracking_number": label.tracking_number,
        "events": [
            {"id": f"{label.tracking_number}-{i}", "status": s, "occurred_at": t, "description": m}
            for i, (s, t, m) in enumerate(label.events)
            if s != "cancelled"
        ],
    }


def _weight(body: dict[str, Any]) -> Decimal | None:
    try:
        return Decimal(str(body["weight_kg"]))
    except (KeyError, ArithmeticError):
        return None


async def generic_quotes(request: Request) -> Response:
    if not _bearer_auth(request):
        return _error(401, "Unauthorized")
    body = await _body(request)
    weight = _weight(body) if body else None
    if body is None or weight is None:
        return _error(422, "weight_kg is required")
    if weight > 30:
        return JSONResponse({"rates": []})
    return JSONResponse(
        {
            "rates": [
                {
                    "service": "express",
                    "price": _price(weight, "12.00"),
                    "currency": "CNY",
                    "promised_date": None,
                    "zone": "national",
                },
                {
                    "service": "economy",
                    "price": _price(weight, "6.00"),
                    "currency": "CNY",
                    "promised_date": None,
                    "zone": "national",
                },
            ]
        }
    )


async def generic_buy(request: Request) -> Response:
    if not _bearer_auth(request):
        return _error(401, "Unauthorized")
    key = request.headers.get("idempotency-key")
    if not key:
        return _error(400, "Idempotency-Key is required")
    carrier = _carrier(request)
    existing = carrier.by_key.get(key)
    if existing is not None:
        return JSONResponse(_generic_label(existing))
    body = await _body(request)
    weight = _weight(body) if body else None
    if body is None or weight is None or body.get("service") not in ("express", "economy"):
        return _error(422, "weight_kg and a known service are required")
    base = "12.00" if body["service"] == "express" else "6.00"
    label = FakeLabel(_number("GJ"), body["service"], "generic", _price(weight, base), "CNY")
    return JSONResponse(_generic_label(carrier.sell(key, label)), status_code=201)


async def generic_cancel(request: Request) -> Response:
    if not _bearer_auth(request):
        return _error(401, "Unauthorized")
    carrier = _carrier(request)
    label = carrier.labels.get(request.path_params["number"])
    if label is None:
        return _error(404, "no such label")
    if any(status == "delivered" for status, _, _ in label.events):
        return _error(409, "already delivered")
    if not label.refunded:
        label.refunded = True
        carrier.scan(label.tracking_number, "cancelled", "Label cancelled.")
    return Response(status_code=204)


async def generic_tracking(request: Request) -> Response:
    if not _bearer_auth(request):
        return _error(401, "Unauthorized")
    label = _carrier(request).labels.get(request.path_params["number"])
    if label is None:
        return _error(404, "no such label")
    return JSONResponse(_generic_tracking(label))


# --- Test hooks and chaos ------------------------------------------------------------------


async def fake_scan(request: Request) -> Response:
    """Move a label along (``{"tracking_number", "status", "message"}``, generic status names)
    and answer the signed webhooks the carrier would now send, in both protocols:
    ``{"generic": {"headers", "body"}, "easypost": {...}}`` — post one to Lading's
    ``/api/v1/webhooks/carriers/{code}`` to try tracking by hand. When a webhook URL is set for
    the label's protocol the webhook is also sent there, and ``"sent"`` says how it went."""
    carrier = _carrier(request)
    body = await _body(request) or {}
    number = str(body.get("tracking_number", ""))
    if number not in carrier.labels or body.get("status") not in EASYPOST_STATUS:
        return _error(422, "a known tracking_number and status are required")
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
    carrier = _carrier(request)
    return JSONResponse({"purchases": carrier.purchases, "labels": len(carrier.labels)})


def easypost_webhook(
    carrier: FakeCarrier, tracking_number: str, *, secret: bytes | None = None
) -> tuple[dict[str, str], bytes]:
    """Headers and body of the ``tracker.updated`` Event EasyPost would send for a label."""
    event = {
        "object": "Event",
        "id": "evt_" + secrets.token_hex(8),
        "description": "tracker.updated",
        "result": ep_tracker(carrier.labels[tracking_number]),
    }
    body = json.dumps(event).encode()
    key = carrier.switches.webhook_secret if secret is None else secret
    return {"X-Hmac-Signature": easypost_signature(key, body)}, body


def easypost_event(
    carrier: FakeCarrier, description: str, result: dict[str, Any], *, secret: bytes | None = None
) -> tuple[dict[str, str], bytes]:
    """A signed Event of any type (``batch.created``, ``refund.successful``, ...): EasyPost
    sends every type to every webhook URL."""
    event = {
        "object": "Event",
        "id": "evt_" + secrets.token_hex(8),
        "mode": "test",
        "description": description,
        "status": "pending",
        "result": result,
    }
    body = json.dumps(event).encode()
    key = carrier.switches.webhook_secret if secret is None else secret
    return {"X-Hmac-Signature": easypost_signature(key, body)}, body


def generic_webhook(
    carrier: FakeCarrier,
    tracking_number: str,
    *,
    secret: bytes | None = None,
    at: float | None = None,
) -> tuple[dict[str, str], bytes]:
    """Headers and body of the generic protocol's webhook for a label (signed at ``at``)."""
    payload = {"id": "whk_" + secrets.token_hex(8)}
    payload.update(_generic_tracking(carrier.labels[tracking_number]))
    body = json.dumps(payload).encode()
    key = carrier.switches.webhook_secret if secret is None else secret
    moment = str(int(time.time() if at is None else at))
    return {"X-Signature": sign(key, moment, body)}, body


class Chaos(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        if request.url.path.startswith(CHAOS_FREE_PREFIX):
            return await call_next(request)
        carrier = _carrier(request)
        switches = carrier.switches
        if switches.latency_ms:
            await asyncio.sleep(switches.latency_ms / 1000)
        roll = carrier.rng.random
        if switches.timeout_rate and roll() < switches.timeout_rate:
            await asyncio.sleep(switches.stall_s)
            return _error(504, "stalled")
        if switches.fail_rate and roll() < switches.fail_rate:
            return _error(503, "fake carrier failure")
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
            Route("/v2/shipments", ep_create_shipment, methods=["POST"]),
            Route("/v2/shipments/{id}", ep_get_shipment, methods=["GET"]),
            Route("/v2/shipments/{id}/buy", ep_buy, methods=["POST"]),
            Route("/v2/shipments/{id}/refund", ep_refund, methods=["POST"]),
            Route("/v2/trackers", ep_list_trackers, methods=["GET"]),
            Route("/quotes", generic_quotes, methods=["POST"]),
            Route("/labels", generic_buy, methods=["POST"]),
            Route("/labels/{number}", generic_cancel, methods=["DELETE"]),
            Route("/tracking/{number}", generic_tracking, methods=["GET"]),
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
