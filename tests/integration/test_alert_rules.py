"""The alert rules end to end on both engines: a stalled shipment raises one alert that
resolves itself when tracking moves (through the carriers' signed webhook, the real tracking
path), carrier exceptions, stock crossing its reorder point, and the worker's scan raising each
time-based rule once however often it runs and resolving what no longer holds."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select, update

from app.bootstrap import build_bus, unit_of_work
from app.repositories.alerts import Alert
from app.repositories.events import OutboxEvent
from app.repositories.orders import Order
from app.repositories.shipments import Shipment
from app.worker.alerts import scan_alerts
from tests.builders import a_customer, a_product, a_shipped_order, a_warehouse, an_order
from tests.integration.test_tracking import (  # noqa: F401 - fixtures
    data,
    post,
    shipped,
    webhook,
)

NOW = datetime.now(UTC)
LATER = NOW + timedelta(days=10)  # past every threshold


async def alerts(sessionmaker, subject: str | uuid.UUID | None = None) -> list[Alert]:
    async with sessionmaker() as session:
        stmt = select(Alert).order_by(Alert.rule, Alert.opened_at)
        if subject is not None:
            stmt = stmt.where(Alert.subject_id == str(subject))
        return list((await session.scalars(stmt)).all())


def states(rows: list[Alert]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for a in rows:
        out.setdefault(a.rule, []).append(a.state)
    return out


async def raised(sessionmaker, rule: str) -> int:
    async with sessionmaker() as session:
        stmt = select(OutboxEvent.payload).where(OutboxEvent.event_type == "alert.raised")
        return sum(1 for p in await session.scalars(stmt) if p["rule"] == rule)


async def test_a_stalled_shipment_raises_one_alert_that_resolves_when_tracking_moves(
    client,
    auth,
    sessionmaker,
    settings,
    shipped,  # noqa: F811 - the fixture imported above
) -> None:
    shipment = shipped["shipment"]["id"]
    # Not silent yet: nothing for tracking (the promised date 2026-11-26 is past, though).
    await scan_alerts(sessionmaker, settings, now=NOW + timedelta(hours=1))
    assert "tracking_silent" not in states(await alerts(sessionmaker, shipment))
    silent = NOW + timedelta(hours=settings.alert_tracking_silent_hours + 1)
    await scan_alerts(sessionmaker, settings, now=silent)
    await scan_alerts(sessionmaker, settings, now=silent)
    rows = await alerts(sessionmaker, shipment)
    assert states(rows) == {"delivery_late": ["open"], "tracking_silent": ["open"]}
    assert await raised(sessionmaker, "tracking_silent") == 1
    alert = next(a for a in rows if a.rule == "tracking_silent")
    assert (alert.role, alert.severity, alert.link) == (
        "warehouse",
        "warning",
        f"/api/v1/shipments/{shipment}",
    )
    assert shipped["shipment"]["number"] in alert.message
    warehouse = await auth.as_role("warehouse")
    listed = await client.get(
        "/api/v1/alerts",
        params={"subject_type": "shipment", "subject_id": shipment, "rule": "tracking_silent"},
        headers=warehouse,
    )
    assert [(a["id"], a["state"]) for a in listed.json()["items"]] == [(str(alert.id), "open")]

    # The carrier tells something new: the silence is over at once.
    moved = [("in_transit", NOW, "Departed Hangzhou hub")]
    assert (await post(client, webhook("GJ0001", moved))).status_code == 200
    rows = await alerts(sessionmaker, shipment)
    assert states(rows) == {"delivery_late": ["open"], "tracking_silent": ["resolved"]}
    alert = next(a for a in rows if a.rule == "tracking_silent")
    assert (alert.resolution, alert.resolution_reason) == ("auto", "tracking moved")
    assert alert.resolved_by == "system"
    got = await client.get(f"/api/v1/alerts/{alert.id}", headers=warehouse)
    assert (got.json()["state"], got.json()["resolution"]) == ("resolved", "auto")
    # the scan soon after finds it talking: no new alert
    await scan_alerts(sessionmaker, settings, now=NOW + timedelta(hours=1))
    assert await raised(sessionmaker, "tracking_silent") == 1

    # Delivered: the late alert resolves too.
    done = [("delivered", NOW + timedelta(minutes=1), "Signed by Li")]
    assert (await post(client, webhook("GJ0001", done))).status_code == 200
    rows = await alerts(sessionmaker, shipment)
    assert states(rows) == {"delivery_late": ["resolved"], "tracking_silent": ["resolved"]}


async def test_carrier_exceptions_raise_one_alert_cleared_when_tracking_moves_on(
    client,
    sessionmaker,
    shipped,  # noqa: F811 - the fixture imported above
) -> None:
    shipment = shipped["shipment"]["id"]
    t0 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    events = [
        ("delivery_failed", t0, "Nobody home"),
        ("exception", t0 + timedelta(hours=2), "Address unreadable"),
    ]
    assert (await post(client, webhook("GJ0001", events))).status_code == 200
    assert (await post(client, webhook("GJ0001", events))).status_code == 200
    [alert] = await alerts(sessionmaker, shipment)
    assert (alert.rule, alert.severity, alert.state) == ("delivery_exception", "critical", "open")
    assert "delivery_failed" in alert.message or "exception" in alert.message
    assert await raised(sessionmaker, "delivery_exception") == 1
    # a later exception keeps the one alert; moving on clears it
    later = [("exception", t0 + timedelta(hours=3), "Customs hold")]
    assert (await post(client, webhook("GJ0001", later))).status_code == 200
    assert await raised(sessionmaker, "delivery_exception") == 1
    again = [("out_for_delivery", t0 + timedelta(hours=5), "With the courier")]
    assert (await post(client, webhook("GJ0001", again))).status_code == 200
    [alert] = await alerts(sessionmaker, shipment)
    assert (alert.state, alert.resolution) == ("resolved", "auto")
    assert alert.resolution_reason == "tracking moved on to out_for_delivery"


async def test_stock_moving_below_and_back_above_its_reorder_point(
    client, auth, sessionmaker, settings
) -> None:
    bus = build_bus(settings)
    uow = unit_of_work(sessionmaker, bus)
    product = await a_product(uow, reorder_point=Decimal(20))
    warehouse = await a_warehouse(uow)
    headers = await auth.as_role("warehouse")

    async def move(kind: str, quantity: str, **extra: str) -> None:
        body = {"warehouse": warehouse.code, "sku": product.sku, "kind": kind}
        response = await client.post(
            "/api/v1/stock/movements", json={**body, "quantity": quantity, **extra}, headers=headers
        )
        assert response.status_code == 201, response.text

    await move("receipt", "30")
    assert await alerts(sessionmaker, product.id) == []
    await move("adjustment", "-15", reason="damaged")
    [alert] = await alerts(sessionmaker, product.id)
    assert (alert.rule, alert.state, alert.role) == (
        "stock_below_reorder_point",
        "open",
        "warehouse",
    )
    assert (
        alert.message == f"{product.sku}: projected stock 15.000 is below its reorder point 20.000."
    )
    await move("adjustment", "-1", reason="damaged")
    await scan_alerts(sessionmaker, settings)
    assert len(await alerts(sessionmaker, product.id)) == 1
    await move("receipt", "10")
    [alert] = await alerts(sessionmaker, product.id)
    assert (alert.state, alert.resolution) == ("resolved", "auto")


async def test_the_scan_raises_each_time_rule_once_and_resolves_what_cleared(
    sessionmaker, settings
) -> None:
    bus = build_bus(settings)
    uow = unit_of_work(sessionmaker, bus)
    customer = await a_customer(uow)
    product = await a_product(uow)
    warehouse = await a_warehouse(uow)
    waiting = await an_order(
        uow, customer, [(product, "1")], status="pending_approval", next_approver="finance"
    )
    backordered = await an_order(uow, customer, [(product, "2")], status="approved")
    pending = await a_shipped_order(uow, customer, warehouse, [(product, "1")])
    async with sessionmaker() as session:
        await session.execute(
            update(Shipment)
            .where(Shipment.id == pending.shipment.id)
            .values(status="ready", label_status="pending", shipped_at=None)
        )
        await session.commit()

    # NOW is before every row was created: no threshold has passed, no cutoff since
    assert await scan_alerts(sessionmaker, settings, now=NOW) == (0, 0)
    opened, _ = await scan_alerts(sessionmaker, settings, now=LATER)
    assert await scan_alerts(sessionmaker, settings, now=LATER) == (0, 0)
    assert states(await alerts(sessionmaker, waiting.id)) == {"approval_waiting": ["open"]}
    [approval] = await alerts(sessionmaker, waiting.id)
    assert approval.role == "finance"  # the approver the chain names
    assert states(await alerts(sessionmaker, backordered.id)) == {
        "backorder_aged": ["open"],
        "order_not_allocated": ["open"],
    }
    shipment = await alerts(sessionmaker, pending.shipment.id)
    assert states(shipment) == {"label_pending": ["open"], "shipment_missed_cutoff": ["open"]}
    missed = next(a for a in shipment if a.rule == "shipment_missed_cutoff")
    assert "17:00 cutoff" in missed.message
    assert opened == 5

    # The conditions clear: approved, cancelled, labelled and shipped.
    async with sessionmaker() as session:
        await session.execute(update(Order).where(Order.id == waiting.id).values(status="rejected"))
        await session.execute(
            update(Order).where(Order.id == backordered.id).values(status="cancelled")
        )
        await session.execute(
            update(Shipment)
            .where(Shipment.id == pending.shipment.id)
            .values(status="shipped", label_status="purchased", shipped_at=NOW)
        )
        await session.commit()
    assert await scan_alerts(sessionmaker, settings, now=LATER) == (0, 5)
    for row in await alerts(sessionmaker):
        assert (row.state, row.resolution) == ("resolved", "auto"), row.rule
        assert row.resolution_reason == "the condition no longer holds"

    # The condition returns: a new alert opens beside the resolved one.
    async with sessionmaker() as session:
        await session.execute(
            update(Order).where(Order.id == backordered.id).values(status="approved")
        )
        await session.commit()
    assert await scan_alerts(sessionmaker, settings, now=LATER, batch=1) == (2, 0)
    assert states(await alerts(sessionmaker, backordered.id)) == {
        "backorder_aged": ["resolved", "open"],
        "order_not_allocated": ["resolved", "open"],
    }
