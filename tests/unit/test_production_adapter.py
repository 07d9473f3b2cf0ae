"""Lading's JSON protocol for production systems: signed reports parse into ``MesReport``;
missing, forged and stale signatures are ``BadSignature``; bodies that are not reports are
``MalformedRequest``; a released request has its documented JSON form."""

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from standardwebhooks import Webhook

from app.adapters.production.base import (
    MesReport,
    ProductionSystem,
    ReleasedRequest,
    ReportKind,
    ServedLine,
)
from app.adapters.production.lading_json import LadingJsonMes, sign_report
from app.domain.errors import BadSignature, MalformedRequest
from app.domain.webhooks import new_secret

SECRET = new_secret()
NOW = datetime(2026, 12, 3, 10, 0, 30, tzinfo=UTC)
MSG_ID = "mes_0123456789abcdef"
REPORT: dict[str, Any] = {
    "type": "completed",
    "request": "MO-2026-000042",
    "completed_quantity": "5",
    "scrapped_quantity": "1",
    "expected_finish_date": "2026-12-10",
    "over_production_reason": "batch size",
    "scrap_reason": "warped seat",
    "occurred_at": "2026-12-03T10:00:00Z",
}


def _encoded(document: dict[str, Any]) -> bytes:
    return json.dumps(document).encode()


def _signed(body: bytes, secret: str = SECRET, at: datetime = NOW) -> dict[str, str]:
    return sign_report(secret, body, MSG_ID, int(at.timestamp()))


def _parse(document: dict[str, Any]) -> MesReport:
    body = _encoded(document)
    return LadingJsonMes(SECRET).parse_report(_signed(body), body, NOW)


def test_a_signed_completed_report_parses() -> None:
    assert _parse(REPORT) == MesReport(
        event_id=MSG_ID,
        kind=ReportKind.COMPLETED,
        request_number="MO-2026-000042",
        completed_quantity=Decimal("5"),
        scrapped_quantity=Decimal("1"),
        expected_finish_date=date(2026, 12, 10),
        over_production_reason="batch size",
        scrap_reason="warped seat",
        occurred_at=datetime(2026, 12, 3, 10, 0, tzinfo=UTC),
    )


def test_a_started_report_needs_only_its_request_and_time() -> None:
    report = _parse(
        {"type": "started", "request": "MO-2026-000042", "occurred_at": REPORT["occurred_at"]}
    )
    assert report.kind is ReportKind.STARTED
    assert report.completed_quantity is None
    assert report.scrapped_quantity == Decimal(0)
    assert report.expected_finish_date is None


def test_a_progress_report_carries_the_cumulative_quantity_and_finish_date() -> None:
    document = {
        "type": "progress",
        "request": "MO-2026-000042",
        "completed_quantity": "3.5",
        "expected_finish_date": "2026-12-12",
        "scrapped_quantity": None,
        "occurred_at": "2026-12-03T11:00:00+01:00",
        "station": "line 2",  # unknown fields are ignored
    }
    report = _parse(document)
    assert (report.kind, report.completed_quantity) == (ReportKind.PROGRESS, Decimal("3.5"))
    assert report.expected_finish_date == date(2026, 12, 12)
    assert report.scrapped_quantity == Decimal(0)
    assert report.occurred_at == datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


def test_headers_are_matched_case_insensitively() -> None:
    body = _encoded(REPORT)
    headers = {name.upper(): value for name, value in _signed(body).items()}
    assert LadingJsonMes(SECRET).parse_report(headers, body, NOW).event_id == MSG_ID


def test_a_report_signed_by_the_standard_webhooks_library_parses() -> None:
    body = _encoded(REPORT)
    signature = Webhook(SECRET).sign(MSG_ID, NOW, body.decode())
    headers = {
        "webhook-id": MSG_ID,
        "webhook-timestamp": str(int(NOW.timestamp())),
        "webhook-signature": signature,
    }
    assert LadingJsonMes(SECRET).parse_report(headers, body, NOW).request_number == "MO-2026-000042"


def test_one_matching_signature_among_several_is_enough() -> None:
    body = _encoded(REPORT)
    headers = _signed(body)
    other = _signed(body, secret=new_secret())["webhook-signature"]
    headers["webhook-signature"] = f"v2,abc {other} {headers['webhook-signature']}"
    assert LadingJsonMes(SECRET).parse_report(headers, body, NOW).event_id == MSG_ID


def test_sign_report_gives_the_three_headers_the_standard_webhooks_library_accepts() -> None:
    stamp = int(time.time())  # the library checks against the real clock
    headers = sign_report(SECRET, b'{"type":"started"}', MSG_ID, stamp)
    assert headers.keys() == {"webhook-id", "webhook-timestamp", "webhook-signature"}
    assert (headers["webhook-id"], headers["webhook-timestamp"]) == (MSG_ID, str(stamp))
    assert Webhook(SECRET).verify(b'{"type":"started"}', headers) == {"type": "started"}


def test_a_forged_signature_is_refused() -> None:
    body = _encoded(REPORT)
    headers = _signed(body, secret=new_secret())
    with pytest.raises(BadSignature):
        LadingJsonMes(SECRET).parse_report(headers, body, NOW)


def test_a_tampered_body_is_refused() -> None:
    body = _encoded(REPORT)
    headers = _signed(body)
    tampered = body.replace(b'"5"', b'"50"')
    with pytest.raises(BadSignature):
        LadingJsonMes(SECRET).parse_report(headers, tampered, NOW)


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_a_missing_header_is_refused(missing: str) -> None:
    body = _encoded(REPORT)
    headers = _signed(body)
    del headers[missing]
    with pytest.raises(BadSignature):
        LadingJsonMes(SECRET).parse_report(headers, body, NOW)


@pytest.mark.parametrize("stamp", ["soon", "-5", "1.5e9", "١٧٠٠٠٠٠٠٠٠"])
def test_a_timestamp_that_is_not_unix_seconds_is_refused(stamp: str) -> None:
    body = _encoded(REPORT)
    headers = _signed(body) | {"webhook-timestamp": stamp}
    with pytest.raises(BadSignature):
        LadingJsonMes(SECRET).parse_report(headers, body, NOW)


@pytest.mark.parametrize(
    "age", [timedelta(seconds=301), timedelta(seconds=-301), timedelta(days=1)]
)
def test_a_timestamp_outside_the_tolerance_is_refused(age: timedelta) -> None:
    body = _encoded(REPORT)
    headers = _signed(body, at=NOW - age)
    with pytest.raises(BadSignature, match="tolerance"):
        LadingJsonMes(SECRET).parse_report(headers, body, NOW)


def test_the_tolerance_is_configurable() -> None:
    body = _encoded(REPORT)
    headers = _signed(body, at=NOW - timedelta(seconds=60))
    assert LadingJsonMes(SECRET).parse_report(headers, body, NOW).event_id == MSG_ID
    with pytest.raises(BadSignature):
        LadingJsonMes(SECRET, tolerance_seconds=30).parse_report(headers, body, NOW)


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe", b"", b"[1, 2]", b'"completed"'])
def test_a_body_that_is_not_a_json_object_is_malformed(body: bytes) -> None:
    with pytest.raises(MalformedRequest):
        LadingJsonMes(SECRET).parse_report(_signed(body), body, NOW)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"type": "cancelled"}, "type"),
        ({"completed_quantity": "-1"}, "completed_quantity"),
        ({"scrapped_quantity": "-0.5"}, "scrapped_quantity"),
        ({"completed_quantity": "five"}, "completed_quantity"),
        ({"completed_quantity": "NaN"}, "completed_quantity"),
        ({"completed_quantity": "1.0005"}, "completed_quantity"),
        ({"completed_quantity": "1e30"}, "completed_quantity"),
        ({"completed_quantity": None}, "body"),
        ({"request": ""}, "request"),
        ({"occurred_at": "2026-12-03T10:00:00"}, "occurred_at"),
        ({"expected_finish_date": "next week"}, "expected_finish_date"),
        ({"scrap_reason": "x" * 1001}, "scrap_reason"),
    ],
)
def test_a_report_breaking_the_protocol_is_malformed(change: dict[str, Any], field: str) -> None:
    with pytest.raises(MalformedRequest) as caught:
        _parse(REPORT | change)
    assert field in {issue.field for issue in caught.value.issues}


@pytest.mark.parametrize("missing", ["type", "request", "occurred_at"])
def test_a_report_without_a_required_field_is_malformed(missing: str) -> None:
    document = {key: value for key, value in REPORT.items() if key != missing}
    with pytest.raises(MalformedRequest) as caught:
        _parse(document)
    assert [issue.field for issue in caught.value.issues] == [missing]


def test_text_holding_a_nul_character_is_malformed() -> None:
    with pytest.raises(MalformedRequest) as caught:
        _parse(REPORT | {"scrap_reason": "warped\x00"})
    assert [issue.field for issue in caught.value.issues] == ["scrap_reason"]


def test_an_overlong_message_id_is_malformed() -> None:
    body = _encoded(REPORT)
    headers = sign_report(SECRET, body, "m" * 201, int(NOW.timestamp()))
    with pytest.raises(MalformedRequest):
        LadingJsonMes(SECRET).parse_report(headers, body, NOW)


def test_a_secret_not_in_whsec_form_is_refused_at_construction() -> None:
    with pytest.raises(ValueError):
        LadingJsonMes("whsec_abc")


def test_release_document_is_the_documented_json() -> None:
    request = ReleasedRequest(
        number="MO-2026-000042",
        sku="CHAIR-OAK",
        product_name="Oak chair",
        quantity=Decimal("12.000"),
        warehouse="MAIN",
        due_date=date(2026, 12, 15),
        priority=100,
        orders=(
            ServedLine(order_number="SO-2026-000123", line_no=1, quantity=Decimal("10")),
            ServedLine(order_number="SO-2026-000124", line_no=3, quantity=Decimal("1.5")),
        ),
    )
    mes: ProductionSystem = LadingJsonMes(SECRET)
    document = mes.release_document(request)
    assert document == {
        "number": "MO-2026-000042",
        "sku": "CHAIR-OAK",
        "product_name": "Oak chair",
        "quantity": "12",
        "warehouse": "MAIN",
        "due_date": "2026-12-15",
        "priority": 100,
        "orders": [
            {"order_number": "SO-2026-000123", "line_no": 1, "quantity": "10"},
            {"order_number": "SO-2026-000124", "line_no": 3, "quantity": "1.5"},
        ],
    }
    assert json.loads(json.dumps(document)) == document
