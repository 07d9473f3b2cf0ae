"""Invoices from shipments: a confirmed shipment of an on-shipment customer is invoiced in the
same transaction, its lines priced as the order was, the order's lines invoiced and its
billing status derived; the receivable posted as a balanced entry; a shipment billed once."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import select

from app.repositories.ledger import JournalLine
from tests.integration.test_shipments import confirm, created, data, picked_order, verify

__all__ = ["data"]


async def ship(client, auth, lines: dict[str, str]) -> tuple[dict, dict]:
    placed = await picked_order(client, auth, lines)
    body = await created(client, auth, placed["id"], None, packed=lines)
    assert (await verify(client, auth, body["id"], lines)).status_code == 200
    response = await confirm(client, auth, body["id"])
    assert response.status_code == 200, response.text
    return placed, response.json()


async def invoices_of(client, auth, order_id: str) -> list[dict]:
    response = await client.get(
        "/api/v1/invoices", params={"order_id": order_id}, headers=await auth.as_role("finance")
    )
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def test_a_confirmed_shipment_is_invoiced_and_posted(
    client, auth, data, sessionmaker
) -> None:
    placed, shipment = await ship(client, auth, {"S-1": "4", "S-2": "2"})
    [invoice] = await invoices_of(client, auth, placed["id"])
    assert invoice["status"] == "issued" and invoice["standing"] == "open"
    assert invoice["number"].startswith("INV-") and invoice["source"] == "on_shipment"
    assert [(x["sku"], x["quantity"], x["total"]) for x in invoice["lines"]] == [
        ("S-1", "4", "40.00"),
        ("S-2", "2", "20.00"),
    ]
    assert invoice["total"] == placed["totals"]["total"] == "60.00"
    assert invoice["balance"] == "60.00" and invoice["due_date"] is not None
    order = (
        await client.get(f"/api/v1/orders/{placed['id']}", headers=await auth.as_role("sales"))
    ).json()
    assert order["billing_status"] == "invoiced"
    assert [x["invoiced"] for x in order["lines"]] == ["4", "2"]
    async with sessionmaker() as session:
        legs = list(await session.scalars(select(JournalLine)))
    assert sum(x.debit for x in legs) == sum(x.credit for x in legs) == Decimal("60")
    assert {(x.account, x.debit, x.credit) for x in legs} == {
        ("1122", Decimal("60"), Decimal("0")),
        ("6001", Decimal("0"), Decimal("60")),
    }

    # Asked again by hand for the same shipment: the same invoice, nothing new.
    again = await client.post(
        "/api/v1/invoices",
        json={"shipment_ids": [shipment["id"]]},
        headers=await auth.as_role("finance"),
    )
    assert again.status_code == 201, again.text
    assert again.json()["id"] == invoice["id"]
    assert len(await invoices_of(client, auth, placed["id"])) == 1


async def test_only_finance_invoices(client, auth, data) -> None:
    _, shipment = await ship(client, auth, {"S-1": "1"})
    response = await client.post(
        "/api/v1/invoices",
        json={"shipment_ids": [shipment["id"]]},
        headers=await auth.as_role("warehouse"),
    )
    assert response.status_code == 403


async def test_a_payment_applied_in_full_makes_the_order_paid(
    client, auth, data, sessionmaker, settings
) -> None:
    from datetime import date

    from app import bootstrap
    from app.domain.billing.settlement import PaymentMethod
    from app.services.billing.settling import apply_payment, receive_payment

    placed, _ = await ship(client, auth, {"S-1": "3"})
    [invoice] = await invoices_of(client, auth, placed["id"])
    uow = bootstrap.unit_of_work(sessionmaker, bootstrap.build_bus(settings))
    async with uow:
        inv = await uow.invoices.get_for_update_or_raise(uuid.UUID(invoice["id"]))
        customer = await uow.customers.get_or_raise(inv.customer_id)
        payment = await receive_payment(
            uow,
            customer,
            amount=Decimal("20.00"),
            currency="CNY",
            method=PaymentMethod.BANK_TRANSFER,
            reference="T1",
            received_on=date.today(),
            actor="test",
        )
        await apply_payment(uow, payment, inv, Decimal("20.00"), actor="test")
        await uow.commit()
    order = (
        await client.get(f"/api/v1/orders/{placed['id']}", headers=await auth.as_role("sales"))
    ).json()
    assert order["billing_status"] == "partially_paid"
    async with uow:
        inv = await uow.invoices.get_for_update_or_raise(uuid.UUID(invoice["id"]))
        payment = await receive_payment(
            uow,
            customer,
            amount=Decimal("15.00"),
            currency="CNY",
            method=PaymentMethod.CASH,
            reference=None,
            received_on=date.today(),
            actor="test",
        )
        await apply_payment(uow, payment, inv, Decimal("10.00"), actor="test")
        await uow.commit()
    order = (
        await client.get(f"/api/v1/orders/{placed['id']}", headers=await auth.as_role("sales"))
    ).json()
    assert order["billing_status"] == "paid"
    paid = (
        await client.get(f"/api/v1/invoices/{invoice['id']}", headers=await auth.as_role("finance"))
    ).json()
    assert paid["standing"] == "paid" and paid["balance"] == "0.00"
    async with sessionmaker() as session:
        legs = list(await session.scalars(select(JournalLine)))
    assert sum(x.debit for x in legs) == sum(x.credit for x in legs)
    receivable = sum(x.debit - x.credit for x in legs if x.account == "1122")
    credit = sum(x.credit - x.debit for x in legs if x.account == "2203")
    assert receivable == 0 and credit == Decimal("5.00")
