"""Order intake through the HTTP API: pricing, exactly-once, drafts, submit, cancel, search."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.factories import make_customer, make_price_list, make_product
from tests.support import assert_problem


@pytest.fixture
async def data(sessionmaker):
    widget = await make_product(sessionmaker, "W-1", list_price="10.00", floor_price="6.00")
    gadget = await make_product(
        sessionmaker, "G-1", name="Gadget", list_price="25.50", tax_rate="0.06"
    )
    customer = await make_customer(sessionmaker, "ACME")
    return {"widget": widget, "gadget": gadget, "customer": customer}


def order_body(**kw):
    body = {
        "channel": "manual",
        "customer": {"code": "ACME"},
        "lines": [{"sku": "W-1", "quantity": "3"}, {"sku": "G-1", "quantity": "2"}],
    }
    body.update(kw)
    return body


async def test_manual_order_is_priced_numbered_and_drafted(client, auth, data) -> None:
    headers = await auth.as_role("sales")
    response = await client.post("/api/v1/orders", json=order_body(), headers=headers)
    assert response.status_code == 201, response.text
    order = response.json()
    assert order["status"] == "draft"
    assert order["number"].startswith(f"SO-{date.today().year}-")
    assert len(order["number"]) == len("SO-2026-000001")
    assert order["customer_name"] == "上海华东贸易有限公司"
    assert order["ship_to"]["street"] == "张江路 88 号"  # the customer's default ship-to
    w, g = order["lines"]
    assert (w["sku"], w["unit_price"], w["net"], w["tax"], w["total"]) == (
        "W-1",
        "10.00",
        "30.00",
        "3.90",
        "33.90",
    )
    assert (g["net"], g["tax"], g["total"]) == ("51.00", "3.06", "54.06")
    assert order["totals"] == {
        "gross_before_discount": "81.00",
        "discount": "0.00",
        "net": "81.00",
        "tax": "6.96",
        "total": "87.96",
    }
    for line in order["lines"]:
        assert line["ordered"] in ("3", "2")
        assert all(
            line[q] == "0" for q in ("reserved", "shipped", "delivered", "invoiced", "returned")
        )
    assert order["fulfillment_status"] == "unfulfilled"
    assert order["billing_status"] == "unbilled"
    assert response.headers["etag"] == '"1"'


async def test_customer_price_list_and_quantity_breaks_apply(
    client, auth, sessionmaker, data
) -> None:
    price_list = await make_price_list(
        sessionmaker, [(data["widget"], "0", "9.00"), (data["widget"], "10", "8.00")]
    )
    await make_customer(sessionmaker, "VIP", price_list_id=price_list.id)
    headers = await auth.as_role("sales")
    small = await client.post(
        "/api/v1/orders",
        headers=headers,
        json=order_body(customer={"code": "VIP"}, lines=[{"sku": "W-1", "quantity": "5"}]),
    )
    big = await client.post(
        "/api/v1/orders",
        headers=headers,
        json=order_body(customer={"code": "VIP"}, lines=[{"sku": "W-1", "quantity": "10"}]),
    )
    assert small.json()["lines"][0]["unit_price"] == "9.00"
    assert small.json()["lines"][0]["price_source"] == "customer_price_list"
    assert big.json()["lines"][0]["unit_price"] == "8.00"


async def test_group_price_list_applies_when_customer_has_none(
    client, auth, sessionmaker, data
) -> None:
    await make_price_list(
        sessionmaker, [(data["widget"], "0", "9.50")], kind="group", customer_group="dealers"
    )
    await make_customer(sessionmaker, "DEALER", customer_group="dealers")
    response = await client.post(
        "/api/v1/orders",
        headers=await auth.as_role("sales"),
        json=order_body(customer={"code": "DEALER"}, lines=[{"sku": "W-1", "quantity": "1"}]),
    )
    assert response.json()["lines"][0]["price_source"] == "group_price_list"
    assert response.json()["lines"][0]["unit_price"] == "9.50"


async def test_storefront_push_with_api_key_submits_and_is_idempotent(client, auth, data) -> None:
    key = await auth.with_scopes(
        "orders:write", "orders:read", "orders:payment", channel="storefront"
    )
    body = order_body(
        channel="storefront",
        external_ref="SHOP-1001",
        submit=True,
        payment={"status": "paid", "reference": "PAY-1", "amount": "87.96"},
    )
    first = await client.post(
        "/api/v1/orders", json=body, headers={**key, "Idempotency-Key": "k-1"}
    )
    assert first.status_code == 201, first.text
    assert first.json()["status"] == "approved" and first.json()["submitted_at"]
    assert first.json()["payment"] == {"status": "paid", "reference": "PAY-1", "amount": "87.96"}
    again = await client.post(
        "/api/v1/orders", json=body, headers={**key, "Idempotency-Key": "k-1"}
    )
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    # Same (channel, external_ref) under another key: the existing order, not a new one.
    other_key = await client.post(
        "/api/v1/orders", json=body, headers={**key, "Idempotency-Key": "k-2"}
    )
    assert other_key.status_code == 200 and other_key.json()["id"] == first.json()["id"]
    listed = await client.get("/api/v1/orders?q=SHOP-1001", headers=key)
    assert len(listed.json()["items"]) == 1


async def test_same_key_with_a_different_body_is_409(client, auth, data) -> None:
    headers = {**await auth.as_role("sales"), "Idempotency-Key": "same"}
    await client.post("/api/v1/orders", json=order_body(), headers=headers)
    response = await client.post(
        "/api/v1/orders", json=order_body(lines=[{"sku": "W-1", "quantity": "4"}]), headers=headers
    )
    assert_problem(response, 409, code="idempotency_key_reused")


async def test_numbers_are_unique_and_increasing(client, auth, data) -> None:
    headers = await auth.as_role("sales")
    numbers = [
        (await client.post("/api/v1/orders", json=order_body(), headers=headers)).json()["number"]
        for _ in range(3)
    ]
    assert len(set(numbers)) == 3
    assert numbers == sorted(numbers)


async def test_duplicate_skus_are_merged(client, auth, data) -> None:
    response = await client.post(
        "/api/v1/orders",
        headers=await auth.as_role("sales"),
        json=order_body(lines=[{"sku": "W-1", "quantity": "2"}, {"sku": "W-1", "quantity": "3"}]),
    )
    assert response.status_code == 201
    (line,) = response.json()["lines"]
    assert line["ordered"] == "5"


async def test_duplicate_skus_with_different_prices_are_refused(client, auth, data) -> None:
    response = await client.post(
        "/api/v1/orders",
        headers=await auth.as_role("sales_manager"),
        json=order_body(
            lines=[
                {"sku": "W-1", "quantity": "2", "unit_price": "9"},
                {"sku": "W-1", "quantity": "3"},
            ]
        ),
    )
    assert_problem(response, 422, field="lines.1.sku")


async def test_price_override_needs_permission(client, auth, data) -> None:
    body = order_body(lines=[{"sku": "W-1", "quantity": "1", "unit_price": "9.00"}])
    assert_problem(
        await client.post("/api/v1/orders", json=body, headers=await auth.as_role("sales")), 403
    )
    ok = await client.post("/api/v1/orders", json=body, headers=await auth.as_role("sales_manager"))
    assert ok.status_code == 201
    assert ok.json()["lines"][0]["price_source"] == "override"


async def test_override_below_floor_stays_a_draft(client, auth, data) -> None:
    body = order_body(submit=True, lines=[{"sku": "W-1", "quantity": "1", "unit_price": "5.00"}])
    response = await client.post(
        "/api/v1/orders", json=body, headers=await auth.as_role("sales_manager")
    )
    assert response.status_code == 201
    order = response.json()
    assert order["status"] == "draft"
    assert order["requires_price_approval"] is True
    assert order["lines"][0]["below_floor"] is True


@pytest.mark.parametrize(
    ("lines", "field", "rule"),
    [
        ([{"sku": "NOPE", "quantity": "1"}], "lines.0.sku", "exists"),
        ([{"sku": "W-1", "quantity": "0"}], "lines.0.quantity", "greater_than"),
        ([{"sku": "W-1", "quantity": "-2"}], "lines.0.quantity", "greater_than"),
        ([{"sku": "W-1", "quantity": "1.5"}], "lines.0.quantity", "unit_precision"),
        ([], "lines", "too_short"),
    ],
)
async def test_bad_lines_are_422_naming_field_and_rule(
    client, auth, data, lines, field, rule
) -> None:
    headers = await auth.as_role("sales")
    response = await client.post("/api/v1/orders", json=order_body(lines=lines), headers=headers)
    body = assert_problem(response, 422, field=field)
    assert rule in [e["rule"] for e in body["errors"]]
    assert (await client.get("/api/v1/orders", headers=headers)).json()["items"] == []


async def test_inactive_product_is_refused(client, auth, sessionmaker, data) -> None:
    await make_product(sessionmaker, "OLD-1", active=False)
    response = await client.post(
        "/api/v1/orders",
        headers=await auth.as_role("sales"),
        json=order_body(lines=[{"sku": "OLD-1", "quantity": "1"}]),
    )
    assert_problem(response, 422, field="lines.0.sku")


async def test_blocked_customer_is_refused(client, auth, sessionmaker, data) -> None:
    await make_customer(sessionmaker, "BAD", status="blocked")
    response = await client.post(
        "/api/v1/orders",
        headers=await auth.as_role("sales"),
        json=order_body(customer={"code": "BAD"}),
    )
    assert_problem(response, 422, code="customer_blocked", field="customer")


async def test_unknown_customer_is_422(client, auth, data) -> None:
    response = await client.post(
        "/api/v1/orders",
        headers=await auth.as_role("sales"),
        json=order_body(customer={"code": "NOBODY"}),
    )
    assert_problem(response, 422, code="unknown_reference", field="customer")


async def test_no_ship_to_and_no_default_is_422(client, auth, sessionmaker, data) -> None:
    await make_customer(sessionmaker, "NOADDR", ship_to=[])
    response = await client.post(
        "/api/v1/orders",
        headers=await auth.as_role("sales"),
        json=order_body(customer={"code": "NOADDR"}),
    )
    assert_problem(response, 422, field="ship_to")


async def test_requested_date_in_the_past_is_422(client, auth, data) -> None:
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    response = await client.post(
        "/api/v1/orders",
        headers=await auth.as_role("sales"),
        json=order_body(requested_delivery_date=yesterday),
    )
    assert_problem(response, 422, field="requested_delivery_date")


async def test_currency_different_from_the_price_list_is_422(
    client, auth, sessionmaker, data
) -> None:
    price_list = await make_price_list(sessionmaker, [(data["widget"], "0", "9")])
    await make_customer(sessionmaker, "CNYCUST", price_list_id=price_list.id)
    response = await client.post(
        "/api/v1/orders",
        headers=await auth.as_role("sales"),
        json=order_body(customer={"code": "CNYCUST"}, currency="USD"),
    )
    assert_problem(response, 422, field="currency")


async def test_more_lines_than_the_limit_is_422(client, auth, app, data) -> None:
    app.state.settings = app.state.settings.model_copy(update={"order_max_lines": 1})
    response = await client.post(
        "/api/v1/orders", json=order_body(), headers=await auth.as_role("sales")
    )
    assert_problem(response, 422, field="lines")


async def test_patch_edits_and_reprices_a_draft_then_submit_locks_it(client, auth, data) -> None:
    headers = await auth.as_role("sales")
    order = (await client.post("/api/v1/orders", json=order_body(), headers=headers)).json()
    patched = await client.patch(
        f"/api/v1/orders/{order['id']}",
        json={"lines": [{"sku": "W-1", "quantity": "1"}], "notes": "call first"},
        headers={**headers, "If-Match": '"1"'},
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["totals"]["total"] == "11.30"
    assert patched.json()["notes"] == "call first"
    stale = await client.patch(
        f"/api/v1/orders/{order['id']}", json={"notes": "x"}, headers={**headers, "If-Match": '"1"'}
    )
    assert_problem(stale, 412)
    submitted = await client.post(f"/api/v1/orders/{order['id']}/submit", headers=headers)
    assert submitted.json()["status"] == "approved"
    cancelled = await client.post(
        f"/api/v1/orders/{order['id']}/cancel", json={"reason": "r"}, headers=headers
    )
    locked = await client.patch(
        f"/api/v1/orders/{order['id']}",
        json={"notes": "x"},
        headers={**headers, "If-Match": f'"{cancelled.json()["version"]}"'},
    )
    assert_problem(locked, 409, code="order_not_editable")
    again = await client.post(f"/api/v1/orders/{order['id']}/submit", headers=headers)
    assert_problem(again, 409, code="order_not_draft")


async def test_cancel_with_reason_and_timeline(client, auth, data) -> None:
    headers = await auth.as_role("sales")
    order = (
        await client.post("/api/v1/orders", json=order_body(submit=True), headers=headers)
    ).json()
    cancelled = await client.post(
        f"/api/v1/orders/{order['id']}/cancel",
        json={"reason": "customer changed mind"},
        headers=headers,
    )
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancel_reason"] == "customer changed mind"
    twice = await client.post(
        f"/api/v1/orders/{order['id']}/cancel", json={"reason": "x"}, headers=headers
    )
    assert_problem(twice, 409, code="order_cancelled")
    events = (await client.get(f"/api/v1/orders/{order['id']}/events", headers=headers)).json()
    assert [e["action"] for e in events["items"]] == [
        "created",
        "submitted",
        "reviewed",
        "approved",
        "backordered",  # approved orders are allocated at once; there is no stock here
        "cancelled",
    ]
    assert all(e["actor"].startswith("user:sales") for e in events["items"])


async def test_events_are_written_to_the_outbox(client, auth, sessionmaker, data) -> None:
    from sqlalchemy import select

    from app.repositories.events import OutboxEvent

    headers = await auth.as_role("sales")
    order = (await client.post("/api/v1/orders", json=order_body(), headers=headers)).json()
    await client.patch(
        f"/api/v1/orders/{order['id']}", json={"notes": "n"}, headers={**headers, "If-Match": '"1"'}
    )
    await client.post(f"/api/v1/orders/{order['id']}/submit", headers=headers)
    await client.post(f"/api/v1/orders/{order['id']}/cancel", json={"reason": "r"}, headers=headers)
    async with sessionmaker() as session:
        types = (
            await session.scalars(
                select(OutboxEvent.event_type)
                .where(OutboxEvent.aggregate_id == order["id"])
                .order_by(OutboxEvent.created_at)
            )
        ).all()
    assert sorted(types) == sorted(
        [
            "order.created",
            "order.updated",
            "order.submitted",
            "order.approved",
            "order.backordered",
            "order.cancelled",
        ]
    )


async def test_list_filters_and_pages(client, auth, sessionmaker, data) -> None:
    await make_customer(sessionmaker, "OTHER", name="Beijing Trading")
    headers = await auth.as_role("sales")
    for _ in range(3):
        await client.post("/api/v1/orders", json=order_body(), headers=headers)
    await client.post(
        "/api/v1/orders", json=order_body(customer={"code": "OTHER"}, submit=True), headers=headers
    )
    first = (await client.get("/api/v1/orders?limit=2", headers=headers)).json()
    second = (
        await client.get(f"/api/v1/orders?limit=2&cursor={first['next_cursor']}", headers=headers)
    ).json()
    numbers = [o["number"] for o in first["items"] + second["items"]]
    assert numbers == sorted(numbers, reverse=True) and len(set(numbers)) == 4
    submitted = (await client.get("/api/v1/orders?status=approved", headers=headers)).json()
    assert [o["customer_code"] for o in submitted["items"]] == ["OTHER"]
    by_name = (await client.get("/api/v1/orders?q=beijing", headers=headers)).json()
    assert len(by_name["items"]) == 1
    unfulfilled = (
        await client.get("/api/v1/orders?fulfillment_status=unfulfilled", headers=headers)
    ).json()
    assert len(unfulfilled["items"]) == 4
    invoiced = (await client.get("/api/v1/orders?billing_status=invoiced", headers=headers)).json()
    assert invoiced["items"] == []


async def test_viewer_can_read_but_not_create(client, auth, data) -> None:
    viewer = await auth.as_role("viewer")
    assert_problem(await client.post("/api/v1/orders", json=order_body(), headers=viewer), 403)
    assert (await client.get("/api/v1/orders", headers=viewer)).status_code == 200


async def test_patch_clears_optional_fields_and_refuses_null_lines(client, auth, data) -> None:
    headers = await auth.as_role("sales")
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    order = (
        await client.post(
            "/api/v1/orders",
            json=order_body(notes="n", requested_delivery_date=tomorrow),
            headers=headers,
        )
    ).json()
    cleared = await client.patch(
        f"/api/v1/orders/{order['id']}",
        json={"notes": None, "requested_delivery_date": None},
        headers={**headers, "If-Match": '"1"'},
    )
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["notes"] is None and cleared.json()["requested_delivery_date"] is None
    refused = await client.patch(
        f"/api/v1/orders/{order['id']}",
        json={"lines": None},
        headers={**headers, "If-Match": '"2"'},
    )
    assert_problem(refused, 422, field="body.lines")


async def test_idempotency_keys_are_kept_for_the_retention_then_purged(
    client, auth, sessionmaker, data
) -> None:
    from datetime import UTC, datetime

    from app.repositories.idempotency import IdempotencyRecord
    from app.worker.housekeeping import purge_idempotency_keys

    headers = {**await auth.as_role("sales"), "Idempotency-Key": "keep-me"}
    first = await client.post("/api/v1/orders", json=order_body(), headers=headers)
    assert await purge_idempotency_keys(sessionmaker, retention=timedelta(hours=24)) == 0
    replay = await client.post("/api/v1/orders", json=order_body(), headers=headers)
    assert replay.json()["id"] == first.json()["id"]
    async with sessionmaker() as session:
        record = await session.get(IdempotencyRecord, (await _owner(session), "keep-me"))
        record.created_at = datetime.now(UTC) - timedelta(hours=25)
        await session.commit()
    assert await purge_idempotency_keys(sessionmaker, retention=timedelta(hours=24)) == 1


async def _owner(session) -> str:
    from sqlalchemy import select

    from app.repositories.idempotency import IdempotencyRecord

    return (await session.scalars(select(IdempotencyRecord.owner))).one()


async def test_customer_by_id_and_sort_by_requested_date(client, auth, data) -> None:
    headers = await auth.as_role("sales")
    customer_id = str(data["customer"].id)
    for days in (3, 1, 2):
        when = (date.today() + timedelta(days=days)).isoformat()
        created = await client.post(
            "/api/v1/orders",
            headers=headers,
            json=order_body(customer={"id": customer_id}, requested_delivery_date=when),
        )
        assert created.status_code == 201 and created.json()["customer_code"] == "ACME"
    page = (
        await client.get("/api/v1/orders?sort=requested_delivery_date&limit=2", headers=headers)
    ).json()
    rest = (
        await client.get(
            f"/api/v1/orders?sort=requested_delivery_date&limit=2&cursor={page['next_cursor']}",
            headers=headers,
        )
    ).json()
    dates = [o["requested_delivery_date"] for o in page["items"] + rest["items"]]
    assert dates == sorted(dates) and len(dates) == 3
    both = await client.post(
        "/api/v1/orders",
        headers=headers,
        json=order_body(customer={"id": customer_id, "code": "ACME"}),
    )
    assert_problem(both, 422, field="body.customer")


async def test_an_order_is_read_by_its_number(client, auth, data) -> None:
    headers = await auth.as_role("sales")
    created = (await client.post("/api/v1/orders", json=order_body(), headers=headers)).json()
    response = await client.get(
        f"/api/v1/orders/by-number/{created['number']}", headers=await auth.as_role("viewer")
    )
    assert response.status_code == 200, response.text
    assert response.json()["id"] == created["id"]
    assert response.headers["ETag"] == f'"{created["version"]}"'
    missing = await client.get("/api/v1/orders/by-number/SO-1999-000001", headers=headers)
    assert_problem(missing, 404, code="not_found")
