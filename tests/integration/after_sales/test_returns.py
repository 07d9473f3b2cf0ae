"""Requesting, approving and refusing returns (RMA) through HTTP on both engines."""

from __future__ import annotations

from sqlalchemy import update

from app.repositories.products import Product
from tests.integration.after_sales.support import (
    RETURNS,
    data,
    decide,
    delivered,
    line_ids,
    request_return,
)
from tests.integration.billing.test_invoicing import ship
from tests.support import assert_problem

__all__ = ["data"]


async def _threshold(client, auth, amount: str) -> None:
    headers = await auth.as_role("admin")
    current = await client.get("/api/v1/settings/review", headers=headers)
    response = await client.put(
        "/api/v1/settings/review",
        headers={**headers, "If-Match": current.headers["ETag"]},
        json={"return_auto_approve_max": amount},
    )
    assert response.status_code == 200, response.text


async def test_a_small_return_is_approved_at_once(client, auth, data) -> None:
    order, _ = await delivered(client, auth, {"S-1": "3", "S-2": "1"})
    ret = await request_return(client, auth, order, {"S-1": "2"})
    assert ret["number"].startswith("RMA-") and ret["status"] == "approved"
    assert ret["approval"] == "automatic" and ret["value"] == "20.00"
    assert [(x["sku"], x["quantity"], x["unit_value"]) for x in ret["lines"]] == [
        ("S-1", "2", "10.00")
    ]
    listed = await client.get(
        RETURNS, params={"order_id": order["id"]}, headers=await auth.as_role("viewer")
    )
    assert [x["id"] for x in listed.json()["items"]] == [ret["id"]]


async def test_above_the_threshold_a_named_role_decides(client, auth, data) -> None:
    await _threshold(client, auth, "15")
    order, _ = await delivered(client, auth, {"S-1": "3"})
    ret = await request_return(client, auth, order, {"S-1": "2"})
    assert ret["status"] == "requested" and ret["approval"] is None
    # sales may request but not decide; warehouse holds no returns:approve
    await decide(client, auth, ret, role="sales", expect=403)
    refused = await decide(client, auth, ret, "refuse", role="finance", reason="Used goods")
    assert refused["status"] == "refused" and refused["refusal_reason"] == "Used goods"
    await decide(client, auth, refused, expect=409)
    again = await request_return(client, auth, order, {"S-1": "3"})
    approved = await decide(client, auth, again)
    assert approved["status"] == "approved" and approved["approval"] == "manual"
    assert approved["decided_by"].startswith("user:")


async def test_a_refusal_needs_a_reason(client, auth, data) -> None:
    await _threshold(client, auth, "0")
    order, _ = await delivered(client, auth, {"S-1": "1"})
    ret = await request_return(client, auth, order, {"S-1": "1"})
    headers = await auth.as_role("finance")
    response = await client.post(f"{RETURNS}/{ret['id']}/refuse", headers=headers, json={})
    assert_problem(response, 422, field="reason")


async def test_bad_requests_name_the_field_and_rule_and_change_nothing(client, auth, data) -> None:
    order, _ = await delivered(client, auth, {"S-1": "2"})
    ids = line_ids(order)
    headers = await auth.as_role("sales")

    async def refused(lines, field, rule, **body) -> None:
        payload = {
            "order_id": order["id"],
            "lines": lines,
            "reason": "damaged",
            "resolution": "refund",
            "method": "drop_off",
            **body,
        }
        response = await client.post(RETURNS, headers=headers, json=payload)
        problem = assert_problem(response, 422, field=field)
        assert rule in {e["rule"] for e in problem["errors"]}, problem

    await refused(
        [{"order_line_id": ids["S-1"], "quantity": "3"}], "lines.0.quantity", "within_returnable"
    )
    first = await request_return(client, auth, order, {"S-1": "1"})
    # the other open return claims one unit: only one is left
    await refused(
        [{"order_line_id": ids["S-1"], "quantity": "2"}], "lines.0.quantity", "within_returnable"
    )
    await refused([{"order_line_id": ids["S-1"], "quantity": "0"}], "lines.0.quantity", "positive")
    await refused(
        [{"order_line_id": ids["S-1"], "quantity": "1"}],
        "lines.0.exchange_sku",
        "required",
        resolution="exchange",
    )
    listed = await client.get(RETURNS, params={"order_id": order["id"]}, headers=headers)
    assert [x["id"] for x in listed.json()["items"]] == [first["id"]]


async def test_a_line_not_delivered_or_past_its_window_is_refused(
    client, auth, data, sessionmaker
) -> None:
    shipped_only, _ = await ship(client, auth, {"S-1": "1"})
    response = await client.post(
        RETURNS,
        headers=await auth.as_role("sales"),
        json={
            "order_id": shipped_only["id"],
            "lines": [{"order_line_id": line_ids(shipped_only)["S-1"], "quantity": "1"}],
            "reason": "other",
            "resolution": "refund",
            "method": "drop_off",
        },
    )
    problem = assert_problem(response, 422, field="lines.0.order_line_id")
    assert problem["errors"][0]["rule"] == "delivered"

    order, _ = await delivered(client, auth, {"S-2": "1"})
    async with sessionmaker() as session:
        await session.execute(
            update(Product).where(Product.sku == "S-2").values(return_window_days=0)
        )
        await session.commit()
    response = await client.post(
        RETURNS,
        headers=await auth.as_role("sales"),
        json={
            "order_id": order["id"],
            "lines": [{"order_line_id": line_ids(order)["S-2"], "quantity": "1"}],
            "reason": "no_longer_wanted",
            "resolution": "refund",
            "method": "drop_off",
        },
    )
    problem = assert_problem(response, 422, field="lines.0.order_line_id")
    assert problem["errors"][0]["rule"] == "return_window"
