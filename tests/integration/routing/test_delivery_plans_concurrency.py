"""Delivery plans under real concurrency, on PostgreSQL with parallel connections (a
database of its own, committed data): racing requests for one depot's day make one plan, and
racing re-plans never put a shipment on two open stops."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from app.repositories.delivery_plans import DeliveryPlan, DeliveryStop
from tests.delivery_builders import a_vehicle
from tests.integration.after_sales.test_returns_concurrency import (
    app,
    auth,
    client,
    pg,
    pg_url,
    sessionmaker,
)
from tests.integration.routing.test_delivery_plans import PLANS, depot, plan

__all__ = ["app", "auth", "client", "depot", "pg", "pg_url", "sessionmaker"]


async def test_racing_plans_for_one_day_make_one(client, auth, depot, sessionmaker) -> None:
    await a_vehicle(depot["uow"], depot["hub"], "V-001")
    headers = await auth.as_role("warehouse")
    answers = await asyncio.gather(*(plan(client, headers) for _ in range(3)))
    assert sorted(a.status_code for a in answers) == [201, 409, 409], [a.text for a in answers]
    assert {a.json()["code"] for a in answers if a.status_code == 409} == {"plan_exists"}
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(DeliveryPlan)) == 1
        assert await session.scalar(select(func.count()).select_from(DeliveryStop)) == 4


async def test_racing_replans_keep_one_open_stop_per_shipment(
    client, auth, depot, sessionmaker
) -> None:
    await a_vehicle(depot["uow"], depot["hub"], "V-001")
    await a_vehicle(depot["uow"], depot["hub"], "V-002")
    headers = await auth.as_role("warehouse")
    created = await plan(client, headers)
    assert created.status_code == 201, created.text
    plan_id = created.json()["id"]
    answers = await asyncio.gather(
        *(
            client.post(f"{PLANS}/{plan_id}/replan", json={"reason": "other"}, headers=headers)
            for _ in range(3)
        )
    )
    codes = [a.status_code for a in answers]
    assert 200 in codes and set(codes) <= {200, 409}, [a.text for a in answers]
    assert {a.json()["code"] for a in answers if a.status_code == 409} <= {"plan_changed"}
    final = (await client.get(f"{PLANS}/{plan_id}", headers=headers)).json()
    assert final["revision"] == 1 + codes.count(200)
    numbers = [s["shipment_number"] for r in final["routes"] for s in r["stops"]]
    assert sorted(numbers) == sorted(s.number for s in depot["shipments"])
    async with sessionmaker() as session:
        per_shipment = (
            await session.execute(
                select(DeliveryStop.shipment_id, func.count()).group_by(DeliveryStop.shipment_id)
            )
        ).all()
    assert {n for _, n in per_shipment} == {1}
