"""Voiding invoices through HTTP: a draft gives its lines back; an issued unpaid invoice is
cleared by a red-letter credit note through the e-invoice provider; one with a payment is
refused; special invoices need the buyer's full details; a provider failure changes nothing."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest

from app import bootstrap
from app.adapters.einvoice.fake import FakeEInvoiceProvider
from app.domain.billing.settlement import PaymentMethod
from app.services.billing.settling import apply_payment, receive_payment
from tests.integration.billing.helpers import (
    SPECIAL_BUYER,
    books,
    counts,
    get_invoice,
    set_customer,
    taxed_product,
)
from tests.integration.billing.test_invoicing import invoices_of, ship
from tests.integration.test_shipments import data, order_view
from tests.support import assert_problem

__all__ = ["data"]


@pytest.fixture
async def vat(data, sessionmaker) -> None:
    await taxed_product(sessionmaker)


@pytest.fixture
def provider(app, settings) -> FakeEInvoiceProvider:
    """The app runs with a fake e-invoice provider (the app's state is put back after)."""
    fake = FakeEInvoiceProvider()
    app.state.bus = bootstrap.build_bus(app.state.settings, einvoice=fake)
    return fake


async def void(client, auth, invoice: dict, reason: str = "开错了"):
    return await client.post(
        f"/api/v1/invoices/{invoice['id']}/void",
        json={"reason": reason},
        headers=await auth.as_role("finance"),
    )


async def manual(client, auth, shipment_id: str, **body):
    return await client.post(
        "/api/v1/invoices",
        json={"shipment_ids": [shipment_id], **body},
        headers=await auth.as_role("finance"),
    )


async def test_void_of_a_draft_gives_the_lines_back(client, auth, vat, sessionmaker) -> None:
    await set_customer(sessionmaker, invoicing_policy="periodic", invoicing_period="month")
    placed, shipment = await ship(client, auth, {"V-1": "2"})
    assert await invoices_of(client, auth, placed["id"]) == []
    response = await manual(client, auth, shipment["id"], issue=False)
    assert response.status_code == 201, response.text
    draft = response.json()
    assert draft["status"] == "draft"
    assert [x["invoiced"] for x in (await order_view(client, auth, placed["id"]))["lines"]] == ["2"]
    voided = await void(client, auth, draft)
    assert voided.status_code == 200, voided.text
    body = voided.json()
    assert body["status"] == "void" and body["void_reason"] == "开错了"
    order = await order_view(client, auth, placed["id"])
    assert [x["invoiced"] for x in order["lines"]] == ["0"]
    assert order["billing_status"] == "unbilled"
    assert await books(sessionmaker) == {} and (await counts(sessionmaker))[0] == 0
    again = await manual(client, auth, shipment["id"])
    assert again.status_code == 201, again.text
    assert again.json()["id"] != draft["id"] and again.json()["status"] == "issued"
    assert_problem(await void(client, auth, body), 409, code="already_void")


async def test_void_of_an_issued_invoice_leaves_a_red_letter_note(
    client, auth, vat, sessionmaker, provider
) -> None:
    placed, shipment = await ship(client, auth, {"V-1": "3"})
    [invoice] = await invoices_of(client, auth, placed["id"])
    assert invoice["provider_number"].startswith("FP")
    finance = await auth.as_role("finance")
    line = invoice["lines"][0]
    returned = await client.post(
        "/api/v1/credit-notes",
        json={
            "invoice_id": invoice["id"],
            "reason": "returned_goods",
            "lines": [{"invoice_line_id": line["id"], "quantity": "1"}],
        },
        headers=finance,
    )
    assert returned.status_code == 201, returned.text
    invoice = await get_invoice(client, auth, invoice["id"])

    voided = await void(client, auth, invoice)
    assert voided.status_code == 200, voided.text
    body = voided.json()
    assert body["status"] == "void" and body["balance"] == "0.00"
    assert body["amount_credited"] == body["total"]
    notes = (
        await client.get(
            "/api/v1/credit-notes", params={"invoice_id": invoice["id"]}, headers=finance
        )
    ).json()["items"]
    red = next(n for n in notes if n["reason"] == "void")
    assert red["note"] == "开错了" and red["provider_number"].startswith("HZ")
    assert Decimal(red["total"]) == Decimal(invoice["total"]) - Decimal(returned.json()["total"])
    assert red["unapplied"] == "0.00"
    kinds = [kind for kind, _ in provider.calls]
    assert kinds == ["issue", "red_letter", "red_letter"]
    assert provider.calls[-1][1].reverses == invoice["provider_number"]
    ledger = await books(sessionmaker)
    assert ledger["1122"] == 0 and ledger["6001"] == 0 and ledger["22210106"] == 0
    assert ledger.get("2203", 0) == 0
    order = await order_view(client, auth, placed["id"])
    assert [x["invoiced"] for x in order["lines"]] == ["0"]
    again = await manual(client, auth, shipment["id"])
    assert again.status_code == 201 and again.json()["id"] != invoice["id"]


async def test_void_of_an_invoice_with_a_payment_is_refused(
    client, auth, vat, sessionmaker, settings
) -> None:
    placed, _ = await ship(client, auth, {"V-1": "1"})
    [invoice] = await invoices_of(client, auth, placed["id"])
    uow = bootstrap.unit_of_work(sessionmaker, bootstrap.build_bus(settings))
    async with uow:
        inv = await uow.invoices.get_for_update_or_raise(uuid.UUID(invoice["id"]))
        customer = await uow.customers.get_or_raise(inv.customer_id)
        payment = await receive_payment(
            uow,
            customer,
            amount=Decimal("10.00"),
            currency="CNY",
            method=PaymentMethod.BANK_TRANSFER,
            reference="T1",
            received_on=date.today(),
            actor="test",
        )
        await apply_payment(uow, payment, inv, Decimal("10.00"), actor="test")
        await uow.commit()
    invoice = await get_invoice(client, auth, invoice["id"])
    before = (await counts(sessionmaker), await books(sessionmaker))
    assert_problem(await void(client, auth, invoice), 409, code="invoice_has_payments")
    assert (await counts(sessionmaker), await books(sessionmaker)) == before
    assert (await get_invoice(client, auth, invoice["id"]))["status"] == "issued"


async def test_a_provider_failure_is_a_502_and_changes_nothing(
    client, auth, vat, sessionmaker, provider
) -> None:
    placed, _ = await ship(client, auth, {"V-1": "1"})
    [invoice] = await invoices_of(client, auth, placed["id"])
    provider.fail = "税务平台暂不可用"
    before = (await counts(sessionmaker), await books(sessionmaker))
    refused = await void(client, auth, invoice)
    body = assert_problem(refused, 502, code="einvoice_unavailable")
    assert "税务平台暂不可用" in body["detail"]
    assert (await counts(sessionmaker), await books(sessionmaker)) == before
    after = await get_invoice(client, auth, invoice["id"])
    assert after["status"] == "issued" and after["version"] == invoice["version"]
    order = await order_view(client, auth, placed["id"])
    assert [x["invoiced"] for x in order["lines"]] == ["1"]
    provider.fail = None
    assert (await void(client, auth, after)).status_code == 200


async def test_a_special_invoice_needs_the_buyers_full_valid_details(
    client, auth, vat, sessionmaker
) -> None:
    # Stored before the rule (or imported): the API itself refuses an invalid id.
    bad = {**SPECIAL_BUYER, "taxpayer_id": "91350100M000100Y44"}
    await set_customer(sessionmaker, invoice_type="special", tax_registration=bad)
    placed, _ = await ship(client, auth, {"V-1": "1"})
    # The automatic invoice is drafted, not issued: the shipment still confirmed.
    [draft] = await invoices_of(client, auth, placed["id"])
    assert draft["status"] == "draft" and draft["invoice_type"] == "special"
    issued = await client.post(
        f"/api/v1/invoices/{draft['id']}/issue",
        headers=await auth.as_role("finance"),
    )
    assert_problem(issued, 422, field="tax_registration.taxpayer_id")
    assert (await get_invoice(client, auth, draft["id"]))["status"] == "draft"

    # Incomplete details on a manual special invoice: 422 naming the missing field.
    await set_customer(
        sessionmaker,
        invoice_type="ordinary",
        invoicing_policy="periodic",
        invoicing_period="month",
        tax_registration={**SPECIAL_BUYER, "bank": None},
    )
    _, other = await ship(client, auth, {"V-1": "1"})
    refused = await manual(client, auth, other["id"], invoice_type="special")
    assert_problem(refused, 422, field="tax_registration.bank")
    await set_customer(sessionmaker, tax_registration=SPECIAL_BUYER)
    ok = await manual(client, auth, other["id"], invoice_type="special")
    assert ok.status_code == 201, ok.text
    assert ok.json()["status"] == "issued" and ok.json()["invoice_type"] == "special"


async def test_a_provider_outage_leaves_the_automatic_invoice_a_draft(
    client, auth, vat, sessionmaker, provider
) -> None:
    provider.fail = "timeout"
    placed, shipment = await ship(client, auth, {"V-1": "1"})
    assert shipment["status"] != "draft"
    [draft] = await invoices_of(client, auth, placed["id"])
    assert draft["status"] == "draft" and draft["provider_number"] is None
    assert await books(sessionmaker) == {}
    finance = await auth.as_role("finance")
    url = f"/api/v1/invoices/{draft['id']}/issue"
    headers = finance
    assert_problem(await client.post(url, headers=headers), 502, code="einvoice_unavailable")
    assert (await get_invoice(client, auth, draft["id"]))["status"] == "draft"
    provider.fail = None
    issued = await client.post(url, headers=headers)
    assert issued.status_code == 200, issued.text
    assert issued.json()["status"] == "issued" and issued.json()["provider_number"]
    assert (await books(sessionmaker))["1122"] == Decimal(issued.json()["total"])
