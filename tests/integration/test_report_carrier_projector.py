"""The carriers summary kept incrementally by the projector equals a rebuild after a randomised
sequence through the API — shipments created, labelled, shipped, tracked by the carrier
(exceptions, deliveries), delivered by the own fleet — with the projector running at random
points in between, on both engines."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from app.repositories.report_carrier_models import ReportCarrier, ReportShipmentFact
from app.worker.reports import rebuild
from tests.integration.report_carrier_data import CarrierFlow, at, carrier, labelled
from tests.integration.report_data import master_data, project

START = at("2026-03-25T06:00")


async def _rows(sessionmaker) -> dict[str, list[tuple[str, ...]]]:
    out = {}
    async with sessionmaker() as session:
        for table in (ReportShipmentFact, ReportCarrier):
            rows = (await session.execute(select(*table.__table__.columns))).all()
            out[table.__tablename__] = sorted(tuple(str(v) for v in r) for r in rows)
    return out


def _label(rng: random.Random, number: str, currency: str) -> dict:
    costed = rng.random() < 0.8
    return {
        "label_status": "purchased",
        "tracking_number": number,
        "service": rng.choice(["express", "standard", None]),
        "shipping_cost": rng.choice(["8.50", "12", "20.25"]) if costed else None,
        "shipping_currency": currency if costed else None,
        "promised_date": (START + timedelta(days=rng.randint(1, 5))).date(),
    }


async def test_incremental_equals_rebuild_after_a_random_sequence(
    client, auth, sessionmaker, settings
) -> None:
    rng = random.Random(1804)
    tag = "CQ"
    await master_data(sessionmaker, tag)
    async with sessionmaker() as session:
        session.add_all([carrier(f"{tag}A", "CNY"), carrier(f"{tag}B", "USD")])
        await session.commit()
    flow = CarrierFlow(client, auth, tag)
    await flow.receive("P1", "60")
    shipped: list[tuple[str, str | None, str]] = []
    for step in range(12):
        weights = [rng.choice(["0.5", "2.5", "7.25"]) for _ in range(rng.randint(1, 2))]
        code = rng.choice(["A", "B", None])
        order = await flow.order(rng.choice("AB"), {"P1": str(len(weights))})
        shipment = await flow.shipment(order, weights, code)
        number = f"{tag}{step}"
        if code:
            currency = "CNY" if code == "A" else "USD"
            await labelled(sessionmaker, shipment, **_label(rng, number, currency))
        elif rng.random() < 0.5:
            await labelled(sessionmaker, shipment, promised_date=START.date())
        if rng.random() < 0.85:  # some never leave
            departed = START + timedelta(days=rng.randint(0, 9), hours=rng.randint(0, 23))
            await flow.confirm(shipment, departed)
            shipped.append((shipment, code, number))
        if rng.random() < 0.4:  # a random part of the stream reaches the summary meanwhile
            await project(sessionmaker, settings)
        if shipped and rng.random() < 0.7:
            await _move_on(flow, rng, *rng.choice(shipped))
    for entry in shipped:
        if rng.random() < 0.5:
            await _move_on(flow, rng, *entry)
    assert shipped, "the sequence shipped nothing"
    await project(sessionmaker, settings)
    incremental = await _rows(sessionmaker)
    facts = incremental["report_shipment_facts"]
    names = [c.key for c in ReportShipmentFact.__table__.columns]
    seen = [dict(zip(names, row, strict=True)) for row in facts]
    assert {f["exception"] for f in seen} == {"True", "False"}, "no exception in the sequence"
    assert any(f["delivered_at"] != "None" for f in seen), "nothing delivered"
    assert {f["currency"] for f in seen} >= {"", "CNY", "USD"}
    await rebuild(sessionmaker)
    assert await _rows(sessionmaker) == incremental


async def _move_on(flow: CarrierFlow, rng: random.Random, shipment: str, code, number) -> None:
    """Tracking news of a shipment that left: a carrier's events (an exception, a failed
    attempt, a delivery), or the own fleet's handover."""
    when = START + timedelta(days=rng.randint(10, 20), hours=rng.randint(0, 23))
    if code is None:
        r = await flow.client.get(
            f"/api/v1/shipments/{shipment}", headers=await flow.auth.as_role("warehouse")
        )
        if r.json()["status"] == "shipped":
            await flow.deliver_at(shipment, when)
        return
    status = rng.choice(["in_transit", "exception", "delivery_failed", "delivered"])
    await flow.track(code, number, [(status, when.strftime("%Y-%m-%dT%H:%M"))])
