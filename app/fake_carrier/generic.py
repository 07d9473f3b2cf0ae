"""The fake's generic JSON carrier protocol (``/quotes``, ``/labels``, ``/tracking``; see
``app.adapters.carriers.generic_json``) and its signed webhooks."""

from __future__ import annotations

import base64
import json
import secrets
import time
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.adapters.carriers.generic_json import sign
from app.fake_carrier.state import (
    FakeCarrier,
    FakeLabel,
    carrier_of,
    error_response,
    fake_price,
    json_body,
    new_tracking_number,
)


def _bearer_auth(request: Request) -> bool:
    return request.headers.get("authorization", "").startswith("Bearer ")


# --- EasyPost-shaped endpoints -------------------------------------------------------------


def _generic_label(label: FakeLabel) -> dict[str, Any]:
    kind = "RETURN LABEL" if label.is_return else "LABEL"
    document = f"FAKE {kind} {label.tracking_number} {label.service}\n".encode()
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
        return error_response(401, "Unauthorized")
    body = await json_body(request)
    weight = _weight(body) if body else None
    if body is None or weight is None:
        return error_response(422, "weight_kg is required")
    if weight > 30:
        return JSONResponse({"rates": []})
    return JSONResponse(
        {
            "rates": [
                {
                    "service": "express",
                    "price": fake_price(weight, "12.00"),
                    "currency": "CNY",
                    "promised_date": None,
                    "zone": "national",
                },
                {
                    "service": "economy",
                    "price": fake_price(weight, "6.00"),
                    "currency": "CNY",
                    "promised_date": None,
                    "zone": "national",
                },
            ]
        }
    )


async def generic_buy(request: Request) -> Response:
    if not _bearer_auth(request):
        return error_response(401, "Unauthorized")
    key = request.headers.get("idempotency-key")
    if not key:
        return error_response(400, "Idempotency-Key is required")
    carrier = carrier_of(request)
    existing = carrier.by_key.get(key)
    if existing is not None:
        return JSONResponse(_generic_label(existing))
    body = await json_body(request)
    weight = _weight(body) if body else None
    if body is None or weight is None or body.get("service") not in ("express", "economy"):
        return error_response(422, "weight_kg and a known service are required")
    base = "12.00" if body["service"] == "express" else "6.00"
    label = FakeLabel(
        new_tracking_number("GJ"),
        body["service"],
        "generic",
        fake_price(weight, base),
        "CNY",
        is_return=body.get("return") is True,
    )
    return JSONResponse(_generic_label(carrier.sell(key, label)), status_code=201)


async def generic_cancel(request: Request) -> Response:
    if not _bearer_auth(request):
        return error_response(401, "Unauthorized")
    carrier = carrier_of(request)
    label = carrier.labels.get(request.path_params["number"])
    if label is None:
        return error_response(404, "no such label")
    if any(status == "delivered" for status, _, _ in label.events):
        return error_response(409, "already delivered")
    if not label.refunded:
        label.refunded = True
        carrier.scan(label.tracking_number, "cancelled", "Label cancelled.")
    return Response(status_code=204)


async def generic_tracking(request: Request) -> Response:
    if not _bearer_auth(request):
        return error_response(401, "Unauthorized")
    label = carrier_of(request).labels.get(request.path_params["number"])
    if label is None:
        return error_response(404, "no such label")
    return JSONResponse(_generic_tracking(label))


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


ROUTES = [
    Route("/quotes", generic_quotes, methods=["POST"]),
    Route("/labels", generic_buy, methods=["POST"]),
    Route("/labels/{number}", generic_cancel, methods=["DELETE"]),
    Route("/tracking/{number}", generic_tracking, methods=["GET"]),
]
