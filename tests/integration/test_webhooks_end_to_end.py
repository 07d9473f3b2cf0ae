"""A storefront order's events reach a webhook endpoint through HTTP, on both engines: the
endpoint made through the API, the order pushed through the API, the worker's real route and
sender, a receiver on a loopback port verifying every POST with ``standardwebhooks``."""

from __future__ import annotations

import json

from sqlalchemy import select
from standardwebhooks import Webhook

from app.adapters.outbound import OutboundGuard, guarded_client
from app.repositories.events import AuditEvent, OutboxEvent
from app.worker import schedule
from app.worker.routing import route_once
from app.worker.webhooks import deliver_once
from tests.factories import make_customer, make_product
from tests.integration.webhook_support import Receiver
from tests.support import served_on_loopback


async def test_a_storefront_orders_events_arrive_signed_and_in_order(
    client, auth, sessionmaker, settings
) -> None:
    await make_product(sessionmaker, "WH-1", list_price="10.00", floor_price="6.00")
    await make_customer(sessionmaker, "WHC")
    admin = await auth.as_role("admin")
    receiver = Receiver()
    async with served_on_loopback(receiver) as base:
        created = await client.post(
            "/api/v1/webhook-endpoints",
            json={"url": f"{base}/lading", "event_types": ["order.*"]},
            headers=admin,
        )
        assert created.status_code == 201, created.text
        secret = created.json()["secret"]
        key = await auth.with_scopes("orders:write", "orders:payment", channel="storefront")
        body = {
            "channel": "storefront",
            "external_ref": "SHOP-WH-1",
            "customer": {"code": "WHC"},
            "lines": [{"sku": "WH-1", "quantity": "2"}],
            "submit": True,
            "payment": {"status": "paid", "reference": "PAY-WH-1", "amount": "22.60"},
        }
        placed = await client.post(
            "/api/v1/orders", json=body, headers={**key, "Idempotency-Key": "wh-1"}
        )
        assert placed.status_code == 201, placed.text
        order = placed.json()
        while await route_once(sessionmaker, settings, schedule.ROUTES):
            pass
        guard = OutboundGuard(settings.outbound_policy)
        async with guarded_client(guard, timeout=settings.webhook_timeout_seconds) as http:
            while await deliver_once(sessionmaker, http, settings):
                pass
    async with sessionmaker() as session:
        stream = (
            await session.scalars(
                select(OutboxEvent)
                .where(OutboxEvent.aggregate_id == order["id"])
                .order_by(OutboxEvent.position)
            )
        ).all()
    expected = [e for e in stream if e.event_type.startswith("order.")]
    assert len(expected) >= 2  # at least created and submitted
    documents = [Webhook(secret).verify(b, h) for h, b in receiver.received]
    assert [d["id"] for d in documents] == [str(e.id) for e in expected]  # in stream order
    assert {d["subject"]["id"] for d in documents} == {order["id"]}
    assert len({h["webhook-id"] for h, _ in receiver.received}) == len(expected)
    async with sessionmaker() as session:  # the secret is in no audit row
        audits = (
            await session.scalars(
                select(AuditEvent).where(AuditEvent.entity_id == created.json()["id"])
            )
        ).all()
    assert audits and secret not in json.dumps([[a.before, a.after] for a in audits])
