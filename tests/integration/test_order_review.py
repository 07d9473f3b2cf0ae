"""Review on submit, approvals with segregation of duties, holds, payments and credit,
through the HTTP API on both engines."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.domain.credit import CreditPosition
from app.repositories.reviews import ReviewRepository
from tests.factories import make_customer, make_product
from tests.support import assert_problem


@pytest.fixture
async def data(sessionmaker):
    await make_product(sessionmaker, "W-1", list_price="100.00", floor_price="60.00", tax_rate="0")
    await make_customer(sessionmaker, "ACME", credit_limit="1000")


async def set_policy(client, auth, **changes) -> None:
    admin = await auth.as_role("admin")
    current = await client.get("/api/v1/settings/review", headers=admin)
    response = await client.put(
        "/api/v1/settings/review",
        json=changes,
        headers={**admin, "If-Match": current.headers["etag"]},
    )
    assert response.status_code == 200, response.text


def body(quantity: str = "1", **kw):
    order = {
        "channel": "manual",
        "customer": {"code": "ACME"},
        "lines": [{"sku": "W-1", "quantity": quantity}],
        "submit": True,
    }
    order.update(kw)
    return order


async def place(client, headers, **kw):
    response = await client.post("/api/v1/orders", json=body(**kw), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def test_clean_order_is_approved_with_stored_review(client, auth, data) -> None:
    sales = await auth.as_role("sales")
    order = await place(client, sales)
    assert order["status"] == "approved" and order["holds"] == []
    review = (await client.get(f"/api/v1/orders/{order['id']}/review", headers=sales)).json()
    assert review["outcome"] == "approved"
    assert [r["rule"] for r in review["results"]] == [
        "completeness",
        "customer_status",
        "price",
        "payment",
        "credit",
        "amount",
    ]
    assert all(r["result"] == "pass" for r in review["results"])
    assert review["reviewed_by"].startswith("user:sales")


async def test_amount_above_t2_needs_sales_manager_then_finance(client, auth, data) -> None:
    await set_policy(client, auth, amount_threshold_1="150", amount_threshold_2="250")
    sales = await auth.as_role("sales")
    order = await place(client, sales, quantity="3")
    assert order["status"] == "pending_approval"
    assert order["pending_approvals"] == ["sales_manager", "finance"]

    finance = await auth.as_role("finance")
    too_early = await client.post(f"/api/v1/orders/{order['id']}/approve", json={}, headers=finance)
    assert_problem(too_early, 403)
    queue = (await client.get("/api/v1/approvals", headers=finance)).json()
    assert queue["items"] == []

    manager = await auth.as_role("sales_manager")
    queue = (await client.get("/api/v1/approvals", headers=manager)).json()
    assert [o["number"] for o in queue["items"]] == [order["number"]]
    first = await client.post(
        f"/api/v1/orders/{order['id']}/approve", json={"comment": "ok"}, headers=manager
    )
    assert first.status_code == 200, first.text
    assert first.json()["pending_approvals"] == ["finance"]
    assert first.json()["status"] == "pending_approval"

    second = await client.post(f"/api/v1/orders/{order['id']}/approve", json={}, headers=finance)
    assert second.json()["status"] == "approved"
    review = (await client.get(f"/api/v1/orders/{order['id']}/review", headers=sales)).json()
    assert [(d["action"], d["role"]) for d in review["decisions"]] == [
        ("approve", "sales_manager"),
        ("approve", "finance"),
    ]
    assert review["decisions"][0]["comment"] == "ok"
    again = await client.post(f"/api/v1/orders/{order['id']}/approve", json={}, headers=finance)
    assert_problem(again, 409, code="order_not_pending_approval")


async def test_nobody_approves_their_own_order(client, auth, data) -> None:
    await set_policy(client, auth, amount_threshold_1="50", amount_threshold_2="1000")
    manager = await auth.as_role("sales_manager")
    order = await place(client, manager)
    response = await client.post(f"/api/v1/orders/{order['id']}/approve", json={}, headers=manager)
    assert_problem(response, 403, code="segregation_of_duties")
    state = (await client.get(f"/api/v1/orders/{order['id']}", headers=manager)).json()
    assert state["status"] == "pending_approval"


async def test_editor_cannot_approve_and_editing_reviews_again(client, auth, data) -> None:
    await set_policy(client, auth, amount_threshold_1="150", amount_threshold_2="1000")
    sales = await auth.as_role("sales")
    order = await place(client, sales, quantity="2")
    assert order["status"] == "pending_approval"
    manager = await auth.as_role("sales_manager")
    edited = await client.patch(
        f"/api/v1/orders/{order['id']}",
        json={"lines": [{"sku": "W-1", "quantity": "1"}]},
        headers={**manager, "If-Match": f'"{order["version"]}"'},
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["status"] == "approved"  # 100 is below T1 now
    edited_up = await client.patch(
        f"/api/v1/orders/{order['id']}",
        json={"lines": [{"sku": "W-1", "quantity": "2"}]},
        headers={**sales, "If-Match": f'"{edited.json()["version"]}"'},
    )
    assert edited_up.json()["status"] == "pending_approval"
    refused = await client.post(f"/api/v1/orders/{order['id']}/approve", json={}, headers=manager)
    assert_problem(refused, 403, code="segregation_of_duties")


async def test_reject_is_final(client, auth, data) -> None:
    await set_policy(client, auth, amount_threshold_1="50", amount_threshold_2="1000")
    order = await place(client, await auth.as_role("sales"))
    manager = await auth.as_role("sales_manager")
    rejected = await client.post(
        f"/api/v1/orders/{order['id']}/reject", json={"reason": "price war"}, headers=manager
    )
    assert rejected.json()["status"] == "rejected"
    assert_problem(
        await client.post(f"/api/v1/orders/{order['id']}/approve", json={}, headers=manager), 409
    )
    assert_problem(
        await client.post(
            f"/api/v1/orders/{order['id']}/reject", json={"reason": "x"}, headers=manager
        ),
        409,
    )


async def test_credit_limit_hold_only_finance_releases(client, auth, data) -> None:
    sales = await auth.as_role("sales")
    first = await place(client, sales, quantity="8")  # 800 of 1000
    assert first["status"] == "approved"
    second = await place(client, sales, quantity="3")  # 800 + 300 > 1000
    assert second["status"] == "on_hold" and second["holds"] == ["credit_limit_exceeded"]
    credit = (
        await client.get(f"/api/v1/customers/{first['customer_id']}/credit", headers=sales)
    ).json()
    assert credit == {
        "customer_id": first["customer_id"],
        "currency": "CNY",
        "limit": "1000.00",
        "open_receivables": "0.00",
        "open_orders": "800.00",
        "exposure": "800.00",
        "available": "200.00",
        "overdue_amount": "0.00",
        "max_days_overdue": 0,
    }
    for role in ("sales", "sales_manager"):
        refused = await client.post(
            f"/api/v1/orders/{second['id']}/release",
            json={"reason": "good customer"},
            headers=await auth.as_role(role),
        )
        assert_problem(refused, 403)
    released = await client.post(
        f"/api/v1/orders/{second['id']}/release",
        json={"code": "credit_limit_exceeded", "reason": "CFO ok"},
        headers=await auth.as_role("finance"),
    )
    assert released.status_code == 200, released.text
    assert released.json()["status"] == "on_hold"  # still over the limit when re-checked
    assert released.json()["holds"] == ["credit_limit_exceeded"]


async def test_released_hold_approves_when_credit_now_suffices(client, auth, data) -> None:
    sales = await auth.as_role("sales")
    first = await place(client, sales, quantity="8")
    second = await place(client, sales, quantity="3")
    assert second["status"] == "on_hold"
    await client.post(f"/api/v1/orders/{first['id']}/cancel", json={"reason": "x"}, headers=sales)
    released = await client.post(
        f"/api/v1/orders/{second['id']}/release",
        json={"reason": "first order cancelled"},
        headers=await auth.as_role("finance"),
    )
    assert released.json()["status"] == "approved"


def fall_overdue(monkeypatch) -> None:
    """From now on the customer has receivables 45 days overdue (more than the 30 allowed),
    well within its credit limit: only the overdue rule can hold its orders."""

    async def overdue(self, customer, *, exclude_order_id=None) -> CreditPosition:
        return CreditPosition(
            limit=customer.credit_limit,
            open_receivables=Decimal("100.00"),
            open_orders=Decimal("0.00"),
            overdue_amount=Decimal("100.00"),
            max_days_overdue=45,
        )

    monkeypatch.setattr(ReviewRepository, "credit_position", overdue)


async def test_releasing_the_last_hold_rechecks_overdue_receivables(
    client, auth, data, monkeypatch
) -> None:
    """The re-check after the last release runs review's credit rule, overdue rule included
    (it used to check the limit only and approve this order)."""
    manager = await auth.as_role("sales_manager")
    order = await place(client, await auth.as_role("sales"))
    assert order["status"] == "approved"
    held = await client.post(
        f"/api/v1/orders/{order['id']}/hold", json={"reason": "check address"}, headers=manager
    )
    assert held.json()["holds"] == ["manual"]
    fall_overdue(monkeypatch)
    released = await client.post(
        f"/api/v1/orders/{order['id']}/release",
        json={"reason": "address confirmed"},
        headers=manager,
    )
    assert released.status_code == 200, released.text
    assert released.json()["status"] == "on_hold"
    assert released.json()["holds"] == ["overdue_receivables"]
    review = (await client.get(f"/api/v1/orders/{order['id']}/review", headers=manager)).json()
    assert review["status"] == "on_hold" and review["holds"] == ["overdue_receivables"]


async def test_the_last_approval_rechecks_overdue_receivables(
    client, auth, data, monkeypatch
) -> None:
    await set_policy(client, auth, amount_threshold_1="50", amount_threshold_2="1000")
    order = await place(client, await auth.as_role("sales"))
    assert order["status"] == "pending_approval"
    fall_overdue(monkeypatch)
    approved = await client.post(
        f"/api/v1/orders/{order['id']}/approve",
        json={},
        headers=await auth.as_role("sales_manager"),
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "on_hold"
    assert approved.json()["holds"] == ["overdue_receivables"]
    assert approved.json()["pending_approvals"] == []


async def test_storefront_order_waits_for_payment_then_is_released(client, auth, data) -> None:
    key = await auth.with_scopes(
        "orders:write", "orders:read", "orders:payment", channel="storefront"
    )
    order = (
        await client.post(
            "/api/v1/orders", headers=key, json=body(channel="storefront", external_ref="S-1")
        )
    ).json()
    assert order["status"] == "on_hold" and order["holds"] == ["awaiting_payment"]
    paid = await client.post(
        f"/api/v1/orders/{order['id']}/payment",
        headers=key,
        json={"status": "paid", "reference": "PAY-9", "amount": "100"},
    )
    assert paid.status_code == 200, paid.text
    assert paid.json()["status"] == "approved" and paid.json()["payment_status"] == "paid"


async def test_fully_prepaid_order_skips_credit(client, auth, data, sessionmaker) -> None:
    await make_customer(sessionmaker, "TINY", credit_limit="0")
    # A payment at intake is reported by a key that may report payments for its channel.
    key = await auth.with_scopes(
        "orders:write", "orders:read", "orders:payment", channel="storefront"
    )
    order = (
        await client.post(
            "/api/v1/orders",
            headers=key,
            json=body(
                customer={"code": "TINY"},
                channel="storefront",
                external_ref="S-2",
                payment={"status": "paid", "reference": "P", "amount": "100"},
            ),
        )
    ).json()
    assert order["status"] == "approved"
    review = (await client.get(f"/api/v1/orders/{order['id']}/review", headers=key)).json()
    credit = next(r for r in review["results"] if r["rule"] == "credit")
    assert credit["result"] == "skipped"


async def test_on_hold_customer_and_manual_hold(client, auth, data, sessionmaker) -> None:
    await make_customer(sessionmaker, "SLOW", status="on_hold")
    sales = await auth.as_role("sales")
    held = await place(client, sales, customer={"code": "SLOW"})
    assert held["holds"] == ["customer_on_hold"]
    order = await place(client, sales)
    assert_problem(
        await client.post(
            f"/api/v1/orders/{order['id']}/hold", json={"reason": "check address"}, headers=sales
        ),
        403,
    )
    manager = await auth.as_role("sales_manager")
    on_hold = await client.post(
        f"/api/v1/orders/{order['id']}/hold", json={"reason": "check address"}, headers=manager
    )
    assert on_hold.json()["status"] == "on_hold" and on_hold.json()["holds"] == ["manual"]
    released = await client.post(
        f"/api/v1/orders/{order['id']}/release",
        json={"reason": "address confirmed"},
        headers=manager,
    )
    assert released.json()["status"] == "approved"


async def test_below_floor_override_submitted_needs_price_approval(client, auth, data) -> None:
    manager = await auth.as_role("sales_manager")
    draft = await place(
        client, manager, lines=[{"sku": "W-1", "quantity": "1", "unit_price": "50"}]
    )
    assert draft["status"] == "draft"
    submitted = await client.post(f"/api/v1/orders/{draft['id']}/submit", headers=manager)
    assert submitted.json()["status"] == "pending_approval"
    assert submitted.json()["pending_approvals"] == ["sales_manager"]
    other_manager = {**await auth.as_role("sales_manager", "viewer")}
    approved = await client.post(
        f"/api/v1/orders/{draft['id']}/approve", json={}, headers=other_manager
    )
    assert approved.json()["status"] == "approved"


async def test_approve_needs_a_person_with_the_scope(client, auth, data) -> None:
    await set_policy(client, auth, amount_threshold_1="50", amount_threshold_2="1000")
    order = await place(client, await auth.as_role("sales"))
    viewer = await auth.as_role("viewer")
    assert_problem(
        await client.post(f"/api/v1/orders/{order['id']}/approve", json={}, headers=viewer), 403
    )
    assert_problem(await client.post(f"/api/v1/orders/{order['id']}/approve", json={}), 401)
