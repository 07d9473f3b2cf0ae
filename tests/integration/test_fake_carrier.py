"""Both HTTP carrier adapters against the fake carrier: in-process through httpx.ASGITransport,
and once over real HTTP with uvicorn on a free 127.0.0.1 port."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import datetime
from decimal import Decimal

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.adapters.carriers.base import CarrierError, PostalAddress, ShipmentFacts
from app.adapters.carriers.easypost import EasyPostGateway
from app.adapters.carriers.generic_json import GenericJsonGateway
from app.cli import build_parser
from app.domain.products import GoodsClass
from app.fake_carrier.easypost import easypost_webhook
from app.fake_carrier.generic import generic_webhook
from app.fake_carrier.server import create_app
from app.fake_carrier.state import FakeCarrier, Switches
from tests.support import served_on_loopback

SECRET = b"fake-secret"
# The addresses of EasyPost's recorded shipment (easypost-python tests/cassettes/
# test_shipment_create.yaml): a full sender and receiver, as every real request carries.
SENDER = PostalAddress(
    name="Jack Sparrow",
    street1="388 Townsend St",
    street2="Apt 20",
    city="San Francisco",
    state="CA",
    zip="94107",
    country="US",
    phone="5555555555",
    email="test@example.com",
)
RECEIVER = PostalAddress(
    name="Elizabeth Swan",
    street1="179 N Harbor Dr",
    city="Redondo Beach",
    state="CA",
    zip="90277",
    country="US",
    phone="5555555555",
    email="test@example.com",
)
SHIPMENT = ShipmentFacts(
    reference="SHP-42",
    country="US",
    region="CA",
    weight_kg=Decimal("3"),
    goods_classes=frozenset({GoodsClass.GENERAL}),
    ship_at=datetime(2026, 11, 23, 9, 0),
    origin=SENDER,
    destination=RECEIVER,
)


def fake(**switches) -> tuple[httpx.AsyncClient, FakeCarrier]:
    app = create_app(Switches(webhook_secret=SECRET, seed=7, **switches))
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://fake")
    return client, app.state.carrier


def easypost(client: httpx.AsyncClient, **kwargs) -> EasyPostGateway:
    return EasyPostGateway(client, "EZ_test", SECRET, base_url=str(client.base_url), **kwargs)


def generic(client: httpx.AsyncClient, **kwargs) -> GenericJsonGateway:
    return GenericJsonGateway(
        client, str(client.base_url), api_key="gk", webhook_secret=SECRET, **kwargs
    )


async def test_easypost_quote_buy_track_cancel_and_webhook() -> None:
    client, carrier = fake()
    async with client:
        gateway = easypost(client)
        rates = await gateway.quote(SHIPMENT)
        assert {(r.carrier_code, r.service) for r in rates} == {
            ("USPS", "Priority"),
            ("USPS", "GroundAdvantage"),
        }
        priority = next(r for r in rates if r.service == "Priority")
        assert priority.price == Decimal("11.50") and priority.currency == "USD"
        assert priority.promised_date == datetime(2026, 11, 25).date()
        label = await gateway.buy_label(SHIPMENT, priority, "ship-42-label")
        assert label.tracking_number.startswith("EZ") and label.price == Decimal("11.50")
        assert label.document.startswith(b"http://127.0.0.1/labels/")

        carrier.scan(label.tracking_number, "out_for_delivery", "With the courier")
        events = await gateway.track(label.tracking_number)
        assert [e.status for e in events] == ["label_created", "out_for_delivery"]

        headers, body = easypost_webhook(carrier, label.tracking_number)
        hooked = await gateway.verify_webhook(headers, body)
        assert [e.status for e in hooked.events] == ["label_created", "out_for_delivery"]
        assert hooked.event_id.startswith("evt_")
        forged_headers, _ = easypost_webhook(carrier, label.tracking_number, secret=b"nope")
        with pytest.raises(CarrierError) as forged:
            await gateway.verify_webhook(forged_headers, body)
        assert forged.value.status == 401

        # Cancelling from another adapter instance finds the shipment through its tracker.
        other = easypost(client)
        await other.cancel_label(label)
        await other.cancel_label(label)  # twice is not an error
        assert carrier.labels[label.tracking_number].refunded
        assert (await gateway.track(label.tracking_number))[-1].status == "exception"


async def test_easypost_retried_buy_with_the_same_key_buys_once() -> None:
    client, carrier = fake()
    async with client:
        first = easypost(client)
        (rate, _) = await first.quote(SHIPMENT)
        label = await first.buy_label(SHIPMENT, rate, "retry-key")
        # A fresh adapter (e.g. after a crash) retries with the same key: same label.
        again = await easypost(client).buy_label(SHIPMENT, rate, "retry-key")
        assert again == label
        # Even with another key, the EasyPost shipment is bought once: its label comes back.
        other = await easypost(client).buy_label(SHIPMENT, rate, "another-key")
        assert other.tracking_number == label.tracking_number
        stats = (await client.get("/_fake/stats")).json()
    assert carrier.purchases == 1 and stats == {"purchases": 1, "labels": 1}


async def test_generic_quote_buy_track_cancel_and_webhooks() -> None:
    client, carrier = fake()
    async with client:
        gateway = generic(client, carrier_code="regional")
        rates = await gateway.quote(SHIPMENT)
        assert [(r.service, r.price, r.currency) for r in rates] == [
            ("express", Decimal("16.50"), "CNY"),
            ("economy", Decimal("10.50"), "CNY"),
        ]
        label = await gateway.buy_label(SHIPMENT, rates[0], "gen-key")
        assert label.carrier_code == "regional" and label.tracking_number.startswith("GJ")
        assert label.document == f"FAKE LABEL {label.tracking_number} express\n".encode()
        again = generic(client, carrier_code="regional")
        assert await again.buy_label(SHIPMENT, rates[0], "gen-key") == label
        assert carrier.purchases == 1

        carrier.scan(label.tracking_number, "picked_up", "Collected")
        assert [e.status for e in await gateway.track(label.tracking_number)] == [
            "label_created",
            "picked_up",
        ]
        headers, body = generic_webhook(carrier, label.tracking_number)
        assert [e.status for e in (await gateway.verify_webhook(headers, body)).events] == [
            "label_created",
            "picked_up",
        ]
        old_headers, old_body = generic_webhook(
            carrier, label.tracking_number, at=time.time() - 600
        )
        with pytest.raises(CarrierError) as replayed:
            await gateway.verify_webhook(old_headers, old_body)
        assert replayed.value.status == 401
        forged_headers, forged_body = generic_webhook(
            carrier, label.tracking_number, secret=b"nope"
        )
        with pytest.raises(CarrierError) as forged:
            await gateway.verify_webhook(forged_headers, forged_body)
        assert forged.value.status == 401

        await gateway.cancel_label(label)
        await gateway.cancel_label(label)
        assert carrier.labels[label.tracking_number].refunded
        with pytest.raises(CarrierError) as unknown:
            await gateway.track("GJ-NOPE")
        assert unknown.value.status == 404 and not unknown.value.retryable


async def test_generic_cannot_cancel_a_delivered_label() -> None:
    client, carrier = fake()
    async with client:
        gateway = generic(client)
        (rate, _) = await gateway.quote(SHIPMENT)
        label = await gateway.buy_label(SHIPMENT, rate, "k-delivered")
        carrier.scan(label.tracking_number, "delivered")
        with pytest.raises(CarrierError) as conflict:
            await gateway.cancel_label(label)
        assert conflict.value.status == 409 and not conflict.value.retryable


@pytest.mark.parametrize("make", [easypost, generic])
@pytest.mark.parametrize(
    ("switches", "status", "retryable"),
    [
        ({"fail_rate": 1.0}, 503, True),
        ({"malformed_rate": 1.0}, 502, False),
        ({"timeout_rate": 1.0, "stall_s": 5.0}, None, True),
    ],
    ids=["5xx", "malformed", "timeout"],
)
async def test_misbehaving_carrier(make, switches, status, retryable) -> None:
    client, carrier = fake(**switches)
    async with client:
        started = time.monotonic()
        with pytest.raises(CarrierError) as failed:
            await make(client, timeout_s=0.2).quote(SHIPMENT)
    assert failed.value.status == status and failed.value.retryable is retryable
    assert time.monotonic() - started < 2
    assert carrier.purchases == 0


async def test_latency_is_added_but_answers_stay_right() -> None:
    client, _ = fake(latency_ms=50)
    async with client:
        started = time.monotonic()
        rates = await generic(client).quote(SHIPMENT)
    assert len(rates) == 2 and time.monotonic() - started >= 0.05


@pytest.fixture
async def real_server() -> AsyncIterator[tuple[str, FakeCarrier]]:
    """The fake carrier served by uvicorn on a free 127.0.0.1 port, stopped afterwards."""
    app = create_app(Switches(webhook_secret=SECRET, stall_s=3.0))
    async with served_on_loopback(app) as base_url:
        yield base_url, app.state.carrier


async def test_scan_sends_the_webhook_to_the_configured_url() -> None:
    """The fake POSTs the label's webhook (in the label's protocol) to a receiving server."""
    received: list[tuple[str, dict[str, str], bytes]] = []

    async def receiver(request: Request) -> Response:
        received.append((request.url.path, dict(request.headers), await request.body()))
        return JSONResponse({"status": "accepted"})

    hook = Starlette(routes=[Route("/hooks/{code}", receiver, methods=["POST"])])
    async with served_on_loopback(hook) as hook_url, httpx.AsyncClient() as outbound:
        app = create_app(
            Switches(
                webhook_secret=SECRET,
                webhook_url=f"{hook_url}/hooks/REGIONAL",
                easypost_webhook_url=f"{hook_url}/hooks/EASYPOST",
            ),
            webhook_client=outbound,
        )
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://fake"
        ) as client:
            gateway = generic(client, carrier_code="REGIONAL")
            (rate, _) = await gateway.quote(SHIPMENT)
            label = await gateway.buy_label(SHIPMENT, rate, "hooked")
            scanned = await client.post(
                "/_fake/scan",
                json={"tracking_number": label.tracking_number, "status": "picked_up"},
            )
            assert scanned.status_code == 200, scanned.text
            answer = scanned.json()
            assert answer["sent"] == {"url": f"{hook_url}/hooks/REGIONAL", "status": 200}
            assert set(answer) == {"generic", "easypost", "sent"}  # still in the body too

            ez = easypost(client)
            (ez_rate, _) = await ez.quote(SHIPMENT)
            ez_label = await ez.buy_label(SHIPMENT, ez_rate, "hooked-ez")
            again = await client.post(
                "/_fake/scan",
                json={"tracking_number": ez_label.tracking_number, "status": "in_transit"},
            )
            assert again.json()["sent"]["url"].endswith("/hooks/EASYPOST")
    (path, headers, body), (ez_path, ez_headers, ez_body) = received
    assert path == "/hooks/REGIONAL" and headers["content-type"] == "application/json"
    hooked = await gateway.verify_webhook(headers, body)  # signed as the protocol says
    assert [e.status for e in hooked.events] == ["label_created", "picked_up"]
    assert ez_path == "/hooks/EASYPOST"
    assert [e.status for e in (await ez.verify_webhook(ez_headers, ez_body)).events][-1] == (
        "in_transit"
    )


async def test_scan_without_a_webhook_url_sends_nothing() -> None:
    client, _ = fake()
    async with client:
        gateway = generic(client)
        (rate, _) = await gateway.quote(SHIPMENT)
        label = await gateway.buy_label(SHIPMENT, rate, "unhooked")
        scanned = await client.post(
            "/_fake/scan", json={"tracking_number": label.tracking_number, "status": "picked_up"}
        )
    assert scanned.status_code == 200 and "sent" not in scanned.json()


async def test_over_real_http_with_a_real_client_timeout(real_server) -> None:
    base_url, carrier = real_server
    async with httpx.AsyncClient(base_url=base_url, timeout=0.3) as client:
        gateway = easypost(client)
        (rate, _) = await gateway.quote(SHIPMENT)
        label = await gateway.buy_label(SHIPMENT, rate, "real-key")
        assert await easypost(client).buy_label(SHIPMENT, rate, "real-key") == label
        assert carrier.purchases == 1
        assert [e.status for e in await gateway.track(label.tracking_number)] == ["label_created"]
        regional = generic(client)
        (generic_rate, _) = await regional.quote(SHIPMENT)
        await regional.buy_label(SHIPMENT, generic_rate, "real-generic")
        assert carrier.purchases == 2

        carrier.switches.timeout_rate = 1.0
        started = time.monotonic()
        with pytest.raises(CarrierError) as timed_out:
            await generic(client).quote(SHIPMENT)
        assert timed_out.value.retryable and timed_out.value.status is None
        assert "Timeout" in str(timed_out.value)
        assert time.monotonic() - started < 2
        carrier.switches.timeout_rate = 0.0


def test_the_fake_carrier_command_parses_its_switches_and_binds_loopback_only() -> None:
    args = build_parser().parse_args(
        ["fake-carrier", "--port", "9001", "--fail-rate", "0.2", "--latency-ms", "30"]
    )
    assert (args.host, args.port, args.fail_rate, args.latency_ms) == ("127.0.0.1", 9001, 0.2, 30)
    with pytest.raises(SystemExit):
        build_parser().parse_args(["fake-carrier", "--host", "0.0.0.0"])
    with pytest.raises(SystemExit):
        build_parser().parse_args(["fake-carrier", "--fail-rate", "1.5"])
