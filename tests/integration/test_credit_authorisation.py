"""Who may decide credit and money (issue 11): payments at intake and reported later, and the
credit fields of a customer. A refusal is 403 (or 422 for a payment that does not add up) and
changes nothing."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest
from sqlalchemy import func, select

from app.main import create_app
from app.repositories.events import AuditEvent, OutboxEvent
from app.repositories.orders import Order
from tests.conftest import make_settings
from tests.factories import make_customer, make_product
from tests.support import Auth, assert_problem

ORDERS = "/api/v1/orders"
CUSTOMERS = "/api/v1/customers"
STOREFRONT_PAYER = ("orders:write", "orders:read", "orders:payment")


@pytest.fixture
async def data(sessionmaker):
    await make_product(sessionmaker, "W-1", list_price="100.00", floor_price="60.00", tax_rate="0")
    await make_customer(sessionmaker, "LIMIT500", credit_limit="500")


def order(quantity: str = "10", **kw):
    body = {
        "channel": "manual",
        "customer": {"code": "LIMIT500"},
        "lines": [{"sku": "W-1", "quantity": quantity}],
        "submit": True,
    }
    body.update(kw)
    return body


async def order_count(sessionmaker) -> int:
    async with sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(Order)) or 0)


async def storefront_key(auth, channel: str = "storefront") -> dict[str, str]:
    return await auth.with_scopes(*STOREFRONT_PAYER, channel=channel)


# --- 1. A payment declared at intake ------------------------------------------------------


@pytest.mark.parametrize("channel", ["manual", "storefront"])
async def test_sales_cannot_declare_a_payment_at_intake(client, auth, data, sessionmaker, channel):
    """The issue's case: a 1,000.00 order of a customer with a 500 limit, "paid 99999"."""
    sales = await auth.as_role("sales")
    response = await client.post(
        ORDERS,
        json=order(channel=channel, payment={"status": "paid", "amount": "99999"}),
        headers=sales,
    )
    assert_problem(response, 403, code="permission_denied")
    assert await order_count(sessionmaker) == 0


async def test_without_the_payment_the_credit_rule_holds_the_order(client, auth, data) -> None:
    placed = await client.post(ORDERS, json=order(), headers=await auth.as_role("sales"))
    assert placed.status_code == 201, placed.text
    assert placed.json()["holds"] == ["credit_limit_exceeded"]


async def test_a_payment_is_accepted_only_for_prepaid_channels(
    client, auth, data, sessionmaker
) -> None:
    admin = await auth.as_role("admin")
    response = await client.post(
        ORDERS, json=order(payment={"status": "paid", "amount": "1000"}), headers=admin
    )
    body = assert_problem(response, 422, code="rule_violation", field="payment")
    assert body["errors"][0]["rule"] == "prepaid_channel_only"
    assert await order_count(sessionmaker) == 0


@pytest.mark.parametrize(
    ("payment", "field", "rule"),
    [
        ({"status": "paid", "amount": "999.99"}, "payment.amount", "covers_total"),
        ({"status": "authorized", "amount": "0.01"}, "payment.amount", "covers_total"),
        ({"status": "paid"}, "payment.amount", "covers_total"),
        ({"status": "paid", "amount": "1000", "currency": "USD"}, "payment.currency", "currency"),
    ],
)
async def test_a_paid_or_authorised_payment_must_cover_the_total_in_the_order_currency(
    client, auth, data, sessionmaker, payment, field, rule
) -> None:
    key = await storefront_key(auth)
    response = await client.post(
        ORDERS, json=order(channel="storefront", external_ref="S-1", payment=payment), headers=key
    )
    body = assert_problem(response, 422, code="rule_violation", field=field)
    assert rule in {e["rule"] for e in body["errors"]}
    assert await order_count(sessionmaker) == 0


async def test_a_payment_covering_the_total_skips_the_credit_rule(client, auth, data) -> None:
    key = await storefront_key(auth)
    payment = {"status": "paid", "amount": "1000.00", "currency": "CNY", "reference": "P-1"}
    response = await client.post(
        ORDERS, json=order(channel="storefront", external_ref="S-2", payment=payment), headers=key
    )
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "approved"
    assert response.json()["payment"] == {"status": "paid", "reference": "P-1", "amount": "1000.00"}


async def test_a_key_of_another_channel_cannot_declare_a_payment(
    client, auth, data, sessionmaker
) -> None:
    key = await storefront_key(auth, channel="edi")
    response = await client.post(
        ORDERS,
        json=order(
            channel="storefront", external_ref="S-3", payment={"status": "paid", "amount": "1000"}
        ),
        headers=key,
    )
    assert_problem(response, 403, code="permission_denied")
    assert await order_count(sessionmaker) == 0


async def test_a_key_that_reports_payments_must_be_bound_to_a_channel(client, auth) -> None:
    admin = await auth.as_role("admin")
    unbound = await client.post(
        "/api/v1/api-keys", json={"name": "psp", "scopes": ["orders:payment"]}, headers=admin
    )
    assert_problem(unbound, 422, field="channel")
    bound = await client.post(
        "/api/v1/api-keys",
        json={"name": "shop", "scopes": ["orders:payment"], "channel": "storefront"},
        headers=admin,
    )
    assert bound.status_code == 201, bound.text
    assert bound.json()["channel"] == "storefront"


# --- 2. A payment reported later ------------------------------------------------------------


async def awaiting_payment(client, key, quantity: str = "5") -> dict:
    placed = await client.post(
        ORDERS,
        json=order(quantity, channel="storefront", external_ref=f"S-{quantity}"),
        headers=key,
    )
    assert placed.status_code == 201, placed.text
    assert placed.json()["holds"] == ["awaiting_payment"]
    return placed.json()


async def test_a_token_payment_is_recorded_but_keeps_the_hold(
    client, auth, data, sessionmaker
) -> None:
    key = await storefront_key(auth)
    placed = await awaiting_payment(client, key)  # 500.00
    partial = await client.post(
        f"{ORDERS}/{placed['id']}/payment",
        json={"status": "paid", "amount": "0.01", "reference": "PAY-1"},
        headers=key,
    )
    assert partial.status_code == 200, partial.text
    assert partial.json()["status"] == "on_hold"
    assert partial.json()["holds"] == ["awaiting_payment"]
    assert partial.json()["payment_status"] == "partially_paid"
    read = (await client.get(f"{ORDERS}/{placed['id']}", headers=key)).json()
    assert read["payment"] == {"status": "partially_paid", "reference": "PAY-1", "amount": "0.01"}
    async with sessionmaker() as session:
        audit = (
            await session.scalars(
                select(AuditEvent).where(
                    AuditEvent.entity_id == placed["id"], AuditEvent.action == "payment_updated"
                )
            )
        ).one()
        outbox = await session.scalar(
            select(func.count())
            .select_from(OutboxEvent)
            .where(
                OutboxEvent.aggregate_id == placed["id"],
                OutboxEvent.event_type == "order.payment_updated",
            )
        )
    assert audit.before["payment_status"] == "unpaid"
    assert audit.after["payment_status"] == "partially_paid"
    assert audit.after["reported_status"] == "paid" and audit.after["covers_total"] is False
    assert outbox == 1

    whole = await client.post(
        f"{ORDERS}/{placed['id']}/payment",
        json={"status": "paid", "amount": "500", "reference": "PAY-1"},
        headers=key,
    )
    assert whole.status_code == 200, whole.text
    assert (whole.json()["status"], whole.json()["payment_status"]) == ("approved", "paid")


async def test_an_authorisation_below_the_total_keeps_the_hold(client, auth, data) -> None:
    key = await storefront_key(auth)
    placed = await awaiting_payment(client, key)
    response = await client.post(
        f"{ORDERS}/{placed['id']}/payment",
        json={"status": "authorized", "amount": "499.99"},
        headers=key,
    )
    assert response.status_code == 200, response.text
    assert response.json()["holds"] == ["awaiting_payment"]
    assert response.json()["payment_status"] == "partially_authorized"


@pytest.mark.parametrize(
    ("payment", "field"),
    [
        ({"status": "paid", "amount": "500", "currency": "EUR"}, "currency"),
        ({"status": "paid"}, "amount"),
    ],
)
async def test_a_payment_report_in_another_currency_or_without_amount_is_422(
    client, auth, data, payment, field
) -> None:
    key = await storefront_key(auth)
    placed = await awaiting_payment(client, key)
    response = await client.post(f"{ORDERS}/{placed['id']}/payment", json=payment, headers=key)
    assert_problem(response, 422, code="rule_violation", field=field)
    read = (await client.get(f"{ORDERS}/{placed['id']}", headers=key)).json()
    assert read["payment"]["status"] == "unpaid" and read["holds"] == ["awaiting_payment"]


async def test_a_key_reports_payments_only_for_its_own_channel(client, auth, data) -> None:
    placed = await awaiting_payment(client, await storefront_key(auth))
    other = await storefront_key(auth, channel="edi")
    response = await client.post(
        f"{ORDERS}/{placed['id']}/payment", json={"status": "paid", "amount": "500"}, headers=other
    )
    assert_problem(response, 403, code="permission_denied")
    read = (await client.get(f"{ORDERS}/{placed['id']}", headers=other)).json()
    assert read["payment"]["status"] == "unpaid" and read["holds"] == ["awaiting_payment"]


async def test_finance_reports_payments_for_any_channel(client, auth, data) -> None:
    placed = await awaiting_payment(client, await storefront_key(auth))
    response = await client.post(
        f"{ORDERS}/{placed['id']}/payment",
        json={"status": "paid", "amount": "500"},
        headers=await auth.as_role("finance"),
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "approved"


# --- 3. The credit fields of a customer -----------------------------------------------------


async def customer(client, auth) -> dict:
    created = await client.post(
        CUSTOMERS,
        json={"code": "CR-1", "name": "华东贸易", "currency": "CNY", "credit_limit": "500"},
        headers=await auth.as_role("finance"),
    )
    assert created.status_code == 201, created.text
    return created.json()


@pytest.mark.parametrize(
    "change",
    [
        {"credit_limit": "99999"},
        {"payment_terms_days": 365},
        {"status": "active", "credit_limit": "500"},
        {"status": "blocked"},
        {"currency": "USD"},
    ],
)
async def test_sales_cannot_decide_credit_and_nothing_changes(
    client, auth, sessionmaker, change
) -> None:
    body = await customer(client, auth)
    if change.get("status") == "active":  # unblocking: finance blocked the customer first
        blocked = await client.patch(
            f"{CUSTOMERS}/{body['id']}",
            json={"status": "blocked"},
            headers={**await auth.as_role("finance"), "If-Match": '"1"'},
        )
        body = blocked.json()
    sales = await auth.as_role("sales")
    response = await client.patch(
        f"{CUSTOMERS}/{body['id']}",
        json={"name": "改名", **change},
        headers={**sales, "If-Match": f'"{body["version"]}"'},
    )
    assert_problem(response, 403, code="permission_denied")
    assert (await client.get(f"{CUSTOMERS}/{body['id']}", headers=sales)).json() == body


async def test_sales_edits_other_fields_and_may_repeat_the_credit_values(client, auth) -> None:
    body = await customer(client, auth)
    response = await client.patch(
        f"{CUSTOMERS}/{body['id']}",
        json={"name": "改名", "credit_limit": "500.00", "status": "active"},
        headers={**await auth.as_role("sales"), "If-Match": '"1"'},
    )
    assert response.status_code == 200, response.text
    assert response.json()["name"] == "改名" and response.json()["credit_limit"] == "500.00"


@pytest.mark.parametrize("role", ["finance", "admin"])
async def test_finance_and_admin_decide_credit_with_an_audit_trail(
    client, auth, sessionmaker, role
) -> None:
    body = await customer(client, auth)
    response = await client.patch(
        f"{CUSTOMERS}/{body['id']}",
        json={"credit_limit": "2000", "payment_terms_days": 45, "status": "on_hold"},
        headers={**await auth.as_role(role), "If-Match": '"1"'},
    )
    assert response.status_code == 200, response.text
    async with sessionmaker() as session:
        audit = (
            await session.scalars(
                select(AuditEvent).where(
                    AuditEvent.entity_id == body["id"], AuditEvent.action == "updated"
                )
            )
        ).one()
    assert audit.actor.startswith(f"user:{role}")
    assert Decimal(audit.before["credit_limit"]) == 500
    assert Decimal(audit.after["credit_limit"]) == 2000
    assert (audit.before["payment_terms_days"], audit.after["payment_terms_days"]) == (30, 45)
    assert (audit.before["status"], audit.after["status"]) == ("active", "on_hold")


async def test_a_held_order_stays_held_when_sales_tries_to_raise_the_limit(
    client, auth, data, sessionmaker
) -> None:
    """The issue's case: finance held an order; sales raising the limit must not approve it."""
    sales = await auth.as_role("sales")
    held = (await client.post(ORDERS, json=order(), headers=sales)).json()
    assert held["holds"] == ["credit_limit_exceeded"]
    raised = await client.patch(
        f"{CUSTOMERS}/{held['customer_id']}",
        json={"credit_limit": "1000000"},
        headers={**sales, "If-Match": '"1"'},
    )
    assert_problem(raised, 403, code="permission_denied")
    released = await client.post(
        f"{ORDERS}/{held['id']}/release",
        json={"reason": "re-check"},
        headers=await auth.as_role("finance"),
    )
    assert released.json()["holds"] == ["credit_limit_exceeded"]


async def test_creating_a_customer_with_credit_needs_the_permission(
    client, auth, sessionmaker
) -> None:
    body = {"code": "NEW-1", "name": "新客户", "currency": "CNY"}
    for headers in (await auth.as_role("sales"), await auth.with_scopes("customers:write")):
        for extra in ({"credit_limit": "0.01"}, {"payment_terms_days": 90}):
            response = await client.post(CUSTOMERS, json={**body, **extra}, headers=headers)
            assert_problem(response, 403, code="permission_denied")
    async with sessionmaker() as session:
        written = select(func.count()).where(AuditEvent.entity_type == "customer")
        assert await session.scalar(written) == 0
    cash = await client.post(
        CUSTOMERS, json={**body, "payment_terms_days": 14}, headers=await auth.as_role("sales")
    )
    assert cash.status_code == 201, cash.text
    assert cash.json()["credit_limit"] == "0.00"
    finance = await client.post(
        CUSTOMERS,
        json={**body, "code": "NEW-2", "credit_limit": "50000", "payment_terms_days": 90},
        headers=await auth.as_role("finance"),
    )
    assert finance.status_code == 201, finance.text


async def test_the_credit_limit_allowed_without_the_permission_is_a_setting(
    database_url, sessionmaker
) -> None:
    settings = make_settings(database_url, new_customer_credit_limit_max="1000")
    app = create_app(settings, sessionmaker=sessionmaker)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        sales = await Auth(client, sessionmaker, settings).as_role("sales")
        body = {"name": "新客户", "currency": "CNY"}
        allowed = await client.post(
            CUSTOMERS, json={**body, "code": "S-1", "credit_limit": "1000"}, headers=sales
        )
        assert allowed.status_code == 201, allowed.text
        above = await client.post(
            CUSTOMERS, json={**body, "code": "S-2", "credit_limit": "1000.01"}, headers=sales
        )
        assert_problem(above, 403, code="permission_denied")
