"""Issue 15's "done when", through HTTP on both engines: one storefront order's life — pushed
paid with an API key and an Idempotency-Key, approved at once, picked, shipped and delivered by
the own fleet — run by the worker's own jobs (``app.worker.schedule.JOBS``: routing, webhook
deliveries, notifications, the NATS publisher) tells the world three ways at once: the
confirmation, shipped and delivered emails reach a real SMTP server, signed webhooks reach a
receiver that verifies them with the ``standardwebhooks`` library, and the events reach
JetStream. (A stalled shipment's one self-resolving alert is tests/integration/
test_alert_rules.py; the live stream of an order's changes is tests/integration/test_stream.py.)"""

from __future__ import annotations

import json
from email import message_from_bytes
from email.policy import default as default_policy

from standardwebhooks import Webhook

from app.adapters.outbound import OutboundGuard, guarded_client
from app.worker.jobs import WorkerContext
from app.worker.publishing import NatsPublisher
from app.worker.schedule import JOBS
from tests.integration.notifications.test_email import Inbox, smtp_server, smtp_settings
from tests.integration.notifications.test_order_life import data, storefront_order_picked
from tests.integration.test_nats import jetstream, messages
from tests.integration.test_shipments import SHIPMENTS, confirm, created, headers, verify
from tests.integration.webhook_support import Receiver
from tests.support import served_on_loopback

__all__ = ["data", "jetstream"]  # fixtures used by the test below

STEPS = {job.name: job.step for job in JOBS}


async def _work(ctx: WorkerContext, publisher: NatsPublisher) -> None:
    """What the worker does between two requests: route, then each sender until it is idle."""
    for step in (STEPS["route_events"], STEPS["deliver_webhooks"], STEPS["send_notifications"]):
        while await step(ctx):
            pass
    while await publisher(ctx):
        pass


async def test_an_orders_life_is_told_by_email_webhook_and_jetstream(
    client, auth, data, sessionmaker, jetstream
) -> None:
    inbox, receiver, publisher = Inbox(), Receiver(), NatsPublisher()
    async with smtp_server(inbox) as port, served_on_loopback(receiver) as hooks:
        settings = smtp_settings(jetstream, port)
        endpoint = await client.post(
            "/api/v1/webhook-endpoints",
            json={"url": f"{hooks}/lading", "event_types": ["order.*", "shipment.*"]},
            headers=await auth.as_role("admin"),
        )
        assert endpoint.status_code == 201, endpoint.text
        secret = endpoint.json()["secret"]
        guard = OutboundGuard(settings.outbound_policy)
        async with guarded_client(guard, timeout=settings.webhook_timeout_seconds) as http:
            ctx = WorkerContext(sessionmaker, settings, http, http)
            try:
                placed = await storefront_order_picked(client, auth)
                await _work(ctx, publisher)
                shipment = await created(client, auth, placed["id"], {"S-1": "2"})
                assert (await verify(client, auth, shipment["id"], {"S-1": "2"})).status_code == 200
                assert (await confirm(client, auth, shipment["id"])).status_code == 200
                await _work(ctx, publisher)
                delivered = await client.post(
                    f"{SHIPMENTS}/{shipment['id']}/deliver",
                    headers=await headers(auth),
                    json={"receiver_name": "王五"},
                )
                assert delivered.status_code == 200, delivered.text
                await _work(ctx, publisher)
                await _work(ctx, publisher)  # a second round sends nothing twice
            finally:
                await publisher.close()

    # Emails: confirmation, shipped (with the public tracking link) and delivered, once each.
    number = placed["number"]
    mails = [message_from_bytes(raw, policy=default_policy) for _, raw in inbox.messages]
    subjects = [m["Subject"] for m in mails]
    for subject in (f"订单确认：{number}", f"订单 {number} 已发货", f"订单 {number} 已送达"):
        assert subjects.count(subject) == 1, subjects
    shipped = next(m for m in mails if m["Subject"] == f"订单 {number} 已发货")
    assert "/api/v1/track/" in shipped.get_content()

    # Webhooks: every POST verifies with the endpoint's secret, one webhook-id per event.
    documents = [Webhook(secret).verify(body, head) for head, body in receiver.received]
    ours = [d for d in documents if d["data"].get("order_id", d["subject"]["id"]) == placed["id"]]
    types = [d["type"] for d in ours]
    for expected in ("order.created", "order.approved", "order.shipped", "order.delivered"):
        assert types.count(expected) == 1, types
    assert types.index("order.created") < types.index("order.shipped")
    assert types.index("order.shipped") < types.index("order.delivered")
    assert len({head["webhook-id"] for head, _ in receiver.received}) == len(documents)

    # JetStream: the same events under lading.<type>, each once (Nats-Msg-Id = the event id).
    on_nats = [json.loads(m.data) for m in await messages(settings)]
    order_ids = {d["id"] for d in ours if d["type"].startswith("order.")}
    published = {e["id"]: e["type"] for e in on_nats}
    assert order_ids <= published.keys()
    assert len(published) == len(on_nats)
    assert "order.delivered" in published.values()
