"""Make-to-order through HTTP on both engines: an order's shortage of a make_to_order product
becomes a production request linked to its line (shortages combined before release),
released, reported and completed; completed goods are allocated to the orders it serves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.repositories.events import OutboxEvent
from tests.integration.after_sales.support import fulfil, on_hand
from tests.integration.production.support import MO, data, made, order_of, report, requests_of
from tests.support import assert_problem

__all__ = ["data", "made"]
CHECK = "/api/v1/admin/check"


async def _order_view(client, auth, order: dict) -> dict:
    response = await client.get(
        f"/api/v1/orders/{order['id']}", headers=await auth.as_role("sales")
    )
    return dict(response.json())


async def test_shortages_become_one_request_that_completes_into_the_orders(
    client, auth, made, sessionmaker
) -> None:
    first = await order_of(client, auth, "3")
    assert first["fulfillment_status"] == "unfulfilled"  # backordered
    [request] = await requests_of(client, auth, order_id=first["id"])
    assert request["number"].startswith("MO-") and request["status"] == "draft"
    assert (request["sku"], request["quantity"], request["source"]) == ("M-1", "3", "shortage")
    assert request["due_date"] == (datetime.now(UTC).date() + timedelta(days=3)).isoformat()
    assert [(x["order_line_id"], x["quantity"]) for x in request["links"]] == [
        (first["lines"][0]["id"], "3")
    ]
    second = await order_of(client, auth, "2")
    [request] = await requests_of(client, auth)  # combined before release, each link kept
    assert request["quantity"] == "5" and len(request["links"]) == 2

    wh = await auth.as_role("warehouse")
    released = await client.post(f"{MO}/{request['id']}/release", headers=wh)
    assert released.status_code == 200, released.text
    assert released.json()["status"] == "released"
    async with sessionmaker() as session:
        [document] = (
            await session.scalars(
                select(OutboxEvent.payload).where(OutboxEvent.event_type == "production.released")
            )
        ).all()
    assert document["number"] == request["number"] and document["quantity"] == "5"
    assert {x["order_number"] for x in document["orders"]} == {first["number"], second["number"]}

    await report(client, auth, request, type="started")
    later = (datetime.now(UTC).date() + timedelta(days=2)).isoformat()
    progressed = await report(client, auth, request, type="progress", expected_finish_date=later)
    assert progressed["status"] == "in_progress" and progressed["expected_date"] == later
    part = await report(client, auth, request, type="completed", completed_quantity="3")
    assert part["status"] == "partly_completed" and part["quantity_completed"] == "3"
    assert (await _order_view(client, auth, first))["fulfillment_status"] == "reserved"
    assert (await _order_view(client, auth, second))["fulfillment_status"] == "unfulfilled"
    done = await report(
        client,
        auth,
        request,
        type="completed",
        completed_quantity="2",
        scrapped_quantity="1",
        scrap_reason="warped",
    )
    assert done["status"] == "completed" and done["quantity_scrapped"] == "1"
    assert (await _order_view(client, auth, second))["fulfillment_status"] == "reserved"
    assert await on_hand(client, auth, "M-1") == ("5", "5")
    shipment = await fulfil(client, auth, first["id"], {"M-1": "3"})
    assert shipment["status"] == "delivered"
    report_ = (await client.get(CHECK, headers=await auth.as_role("admin"))).json()
    assert report_["ok"] is True, report_
    after = await report(
        client, auth, request, expect=409, type="completed", completed_quantity="1"
    )
    assert after["code"] == "request_not_running"


async def test_a_planner_edits_splits_combines_and_cancels(client, auth, made) -> None:
    wh = await auth.as_role("warehouse")
    created = await client.post(MO, headers=wh, json={"sku": "M-1", "quantity": "10"})
    assert created.status_code == 201, created.text
    request = created.json()
    assert request["source"] == "planner" and request["warehouse"] == "HZ"
    url = f"{MO}/{request['id']}"
    assert_problem(await client.patch(url, headers=wh, json={"quantity": "8"}), 428)
    edited = await client.patch(
        url,
        headers={**wh, "If-Match": created.headers["ETag"]},
        json={"quantity": "8", "priority": 5},
    )
    assert edited.status_code == 200 and edited.json()["quantity"] == "8", edited.text
    stale = await client.patch(
        url, headers={**wh, "If-Match": created.headers["ETag"]}, json={"quantity": "7"}
    )
    assert_problem(stale, 412)
    split = await client.post(f"{url}/split", headers=wh, json={"quantity": "3"})
    assert split.status_code == 201, split.text
    kept, other = split.json()
    assert (kept["quantity"], other["quantity"]) == ("5", "3")
    too_much = await client.post(f"{url}/split", headers=wh, json={"quantity": "5"})
    assert_problem(too_much, 422, field="quantity")
    combined = await client.post(
        f"{MO}/combine", headers=wh, json={"request_ids": [kept["id"], other["id"]]}
    )
    assert combined.status_code == 200, combined.text
    assert combined.json()["quantity"] == "8"
    gone = await client.get(f"{MO}/{other['id']}", headers=wh)
    assert gone.json()["status"] == "cancelled"
    no_reason = await client.post(f"{url}/cancel", headers=wh, json={"reason": " "})
    assert_problem(no_reason, 422, field="reason")
    cancelled = await client.post(f"{url}/cancel", headers=wh, json={"reason": "not needed"})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert (
        await client.post(
            MO, headers=await auth.as_role("sales"), json={"sku": "M-1", "quantity": "1"}
        )
    ).status_code == 403


async def test_bad_requests_and_reports_change_nothing(client, auth, made) -> None:
    wh = await auth.as_role("warehouse")
    bought = await client.post(MO, headers=wh, json={"sku": "B-1", "quantity": "1"})
    assert_problem(bought, 422, field="sku")
    assert bought.json()["errors"][0]["rule"] == "made"
    finer = await client.post(MO, headers=wh, json={"sku": "M-1", "quantity": "1.5"})
    assert_problem(finer, 422, field="quantity")
    request = (await client.post(MO, headers=wh, json={"sku": "M-1", "quantity": "2"})).json()
    early = await report(
        client, auth, request, expect=409, type="completed", completed_quantity="1"
    )
    assert early["code"] == "request_not_running"
    await client.post(f"{MO}/{request['id']}/release", headers=wh)
    over = await report(client, auth, request, expect=422, type="completed", completed_quantity="3")
    assert over["errors"][0]["field"] == "over_production_reason"
    levels = await client.get(
        "/api/v1/stock/levels", params={"sku": "M-1"}, headers=await auth.as_role("warehouse")
    )
    assert levels.json()["items"] == []  # the refused completion moved nothing
    extra = await report(
        client,
        auth,
        request,
        type="completed",
        completed_quantity="3",
        over_production_reason="a full batch",
    )
    assert extra["status"] == "completed" and extra["over_production_reason"] == "a full batch"
    cannot = await client.post(f"{MO}/{request['id']}/cancel", headers=wh, json={"reason": "x"})
    assert_problem(cannot, 409, code="request_closed")
    other = (await client.post(MO, headers=wh, json={"sku": "M-1", "quantity": "4"})).json()
    await client.post(f"{MO}/{other['id']}/release", headers=wh)
    await report(client, auth, other, type="completed", completed_quantity="1")
    with_goods = await client.post(f"{MO}/{other['id']}/cancel", headers=wh, json={"reason": "x"})
    assert_problem(with_goods, 409, code="request_has_completions")
    third = (await client.post(MO, headers=wh, json={"sku": "M-1", "quantity": "1"})).json()
    await client.post(f"{MO}/{third['id']}/cancel", headers=wh, json={"reason": "no"})
    cancelled = await report(
        client, auth, third, expect=409, type="completed", completed_quantity="1"
    )
    assert cancelled["code"] == "request_not_running"
