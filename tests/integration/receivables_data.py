"""A small fixed data set for the receivables report, built through the HTTP API (orders shipped
and invoiced on shipment, payments, an unapplication, a credit note, a credit limit lowered),
then dated by hand: issue dates in March and April 2026, due dates spread around today so that
every aging bucket holds one invoice, application days fixed. P1 costs 10.00, no tax.

    invoice  customer     issued      total  due          paid / credited                open
    I1       A retail     2026-03-05  100    today + 10   30 paid 2026-03-25             70  not due
    I2       A retail     2026-03-20   50    today − 10   —                              50  1–30
    I3       B wholesale  2026-04-02  200    today − 45   120 paid 2026-04-20            80  31–60
    I4       B wholesale  2026-04-10   80    today − 75   40 paid 2026-04-25, taken      80  61–90
                                                          back 2026-05-03
    I5       B wholesale  2026-04-15   60    today − 120  20 credited 2026-04-28         40  over 90

B's credit limit is then lowered to 150: its exposure (open receivables 200, no open orders)
is 50 over it. A's limit stays at 1,000,000.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import update

from app.repositories.invoices import Invoice
from app.repositories.payments import CreditApplication, PaymentApplication
from tests.factories import make_customer, make_product, make_warehouse
from tests.integration.report_data import SHANGHAI, Flow, at

INVOICES = {  # name: (customer, units of P1, issued, days due from today)
    "I1": ("A", 10, "2026-03-05", 10),
    "I2": ("A", 5, "2026-03-20", -10),
    "I3": ("B", 20, "2026-04-02", -45),
    "I4": ("B", 8, "2026-04-10", -75),
    "I5": ("B", 6, "2026-04-15", -120),
}


@dataclass
class ArData:
    customers: dict[str, str]
    invoices: dict[str, str] = field(default_factory=dict)
    lines: dict[str, str] = field(default_factory=dict)  # invoice → its one line
    payments: dict[str, str] = field(default_factory=dict)


async def ar_master_data(sessionmaker: Any, tag: str) -> ArData:
    await make_product(
        sessionmaker, f"{tag}-P1", list_price="10.00", floor_price=None, tax_rate="0"
    )
    await make_product(
        sessionmaker, f"{tag}-P2", list_price="25.00", floor_price=None, tax_rate="0"
    )
    await make_warehouse(
        sessionmaker, f"{tag}W", latitude=Decimal("31.2"), longitude=Decimal("121.4"), priority=1
    )
    common = {
        "credit_limit": Decimal("1000000"),
        "ship_to": [{**SHANGHAI, "id": _address(), "is_default": True}],
    }
    a = await make_customer(
        sessionmaker, f"{tag}-A", name="A Retail", customer_group="retail", **common
    )
    common["ship_to"] = [{**SHANGHAI, "id": _address(), "is_default": True}]
    b = await make_customer(
        sessionmaker, f"{tag}-B", name="B Wholesale", customer_group="wholesale", **common
    )
    return ArData({"A": str(a.id), "B": str(b.id)})


def _address() -> str:
    return str(uuid.uuid4())  # the API reads addresses back by id


class Money:
    """The finance steps through the API."""

    def __init__(self, client: Any, auth: Any) -> None:
        self.client, self.auth = client, auth

    async def invoice_of(self, order_id: str) -> dict[str, Any]:
        finance = await self.auth.as_role("finance")
        r = await self.client.get(
            "/api/v1/invoices", headers=finance, params={"order_id": order_id}
        )
        assert r.status_code == 200, r.text
        (item,) = r.json()["items"]
        r = await self.client.get(f"/api/v1/invoices/{item['id']}", headers=finance)
        assert r.json()["status"] == "issued", r.text
        return dict(r.json())

    async def pay(self, customer: str, invoice: str | None, amount: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "customer_id": customer,
            "amount": amount,
            "currency": "CNY",
            "method": "bank_transfer",
        }
        if invoice is None:
            body["apply"] = "none"
        else:
            body["applications"] = [{"invoice_id": invoice, "amount": amount}]
        r = await self.client.post(
            "/api/v1/payments", headers=await self.auth.as_role("finance"), json=body
        )
        assert r.status_code == 201, r.text
        return dict(r.json())

    async def unapply(self, payment: dict[str, Any]) -> None:
        (application,) = payment["applications"]
        r = await self.client.post(
            f"/api/v1/payments/{payment['id']}/applications/{application['id']}/unapply",
            headers=await self.auth.as_role("finance"),
            json={},
        )
        assert r.status_code == 200, r.text

    async def credit(self, invoice: str, line: str, amount: str) -> dict[str, Any]:
        r = await self.client.post(
            "/api/v1/credit-notes",
            headers=await self.auth.as_role("finance"),
            json={
                "invoice_id": invoice,
                "reason": "price_adjustment",
                "lines": [{"invoice_line_id": line, "amount": amount}],
            },
        )
        assert r.status_code == 201, r.text
        return dict(r.json())

    async def set_limit(self, customer: str, limit: str) -> None:
        url = f"/api/v1/customers/{customer}"
        finance = await self.auth.as_role("finance")
        current = await self.client.get(url, headers=finance)
        r = await self.client.patch(
            url,
            headers={**finance, "If-Match": current.headers["ETag"]},
            json={"credit_limit": limit},
        )
        assert r.status_code == 200, r.text


async def build_receivables(client: Any, auth: Any, sessionmaker: Any, tag: str) -> ArData:
    data = await ar_master_data(sessionmaker, tag)
    flow, money = Flow(client, auth, tag), Money(client, auth)
    await flow.receive("P1", "60")
    for name, (customer, units, _issued, _due) in INVOICES.items():
        order = await flow.order(customer, {"P1": str(units)})
        await flow.ship(order, {"P1": str(units)}, None)
        invoice = await money.invoice_of(order)
        data.invoices[name] = invoice["id"]
        data.lines[name] = invoice["lines"][0]["id"]
    a, b = data.customers["A"], data.customers["B"]
    inv = data.invoices
    data.payments["P1"] = (await money.pay(a, inv["I1"], "30.00"))["id"]
    data.payments["P2"] = (await money.pay(b, inv["I3"], "120.00"))["id"]
    bounced = await money.pay(b, inv["I4"], "40.00")
    data.payments["P3"] = bounced["id"]
    await money.unapply(bounced)
    await money.credit(inv["I5"], data.lines["I5"], "20.00")
    await money.set_limit(b, "150.00")
    await date_receivables(sessionmaker, data)
    return data


async def date_receivables(sessionmaker: Any, data: ArData) -> None:
    today = datetime.now(UTC).date()
    async with sessionmaker() as session:
        for name, (_customer, _units, issued, due) in INVOICES.items():
            await session.execute(
                update(Invoice)
                .where(Invoice.id == uuid.UUID(data.invoices[name]))
                .values(issue_date=date.fromisoformat(issued), due_date=today + timedelta(days=due))
            )
        for payment, applied, reversed_ in (
            ("P1", "2026-03-25", None),
            ("P2", "2026-04-20", None),
            ("P3", "2026-04-25", "2026-05-03"),
        ):
            await session.execute(
                update(PaymentApplication)
                .where(PaymentApplication.payment_id == uuid.UUID(data.payments[payment]))
                .values(
                    applied_at=at(applied, 10),
                    reversed_at=at(reversed_, 9) if reversed_ else None,
                )
            )
        await session.execute(
            update(CreditApplication)
            .where(CreditApplication.invoice_id == uuid.UUID(data.invoices["I5"]))
            .values(applied_at=at("2026-04-28", 11))
        )
        await session.commit()
