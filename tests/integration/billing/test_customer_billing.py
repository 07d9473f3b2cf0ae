"""Customers' billing details through the customers API: invoicing policy and period, invoice
type and tax registration round trip; the period goes with periodic only; a taxpayer id is
checked; changing the invoicing policy is finance's decision."""

from __future__ import annotations

from tests.integration.billing.helpers import SPECIAL_BUYER
from tests.integration.test_customers import URL, customer_body
from tests.support import assert_problem


async def test_billing_fields_round_trip(client, auth) -> None:
    finance = await auth.as_role("finance")
    body = customer_body(
        "B001",
        invoicing_policy="periodic",
        invoicing_period="month",
        invoice_type="special",
        tax_registration=SPECIAL_BUYER,
    )
    created = await client.post(URL, json=body, headers=finance)
    assert created.status_code == 201, created.text
    customer = created.json()
    assert (customer["invoicing_policy"], customer["invoicing_period"]) == ("periodic", "month")
    assert customer["invoice_type"] == "special"
    assert customer["tax_registration"] == SPECIAL_BUYER
    fetched = await client.get(f"{URL}/{customer['id']}", headers=finance)
    assert fetched.json() == customer

    updated = await client.patch(
        f"{URL}/{customer['id']}",
        json={"invoicing_policy": "on_delivery", "invoicing_period": None},
        headers={**finance, "If-Match": '"1"'},
    )
    assert updated.status_code == 200, updated.text
    assert (updated.json()["invoicing_policy"], updated.json()["invoicing_period"]) == (
        "on_delivery",
        None,
    )


async def test_defaults(client, auth) -> None:
    created = await client.post(
        URL,
        json=customer_body("B002", credit_limit="0", payment_terms_days=30),
        headers=await auth.as_role("sales"),
    )
    assert created.status_code == 201, created.text
    customer = created.json()
    assert customer["invoicing_policy"] == "on_shipment" and customer["invoicing_period"] is None
    assert customer["invoice_type"] == "ordinary" and customer["tax_registration"] is None


async def test_bad_billing_fields_are_422_naming_the_field(client, auth) -> None:
    finance = await auth.as_role("finance")
    cases = [
        ({"invoicing_policy": "periodic"}, "invoicing_period", "required"),
        ({"invoicing_period": "week"}, "invoicing_period", "only_periodic"),
        (
            {"tax_registration": {**SPECIAL_BUYER, "taxpayer_id": "91350100M000100Y44"}},
            "tax_registration.taxpayer_id",
            "check_character",
        ),
        (
            {"tax_registration": {"taxpayer_id": "9135010"}},
            "tax_registration.taxpayer_id",
            "length",
        ),
    ]
    for i, (fields, field, rule) in enumerate(cases):
        response = await client.post(URL, json=customer_body(f"X{i}", **fields), headers=finance)
        body = assert_problem(response, 422, field=field)
        assert [e["rule"] for e in body["errors"]] == [rule]
    listed = await client.get(URL, params={"q": "X"}, headers=finance)
    assert all(not c["code"].startswith("X") for c in listed.json()["items"])


async def test_the_invoicing_policy_is_finances_decision(client, auth) -> None:
    sales = await auth.as_role("sales")
    created = await client.post(
        URL, json=customer_body("B003", credit_limit="0", payment_terms_days=30), headers=sales
    )
    customer = created.json()
    refused = await client.patch(
        f"{URL}/{customer['id']}",
        json={"invoicing_policy": "periodic", "invoicing_period": "week"},
        headers={**sales, "If-Match": '"1"'},
    )
    assert_problem(refused, 403, field="invoicing_policy")
    assert_problem(
        await client.post(
            URL,
            json=customer_body(
                "B004",
                credit_limit="0",
                payment_terms_days=30,
                invoicing_policy="periodic",
                invoicing_period="week",
            ),
            headers=sales,
        ),
        403,
        field="invoicing_policy",
    )
    # Other billing details are not a credit decision.
    ok = await client.patch(
        f"{URL}/{customer['id']}",
        json={"invoice_type": "special", "tax_registration": SPECIAL_BUYER},
        headers={**sales, "If-Match": '"1"'},
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["tax_registration"]["taxpayer_id"] == SPECIAL_BUYER["taxpayer_id"]
