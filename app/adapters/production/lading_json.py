"""Lading's own JSON protocol for production systems (MES), signed after Standard Webhooks
(https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md),
exactly as Lading signs its outbound webhooks.

**Release.** When a production request is released, Lading sends the MES the event
``production.released`` through its outbound webhooks (the usual envelope
``{"id", "type", "timestamp", "subject", "data"}``); ``data`` is the release document
(quantities are decimal strings, dates ISO 8601; lower ``priority`` is made first)::

    {"number": "MO-2026-000042", "sku": "CHAIR-OAK", "product_name": "Oak chair",
     "quantity": "12", "warehouse": "MAIN", "due_date": "2026-12-15", "priority": 100,
     "orders": [{"order_number": "SO-2026-000123", "line_no": 1, "quantity": "12"}]}

**Reports.** The MES POSTs each report to Lading's ``/api/v1/webhooks/production``::

    {"type": "completed", "request": "MO-2026-000042", "completed_quantity": "5",
     "scrapped_quantity": "1", "expected_finish_date": "2026-12-10",
     "over_production_reason": null, "scrap_reason": "warped seat",
     "occurred_at": "2026-12-03T10:00:00Z"}

``type`` is ``started``, ``progress`` or ``completed``; ``request`` and ``occurred_at`` (with
an offset) are required, the rest optional (null or absent). ``completed_quantity`` is, for
``completed`` (where it is required), the good quantity made in this report; for ``progress``,
the cumulative quantity made so far. Quantities are decimal strings ≥ 0 with at most three
decimals; ``scrapped_quantity`` defaults to 0. Unknown fields are ignored.

Each report carries the headers ``webhook-id`` (a unique message id, e.g. ``mes_<uuid hex>``;
a redelivery repeats it, so Lading takes each report once), ``webhook-timestamp`` (Unix
seconds) and ``webhook-signature``: space-separated ``v1,<base64 HMAC-SHA256>`` signatures of
``"{webhook-id}.{webhook-timestamp}.{raw body}"`` keyed with the base64 part of the shared
``whsec_…`` secret (:func:`sign_report`). A missing or forged signature, or a timestamp more
than 300 s (``tolerance_seconds``) from Lading's clock, is refused with 401 ``bad_signature``;
a body that is not a report with 400 ``malformed_request``."""

from __future__ import annotations

import binascii
import hmac
import json
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, model_validator

from app.adapters.production.base import (
    MesReport,
    ProductionSystem,
    ReleasedRequest,
    ReportKind,
)
from app.domain import webhooks
from app.domain.errors import BadSignature, FieldIssue, MalformedRequest
from app.domain.limits import QUANTITY_MAX
from app.domain.text import nul_issues

TOLERANCE_S = 300
SIGNATURE_VERSION = "v1"
EVENT_ID_MAX = 200  # what an inbox keeps of a message id

Quantity = Annotated[Decimal, Field(ge=0, le=QUANTITY_MAX, max_digits=18, decimal_places=3)]
Text = Annotated[str, Field(min_length=1, max_length=1000)]


def sign_report(secret: str, body: bytes, msg_id: str, timestamp: int) -> dict[str, str]:
    """The three Standard Webhooks headers of a report signed with ``secret`` (``whsec_…``)."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": webhooks.sign(secret, msg_id, timestamp, body),
    }


class _Report(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    type: ReportKind
    request: Annotated[str, Field(min_length=1, max_length=64)]
    completed_quantity: Quantity | None = None
    scrapped_quantity: Quantity | None = None
    expected_finish_date: date | None = None
    over_production_reason: Text | None = None
    scrap_reason: Text | None = None
    occurred_at: AwareDatetime

    @model_validator(mode="after")
    def _completed_says_how_many(self) -> _Report:
        if self.type is ReportKind.COMPLETED and self.completed_quantity is None:
            raise ValueError("a completed report gives its completed_quantity")
        return self


class LadingJsonMes:
    """:class:`~app.adapters.production.base.ProductionSystem` over Lading's JSON protocol."""

    def __init__(self, secret: str, tolerance_seconds: int = TOLERANCE_S) -> None:
        try:
            webhooks.secret_key(secret)
        except (binascii.Error, ValueError) as exc:
            raise ValueError("the report secret is not a whsec_<base64> secret") from exc
        self.secret = secret
        self.tolerance_seconds = tolerance_seconds

    def release_document(self, request: ReleasedRequest) -> dict[str, Any]:
        return {
            "number": request.number,
            "sku": request.sku,
            "product_name": request.product_name,
            "quantity": decimal_text(request.quantity),
            "warehouse": request.warehouse,
            "due_date": request.due_date.isoformat(),
            "priority": request.priority,
            "orders": [
                {
                    "order_number": line.order_number,
                    "line_no": line.line_no,
                    "quantity": decimal_text(line.quantity),
                }
                for line in request.orders
            ],
        }

    def parse_report(self, headers: Mapping[str, str], body: bytes, now: datetime) -> MesReport:
        event_id = verify_signature(self.secret, headers, body, now, self.tolerance_seconds)
        if len(event_id) > EVENT_ID_MAX:
            raise MalformedRequest(f"The report's webhook-id is longer than {EVENT_ID_MAX}.")
        report = _parsed(body)
        return MesReport(
            event_id=event_id,
            kind=report.type,
            request_number=report.request,
            completed_quantity=report.completed_quantity,
            scrapped_quantity=report.scrapped_quantity or Decimal(0),
            expected_finish_date=report.expected_finish_date,
            over_production_reason=report.over_production_reason,
            scrap_reason=report.scrap_reason,
            occurred_at=report.occurred_at,
        )


def verify_signature(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    now: datetime,
    tolerance_seconds: int = TOLERANCE_S,
) -> str:
    """The ``webhook-id`` of a Standard Webhooks message signed with ``secret``, once one of its
    signatures checks out and its timestamp is within ``tolerance_seconds`` of ``now``;
    ``BadSignature`` otherwise."""
    lowered = {name.lower(): value for name, value in headers.items()}
    msg_id = lowered.get("webhook-id", "")
    stamp = lowered.get("webhook-timestamp", "")
    given = lowered.get("webhook-signature", "")
    if not (msg_id and stamp and given):
        raise BadSignature("The message lacks its webhook-id, -timestamp or -signature.")
    if not stamp.isascii() or not stamp.isdigit():
        raise BadSignature("The message's webhook-timestamp is not Unix seconds.")
    timestamp = int(stamp)
    expected = webhooks.sign(secret, msg_id, timestamp, body).encode()
    if not any(hmac.compare_digest(sig.encode(), expected) for sig in _v1(given)):
        raise BadSignature("The message's signature does not match.")
    if abs(now.timestamp() - timestamp) > tolerance_seconds:
        raise BadSignature("The message's timestamp is outside the tolerance (replay refused).")
    return msg_id


def _v1(header: str) -> list[str]:
    """The ``v1`` signatures of a ``webhook-signature`` header (other versions are skipped)."""
    return [sig for sig in header.split() if sig.startswith(SIGNATURE_VERSION + ",")]


def _parsed(body: bytes) -> _Report:
    try:
        data = json.loads(body)
    except ValueError as exc:  # also UnicodeDecodeError
        raise MalformedRequest(f"The report is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise MalformedRequest("The report is not a JSON object.")
    if issues := nul_issues(data):
        raise MalformedRequest("The report's text holds NUL characters.", issues=issues)
    try:
        return _Report.model_validate(data)
    except ValidationError as exc:
        raise MalformedRequest(
            "The report is not a production report.", issues=_issues(exc)
        ) from exc


def _issues(exc: ValidationError) -> list[FieldIssue]:
    """One issue per broken rule, named by its dotted path in the report."""
    return [
        FieldIssue(".".join(map(str, error["loc"])) or "body", error["type"], error["msg"])
        for error in exc.errors()
    ]


def decimal_text(value: Decimal) -> str:
    """Plain notation without trailing zeros: 12.000 → "12", 1E+1 → "10"."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def as_production_system(mes: LadingJsonMes) -> ProductionSystem:
    """The adapter as the port (mypy checks here that it implements every method)."""
    return mes
