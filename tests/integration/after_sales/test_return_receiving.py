"""Receiving returned goods with inspection, and the quarantine, through HTTP on both
engines: restocked goods are back on hand and allocate a waiting order, quarantined goods are
held apart until released or scrapped, scrapped goods are written off with a reason; the
order line takes back what arrived and `lading check` stays clean."""

from __future__ import annotations

import uuid

from sqlalchemy import update

from app.repositories.orders import OrderLine
from tests.integration.after_sales.support import (
    RETURNS,
    data,
    delivered,
    on_hand,
    receive,
    request_return,
)
from tests.support import assert_problem

__all__ = ["data"]
CHECK = "/api/v1/admin/check"


async def _order(client, auth, sku: str, quantity: str) -> dict:
    response = await client.post(
        "/api/v1/orders",
        headers=await auth.as_role("sales"),
        json={
            "channel": "manual",
            "customer": {"code": "ACME"},
            "ship_to": {"country": "CN", "region": "上海市", "city": "上海市", "street": "1"},
            "lines": [{"sku": sku, "quantity": quantity}],
            "submit": True,
        },
    )
    assert response.status_code == 201, response.text
    return response.json()


async def _check_clean(client, auth) -> None:
    report = (await client.get(CHECK, headers=await auth.as_role("admin"))).json()
    assert report["ok"] is True, report


async def test_restock_quarantine_and_scrap(client, auth, data) -> None:
    order, _ = await delivered(client, auth, {"S-1": "4", "S-2": "1"})
    assert await on_hand(client, auth, "S-1") == ("0", "0")
    waiting = await _order(client, auth, "S-1", "1")
    assert waiting["fulfillment_status"] == "unfulfilled"  # backordered: nothing on hand
    ret = await request_return(client, auth, order, {"S-1": "4"})

    got = await receive(
        client,
        auth,
        ret,
        {"S-1": {"restock": "1", "quarantine": "2", "scrap": "1", "scrap_reason": "Crushed"}},
    )
    assert got["status"] == "received" and got["received_by"].startswith("user:")
    [line] = got["lines"]
    assert (line["received"], line["restocked"], line["quarantined"], line["scrapped"]) == (
        "4",
        "1",
        "2",
        "1",
    )
    # one unit came back on hand and went at once to the waiting order
    assert await on_hand(client, auth, "S-1") == ("1", "1")
    sales = await auth.as_role("sales")
    allocated = (await client.get(f"/api/v1/orders/{waiting['id']}", headers=sales)).json()
    assert allocated["fulfillment_status"] == "reserved"
    returned = (await client.get(f"/api/v1/orders/{order['id']}", headers=sales)).json()
    assert [(x["sku"], x["returned"]) for x in returned["lines"]] == [("S-1", "4"), ("S-2", "0")]
    assert returned["fulfillment_status"] == "partially_returned"

    quarantined = await client.get(f"{RETURNS}/quarantine", headers=await auth.as_role("viewer"))
    assert [(x["return_number"], x["sku"], x["held"]) for x in quarantined.json()["items"]] == [
        (ret["number"], "S-1", "2")
    ]
    wh = await auth.as_role("warehouse")
    base = f"{RETURNS}/{ret['id']}/lines/{line['id']}"
    too_many = await client.post(f"{base}/release", headers=wh, json={"quantity": "3"})
    assert_problem(too_many, 422, field="quantity")
    no_reason = await client.post(f"{base}/scrap", headers=wh, json={"quantity": "1"})
    assert_problem(no_reason, 422, field="reason")
    released = await client.post(f"{base}/release", headers=wh, json={"quantity": "1"})
    assert released.status_code == 200, released.text
    scrapped = await client.post(
        f"{base}/scrap", headers=wh, json={"quantity": "1", "reason": "Water damage"}
    )
    assert scrapped.status_code == 200, scrapped.text
    assert scrapped.json()["lines"][0]["released"] == "1"
    assert scrapped.json()["lines"][0]["quarantine_scrapped"] == "1"
    assert await on_hand(client, auth, "S-1") == ("2", "1")
    empty = await client.get(f"{RETURNS}/quarantine", headers=wh)
    assert empty.json()["items"] == []

    movements = await client.get(
        "/api/v1/stock/movements", params={"warehouse": "HZ", "sku": "S-1"}, headers=wh
    )
    kinds = sorted(
        (m["kind"], m["quantity"])
        for m in movements.json()["items"]
        if m["reference"] == ret["number"]
    )
    assert kinds == [
        ("return", "1"),
        ("return", "1"),
        ("return", "1"),
        ("return", "1"),
        ("scrap", "-1"),
        ("scrap", "-1"),
    ]
    await _check_clean(client, auth)


async def test_receiving_bad_input_changes_nothing(client, auth, data) -> None:
    order, _ = await delivered(client, auth, {"S-1": "3"})
    ret = await request_return(client, auth, order, {"S-1": "1"})

    async def refused(lines: dict, field: str, rule: str) -> None:
        by_sku = {x["sku"]: x["id"] for x in ret["lines"]}
        body = {"lines": [{"return_line_id": by_sku[s], **v} for s, v in lines.items()]}
        response = await client.post(
            f"{RETURNS}/{ret['id']}/receive", headers=await auth.as_role("warehouse"), json=body
        )
        problem = assert_problem(response, 422, field=field)
        assert rule in {e["rule"] for e in problem["errors"]}, problem

    await refused({"S-1": {"restock": "2"}}, "lines.0.difference_reason", "required")
    await refused(
        {"S-1": {"restock": "4", "difference_reason": "Sent all"}},
        "lines.0.restock",
        "within_delivered",
    )
    await refused({"S-1": {"scrap": "1"}}, "lines.0.scrap_reason", "required")
    await refused({"S-1": {"restock": "0"}}, "lines", "not_empty")
    await refused({"S-1": {"restock": "-1"}}, "lines.0.restock", "not_negative")
    sales = await auth.as_role("sales")
    forbidden = await client.post(
        f"{RETURNS}/{ret['id']}/receive",
        headers=sales,
        json={"lines": [{"return_line_id": ret["lines"][0]["id"], "restock": "1"}]},
    )
    assert_problem(forbidden, 403)
    assert await on_hand(client, auth, "S-1") == ("0", "0")
    unchanged = (await client.get(f"{RETURNS}/{ret['id']}", headers=sales)).json()
    assert unchanged["status"] == "approved" and unchanged["lines"][0]["received"] is None

    # more than requested, with its reason, within what was delivered
    got = await receive(
        client, auth, ret, {"S-1": {"restock": "2", "difference_reason": "Customer sent two"}}
    )
    assert got["lines"][0]["received"] == "2"
    again = await client.post(
        f"{RETURNS}/{ret['id']}/receive",
        headers=await auth.as_role("warehouse"),
        json={"lines": [{"return_line_id": ret["lines"][0]["id"], "restock": "1"}]},
    )
    assert_problem(again, 409, code="return_not_approved")
    # what arrived counts: one unit of the three is still returnable
    await request_return(client, auth, order, {"S-1": "2"}, expect=422)
    await request_return(client, auth, order, {"S-1": "1"})
    await _check_clean(client, auth)


async def test_the_check_reports_a_line_whose_returned_left_its_returns(
    client, auth, data, sessionmaker
) -> None:
    order, _ = await delivered(client, auth, {"S-1": "2"})
    ret = await request_return(client, auth, order, {"S-1": "1"})
    await receive(client, auth, ret, {"S-1": {"restock": "1"}})
    await _check_clean(client, auth)
    line_id = uuid.UUID(ret["lines"][0]["order_line_id"])
    async with sessionmaker() as session:
        await session.execute(
            update(OrderLine).where(OrderLine.id == line_id).values(quantity_returned=2)
        )
        await session.commit()
    report = (await client.get(CHECK, headers=await auth.as_role("admin"))).json()
    assert [(v["rule"], v["order_line_id"]) for v in report["violations"]] == [
        ("line_returned_mismatch", str(line_id))
    ]
