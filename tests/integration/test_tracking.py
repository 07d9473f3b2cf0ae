"""Tracking through the HTTP API, on both engines: carriers' signed webhooks (forged and replayed
ones refused, each event id processed once, out-of-order events never moving a shipment back,
delivery and alerts), the shipment's timeline, the public tracking page, and the worker polling
carriers that send no webhooks; on PostgreSQL, one webhook delivered twice at the same time."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from app.adapters.carriers.generic_json import sign
from app.fake_carrier.server import create_app
from app.fake_carrier.state import FakeLabel, Switches
from app.repositories.carriers import Carrier
from app.repositories.events import OutboxEvent
from app.repositories.shipments import CarrierInboxEntry, Shipment, ShipmentEvent
from app.repositories.uow import SqlAlchemyUnitOfWork
from app.services.check import check_invariants
from app.worker.tracking import poll_carriers
from tests.factories import make_customer, make_product, make_warehouse
from tests.integration.test_shipments import confirm, created, order_view, picked_order, verify
from tests.support import assert_problem, served_on_loopback

SECRET = b"s"
CREDENTIALS = json.dumps({"api_key": "k", "webhook_secret": SECRET.decode()})
T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
EVERY_30_MIN = timedelta(minutes=30)


def carrier_row(code: str, **kw: Any) -> Carrier:
    values: dict[str, Any] = {
        "code": code,
        "name": f"{code} Express",
        "adapter_kind": "generic_json",
        "services": [],
        "coverage": {"CN": []},
        "max_package_weight_kg": Decimal("30"),
        "goods_classes": [],
        "currency": "CNY",
        "transit_days": {},
        "rates": {},
        "surcharges": {},
        "cutoff_time": "17:00",
        "zone_rules": {},
        "endpoint": "http://fake",
        "credentials": CREDENTIALS,
        "webhooks": True,
        "version": 1,
    }
    values.update(kw)
    return Carrier(**values)


@pytest.fixture
async def data(sessionmaker) -> None:
    for sku in ("S-1", "S-2"):
        await make_product(sessionmaker, sku, list_price="10.00", floor_price=None, tax_rate="0")
    await make_warehouse(
        sessionmaker, "HZ", latitude=Decimal("30.2741"), longitude=Decimal("120.1551"), priority=1
    )
    await make_customer(sessionmaker, "ACME", name="Acme Trading", credit_limit="1000000")
    async with sessionmaker() as session:
        session.add_all(
            [
                carrier_row("GJ"),
                carrier_row("GP", webhooks=False),
                carrier_row("GX", webhooks=False, endpoint="http://broken"),
                carrier_row("OFF", active=False),
                carrier_row("LOCAL", adapter_kind="table_rate", credentials=None, endpoint=None),
            ]
        )
        await session.commit()


async def ship(
    client, auth, sessionmaker, order_id: str, lines: dict[str, str], carrier: str, number: str
) -> dict:
    """A shipment of ``lines`` by ``carrier`` with tracking number ``number``, shipped. (Labels
    are bought elsewhere; here the bought label is written straight into the row.)"""
    shipment = await created(client, auth, order_id, lines, carrier=carrier)
    assert (await verify(client, auth, shipment["id"], lines)).status_code == 200
    async with sessionmaker() as session:
        row = await session.get(Shipment, uuid.UUID(shipment["id"]))
        assert row is not None
        row.label_status = "purchased"
        row.tracking_number = number
        row.promised_date = date(2026, 11, 26)
        await session.commit()
    response = await confirm(client, auth, shipment["id"])
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "shipped"
    return response.json()


@pytest.fixture
async def shipped(client, auth, sessionmaker, data) -> dict:
    """An order of 3 × S-1, shipped in full by GJ (webhooks) with tracking number GJ0001."""
    placed = await picked_order(client, auth, {"S-1": "3"})
    shipment = await ship(client, auth, sessionmaker, placed["id"], {"S-1": "3"}, "GJ", "GJ0001")
    return {"order": placed, "shipment": shipment}


def webhook(
    number: str,
    events: list[tuple[str, datetime, str]],
    *,
    event_id: str | None = None,
    secret: bytes = SECRET,
    at: float | None = None,
) -> tuple[dict[str, str], bytes]:
    """A generic-protocol webhook: headers (signed at ``at``, default now) and raw body."""
    body = json.dumps(
        {
            "id": event_id or f"whk_{uuid.uuid4().hex}",
            "tracking_number": number,
            "events": [
                {"id": f"e{i}", "status": s, "occurred_at": t.isoformat(), "description": d}
                for i, (s, t, d) in enumerate(events)
            ],
        }
    ).encode()
    moment = str(int(time.time() if at is None else at))
    return {"X-Signature": sign(secret, moment, body), "Content-Type": "application/json"}, body


async def post(client, delivery: tuple[dict[str, str], bytes], carrier: str = "GJ"):
    headers, body = delivery
    return await client.post(f"/api/v1/webhooks/carriers/{carrier}", content=body, headers=headers)


async def tracking(client, auth, shipment_id: str) -> dict:
    response = await client.get(
        f"/api/v1/shipments/{shipment_id}/tracking", headers=await auth.as_role("viewer")
    )
    assert response.status_code == 200, response.text
    return response.json()


async def timeline(sessionmaker, shipment_id: str) -> list[tuple[str, datetime]]:
    async with sessionmaker() as session:
        rows = await session.scalars(
            select(ShipmentEvent)
            .where(ShipmentEvent.shipment_id == uuid.UUID(shipment_id))
            .order_by(ShipmentEvent.occurred_at)
        )
        return [(x.status, x.occurred_at) for x in rows]


async def outbox(sessionmaker, event_type: str) -> list[dict]:
    async with sessionmaker() as session:
        rows = await session.scalars(
            select(OutboxEvent.payload)
            .where(OutboxEvent.event_type == event_type)
            .order_by(OutboxEvent.created_at)
        )
        return list(rows)


async def inbox(sessionmaker, event_id: str) -> list[str]:
    async with sessionmaker() as session:
        rows = await session.scalars(
            select(CarrierInboxEntry.outcome).where(CarrierInboxEntry.event_id == event_id)
        )
        return list(rows)


async def test_forged_or_missing_signatures_are_refused_and_change_nothing(
    client, auth, sessionmaker, shipped
) -> None:
    shipment = shipped["shipment"]
    events = [("in_transit", T0, "Hangzhou hub")]
    forged = webhook("GJ0001", events, event_id="whk-forged", secret=b"not-the-secret")
    problem = assert_problem(await post(client, forged), 401, code="bad_signature")
    assert "signature" in problem["detail"]
    unsigned = ({"Content-Type": "application/json"}, forged[1])
    assert_problem(await post(client, unsigned), 401, code="bad_signature")
    # A body changed after signing no longer matches its signature.
    headers, body = webhook("GJ0001", events, event_id="whk-forged")
    tampered = body.replace(b"Hangzhou", b"Nowhere!")
    assert_problem(await post(client, (headers, tampered)), 401, code="bad_signature")

    assert await timeline(sessionmaker, shipment["id"]) == []
    assert await inbox(sessionmaker, "whk-forged") == []
    assert await outbox(sessionmaker, "shipment.tracking_updated") == []
    assert (await tracking(client, auth, shipment["id"]))["tracking_status"] is None


async def test_a_replayed_delivery_with_a_stale_signature_is_refused(
    client, sessionmaker, shipped
) -> None:
    stale = webhook(
        "GJ0001",
        [("in_transit", T0, "Hangzhou hub")],
        event_id="whk-replayed",
        at=time.time() - 3600,
    )
    problem = assert_problem(await post(client, stale), 401, code="bad_signature")
    assert "old" in problem["detail"]
    assert await timeline(sessionmaker, shipped["shipment"]["id"]) == []
    assert await inbox(sessionmaker, "whk-replayed") == []


async def test_the_same_event_id_is_processed_once(client, auth, sessionmaker, shipped) -> None:
    shipment_id = shipped["shipment"]["id"]
    first = webhook("GJ0001", [("picked_up", T0, "Collected")], event_id="whk-1")
    response = await post(client, first)
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "accepted", "events": 1}

    again = await post(client, first)
    assert again.status_code == 200, again.text
    assert again.json() == {"status": "duplicate", "events": 0}
    # Same id, different content (re-signed, fresh): still the same delivery, nothing changes.
    changed = webhook(
        "GJ0001",
        [("picked_up", T0, "Collected"), ("delivered", T0 + timedelta(hours=5), "")],
        event_id="whk-1",
    )
    assert (await post(client, changed)).json() == {"status": "duplicate", "events": 0}

    assert await timeline(sessionmaker, shipment_id) == [("picked_up", T0)]
    assert await inbox(sessionmaker, "whk-1") == ["accepted"]
    assert len(await outbox(sessionmaker, "shipment.tracking_updated")) == 1
    body = await tracking(client, auth, shipment_id)
    assert body["tracking_status"] == "picked_up" and body["shipment_status"] == "shipped"


async def test_an_event_arriving_late_joins_the_timeline_but_never_moves_the_status_back(
    client, auth, sessionmaker, shipped
) -> None:
    shipment_id = shipped["shipment"]["id"]
    t1, t2 = T0, T0 + timedelta(hours=3)
    response = await post(client, webhook("GJ0001", [("in_transit", t2, "Shanghai hub")]))
    assert response.json() == {"status": "accepted", "events": 1}
    response = await post(client, webhook("GJ0001", [("picked_up", t1, "Collected")]))
    assert response.json() == {"status": "accepted", "events": 1}

    body = await tracking(client, auth, shipment_id)
    assert body["tracking_status"] == "in_transit"
    assert datetime.fromisoformat(body["tracking_status_at"]) == t2
    assert [(e["status"], datetime.fromisoformat(e["occurred_at"])) for e in body["events"]] == [
        ("picked_up", t1),
        ("in_transit", t2),
    ]
    assert [e["source"] for e in body["events"]] == ["webhook", "webhook"]
    assert [e["description"] for e in body["events"]] == ["Collected", "Shanghai hub"]
    # Only the first moved the status; the late one is audited but notifies nobody.
    updates = await outbox(sessionmaker, "shipment.tracking_updated")
    assert [u["status"] for u in updates] == ["in_transit"]


async def test_a_delivered_event_delivers_the_shipment_and_the_order(
    client, auth, sessionmaker, shipped
) -> None:
    order, shipment = shipped["order"], shipped["shipment"]
    delivered_at = T0 + timedelta(hours=6)
    delivery = webhook(
        "GJ0001",
        [
            ("out_for_delivery", T0, "With the courier"),
            ("delivered", delivered_at, "Left at reception"),
        ],
    )
    response = await post(client, delivery)
    assert response.json() == {"status": "accepted", "events": 2}

    fetched = await client.get(
        f"/api/v1/shipments/{shipment['id']}", headers=await auth.as_role("viewer")
    )
    assert fetched.json()["status"] == "delivered"
    assert datetime.fromisoformat(fetched.json()["delivered_at"]) == delivered_at
    assert fetched.json()["delivered_by"] == "carrier:GJ"
    view = await order_view(client, auth, order["id"])
    assert view["fulfillment_status"] == "delivered"
    assert view["lines"][0]["delivered"] == "3"
    notices = await outbox(sessionmaker, "order.delivered")
    assert len(notices) == 1 and notices[0]["shipment_number"] == shipment["number"]
    assert await check_invariants(SqlAlchemyUnitOfWork(sessionmaker)) == []

    # The carrier sends the whole history again, under a new id: nothing is delivered twice.
    again = webhook(
        "GJ0001",
        [
            ("out_for_delivery", T0, "With the courier"),
            ("delivered", delivered_at, "Left at reception"),
            ("exception", delivered_at + timedelta(hours=1), "Scanned after delivery"),
        ],
    )
    assert (await post(client, again)).json() == {"status": "accepted", "events": 1}
    assert len(await outbox(sessionmaker, "order.delivered")) == 1
    assert (await order_view(client, auth, order["id"]))["lines"][0]["delivered"] == "3"
    body = await tracking(client, auth, shipment["id"])
    assert body["tracking_status"] == "delivered"  # final
    assert datetime.fromisoformat(body["delivered_at"]) == delivered_at


async def test_a_delivered_event_arriving_after_a_later_scan_still_delivers(
    client, auth, shipped
) -> None:
    shipment_id = shipped["shipment"]["id"]
    late_scan = webhook("GJ0001", [("exception", T0 + timedelta(hours=8), "Customer called")])
    assert (await post(client, late_scan)).status_code == 200
    delivered = webhook("GJ0001", [("delivered", T0 + timedelta(hours=6), "Signed")])
    assert (await post(client, delivered)).status_code == 200
    body = await tracking(client, auth, shipment_id)
    assert body["tracking_status"] == "delivered" and body["shipment_status"] == "delivered"


async def test_failed_returned_and_exception_events_raise_alerts(
    client, auth, sessionmaker, shipped
) -> None:
    order = shipped["order"]
    events = [
        ("delivery_failed", T0, "Nobody home"),
        ("exception", T0 + timedelta(hours=20), "Address unreadable"),
        ("returned_to_sender", T0 + timedelta(hours=30), "Back to sender"),
    ]
    assert (await post(client, webhook("GJ0001", events))).json()["events"] == 3
    alerts = await outbox(sessionmaker, "shipment.alert")
    assert sorted(a["status"] for a in alerts) == [
        "delivery_failed",
        "exception",
        "returned_to_sender",
    ]
    failed = next(a for a in alerts if a["status"] == "delivery_failed")
    assert failed["description"] == "Nobody home"
    assert datetime.fromisoformat(failed["occurred_at"]) == T0
    assert failed["order_number"] == order["number"]
    assert failed["customer_code"] == "ACME" and failed["customer_name"] == "Acme Trading"
    assert failed["carrier"] == "GJ" and failed["tracking_number"] == "GJ0001"
    assert failed["shipment_number"] == shipped["shipment"]["number"]

    # The same events again (a new delivery of the history) raise nothing new.
    assert (await post(client, webhook("GJ0001", events))).json()["events"] == 0
    assert len(await outbox(sessionmaker, "shipment.alert")) == 3
    body = await tracking(client, auth, shipped["shipment"]["id"])
    assert body["tracking_status"] == "returned_to_sender"
    assert body["shipment_status"] == "shipped" and body["delivered_at"] is None


async def test_an_unknown_tracking_number_is_acknowledged_and_kept(
    client, sessionmaker, shipped
) -> None:
    delivery = webhook("NOT-OURS", [("in_transit", T0, "")], event_id="whk-unknown")
    response = await post(client, delivery)
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "ignored", "events": 0}
    assert await inbox(sessionmaker, "whk-unknown") == ["unknown_tracking_number"]
    assert (await post(client, delivery)).json()["status"] == "duplicate"
    # Another carrier's webhook cannot touch GJ's shipment, even with its tracking number.
    async with sessionmaker() as session:
        session.add(carrier_row("OTHER"))
        await session.commit()
    other = await post(client, webhook("GJ0001", [("delivered", T0, "")]), carrier="OTHER")
    assert other.json() == {"status": "ignored", "events": 0}
    assert await timeline(sessionmaker, shipped["shipment"]["id"]) == []


async def test_unknown_inactive_or_untracked_carriers_and_malformed_bodies(
    client, sessionmaker, data
) -> None:
    delivery = webhook("GJ0001", [("in_transit", T0, "")])
    for code in ("NOPE", "OFF", "LOCAL"):
        assert_problem(await post(client, delivery, carrier=code), 404, code="not_found")
    body = b"{not json"
    signed = {"X-Signature": sign(SECRET, str(int(time.time())), body)}
    assert_problem(await post(client, (signed, body)), 400, code="malformed_request")
    unknown_status = webhook("GJ0001", [("teleported", T0, "")])
    assert_problem(await post(client, unknown_status), 400, code="malformed_request")
    huge = b"{" + b" " * (1024 * 1024) + b"}"
    signed = {"X-Signature": sign(SECRET, str(int(time.time())), huge)}
    assert_problem(await post(client, (signed, huge)), 413, code="payload_too_large")
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(CarrierInboxEntry)) == 0


async def test_the_shipment_timeline_needs_credentials(client, auth, shipped) -> None:
    shipment = shipped["shipment"]
    await post(client, webhook("GJ0001", [("picked_up", T0, "Collected")]))
    url = f"/api/v1/shipments/{shipment['id']}/tracking"
    assert_problem(await client.get(url), 401)
    body = await tracking(client, auth, shipment["id"])
    assert body["carrier"] == {"code": "GJ", "name": "GJ Express"}
    assert body["tracking_number"] == "GJ0001" and body["promised_date"] == "2026-11-26"
    assert body["shipment_number"] == shipment["number"]
    assert body["public_url"].startswith("/api/v1/track/")
    assert body["tracked_at"] is not None
    assert body["events"][0]["recorded_at"]
    missing = await client.get(
        f"/api/v1/shipments/{uuid.uuid4()}/tracking", headers=await auth.as_role("viewer")
    )
    assert_problem(missing, 404)


async def test_the_public_page_shows_the_progress_and_nothing_else(client, auth, shipped) -> None:
    order, shipment = shipped["order"], shipped["shipment"]
    events = [("picked_up", T0, "Collected"), ("in_transit", T0 + timedelta(hours=2), "Hub")]
    await post(client, webhook("GJ0001", events))
    link = (await tracking(client, auth, shipment["id"]))["public_url"]

    response = await client.get(link)  # no credentials
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {
        "status",
        "status_at",
        "carrier",
        "promised_date",
        "destination_city",
        "events",
    }
    assert body["status"] == "in_transit" and body["carrier"] == "GJ Express"
    assert body["destination_city"] == "上海市" and body["promised_date"] == "2026-11-26"
    assert [set(e) for e in body["events"]] == [{"status", "occurred_at", "description"}] * 2
    assert [e["status"] for e in body["events"]] == ["picked_up", "in_transit"]
    for secret in (
        "Acme",
        "ACME",
        "张江路",
        order["number"],
        order["id"],
        shipment["id"],
        shipment["number"],
        "GJ0001",
    ):
        assert secret not in response.text, secret

    assert_problem(await client.get("/api/v1/track/not-a-real-token"), 404)
    assert_problem(await client.get(link[:-1] + ("A" if link[-1] != "A" else "B")), 404)


class Hosts(httpx.AsyncBaseTransport):
    """Each host answered by its own transport (the fake carrier, a broken one)."""

    def __init__(self, transports: dict[str, httpx.AsyncBaseTransport]) -> None:
        self.transports = transports

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.transports[request.url.host].handle_async_request(request)


async def test_polling_carriers_without_webhooks(
    client, auth, sessionmaker, data, settings
) -> None:
    placed = await picked_order(client, auth, {"S-1": "1", "S-2": "1"})
    polled = await ship(client, auth, sessionmaker, placed["id"], {"S-1": "1"}, "GP", "GP0001")
    broken = await ship(client, auth, sessionmaker, placed["id"], {"S-2": "1"}, "GX", "GX0001")
    fake = create_app()
    carrier = fake.state.carrier
    carrier.labels["GP0001"] = FakeLabel("GP0001", "express", "GP", "10", "CNY")
    carrier.scan("GP0001", "picked_up", "Collected")
    carrier.scan("GP0001", "in_transit", "Hangzhou hub")
    calls: list[str] = []

    def down(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return httpx.Response(503, json={"error": "maintenance"})

    transport = Hosts({"fake": httpx.ASGITransport(app=fake), "broken": httpx.MockTransport(down)})
    async with httpx.AsyncClient(transport=transport) as http:
        before = datetime.now(UTC)
        assert (
            await poll_carriers(sessionmaker, http, interval=EVERY_30_MIN, settings=settings) == 2
        )
        assert calls == ["/tracking/GX0001"]
        body = await tracking(client, auth, polled["id"])
        assert body["tracking_status"] == "in_transit"
        assert [(e["status"], e["source"]) for e in body["events"]] == [
            ("picked_up", "poll"),
            ("in_transit", "poll"),
        ]
        assert datetime.fromisoformat(body["tracked_at"]) >= before
        failed = await tracking(client, auth, broken["id"])
        assert failed["events"] == [] and failed["tracking_status"] is None
        assert datetime.fromisoformat(failed["tracked_at"]) >= before  # it advanced anyway

        # Not due again before the interval; due at once with a zero interval.
        assert (
            await poll_carriers(sessionmaker, http, interval=EVERY_30_MIN, settings=settings) == 0
        )
        carrier.scan("GP0001", "delivered", "Signed by the receptionist")
        assert (
            await poll_carriers(sessionmaker, http, interval=timedelta(0), settings=settings) == 2
        )
        assert len(calls) == 2
    body = await tracking(client, auth, polled["id"])
    assert [e["status"] for e in body["events"]] == ["picked_up", "in_transit", "delivered"]
    assert body["shipment_status"] == "delivered" and body["tracking_status"] == "delivered"
    view = await order_view(client, auth, placed["id"])
    assert {x["sku"]: x["delivered"] for x in view["lines"]} == {"S-1": "1", "S-2": "0"}
    # Delivered is final: the shipment is no longer polled.
    async with httpx.AsyncClient(transport=transport) as http:
        assert (
            await poll_carriers(sessionmaker, http, interval=timedelta(0), settings=settings) == 1
        )


async def test_the_poll_interval_decides_which_shipments_are_due(
    client, auth, sessionmaker, data, settings
) -> None:
    placed = await picked_order(client, auth, {"S-1": "1"})
    polled = await ship(client, auth, sessionmaker, placed["id"], {"S-1": "1"}, "GP", "GP0002")
    async with sessionmaker() as session:
        row = await session.get(Shipment, uuid.UUID(polled["id"]))
        assert row is not None
        row.tracked_at = datetime.now(UTC) - timedelta(minutes=20)
        await session.commit()
    asked: list[str] = []

    def carrier(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.path)
        return httpx.Response(200, json={"tracking_number": "GP0002", "events": []})

    async with httpx.AsyncClient(transport=httpx.MockTransport(carrier)) as http:
        # Tracked 20 minutes ago: not due every 30 minutes, due every 15.
        assert (
            await poll_carriers(sessionmaker, http, interval=EVERY_30_MIN, settings=settings) == 0
        )
        assert (
            await poll_carriers(
                sessionmaker, http, interval=timedelta(minutes=15), settings=settings
            )
            == 1
        )
    assert asked == ["/tracking/GP0002"]


async def test_the_fake_carrier_delivers_its_webhook_to_lading(app, client, auth, shipped) -> None:
    """As in ``make run DEMO=1``: the fake carrier's scan reaches Lading's webhook route for
    the carrier's code over real HTTP, and the shipment's tracking moves."""
    async with served_on_loopback(app) as lading, httpx.AsyncClient() as outbound:
        fake = create_app(
            Switches(webhook_secret=SECRET, webhook_url=f"{lading}/api/v1/webhooks/carriers/GJ"),
            webhook_client=outbound,
        )
        fake.state.carrier.labels["GJ0001"] = FakeLabel("GJ0001", "express", "generic", "10", "CNY")
        transport = httpx.ASGITransport(app=fake)
        async with httpx.AsyncClient(transport=transport, base_url="http://fake") as carrier:
            scanned = await carrier.post(
                "/_fake/scan", json={"tracking_number": "GJ0001", "status": "picked_up"}
            )
    assert scanned.json()["sent"]["status"] == 200, scanned.text
    body = await tracking(client, auth, shipped["shipment"]["id"])
    assert body["tracking_status"] == "picked_up"
    assert [(e["status"], e["source"]) for e in body["events"]] == [("picked_up", "webhook")]


async def test_webhook_carriers_are_not_polled(
    client, auth, sessionmaker, shipped, settings
) -> None:
    def unreachable(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"polled {request.url}")

    async with httpx.AsyncClient(transport=httpx.MockTransport(unreachable)) as http:
        assert (
            await poll_carriers(sessionmaker, http, interval=timedelta(0), settings=settings) == 0
        )


async def test_one_webhook_delivered_twice_at_once_is_applied_once(
    pg_client, pg_auth, pg_app
) -> None:
    sessionmaker = pg_app.state.sessionmaker
    tag = uuid.uuid4().hex[:6].upper()
    await make_product(sessionmaker, f"P-{tag}")
    await make_customer(sessionmaker, f"C-{tag}")
    warehouse = await make_warehouse(sessionmaker, f"W-{tag}")
    placed = await pg_client.post(
        "/api/v1/orders",
        headers=await pg_auth.as_role("sales"),
        json={
            "channel": "phone",
            "customer": {"code": f"C-{tag}"},
            "lines": [{"sku": f"P-{tag}", "quantity": "1"}],
        },
    )
    assert placed.status_code == 201, placed.text
    number = f"GJ{tag}"
    async with sessionmaker() as session:
        carrier = carrier_row(f"GJ-{tag}")
        session.add(carrier)
        await session.flush()
        shipment = Shipment(
            number=f"SH-T-{tag}",
            order_id=uuid.UUID(placed.json()["id"]),
            warehouse_id=warehouse.id,
            carrier_id=carrier.id,
            status="ready",
            ship_to={"country": "CN", "city": "上海市", "street": "张江路 88 号"},
            created_by="test",
            updated_by="test",
            tracking_number=number,
            tracking_token=uuid.uuid4().hex,
            label_status="purchased",
            version=1,
        )
        session.add(shipment)
        await session.commit()
    delivery = webhook(
        number,
        [("picked_up", T0, "Collected"), ("in_transit", T0 + timedelta(hours=1), "Hub")],
        event_id=f"whk-{tag}",
    )
    answers = await asyncio.gather(
        *[post(pg_client, delivery, carrier=f"GJ-{tag}") for _ in range(2)]
    )
    assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
    assert sorted(a.json()["status"] for a in answers) == ["accepted", "duplicate"]
    assert sorted(a.json()["events"] for a in answers) == [0, 2]
    assert [s for s, _ in await timeline(sessionmaker, str(shipment.id))] == [
        "picked_up",
        "in_transit",
    ]
    assert await inbox(sessionmaker, f"whk-{tag}") == ["accepted"]
