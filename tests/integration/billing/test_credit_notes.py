"""Credit notes through HTTP: returned goods and adjustments reduce the invoice's balance and
reverse revenue and output VAT; never more than a line's total; applied to another invoice."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest

from tests.integration.billing.helpers import books, counts, get_invoice, taxed_product
from tests.integration.billing.test_invoicing import invoices_of, ship
from tests.integration.test_shipments import data
from tests.support import assert_problem

__all__ = ["data"]
URL = "/api/v1/credit-notes"


@pytest.fixture
async def vat(data, sessionmaker) -> None:
    await taxed_product(sessionmaker)


async def invoiced(client, auth, lines: dict[str, str]) -> dict:
    placed, _ = await ship(client, auth, lines)
    [invoice] = await invoices_of(client, auth, placed["id"])
    return invoice


def third(amount: str) -> Decimal:
    return (Decimal(amount) / 3).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


async def test_returned_goods_reduce_the_balance_and_reverse_revenue_and_vat(
    client, auth, vat, sessionmaker
) -> None:
    invoice = await invoiced(client, auth, {"V-1": "3"})
    [line] = invoice["lines"]
    finance = await auth.as_role("finance")
    response = await client.post(
        URL,
        json={
            "invoice_id": invoice["id"],
            "reason": "returned_goods",
            "note": "一件破损",
            "lines": [{"invoice_line_id": line["id"], "quantity": "1"}],
        },
        headers=finance,
    )
    assert response.status_code == 201, response.text
    note = response.json()
    net, tax = third(line["net"]), third(line["tax"])
    assert note["number"].startswith("CN-") and note["reason"] == "returned_goods"
    assert (note["net_total"], note["tax_total"]) == (str(net), str(tax))
    assert note["amount_applied"] == note["total"] and note["unapplied"] == "0.00"
    assert [a["invoice_id"] for a in note["applications"]] == [invoice["id"]]
    after = await get_invoice(client, auth, invoice["id"])
    assert Decimal(after["balance"]) == Decimal(invoice["total"]) - net - tax
    assert after["amount_credited"] == note["total"] and after["standing"] == "partially_paid"
    ledger = await books(sessionmaker)
    assert ledger["6001"] == -(Decimal(line["net"]) - net)
    assert ledger["22210106"] == -(Decimal(line["tax"]) - tax)
    assert ledger["1122"] == Decimal(after["balance"]) and ledger.get("2203", 0) == 0
    fetched = await client.get(f"{URL}/{note['id']}", headers=finance)
    assert fetched.status_code == 200 and fetched.json() == note
    listed = await client.get(URL, params={"invoice_id": invoice["id"]}, headers=finance)
    assert [n["id"] for n in listed.json()["items"]] == [note["id"]]

    # A second note above what is left of the line: 422 naming the field, nothing changed.
    before = await counts(sessionmaker)
    for body_line, field in [
        ({"invoice_line_id": line["id"], "quantity": "3"}, "lines.0.quantity"),
        ({"invoice_line_id": line["id"], "amount": line["net"]}, "lines.0.amount"),
    ]:
        reason = "returned_goods" if "quantity" in body_line else "price_adjustment"
        refused = await client.post(
            URL,
            json={"invoice_id": invoice["id"], "reason": reason, "lines": [body_line]},
            headers=finance,
        )
        assert_problem(refused, 422, field=field)
    assert await counts(sessionmaker) == before
    assert (await get_invoice(client, auth, invoice["id"]))["balance"] == after["balance"]


async def test_an_unapplied_note_is_customer_credit_applied_to_another_invoice(
    client, auth, vat, sessionmaker
) -> None:
    first = await invoiced(client, auth, {"V-1": "1"})
    second = await invoiced(client, auth, {"V-1": "2"})
    finance = await auth.as_role("finance")
    body = {
        "invoice_id": first["id"],
        "reason": "discount",
        "apply": False,
        "lines": [{"invoice_line_id": first["lines"][0]["id"], "amount": "10.00"}],
    }
    headers = {**finance, "Idempotency-Key": "cn-1"}
    response = await client.post(URL, json=body, headers=headers)
    assert response.status_code == 201, response.text
    note = response.json()
    assert (note["net_total"], note["tax_total"], note["total"]) == ("10.00", "1.30", "11.30")
    assert note["unapplied"] == "11.30" and note["applications"] == []
    again = await client.post(URL, json=body, headers=headers)
    assert again.status_code == 201 and again.json()["id"] == note["id"]
    assert_problem(
        await client.post(URL, json={**body, "note": "x"}, headers=headers),
        409,
        code="idempotency_key_reused",
    )
    assert (await books(sessionmaker))["2203"] == Decimal("-11.30")

    apply_url = f"{URL}/{note['id']}/applications"
    too_much = await client.post(
        apply_url, json={"invoice_id": second["id"], "amount": "11.31"}, headers=finance
    )
    assert_problem(too_much, 422, field="amount")
    applied = await client.post(
        apply_url, json={"invoice_id": second["id"], "amount": "11.30"}, headers=finance
    )
    assert applied.status_code == 200, applied.text
    assert applied.json()["unapplied"] == "0.00"
    paid_down = await get_invoice(client, auth, second["id"])
    assert Decimal(paid_down["balance"]) == Decimal(second["total"]) - Decimal("11.30")
    assert (await get_invoice(client, auth, first["id"]))["balance"] == first["total"]
    ledger = await books(sessionmaker)
    assert ledger.get("2203", 0) == 0
    assert ledger["1122"] == Decimal(first["total"]) + Decimal(paid_down["balance"])


async def test_bad_credit_notes_change_nothing(client, auth, vat, sessionmaker) -> None:
    invoice = await invoiced(client, auth, {"V-1": "1"})
    line_id = invoice["lines"][0]["id"]
    finance = await auth.as_role("finance")
    before = await counts(sessionmaker)
    cases = [
        ({"reason": "returned_goods", "lines": [{"invoice_line_id": line_id}]}, "lines.0.quantity"),
        (
            {"reason": "returned_goods", "lines": [{"invoice_line_id": line_id, "quantity": "-1"}]},
            "lines.0.quantity",
        ),
        ({"reason": "discount", "lines": [{"invoice_line_id": line_id, "amount": "0"}]}, None),
        (
            {"reason": "discount", "lines": [{"invoice_line_id": invoice["id"], "amount": "1"}]},
            "lines.0.invoice_line_id",
        ),
    ]
    for body, field in cases:
        response = await client.post(
            URL, json={"invoice_id": invoice["id"], **body}, headers=finance
        )
        assert_problem(response, 422, field=field)
    warehouse = await auth.as_role("warehouse")
    forbidden = await client.post(
        URL,
        json={"invoice_id": invoice["id"], "reason": "discount", "lines": cases[2][0]["lines"]},
        headers=warehouse,
    )
    assert forbidden.status_code == 403
    assert await counts(sessionmaker) == before
