"""Rates and labels through the HTTP API, on both engines, against the fake carrier (both of
its protocols) reached through the app's carrier client: every eligible carrier asked at once,
failures reported beside the rates, labels bought once whatever is retried, label_pending and
the worker's retry, refusals, the label document, and confirm needing a label."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from app.adapters.outbound import OutboundGuard
from app.domain.outbound_urls import OutboundPolicy
from app.fake_carrier.generic import generic_webhook
from app.fake_carrier.server import create_app
from app.fake_carrier.state import Switches
from app.repositories.customers import Customer
from app.repositories.events import OutboxEvent
from app.repositories.shipments import Shipment, ShipmentEvent
from app.repositories.uow import SqlAlchemyUnitOfWork
from app.services.shipments.labels.commands import RetryPendingLabels
from tests.integration.test_carriers import carrier_body
from tests.integration.test_exchange_rates import exchange_rate
from tests.integration.test_shipments import confirm, created, headers, picked_order, verify
from tests.integration.test_shipments import data as data  # the fixture
from tests.support import assert_problem

SHIPMENTS = "/api/v1/shipments"
KEYS = json.dumps({"api_key": "test-key", "webhook_secret": "fake-carrier-secret"})
EASYPOST_KEYS = json.dumps({"api_key": "EZTK_fake", "webhook_secret": "fake-carrier-secret"})


class Hosts(httpx.AsyncBaseTransport):
    """Routes each request to the fake carrier app serving its host."""

    def __init__(self, apps: dict[str, Any]) -> None:
        self.transports = {host: httpx.ASGITransport(app=a) for host, a in apps.items()}
        self.in_flight = 0
        self.peak = 0  # the most requests in flight at once

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            return await self.transports[request.url.host].handle_async_request(request)
        finally:
            self.in_flight -= 1


class LoseFirstLabelAnswer(httpx.AsyncBaseTransport):
    """The carrier sells the first label but its answer never arrives (a read timeout)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.keys: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.method == "POST" and request.url.path == "/labels":
            self.keys.append(request.headers["idempotency-key"])
            if len(self.keys) == 1:
                raise httpx.ReadTimeout("the answer was lost", request=request)
        return response


@pytest.fixture(autouse=True)
def fake_hosts_allowed(app) -> None:
    """The fake carriers are reached by made-up names over plain http (no DNS in tests)."""
    app.state.outbound_guard = OutboundGuard(
        OutboundPolicy.of(
            allow_http=True, allowed=["good.fake", "down.fake", "slow.fake", "garbled.fake"]
        )
    )


@pytest.fixture
def fakes(app, fake_hosts_allowed) -> dict[str, Any]:
    """Fake carriers by host: a healthy one, one answering 503, one too slow, one garbled;
    reached by their names over plain http."""
    apps = {
        "good.fake": create_app(Switches(seed=1)),
        "down.fake": create_app(Switches(fail_rate=1.0, seed=1)),
        "slow.fake": create_app(Switches(latency_ms=3000, seed=1)),
        "garbled.fake": create_app(Switches(malformed_rate=1.0, seed=1)),
    }
    for fake in apps.values():  # every answer takes a moment, so overlapping calls show
        fake.state.carrier.switches.latency_ms += 50
    app.state.carrier_client = httpx.AsyncClient(transport=Hosts(apps))
    return apps


def national(code: str, **overrides) -> dict:
    """A carrier serving all of China from one zone."""
    return carrier_body(
        code,
        coverage={"CN": []},
        zone_rules={"default": "near"},
        **overrides,
    )


async def add_carrier(client, auth, body: dict) -> None:
    response = await client.post("/api/v1/carriers", json=body, headers=await headers(auth))
    assert response.status_code == 201, response.text


async def generic(client, auth, code: str, host: str, **extra) -> None:
    body = national(
        code,
        adapter_kind="generic_json",
        endpoint=f"http://{host}",
        credentials=KEYS,
        **extra,
    )
    await add_carrier(client, auth, body)


async def shipment(client, auth, **extra) -> dict:
    order = await picked_order(client, auth, {"S-1": "2"})
    return await created(client, auth, order["id"], {"S-1": "2"}, **extra)


async def rates(client, auth, shipment_id: str, **body) -> httpx.Response:
    return await client.post(
        f"{SHIPMENTS}/{shipment_id}/rates", headers=await headers(auth), json=body
    )


async def label(client, auth, shipment_id: str, **body) -> httpx.Response:
    return await client.post(
        f"{SHIPMENTS}/{shipment_id}/label", headers=await headers(auth), json=body
    )


def purchases(fake: Any) -> int:
    return int(fake.state.carrier.purchases)


async def test_rates_ask_every_eligible_carrier_and_report_failures(
    client, auth, data, fakes, app
) -> None:
    await generic(client, auth, "GOOD", "good.fake")
    await generic(client, auth, "DOWN", "down.fake")
    await generic(client, auth, "SLOW", "slow.fake", timeout_seconds="0.3")
    await generic(client, auth, "GARBLED", "garbled.fake")
    await add_carrier(
        client,
        auth,
        national(
            "EZ", adapter_kind="easypost", endpoint="http://good.fake", credentials=EASYPOST_KEYS
        ),
    )
    await add_carrier(client, auth, national("FLEET"))  # table rate: priced from its table
    await add_carrier(client, auth, carrier_body("FAR", coverage={"US": []}))  # not CN
    await exchange_rate(client, auth, "USD", "CNY", "7.1")  # EZ quotes in USD
    ship = await shipment(client, auth)

    response = await rates(client, auth, ship["id"])
    assert response.status_code == 200, response.text
    body = response.json()

    offered = {(r["carrier"], r["service"]) for r in body["rates"]}
    assert offered == {
        ("GOOD", "express"),
        ("GOOD", "economy"),
        ("EZ", "Priority"),
        ("EZ", "GroundAdvantage"),
        ("FLEET", "van"),
    }
    prices = [(r["currency"], float(r["price"])) for r in body["rates"]]
    cny = [p for c, p in prices if c == "CNY"]
    assert cny == sorted(cny)  # cheapest first (within a currency)
    converted = [float(r["converted_price"]) for r in body["rates"]]
    assert converted == sorted(converted)  # and across currencies, in CNY
    assert body["unranked"] == []
    failures = {f["carrier"]: f for f in body["failures"]}
    assert set(failures) == {"DOWN", "SLOW", "GARBLED"}
    assert failures["DOWN"]["retryable"] and "503" in failures["DOWN"]["reason"]
    assert failures["SLOW"]["retryable"]
    assert not failures["GARBLED"]["retryable"]
    assert {
        "carrier": "FAR",
        "reason": "no_coverage",
        "detail": "The carrier does not serve CN.",
    } in (body["excluded"])
    assert "did not answer in time" in failures["SLOW"]["reason"]
    # Asked at once: the five HTTP carriers' quotes were all in flight together.
    hosts = app.state.carrier_client._transport  # installed by the ``fakes`` fixture
    assert isinstance(hosts, Hosts) and hosts.peak == 5


async def test_a_shipment_with_a_carrier_asks_only_that_carrier(client, auth, data, fakes) -> None:
    await generic(client, auth, "GOOD", "good.fake")
    await generic(client, auth, "OTHER", "good.fake")
    ship = await shipment(client, auth, carrier="OTHER")
    body = (await rates(client, auth, ship["id"])).json()
    assert {r["carrier"] for r in body["rates"]} == {"OTHER"}


async def test_label_bought_once_with_document_tracking_and_promise(
    client, auth, data, fakes
) -> None:
    await generic(client, auth, "GOOD", "good.fake")
    ship = await shipment(client, auth)
    assert_problem(await label(client, auth, ship["id"]), 409, code="no_rates")
    await rates(client, auth, ship["id"])

    response = await label(client, auth, ship["id"], carrier="GOOD", service="express")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["carrier"]["code"] == "GOOD"
    bought = body["label"]
    assert bought["status"] == "purchased" and bought["tracking_number"].startswith("GJ")
    assert (bought["service"], bought["cost"], bought["currency"]) == ("express", "15.75", "CNY")
    assert bought["promised_date"] is not None
    assert body["tracking_status"] == "label_created"

    document = await client.get(bought["document_url"], headers=await headers(auth))
    assert document.status_code == 200
    assert document.headers["content-type"].startswith("text/plain")
    assert document.text == f"FAKE LABEL {bought['tracking_number']} express\n"

    # Buying again keeps the one label; naming another rate is a conflict (cancel first).
    again = await label(client, auth, ship["id"], carrier="GOOD", service="express")
    assert again.status_code == 200
    assert again.json()["label"]["tracking_number"] == bought["tracking_number"]
    other = await label(client, auth, ship["id"], carrier="GOOD", service="economy")
    assert_problem(other, 409, code="label_exists")
    assert purchases(fakes["good.fake"]) == 1
    # Rates and labels are for shipments still in the warehouse; the quote stays.
    assert (await client.get(f"{SHIPMENTS}/{ship['id']}", headers=await headers(auth))).json()[
        "label"
    ] == bought


async def test_the_best_rate_by_preference_is_bought_when_none_is_named(
    client, auth, data, fakes
) -> None:
    await generic(client, auth, "GOOD", "good.fake")
    ship = await shipment(client, auth)
    await rates(client, auth, ship["id"])
    body = (await label(client, auth, ship["id"])).json()
    assert body["label"]["service"] == "economy"  # the cheapest


async def test_easypost_label_is_a_redirect_to_the_hosted_document(
    client, auth, data, fakes
) -> None:
    await add_carrier(
        client,
        auth,
        national(
            "EZ", adapter_kind="easypost", endpoint="http://good.fake", credentials=EASYPOST_KEYS
        ),
    )
    await exchange_rate(client, auth, "USD", "CNY", "7.1")
    ship = await shipment(client, auth)
    await rates(client, auth, ship["id"])
    body = (await label(client, auth, ship["id"], carrier="EZ", service="Priority")).json()
    assert body["label"]["provider"] == "USPS" and body["label"]["status"] == "purchased"
    document = await client.get(body["label"]["document_url"], headers=await headers(auth))
    assert document.status_code == 307
    assert document.headers["location"].endswith(f"{body['label']['tracking_number']}.png")


async def test_carrier_down_leaves_the_label_pending_and_the_worker_buys_it(
    client, auth, data, fakes, sessionmaker, app
) -> None:
    await generic(client, auth, "GOOD", "good.fake")
    ship = await shipment(client, auth)
    await rates(client, auth, ship["id"])
    fakes["good.fake"].state.carrier.switches.fail_rate = 1.0  # down from now on

    response = await label(client, auth, ship["id"], carrier="GOOD", service="express")
    assert response.status_code == 202, response.text
    pending = response.json()["label"]
    assert pending["status"] == "pending" and "503" in pending["reason"]
    assert pending["attempts"] == 1 and pending["next_attempt_at"] is not None
    assert purchases(fakes["good.fake"]) == 0
    # Confirming waits for the label.
    assert (await verify(client, auth, ship["id"], {"S-1": "2"})).status_code == 200
    assert_problem(await confirm(client, auth, ship["id"]), 409, code="label_required")

    # The carrier is back; the retry is due.
    fakes["good.fake"].state.carrier.switches.fail_rate = 0.0
    async with sessionmaker() as session:
        await session.execute(
            update(Shipment)
            .where(Shipment.id == uuid.UUID(ship["id"]))
            .values(label_retry_at=datetime.now(UTC) - timedelta(seconds=1))
        )
        await session.commit()
    retried = await app.state.bus.handle(
        RetryPendingLabels(actor="system:w", client=app.state.carrier_client),
        SqlAlchemyUnitOfWork(sessionmaker, app.state.bus),
    )
    assert retried == 1
    body = (await client.get(f"{SHIPMENTS}/{ship['id']}", headers=await headers(auth))).json()
    assert body["label"]["status"] == "purchased" and body["label"]["attempts"] == 2
    assert body["label"]["reason"] is None and body["label"]["next_attempt_at"] is None
    assert purchases(fakes["good.fake"]) == 1
    # Nothing is due any more.
    again = await app.state.bus.handle(
        RetryPendingLabels(actor="system:w", client=app.state.carrier_client),
        SqlAlchemyUnitOfWork(sessionmaker, app.state.bus),
    )
    assert again == 0

    confirmed = await confirm(client, auth, ship["id"])
    assert confirmed.status_code == 200, confirmed.text
    async with sessionmaker() as session:
        shipped = (
            await session.scalars(
                select(OutboxEvent).where(OutboxEvent.event_type == "order.shipped")
            )
        ).one()
    assert shipped.payload["carrier"] == "GOOD"
    assert shipped.payload["tracking_number"] == body["label"]["tracking_number"]
    assert shipped.payload["promised_date"] == body["label"]["promised_date"]


async def test_a_purchase_retried_after_a_timeout_buys_one_label(
    client, auth, data, fakes, app
) -> None:
    await generic(client, auth, "GOOD", "good.fake")
    ship = await shipment(client, auth)
    await rates(client, auth, ship["id"])
    lossy = LoseFirstLabelAnswer(Hosts({"good.fake": fakes["good.fake"]}))
    app.state.carrier_client = httpx.AsyncClient(transport=lossy)

    first = await label(client, auth, ship["id"], carrier="GOOD", service="express")
    assert first.status_code == 202
    assert "ReadTimeout" in first.json()["label"]["reason"]
    # While it is pending no other rate is bought (the first may have been sold).
    other = await label(client, auth, ship["id"], carrier="GOOD", service="economy")
    assert_problem(other, 409, code="label_pending")
    second = await label(client, auth, ship["id"])  # calling again retries the pending one
    assert second.status_code == 200, second.text
    assert second.json()["label"]["service"] == "express"
    assert len(lossy.keys) == 2 and lossy.keys[0] == lossy.keys[1]
    assert purchases(fakes["good.fake"]) == 1
    sold = fakes["good.fake"].state.carrier.by_key[lossy.keys[0]]
    assert sold.tracking_number == second.json()["label"]["tracking_number"]


async def test_a_refused_purchase_fails_with_the_reason_and_another_rate_can_be_bought(
    client, auth, data, fakes, sessionmaker
) -> None:
    await generic(client, auth, "GOOD", "good.fake")
    ship = await shipment(client, auth)
    await rates(client, auth, ship["id"])
    # The quote goes stale: the carrier no longer knows the service (it answers 422).
    async with sessionmaker() as session:
        row = await session.get(Shipment, uuid.UUID(ship["id"]))
        assert row is not None and row.quote is not None
        quote = dict(row.quote)
        quote["rates"] = [
            {**r, "service": "teleport"} if r["service"] == "express" else r for r in quote["rates"]
        ]
        row.quote = quote
        await session.commit()

    refused = await label(client, auth, ship["id"], carrier="GOOD", service="teleport")
    assert_problem(refused, 409, code="label_refused")
    body = (await client.get(f"{SHIPMENTS}/{ship['id']}", headers=await headers(auth))).json()
    assert body["label"]["status"] == "failed" and "422" in body["label"]["reason"]
    assert body["label"]["tracking_number"] is None

    bought = await label(client, auth, ship["id"], carrier="GOOD", service="economy")
    assert bought.status_code == 200 and bought.json()["label"]["status"] == "purchased"
    assert purchases(fakes["good.fake"]) == 1


async def test_unknown_rate_is_a_conflict_naming_it(client, auth, data, fakes) -> None:
    await generic(client, auth, "GOOD", "good.fake")
    ship = await shipment(client, auth)
    await rates(client, auth, ship["id"])
    assert_problem(
        await label(client, auth, ship["id"], carrier="GOOD", service="teleport"),
        409,
        code="no_such_rate",
    )


async def test_shipped_shipments_get_no_rates_or_labels(client, auth, data, fakes) -> None:
    await add_carrier(client, auth, national("FLEET"))
    ship = await shipment(client, auth, carrier="FLEET")
    await verify(client, auth, ship["id"], {"S-1": "2"})
    # A table-rate carrier needs no label: the shipment is confirmed without one.
    assert (await confirm(client, auth, ship["id"])).status_code == 200
    assert_problem(await rates(client, auth, ship["id"]), 409, code="not_ready")
    assert_problem(await label(client, auth, ship["id"]), 409, code="not_ready")


async def test_no_label_before_one_is_bought_and_unknown_shipments(
    client, auth, data, fakes
) -> None:
    await generic(client, auth, "GOOD", "good.fake")
    ship = await shipment(client, auth)
    missing = await client.get(f"{SHIPMENTS}/{ship['id']}/label", headers=await headers(auth))
    assert_problem(missing, 404)
    nobody = "00000000-0000-0000-0000-000000000000"
    assert_problem(await rates(client, auth, nobody), 404)
    assert_problem(await label(client, auth, nobody), 404)


async def test_label_purchase_records_the_timeline_and_events(
    client, auth, data, fakes, sessionmaker
) -> None:
    await generic(client, auth, "GOOD", "good.fake")
    ship = await shipment(client, auth)
    await rates(client, auth, ship["id"])
    await label(client, auth, ship["id"])
    async with sessionmaker() as session:
        events = (
            await session.scalars(
                select(ShipmentEvent).where(ShipmentEvent.shipment_id == uuid.UUID(ship["id"]))
            )
        ).all()
        outbox = (
            await session.scalars(
                select(OutboxEvent.event_type).where(OutboxEvent.aggregate_id == ship["id"])
            )
        ).all()
    assert [(e.status, e.source) for e in events] == [("label_created", "lading")]
    assert "shipment.label_purchased" in outbox


async def test_carrier_credentials_must_suit_the_adapter(client, auth) -> None:
    h = await headers(auth)
    bad = national("BAD", adapter_kind="generic_json", credentials="plain-secret")
    assert_problem(
        await client.post("/api/v1/carriers", json=bad, headers=h),
        422,
        field="credentials",
    )
    no_endpoint = national("NOEP", adapter_kind="generic_json", credentials=KEYS)
    assert_problem(
        await client.post("/api/v1/carriers", json=no_endpoint, headers=h),
        422,
        field="endpoint",
    )


async def test_a_delivery_reported_before_confirmation_delivers_on_confirm(
    client, auth, data, fakes
) -> None:
    await generic(client, auth, "GOOD", "good.fake")
    ship = await shipment(client, auth)
    await rates(client, auth, ship["id"])
    number = (await label(client, auth, ship["id"])).json()["label"]["tracking_number"]
    carrier = fakes["good.fake"].state.carrier
    carrier.scan(number, "delivered", "Handed over")
    hook_headers, raw = generic_webhook(carrier, number)
    hooked = await client.post("/api/v1/webhooks/carriers/GOOD", headers=hook_headers, content=raw)
    assert hooked.status_code == 200, hooked.text
    still = (await client.get(f"{SHIPMENTS}/{ship['id']}", headers=await headers(auth))).json()
    assert still["status"] == "ready" and still["tracking_status"] == "delivered"

    await verify(client, auth, ship["id"], {"S-1": "2"})
    confirmed = await confirm(client, auth, ship["id"])
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "delivered"
    assert confirmed.json()["delivered_at"] is not None


async def test_a_garbled_purchase_answer_is_retried_with_the_same_key(
    client, auth, data, fakes
) -> None:
    """A garbled answer may hide a sale: the label stays pending (not failed) and the retry
    asks with the same key."""
    await generic(client, auth, "GOOD", "good.fake")
    ship = await shipment(client, auth)
    await rates(client, auth, ship["id"])
    switches = fakes["good.fake"].state.carrier.switches
    switches.malformed_rate = 1.0
    garbled = await label(client, auth, ship["id"], carrier="GOOD", service="express")
    assert garbled.status_code == 202, garbled.text
    assert garbled.json()["label"]["status"] == "pending"
    switches.malformed_rate = 0.0
    bought = await label(client, auth, ship["id"], carrier="GOOD", service="express")
    assert bought.status_code == 200 and bought.json()["label"]["status"] == "purchased"
    assert purchases(fakes["good.fake"]) == 1


async def test_a_label_is_cancelled_at_the_carrier_and_another_can_be_bought(
    client, auth, data, fakes
) -> None:
    await generic(client, auth, "GOOD", "good.fake")
    ship = await shipment(client, auth)
    url = f"{SHIPMENTS}/{ship['id']}/label"
    assert_problem(await client.delete(url, headers=await headers(auth)), 409, code="no_label")
    await rates(client, auth, ship["id"])
    first = (await label(client, auth, ship["id"], service="express")).json()["label"]
    carrier = fakes["good.fake"].state.carrier

    carrier.switches.fail_rate = 1.0
    down = await client.delete(url, headers=await headers(auth))
    assert_problem(down, 503, code="carrier_unavailable")
    kept = (await client.get(f"{SHIPMENTS}/{ship['id']}", headers=await headers(auth))).json()
    assert kept["label"] == first and not carrier.labels[first["tracking_number"]].refunded
    carrier.switches.fail_rate = 0.0

    cancelled = await client.delete(url, headers=await headers(auth))
    assert cancelled.status_code == 200, cancelled.text
    body = cancelled.json()
    assert body["label"]["status"] == "none" and body["label"]["tracking_number"] is None
    assert body["tracking_status"] is None
    assert carrier.labels[first["tracking_number"]].refunded
    assert_problem(await client.get(url, headers=await headers(auth)), 404)

    # The same rate again is a new purchase (a new key), not the voided label.
    second = (await label(client, auth, ship["id"], service="express")).json()["label"]
    assert second["status"] == "purchased"
    assert second["tracking_number"] != first["tracking_number"]
    assert purchases(fakes["good.fake"]) == 2


async def test_a_label_the_carrier_will_not_void_stays(client, auth, data, fakes) -> None:
    await generic(client, auth, "GOOD", "good.fake")
    ship = await shipment(client, auth)
    await rates(client, auth, ship["id"])
    bought = (await label(client, auth, ship["id"])).json()["label"]
    fakes["good.fake"].state.carrier.scan(bought["tracking_number"], "delivered")
    refused = await client.delete(f"{SHIPMENTS}/{ship['id']}/label", headers=await headers(auth))
    assert_problem(refused, 409, code="label_not_cancellable")
    kept = (await client.get(f"{SHIPMENTS}/{ship['id']}", headers=await headers(auth))).json()
    assert kept["label"]["status"] == "purchased"


async def test_rates_and_labels_follow_the_customers_shipping_preference(
    client, auth, data, fakes, sessionmaker
) -> None:
    await generic(client, auth, "GOOD", "good.fake")
    await add_carrier(client, auth, national("FLEET"))  # dearer than GOOD's economy
    async with sessionmaker() as session:
        customer = (await session.scalars(select(Customer).where(Customer.code == "ACME"))).one()
        customer.shipping_preference = "preferred"
        customer.preferred_carrier = "FLEET"
        await session.commit()
    ship = await shipment(client, auth)

    quoted = (await rates(client, auth, ship["id"])).json()
    assert (quoted["preference"], quoted["preferred_carrier"]) == ("preferred", "FLEET")
    assert [r["carrier"] for r in quoted["rates"]] == ["FLEET", "GOOD", "GOOD"]
    # Asked for explicitly, another ranking wins over the customer's.
    cheapest = (await rates(client, auth, ship["id"], preference="cheapest")).json()
    assert [r["service"] for r in cheapest["rates"]] == ["economy", "express", "van"]
    bad = await rates(client, auth, ship["id"], preference="preferred")
    assert_problem(bad, 422, field="preferred_carrier")

    # Bought by preference, a label follows the last quote's ranking: quote again by the
    # customer's.
    assert (await rates(client, auth, ship["id"])).json()["preference"] == "preferred"
    bought = (await label(client, auth, ship["id"])).json()
    assert bought["carrier"]["code"] == "FLEET" and bought["label"]["service"] == "van"
