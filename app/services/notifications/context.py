"""What a template sees, loaded from the database when an event is routed (or when an admin
previews a template for an order), and the sample each kind's templates are checked against
when saved. A template may use exactly the variables of its kind's sample.

Every kind has ``company`` and ``customer`` (``code``, ``name``); order and shipment kinds
``order`` (``number``, ``date``, ``promised_date``, ``total``, ``currency``, ``lines`` of
``sku``, ``name``, ``quantity``); shipment kinds ``shipment`` (``number``, ``carrier``,
``carrier_name``, ``tracking_number``, ``expected_arrival``, ``tracking_link``, ``status``,
``delivered_at``, ``receiver_name``); ``invoice_issued`` and ``invoice_overdue`` ``invoice``
(``number``, ``total``, ``balance``, ``currency``, ``issue_date``, ``due_date``,
``days_overdue``); ``refund_paid`` ``refund`` (``number``, ``amount``, ``currency``,
``refunded_on``); ``alert_raised`` ``alert`` (the ``alert.raised`` payload)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from app.domain.money import round_money
from app.domain.notifications.kinds import SHIPMENT_KINDS, NotificationKind
from app.repositories.carriers import Carrier
from app.repositories.customers import Customer
from app.repositories.invoices import Invoice
from app.repositories.orders import Order, OrderLine
from app.repositories.payments import Refund
from app.repositories.shipments import Shipment
from app.settings import Settings

Context = dict[str, Any]


def _quantity(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def _money(amount: Decimal, currency: str) -> str:
    return str(round_money(amount, currency))


def customer_part(customer: Customer) -> dict[str, Any]:
    return {"code": customer.code, "name": customer.name}


def order_part(order: Order, lines: Sequence[OrderLine]) -> dict[str, Any]:
    return {
        "number": order.number,
        "date": order.created_at.date().isoformat(),
        "promised_date": _iso(order.requested_delivery_date),
        "total": _money(order.total, order.currency),
        "currency": order.currency,
        "lines": [
            {"sku": x.sku, "name": x.name, "quantity": _quantity(x.quantity_ordered)}
            for x in sorted(lines, key=lambda x: x.line_no)
        ],
    }


def tracking_link(settings: Settings, token: str) -> str:
    """The customer's public tracking page (``GET /api/v1/track/{token}``)."""
    return f"{settings.public_base_url.rstrip('/')}/api/v1/track/{token}"


def shipment_part(
    shipment: Shipment, carrier: Carrier | None, settings: Settings
) -> dict[str, Any]:
    return {
        "number": shipment.number,
        "carrier": carrier.code if carrier else "own_fleet",
        "carrier_name": carrier.name if carrier else None,
        "tracking_number": shipment.tracking_number,
        "expected_arrival": _iso(shipment.promised_date),
        "tracking_link": tracking_link(settings, shipment.tracking_token),
        "status": shipment.tracking_status or shipment.status,
        "delivered_at": shipment.delivered_at.isoformat() if shipment.delivered_at else None,
        "receiver_name": shipment.receiver_name,
    }


def invoice_part(invoice: Invoice, today: date) -> dict[str, Any]:
    balance = invoice.total - invoice.amount_paid - invoice.amount_credited
    due = invoice.due_date
    return {
        "number": invoice.number,
        "total": _money(invoice.total, invoice.currency),
        "balance": _money(balance, invoice.currency),
        "currency": invoice.currency,
        "issue_date": _iso(invoice.issue_date),
        "due_date": _iso(due),
        "days_overdue": max((today - due).days, 0) if due else 0,
    }


def refund_part(refund: Refund) -> dict[str, Any]:
    return {
        "number": refund.number,
        "amount": _money(refund.amount, refund.currency),
        "currency": refund.currency,
        "refunded_on": refund.refunded_on.isoformat(),
    }


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def company(settings: Settings) -> str:
    return settings.company_name or "Lading"


# --- samples: what a template is checked against when it is saved --------------------------

_ORDER = {
    "number": "SO-2026-000123",
    "date": "2026-12-01",
    "promised_date": "2026-12-08",
    "total": "1130.00",
    "currency": "CNY",
    "lines": [{"sku": "WIDGET-1", "name": "不锈钢螺栓 M8", "quantity": "10"}],
}
_SHIPMENT = {
    "number": "SH-2026-000045",
    "carrier": "sf",
    "carrier_name": "顺丰速运",
    "tracking_number": "SF1234567890",
    "expected_arrival": "2026-12-05",
    "tracking_link": "http://localhost:8000/api/v1/track/sample-token",
    "status": "in_transit",
    "delivered_at": None,
    "receiver_name": None,
}
_INVOICE = {
    "number": "INV-2026-000077",
    "total": "1130.00",
    "balance": "1130.00",
    "currency": "CNY",
    "issue_date": "2026-12-01",
    "due_date": "2026-12-31",
    "days_overdue": 7,
}
_REFUND = {
    "number": "RF-2026-000003",
    "amount": "200.00",
    "currency": "CNY",
    "refunded_on": "2026-12-02",
}
_ALERT = {
    "id": "00000000-0000-0000-0000-000000000000",
    "rule": "tracking_silent",
    "severity": "warning",
    "role": "warehouse",
    "state": "open",
    "subject_type": "shipment",
    "subject_id": "00000000-0000-0000-0000-000000000001",
    "message": "发货单 SH-2026-000045 已 48 小时无物流更新",
    "link": "/api/v1/shipments/00000000-0000-0000-0000-000000000001",
    "opened_at": "2026-12-02T08:00:00+00:00",
}
_PARTS: dict[NotificationKind, tuple[str, ...]] = {
    NotificationKind.ORDER_CONFIRMED: ("order",),
    **{k: ("order", "shipment") for k in SHIPMENT_KINDS},
    NotificationKind.INVOICE_ISSUED: ("invoice",),
    NotificationKind.INVOICE_OVERDUE: ("invoice",),
    NotificationKind.REFUND_PAID: ("refund",),
    NotificationKind.ALERT_RAISED: ("alert",),
}
_SAMPLES: Mapping[str, Mapping[str, Any]] = {
    "order": _ORDER,
    "shipment": _SHIPMENT,
    "invoice": _INVOICE,
    "refund": _REFUND,
    "alert": _ALERT,
}


def parts_of(kind: NotificationKind) -> tuple[str, ...]:
    """The variables of a kind beside ``company`` and ``customer``."""
    return _PARTS[kind]


def sample_context(kind: NotificationKind, settings: Settings) -> Context:
    context: Context = {"company": company(settings)}
    if kind is not NotificationKind.ALERT_RAISED:
        context["customer"] = {"code": "C-0001", "name": "上海华东贸易有限公司"}
    for part in _PARTS[kind]:
        context[part] = dict(_SAMPLES[part])
    return context
