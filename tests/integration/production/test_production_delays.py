"""Production delays through the worker's round and HTTP, on both engines: a request past its
due date, or one its MES expects after it, gets ``production.delayed`` once (naming the
orders it serves and the date they may now expect); the ``production_delayed`` alert opens
and resolves when the request completes; backorders expect the production system's date."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from app.bootstrap import build_bus, unit_of_work
from app.repositories.events import OutboxEvent
from app.services.production.commands import RaiseProductionDelays
from app.worker.housekeeping import SYSTEM
from tests.integration.production.support import (
    MO,
    data,
    made,
    order_of,
    report,
    requests_of,
    signed_report,
    with_mes_secret,
)

__all__ = ["data", "made"]


async def _delay_round(app, today: date | None = None) -> int:
    """The worker's production round once, through the bus, on the app's settings."""
    bus = build_bus(app.state.settings)
    cmd = RaiseProductionDelays(principal=SYSTEM, today=today)
    raised: int = await bus.handle(cmd, unit_of_work(app.state.sessionmaker, bus))
    return raised


async def _delayed_payloads(sessionmaker, request: dict) -> list[dict]:
    async with sessionmaker() as session:
        rows = await session.scalars(
            select(OutboxEvent.payload).where(
                OutboxEvent.event_type == "production.delayed",
                OutboxEvent.aggregate_id == request["id"],
            )
        )
        return [dict(x) for x in rows.all()]


async def _alerts(client, auth, request: dict) -> list[dict]:
    response = await client.get(
        "/api/v1/alerts",
        params={"rule": "production_delayed", "subject_id": request["id"]},
        headers=await auth.as_role("admin"),
    )
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def _backorder_expected(client, auth, order: dict) -> str | None:
    response = await client.get(
        "/api/v1/backorders", params={"sku": "M-1"}, headers=await auth.as_role("sales")
    )
    assert response.status_code == 200, response.text
    [line] = [x for x in response.json()["items"] if x["order_id"] == order["id"]]
    return line["expected_date"]


async def test_a_late_request_is_delayed_once_and_its_alert_resolves_when_it_completes(
    app, client, auth, made, sessionmaker
) -> None:
    order = await order_of(client, auth, "2")
    [request] = await requests_of(client, auth, order_id=order["id"])
    due = date.fromisoformat(request["due_date"])
    assert await _delay_round(app, today=due) == 0  # due today is not late yet
    assert await _delay_round(app, today=due + timedelta(days=1)) == 1
    assert await _delay_round(app, today=due + timedelta(days=1)) == 0  # delayed once
    [payload] = await _delayed_payloads(sessionmaker, request)
    assert payload["number"] == request["number"] and payload["orders"] == [order["number"]]
    assert payload["expected_date"] == (due + timedelta(days=1)).isoformat()
    [alert] = await _alerts(client, auth, request)
    assert (alert["state"], alert["role"], alert["subject_type"]) == (
        "open",
        "warehouse",
        "production_request",
    )
    assert alert["details"]["orders"] == [order["number"]]
    assert request["number"] in alert["message"]

    wh = await auth.as_role("warehouse")
    released = await client.post(f"{MO}/{request['id']}/release", headers=wh)
    assert released.status_code == 200, released.text
    part = await report(client, auth, request, type="completed", completed_quantity="1")
    assert part["status"] == "partly_completed"
    [alert] = await _alerts(client, auth, request)
    assert alert["state"] == "open"  # still late: one to come
    done = await report(client, auth, request, type="completed", completed_quantity="1")
    assert done["status"] == "completed"
    [alert] = await _alerts(client, auth, request)
    assert (alert["state"], alert["resolution"], alert["resolution_reason"]) == (
        "resolved",
        "auto",
        "the request is completed",
    )
    assert await _delay_round(app, today=due + timedelta(days=5)) == 0  # completed: not late


async def test_a_request_the_mes_expects_after_its_due_date_is_delayed(
    app, client, auth, made, sessionmaker
) -> None:
    secret = with_mes_secret(app)
    order = await order_of(client, auth, "2")
    [request] = await requests_of(client, auth, order_id=order["id"])
    assert await _backorder_expected(client, auth, order) == request["due_date"]
    released = await client.post(
        f"{MO}/{request['id']}/release", headers=await auth.as_role("warehouse")
    )
    assert released.status_code == 200, released.text
    assert await _delay_round(app) == 0  # on time so far
    later = (date.fromisoformat(request["due_date"]) + timedelta(days=4)).isoformat()
    progressed = await signed_report(
        client,
        secret,
        {
            "type": "progress",
            "request": request["number"],
            "expected_finish_date": later,
            "occurred_at": datetime.now(UTC).isoformat(),
        },
    )
    assert progressed.status_code == 200, progressed.text
    seen = (await client.get(f"{MO}/{request['id']}", headers=await auth.as_role("viewer"))).json()
    assert (seen["status"], seen["expected_date"], seen["late"]) == ("in_progress", later, True)
    assert await _backorder_expected(client, auth, order) == later

    assert await _delay_round(app) == 1  # today is before the due date: the MES's date decides
    assert await _delay_round(app) == 0
    [payload] = await _delayed_payloads(sessionmaker, request)
    assert (payload["orders"], payload["expected_date"]) == ([order["number"]], later)
    [alert] = await _alerts(client, auth, request)
    assert alert["state"] == "open" and alert["details"]["expected_date"] == later
