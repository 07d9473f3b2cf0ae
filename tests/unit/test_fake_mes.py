"""The fake MES in-process (httpx.ASGITransport): it keeps the requests Lading's signed
deliveries release to it, refuses a bad signature, and its control endpoints send reports
that Lading's production adapter accepts (captured with httpx.MockTransport)."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

from app.adapters.production.base import ReportKind
from app.adapters.production.lading_json import LadingJsonMes
from app.cli import build_parser
from app.cli_fakes import cmd_fake_mes
from app.domain import webhooks
from app.fake_mes import server
from app.fake_mes.server import create_app
from app.fake_mes.state import FakeMesSettings
from tests.conftest import make_settings

REPORT_SECRET = webhooks.new_secret()
ENDPOINT_SECRET = webhooks.new_secret()
LADING = "http://lading.test"
RELEASE = {
    "number": "MO-2026-000042",
    "sku": "CHAIR-OAK",
    "product_name": "Oak chair",
    "quantity": "12",
    "warehouse": "MAIN",
    "due_date": "2026-12-15",
    "priority": 100,
    "orders": [{"order_number": "SO-2026-000123", "line_no": 1, "quantity": "12"}],
}

Handler = Callable[[httpx.Request], httpx.Response]


def _accepting(request: httpx.Request) -> httpx.Response:
    return httpx.Response(202, json={"status": "accepted"})


def _fake(handler: Handler = _accepting) -> tuple[httpx.AsyncClient, list[httpx.Request]]:
    """A client of the fake, and the requests the fake sent to (mock) Lading."""
    sent: list[httpx.Request] = []

    def lading(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return handler(request)

    settings = FakeMesSettings(
        lading_url=LADING + "/",
        report_secret=REPORT_SECRET,
        endpoint_secret=ENDPOINT_SECRET,
        client=httpx.AsyncClient(transport=httpx.MockTransport(lading)),
    )
    transport = httpx.ASGITransport(app=create_app(settings))
    return httpx.AsyncClient(transport=transport, base_url="http://mes.test"), sent


def _delivery(
    event_type: str = "production.released",
    data: dict[str, Any] | None = None,
    secret: str = ENDPOINT_SECRET,
) -> tuple[bytes, dict[str, str]]:
    """A delivery as Lading's webhook worker sends it (envelope body, Standard Webhooks)."""
    event_id = uuid.uuid4()
    body = webhooks.body(
        event_id,
        event_type,
        datetime.now(UTC),
        ("production_request", str(uuid.uuid4())),
        RELEASE if data is None else data,
    )
    msg_id = webhooks.webhook_id(webhooks.delivery_id(uuid.uuid4(), event_id))
    stamp = int(time.time())
    headers = {
        "content-type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": str(stamp),
        "webhook-signature": webhooks.signature_header([secret], msg_id, stamp, body),
    }
    return body, headers


async def _released(mes: httpx.AsyncClient) -> None:
    body, headers = _delivery()
    assert (await mes.post("/lading/events", content=body, headers=headers)).status_code == 200


async def test_a_signed_release_is_kept_and_listed() -> None:
    mes, _ = _fake()
    body, headers = _delivery()
    answer = await mes.post("/lading/events", content=body, headers=headers)
    assert answer.status_code == 200
    assert answer.json() == {"received": headers["webhook-id"], "number": "MO-2026-000042"}
    listed = (await mes.get("/requests")).json()["items"]
    assert listed == [
        {
            **RELEASE,
            "mes": {"status": "released", "completed_quantity": "0", "scrapped_quantity": "0"},
        }
    ]


async def test_a_release_delivered_again_is_held_once() -> None:
    mes, _ = _fake()
    body, headers = _delivery()
    for _ in range(2):
        await mes.post("/lading/events", content=body, headers=headers)
    assert len((await mes.get("/requests")).json()["items"]) == 1


async def test_a_delivery_signed_with_another_secret_is_refused() -> None:
    mes, _ = _fake()
    body, headers = _delivery(secret=webhooks.new_secret())
    answer = await mes.post("/lading/events", content=body, headers=headers)
    assert answer.status_code == 401
    assert (await mes.get("/requests")).json() == {"items": []}


async def test_an_unsigned_delivery_is_refused() -> None:
    mes, _ = _fake()
    body, _ = _delivery()
    answer = await mes.post("/lading/events", content=body)
    assert answer.status_code == 401


async def test_other_event_types_are_acknowledged_and_ignored() -> None:
    mes, _ = _fake()
    body, headers = _delivery("order.placed", {"order_id": str(uuid.uuid4())})
    answer = await mes.post("/lading/events", content=body, headers=headers)
    assert answer.status_code == 200
    assert answer.json()["ignored"] is True
    assert (await mes.get("/requests")).json() == {"items": []}


async def test_a_release_without_a_number_is_a_bad_request() -> None:
    mes, _ = _fake()
    body, headers = _delivery(data={"sku": "CHAIR-OAK"})
    assert (await mes.post("/lading/events", content=body, headers=headers)).status_code == 400


async def test_complete_sends_a_report_lading_accepts_and_answers_with_ladings_answer() -> None:
    mes, sent = _fake()
    await _released(mes)
    answer = await mes.post(
        "/control/MO-2026-000042/complete",
        json={"completed_quantity": "11", "scrapped_quantity": 1, "scrap_reason": "warped seat"},
    )
    assert (answer.status_code, answer.json()) == (202, {"status": "accepted"})
    [request] = sent
    assert (request.method, str(request.url)) == ("POST", LADING + "/api/v1/webhooks/production")
    assert request.headers["webhook-id"].startswith("mes_")
    report = LadingJsonMes(REPORT_SECRET).parse_report(
        request.headers, request.content, datetime.now(UTC)
    )
    assert report.kind is ReportKind.COMPLETED
    assert report.request_number == "MO-2026-000042"
    assert (report.completed_quantity, report.scrapped_quantity) == (Decimal(11), Decimal(1))
    assert (report.scrap_reason, report.over_production_reason) == ("warped seat", None)
    assert report.event_id == request.headers["webhook-id"]
    [held] = (await mes.get("/requests")).json()["items"]
    assert held["mes"] == {
        "status": "completed",
        "completed_quantity": "11",
        "scrapped_quantity": "1",
    }


async def test_start_and_progress_send_their_reports() -> None:
    mes, sent = _fake()
    await _released(mes)
    await mes.post("/control/MO-2026-000042/start")
    await mes.post(
        "/control/MO-2026-000042/progress",
        json={"completed_quantity": "4.5", "expected_finish_date": "2026-12-10"},
    )
    parse = LadingJsonMes(REPORT_SECRET).parse_report
    started, progress = (parse(r.headers, r.content, datetime.now(UTC)) for r in sent)
    assert started.kind is ReportKind.STARTED
    assert started.completed_quantity is None
    assert progress.kind is ReportKind.PROGRESS
    assert progress.completed_quantity == Decimal("4.5")
    assert progress.expected_finish_date is not None
    assert progress.expected_finish_date.isoformat() == "2026-12-10"
    assert json.loads(sent[1].content).keys() == {
        "type",
        "request",
        "completed_quantity",
        "expected_finish_date",
        "occurred_at",
    }
    assert sent[0].headers["webhook-id"] != sent[1].headers["webhook-id"]
    [held] = (await mes.get("/requests")).json()["items"]
    assert held["mes"]["status"] == "started"
    assert held["mes"]["completed_quantity"] == "4.5"


async def test_ladings_refusal_is_passed_back_and_changes_nothing() -> None:
    def refusing(request: httpx.Request) -> httpx.Response:
        problem = {"status": 409, "code": "invalid_state"}
        return httpx.Response(
            409, json=problem, headers={"content-type": "application/problem+json"}
        )

    mes, _ = _fake(refusing)
    await _released(mes)
    answer = await mes.post("/control/MO-2026-000042/complete", json={"completed_quantity": "12"})
    assert answer.status_code == 409
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["code"] == "invalid_state"
    [held] = (await mes.get("/requests")).json()["items"]
    assert held["mes"]["status"] == "released"


async def test_lading_unreachable_is_a_bad_gateway() -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    mes, _ = _fake(down)
    await _released(mes)
    assert (await mes.post("/control/MO-2026-000042/start")).status_code == 502


async def test_control_of_a_request_never_released_is_not_found() -> None:
    mes, sent = _fake()
    assert (await mes.post("/control/MO-2026-999999/start")).status_code == 404
    assert sent == []


async def test_a_bad_control_body_is_refused_and_nothing_is_sent() -> None:
    mes, sent = _fake()
    await _released(mes)
    for body in ({}, {"completed_quantity": "-1"}, {"completed_quantity": "1", "extra": 1}):
        answer = await mes.post("/control/MO-2026-000042/complete", json=body)
        assert answer.status_code == 422
    answer = await mes.post("/control/MO-2026-000042/progress", content=b"[1]")
    assert answer.status_code == 422
    assert sent == []


def test_the_fake_mes_command_parses_its_flags_and_binds_loopback_only() -> None:
    args = build_parser().parse_args(
        [
            "fake-mes",
            "--port",
            "9002",
            "--lading-url",
            "http://127.0.0.1:8001",
            "--report-secret",
            REPORT_SECRET,
            "--endpoint-secret",
            ENDPOINT_SECRET,
        ]
    )
    assert (args.host, args.port, args.lading_url) == ("127.0.0.1", 9002, "http://127.0.0.1:8001")
    assert (args.report_secret, args.endpoint_secret) == (REPORT_SECRET, ENDPOINT_SECRET)
    assert args.func is cmd_fake_mes
    with pytest.raises(SystemExit):
        build_parser().parse_args(["fake-mes", "--host", "0.0.0.0"])
    with pytest.raises(SystemExit):
        build_parser().parse_args(["fake-mes", "--report-secret", "not-a-secret"])


def test_the_fake_mes_command_serves_with_its_secrets(monkeypatch, capsys) -> None:
    monkeypatch.delenv("LADING_FAKE_MES_LADING_URL", raising=False)
    served: list[tuple[int, FakeMesSettings]] = []
    monkeypatch.setattr(server, "serve", lambda port, settings: served.append((port, settings)))
    settings = make_settings("sqlite+aiosqlite://", mes_webhook_secret=REPORT_SECRET)
    args = build_parser().parse_args(["fake-mes", "--endpoint-secret", ENDPOINT_SECRET])
    assert cmd_fake_mes(args, settings) == 0
    [(port, fake)] = served
    assert port == 8098 and fake.report_url == "http://127.0.0.1:8000/api/v1/webhooks/production"
    assert (fake.report_secret, fake.endpoint_secret) == (REPORT_SECRET, ENDPOINT_SECRET)

    no_secret = make_settings("sqlite+aiosqlite://")
    assert cmd_fake_mes(args, no_secret) == 2  # nothing to sign reports with
    assert "--report-secret" in capsys.readouterr().err
    bare = build_parser().parse_args(["fake-mes", "--report-secret", REPORT_SECRET])
    bare.endpoint_secret = None  # LADING_FAKE_MES_ENDPOINT_SECRET may be set around the test
    assert cmd_fake_mes(bare, settings) == 2
    assert "--endpoint-secret" in capsys.readouterr().err
    assert len(served) == 1
