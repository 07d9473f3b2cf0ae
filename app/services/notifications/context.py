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
``refunded_on``); the return kinds ``return`` (``number``, ``order_number``, ``status``,
``reason``, ``method``, ``resolution``, ``refusal_reason``, ``lines`` of ``sku``, ``name``,
``quantity``, ``arrived`` of ``sku``, ``name``, ``quantity`` — what was received —,
``warehouse``, ``warehouse_address``, ``tracking_number``, ``pickup_on``, ``pickup_window``,
``refunded_amount`` — None unless money was paid back —, ``currency``,
``resolution_order_number``); ``alert_raised`` ``alert`` (the ``alert.raised`` payload)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from app.domain.money import round_money
from app.domain.notifications.kinds import RETURN_KINDS, SHIPMENT_KINDS, NotificationKind
from app.repositories.carriers import Carrier
from app.repositories.customers import Customer
from app.repositories.invoices import Invoice
from app.repositories.orders import Order, OrderLine
from app.repositories.payments import Refund
from app.repositories.returns import Return, ReturnLine
from app.repositories.shipments import Shipment
from app.repositories.warehouses import Warehouse
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


@dataclass(frozen=True)
class ReturnFacts:
    """A return and what its part names beside it: its order's number, the names of the
    order lines it returns (by order line id), the warehouse the goods come back to, and the
    number of the replacement or exchange order."""

    ret: Return
    lines: Sequence[ReturnLine]
    order_number: str
    names: Mapping[uuid.UUID, str]
    warehouse: Warehouse | None
    resolution_order_number: str | None


def return_part(facts: ReturnFacts) -> dict[str, Any]:
    ret, lines = facts.ret, sorted(facts.lines, key=lambda x: x.line_no)
    refunded = ret.refunded_amount
    return {
        "number": ret.number,
        "order_number": facts.order_number,
        "status": ret.status,
        "reason": ret.reason,
        "method": ret.method,
        "resolution": ret.resolution,
        "refusal_reason": ret.refusal_reason,
        "lines": [_return_line(x, facts.names, x.quantity) for x in lines],
        "arrived": [_return_line(x, facts.names, x.received) for x in lines if x.received],
        "warehouse": facts.warehouse.name if facts.warehouse else None,
        "warehouse_address": one_line(facts.warehouse.address) if facts.warehouse else None,
        "tracking_number": ret.tracking_number,
        "pickup_on": _iso(ret.pickup_on),
        "pickup_window": ret.pickup_window,
        "refunded_amount": _money(refunded, ret.currency) if refunded else None,
        "currency": ret.currency,
        "resolution_order_number": facts.resolution_order_number,
    }


def _return_line(
    line: ReturnLine, names: Mapping[uuid.UUID, str], quantity: Decimal
) -> dict[str, Any]:
    name = names.get(line.order_line_id, line.sku)
    return {"sku": line.sku, "name": name, "quantity": _quantity(quantity)}


ADDRESS_PARTS = ("region", "city", "district", "street", "postcode")


def one_line(address: Mapping[str, Any] | None) -> str | None:
    """An address on one line, largest part first (``浙江省 杭州市 余杭区 文一西路 969 号``)."""
    parts = [str(address[k]).strip() for k in ADDRESS_PARTS if address and address.get(k)]
    return " ".join(p for p in parts if p) or None


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
_RETURN = {
    "number": "RMA-2026-000012",
    "order_number": "SO-2026-000123",
    "status": "approved",
    "reason": "damaged",
    "method": "drop_off",
    "resolution": "refund",
    "refusal_reason": None,
    "lines": [{"sku": "WIDGET-1", "name": "不锈钢螺栓 M8", "quantity": "2"}],
    "arrived": [{"sku": "WIDGET-1", "name": "不锈钢螺栓 M8", "quantity": "2"}],
    "warehouse": "杭州仓",
    "warehouse_address": "浙江省 杭州市 余杭区 文一西路 969 号 311100",
    "tracking_number": None,
    "pickup_on": None,
    "pickup_window": None,
    "refunded_amount": "200.00",
    "currency": "CNY",
    "resolution_order_number": None,
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
    **{k: ("return",) for k in RETURN_KINDS},
    NotificationKind.ALERT_RAISED: ("alert",),
}
_SAMPLES: Mapping[str, Mapping[str, Any]] = {
    "order": _ORDER,
    "shipment": _SHIPMENT,
    "invoice": _INVOICE,
    "refund": _REFUND,
    "return": _RETURN,
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
