"""Short-close and completion through HTTP on both engines: an order partly shipped and
short-closed releases its reservations and backorders, derives fulfilment and billing from
what was shipped, and once that is invoiced, delivered and paid it is completed (derived);
the refusals change nothing."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from app import bootstrap
from app.domain.billing.settlement import PaymentMethod
from app.repositories.reservations import Reservation
from app.repositories.uow import SqlAlchemyUnitOfWork
from app.services.billing.settling import apply_payment, receive_payment
from app.services.check import check_invariants
from tests.integration.billing.test_invoicing import invoices_of
from tests.integration.test_shipments import (
    SHANGHAI,
    SHIPMENTS,
    confirm,
    created,
    data,
    level,
    order_view,
    verify,
)
from tests.support import assert_problem

__all__ = ["data"]


async def receive(client, auth, sku: str, quantity: str) -> None:
    response = await client.post(
        "/api/v1/stock/movements",
        headers=await auth.as_role("warehouse"),
        json={"warehouse": "HZ", "sku": sku, "kind": "receipt", "quantity": quantity},
    )
    assert response.status_code == 201, response.text


async def place(client, auth, lines: dict[str, str], submit: bool = True) -> dict:
    response = await client.post(
        "/api/v1/orders",
        headers=await auth.as_role("sales"),
        json={
            "channel": "manual",
            "customer": {"code": "ACME"},
            "ship_to": SHANGHAI,
            "lines": [{"sku": sku, "quantity": q} for sku, q in lines.items()],
            "submit": submit,
        },
    )
    assert response.status_code == 201, response.text
    return response.json()


async def partly_shipped(client, auth) -> tuple[dict, dict]:
    """S-1: 5 ordered, 3 in stock (2 backordered), S-2: 2 ordered and reserved; both picked,
    only the three S-1 shipped (own fleet) — invoiced at once (on shipment)."""
    await receive(client, auth, "S-1", "3")
    await receive(client, auth, "S-2", "2")
    placed = await place(client, auth, {"S-1": "5", "S-2": "2"})
    assert placed["fulfillment_status"] == "partially_reserved"
    warehouse = await auth.as_role("warehouse")
    pick = await client.post(
        "/api/v1/pick-lists",
        headers=warehouse,
        json={"warehouse": "HZ", "order_ids": [placed["id"]]},
    )
    assert pick.status_code == 201, pick.text
    picked = await client.post(
        f"/api/v1/pick-lists/{pick.json()['id']}/confirm",
        headers=warehouse,
        json={"lines": [{"sku": "S-1", "picked": "3"}, {"sku": "S-2", "picked": "2"}]},
    )
    assert picked.status_code == 200, picked.text
    shipment = await created(client, auth, placed["id"], {"S-1": "3"})
    assert (await verify(client, auth, shipment["id"], {"S-1": "3"})).status_code == 200
    assert (await confirm(client, auth, shipment["id"])).status_code == 200
    return placed, shipment


async def open_orders(client, auth, customer_id: str) -> Decimal:
    """The customer's committed orders not yet invoiced, as the credit position counts them."""
    response = await client.get(
        f"/api/v1/customers/{customer_id}/credit", headers=await auth.as_role("finance")
    )
    assert response.status_code == 200, response.text
    return Decimal(response.json()["open_orders"])


async def backorders(client, auth, order_id: str) -> list[dict]:
    response = await client.get("/api/v1/backorders", headers=await auth.as_role("viewer"))
    assert response.status_code == 200, response.text
    return [x for x in response.json()["items"] if x["order_id"] == order_id]


async def short_close(client, auth, order: dict, reason: str = "customer takes no more"):
    return await client.post(
        f"/api/v1/orders/{order['id']}/short-close",
        json={"reason": reason},
        headers=await auth.as_role("sales"),
    )


async def pay(sessionmaker, settings, invoice_id: str, amount: str) -> None:
    uow = bootstrap.unit_of_work(sessionmaker, bootstrap.build_bus(settings))
    async with uow:
        invoice = await uow.invoices.get_for_update_or_raise(uuid.UUID(invoice_id))
        customer = await uow.customers.get_or_raise(invoice.customer_id)
        payment = await receive_payment(
            uow,
            customer,
            amount=Decimal(amount),
            currency="CNY",
            method=PaymentMethod.BANK_TRANSFER,
            reference="T-SC",
            received_on=date.today(),
            actor="test",
        )
        await apply_payment(uow, payment, invoice, Decimal(amount), actor="test")
        await uow.commit()


async def test_a_short_closed_order_releases_what_it_holds_and_completes(
    client, auth, data, sessionmaker, settings
) -> None:
    placed, shipment = await partly_shipped(client, auth)
    order = await order_view(client, auth, placed["id"])
    assert order["fulfillment_status"] == "partially_shipped"
    assert order["billing_status"] == "partially_invoiced" and order["completed"] is False
    assert [x["backordered"] for x in await backorders(client, auth, placed["id"])] == ["2"]
    assert await level(client, auth, "S-2") == ("2", "2")
    # What nobody will ship stops counting against credit once the order is short-closed.
    assert await open_orders(client, auth, placed["customer_id"]) > Decimal(0)

    response = await short_close(client, auth, order)
    assert response.status_code == 200, response.text
    closed = response.json()
    assert await open_orders(client, auth, placed["customer_id"]) == Decimal(0)
    assert closed["short_close_reason"] == "customer takes no more" and closed["short_closed_at"]
    # Its reservations went back, no backorder is left, the statuses count what shipped.
    assert [(x["sku"], x["reserved"], x["shipped"]) for x in closed["lines"]] == [
        ("S-1", "0", "3"),
        ("S-2", "0", "0"),
    ]
    assert await level(client, auth, "S-2") == ("2", "0")
    async with sessionmaker() as session:
        held = await session.scalars(
            select(Reservation).where(Reservation.order_id == uuid.UUID(placed["id"]))
        )
        assert sum(r.quantity for r in held) == 0
    assert await backorders(client, auth, placed["id"]) == []
    assert closed["fulfillment_status"] == "shipped"
    assert closed["billing_status"] == "invoiced" and closed["completed"] is False
    # Stock arriving later is not allocated to it.
    await receive(client, auth, "S-1", "5")
    assert await level(client, auth, "S-1") == ("5", "0")
    assert (await order_view(client, auth, placed["id"]))["lines"][0]["reserved"] == "0"
    allocate = await client.post(
        f"/api/v1/orders/{placed['id']}/allocate", headers=await auth.as_role("admin")
    )
    assert_problem(allocate, 409, code="order_short_closed")

    delivered = await client.post(
        f"{SHIPMENTS}/{shipment['id']}/deliver",
        headers=await auth.as_role("warehouse"),
        json={"receiver_name": "王五"},
    )
    assert delivered.status_code == 200, delivered.text
    order = await order_view(client, auth, placed["id"])
    assert order["fulfillment_status"] == "delivered" and order["completed"] is False
    [invoice] = await invoices_of(client, auth, placed["id"])
    assert invoice["total"] == "30.00"
    await pay(sessionmaker, settings, invoice["id"], "30.00")
    order = await order_view(client, auth, placed["id"])
    assert order["billing_status"] == "paid" and order["completed"] is True

    viewer = await auth.as_role("viewer")
    done = await client.get("/api/v1/orders", params={"completed": "true"}, headers=viewer)
    assert [x["id"] for x in done.json()["items"]] == [placed["id"]]
    assert done.json()["items"][0]["completed"] is True
    open_ = await client.get("/api/v1/orders", params={"completed": "false"}, headers=viewer)
    assert placed["id"] not in [x["id"] for x in open_.json()["items"]]
    assert await check_invariants(SqlAlchemyUnitOfWork(sessionmaker)) == []


async def test_short_close_refusals_change_nothing(client, auth, data, sessionmaker) -> None:
    draft = await place(client, auth, {"S-1": "1"}, submit=False)
    assert_problem(await short_close(client, auth, draft), 409, code="order_not_short_closable")
    await receive(client, auth, "S-1", "1")
    approved = await place(client, auth, {"S-1": "1"})
    assert_problem(await short_close(client, auth, approved), 409, code="order_not_shipped")
    unchanged = await order_view(client, auth, approved["id"])
    assert unchanged["short_closed_at"] is None and unchanged["lines"][0]["reserved"] == "1"

    cancel = await client.post(
        f"/api/v1/orders/{approved['id']}/cancel",
        json={"reason": "no longer wanted"},
        headers=await auth.as_role("sales"),
    )
    assert cancel.status_code == 200, cancel.text
    assert_problem(
        await short_close(client, auth, cancel.json()), 409, code="order_not_short_closable"
    )

    placed, _ = await partly_shipped(client, auth)
    order = await order_view(client, auth, placed["id"])
    sales = await auth.as_role("sales")
    url = f"/api/v1/orders/{placed['id']}/short-close"
    current = sales
    assert_problem(
        await client.post(url, json={"reason": ""}, headers=current), 422, field="reason"
    )
    assert_problem(await client.post(url, json={}, headers=current), 422, field="reason")
    viewer = await auth.as_role("viewer")
    assert (await client.post(url, json={"reason": "x"}, headers=viewer)).status_code == 403
    after = await order_view(client, auth, placed["id"])
    assert after["short_closed_at"] is None and after["version"] == order["version"]

    assert (await short_close(client, auth, order)).status_code == 200
    twice = await short_close(client, auth, await order_view(client, auth, placed["id"]))
    assert_problem(twice, 409, code="order_short_closed")
