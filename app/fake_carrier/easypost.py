"""The fake's EasyPost v2 shapes (``/v2/shipments``, ``/v2/trackers``) and the signed Events
EasyPost would send."""

from __future__ import annotations

import base64
import json
import secrets
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.adapters.carriers.easypost import easypost_signature
from app.fake_carrier.state import (
    LOOPBACK,
    FakeCarrier,
    FakeLabel,
    carrier_of,
    error_response,
    fake_price,
    json_body,
    new_tracking_number,
)

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


def _basic_auth(request: Request) -> bool:
    header = request.headers.get("authorization", "")
    if not header.startswith("Basic "):
        return False
    try:
        user = base64.b64decode(header[6:]).decode().split(":", 1)[0]
    except ValueError:
        return False
    return bool(user)


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


def _rates(shipment_id: str, weight_kg: Decimal) -> list[dict[str, Any]]:
    return [
        {
            "id": f"rate_{service.lower()}_{shipment_id[4:]}",
            "object": "Rate",
            "shipment_id": shipment_id,
            "carrier": "USPS",
            "service": service,
            "rate": fake_price(weight_kg, base),
            "currency": "USD",
            "delivery_days": days,
            "delivery_date": None,
        }
        for service, base, days in (("Priority", "7.00", 2), ("GroundAdvantage", "4.50", 5))
    ]


async def ep_create_shipment(request: Request) -> Response:
    if not _basic_auth(request):
        return error_response(401, "Unauthorized")
    body = await json_body(request)
    shipment = (body or {}).get("shipment")
    if not isinstance(shipment, dict):
        return error_response(422, "shipment is required")
    try:
        weight_kg = Decimal(str(shipment["parcel"]["weight"])) / Decimal("35.27396195")
    except (KeyError, TypeError, ArithmeticError):
        return error_response(
            422,
            "Missing required parameter.",
            "PARAMETER.REQUIRED",
            [{"field": "parcel.weight", "message": "cannot be blank"}],
        )
    shipment_id = "shp_" + secrets.token_hex(8)
    is_return = shipment.get("is_return") is True
    if is_return:  # as EasyPost: the original shipment's addresses, swapped
        shipment = {
            **shipment,
            "from_address": shipment.get("to_address"),
            "to_address": shipment.get("from_address"),
        }
    gaps = _address_gaps(shipment)
    rates = [] if gaps else _rates(shipment_id, weight_kg)
    answer = {
        "id": shipment_id,
        "object": "Shipment",
        "mode": "test",
        "is_return": is_return,
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
    carrier_of(request).shipments[shipment_id] = answer
    return JSONResponse(answer, status_code=201)


async def ep_buy(request: Request) -> Response:
    if not _basic_auth(request):
        return error_response(401, "Unauthorized")
    carrier = carrier_of(request)
    shipment = carrier.shipments.get(request.path_params["id"])
    if shipment is None:
        return error_response(404, "shipment not found")
    key = request.headers.get("idempotency-key") or ""
    existing = carrier.by_key.get(key) if key else None
    if existing is not None:
        return JSONResponse(_ep_label(existing, carrier.shipments[existing.shipment_id]))
    if shipment["tracking_code"]:
        return error_response(422, "shipment already purchased")
    rate_id = ((await json_body(request)) or {}).get("rate", {}).get("id")
    rate = next((r for r in shipment["rates"] if r["id"] == rate_id), None)
    if rate is None:
        return error_response(422, "rate not found")
    label = FakeLabel(
        tracking_number=new_tracking_number("EZ"),
        service=rate["service"],
        carrier=rate["carrier"],
        price=rate["rate"],
        currency=rate["currency"],
        shipment_id=shipment["id"],
        is_return=shipment.get("is_return") is True,
    )
    label = carrier.sell(key or secrets.token_hex(8), label)
    shipment["tracking_code"] = label.tracking_number
    return JSONResponse(_ep_label(label, shipment))


async def ep_get_shipment(request: Request) -> Response:
    if not _basic_auth(request):
        return error_response(401, "Unauthorized")
    carrier = carrier_of(request)
    shipment = carrier.shipments.get(request.path_params["id"])
    if shipment is None:
        return error_response(404, "shipment not found")
    if shipment["tracking_code"]:
        return JSONResponse(_ep_label(carrier.labels[shipment["tracking_code"]], shipment))
    return JSONResponse(shipment)


async def ep_refund(request: Request) -> Response:
    if not _basic_auth(request):
        return error_response(401, "Unauthorized")
    carrier = carrier_of(request)
    shipment = carrier.shipments.get(request.path_params["id"])
    if shipment is None or not shipment["tracking_code"]:
        return error_response(404, "no purchased shipment")
    label = carrier.labels[shipment["tracking_code"]]
    if any(status == "delivered" for status, _, _ in label.events):
        return JSONResponse({**_ep_label(label, shipment), "refund_status": "rejected"})
    if not label.refunded:
        label.refunded = True
        carrier.scan(label.tracking_number, "cancelled", "Label refunded.")
    return JSONResponse(_ep_label(label, shipment))


async def ep_list_trackers(request: Request) -> Response:
    if not _basic_auth(request):
        return error_response(401, "Unauthorized")
    label = carrier_of(request).labels.get(request.query_params.get("tracking_code", ""))
    trackers = [*label.other_trackers, ep_tracker(label)] if label else []
    return JSONResponse({"trackers": trackers, "has_more": False})


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


ROUTES = [
    Route("/v2/shipments", ep_create_shipment, methods=["POST"]),
    Route("/v2/shipments/{id}", ep_get_shipment, methods=["GET"]),
    Route("/v2/shipments/{id}/buy", ep_buy, methods=["POST"]),
    Route("/v2/shipments/{id}/refund", ep_refund, methods=["POST"]),
    Route("/v2/trackers", ep_list_trackers, methods=["GET"]),
]
