"""Periodic invoicing (月结) through HTTP on both engines: a periodic customer's month of
shipments becomes one invoice with all their lines, totals equal to the orders'; a second
run makes none; the worker's job bills the closed period the same way; customers invoiced on
shipment or on delivery are never picked up."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, select, update

from app import bootstrap
from app.adapters.einvoice.base import (
    InvoiceDocument,
    IssuedDocument,
    LocalEInvoiceProvider,
)
from app.domain.billing.invoices import InvoicingPeriod
from app.domain.billing.periods import Period, closed_before
from app.repositories.customers import Customer
from app.repositories.invoices import Invoice
from app.repositories.orders import Order
from app.repositories.shipments import Shipment
from app.services.billing.periodic_commands import RunPeriodicInvoicing
from app.services.bus import MessageBus
from app.worker.invoicing import BILLER, invoice_closed_periods
from tests.factories import make_customer
from tests.integration.billing.test_invoicing import invoices_of, ship
from tests.integration.test_shipments import data, order_view
from tests.support import assert_problem

__all__ = ["data"]
RUNS = "/api/v1/invoicing-runs"


async def bill_as(sessionmaker, policy: str, period: str | None) -> uuid.UUID:
    """The fixture customer ACME invoiced by ``policy`` (every ``period``)."""
    async with sessionmaker() as session:
        await session.execute(
            update(Customer)
            .where(Customer.code == "ACME")
            .values(invoicing_policy=policy, invoicing_period=period)
        )
        customer_id = await session.scalar(select(Customer.id).where(Customer.code == "ACME"))
        await session.commit()
    assert customer_id is not None
    return customer_id


async def shipped_at(sessionmaker, shipment_id: str, when: datetime) -> None:
    async with sessionmaker() as session:
        await session.execute(
            update(Shipment).where(Shipment.id == uuid.UUID(shipment_id)).values(shipped_at=when)
        )
        await session.commit()


async def invoice_count(sessionmaker) -> int:
    async with sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(Invoice)) or 0)


def last_month() -> Period:
    return closed_before(InvoicingPeriod.MONTH, datetime.now(UTC).date())


async def a_month_of_shipments(client, auth, sessionmaker) -> tuple[Period, list[dict], dict]:
    """Three orders shipped in last month (its first instant, its middle, its last minute)
    and one at the first instant of this month; none invoiced when it shipped."""
    month = last_month()
    start = datetime.combine(month.start, time(), tzinfo=UTC)
    placements = [start, start + timedelta(days=14, hours=9), month.until - timedelta(minutes=1)]
    inside = []
    for when, lines in zip(
        placements, ({"S-1": "2"}, {"S-1": "1", "S-2": "3"}, {"S-2": "1"}), strict=True
    ):
        placed, shipment = await ship(client, auth, lines)
        await shipped_at(sessionmaker, shipment["id"], when)
        inside.append(placed)
    after, late = await ship(client, auth, {"S-1": "4"})
    await shipped_at(sessionmaker, late["id"], month.until)
    assert await invoice_count(sessionmaker) == 0
    return month, inside, after


async def test_a_periodic_customers_month_becomes_one_invoice(
    client, auth, data, sessionmaker
) -> None:
    customer_id = await bill_as(sessionmaker, "periodic", "month")
    month, inside, after = await a_month_of_shipments(client, auth, sessionmaker)
    finance = await auth.as_role("finance")

    response = await client.post(
        RUNS, json={"period": "month", "period_end": month.end.isoformat()}, headers=finance
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["period_start"], report["period_end"]) == (
        month.start.isoformat(),
        month.end.isoformat(),
    )
    [made] = report["invoices"]
    assert made["shipments"] == 3 and made["customer_id"] == str(customer_id)
    [outcome] = report["customers"]
    assert outcome["outcome"] == "invoiced" and outcome["invoices"] == [made["number"]]

    invoice = (await client.get(f"/api/v1/invoices/{made['invoice_id']}", headers=finance)).json()
    assert invoice["source"] == "periodic" and invoice["status"] == "issued"
    assert (invoice["period_start"], invoice["period_end"]) == (
        month.start.isoformat(),
        month.end.isoformat(),
    )
    assert sorted((x["sku"], x["quantity"]) for x in invoice["lines"]) == [
        ("S-1", "1"),
        ("S-1", "2"),
        ("S-2", "1"),
        ("S-2", "3"),
    ]
    orders_total = sum(Decimal(o["totals"]["total"]) for o in inside)
    assert Decimal(invoice["total"]) == orders_total == Decimal(made["total"]) == Decimal("70")
    for placed in inside:
        assert (await order_view(client, auth, placed["id"]))["billing_status"] == "invoiced"
    # Shipped at the first instant of the next month: not in this period.
    assert await invoices_of(client, auth, after["id"]) == []
    assert (await order_view(client, auth, after["id"]))["billing_status"] == "unbilled"

    again = await client.post(
        RUNS,
        json={"period": "month", "as_of": (month.end + timedelta(days=1)).isoformat()},
        headers=finance,
    )
    assert again.status_code == 200, again.text
    assert again.json()["invoices"] == []
    assert [c["outcome"] for c in again.json()["customers"]] == ["nothing_due"]
    assert await invoice_count(sessionmaker) == 1


async def test_the_worker_bills_the_period_just_closed(
    client, auth, data, sessionmaker, settings
) -> None:
    await bill_as(sessionmaker, "periodic", "month")
    month, inside, _ = await a_month_of_shipments(client, auth, sessionmaker)
    hour = settings.periodic_invoicing_hour
    closed = datetime.combine(month.end + timedelta(days=1), time(hour), tzinfo=UTC)

    # Before the hour of the day after, the month just closed is not billed yet.
    assert (
        await invoice_closed_periods(sessionmaker, settings, now=closed - timedelta(minutes=1)) == 0
    )
    assert await invoice_count(sessionmaker) == 0
    assert await invoice_closed_periods(sessionmaker, settings, now=closed) == 1
    [invoice] = await invoices_of(client, auth, inside[0]["id"])
    assert invoice["source"] == "periodic" and invoice["period_end"] == month.end.isoformat()
    assert len(invoice["lines"]) == 4
    assert Decimal(invoice["total"]) == sum(Decimal(o["totals"]["total"]) for o in inside)
    # Run again (the worker calls it every hour): nothing new.
    assert (
        await invoice_closed_periods(sessionmaker, settings, now=closed + timedelta(hours=5)) == 0
    )
    assert await invoice_count(sessionmaker) == 1


async def test_customers_not_billed_periodically_are_never_picked_up(
    client, auth, data, sessionmaker
) -> None:
    customer_id = await bill_as(sessionmaker, "on_delivery", None)
    month = last_month()
    _, shipment = await ship(client, auth, {"S-1": "1"})  # own fleet, shipped, not delivered
    await shipped_at(
        sessionmaker, shipment["id"], datetime.combine(month.start, time(), tzinfo=UTC)
    )
    finance = await auth.as_role("finance")
    body = {"period": "month", "period_end": month.end.isoformat()}

    everyone = await client.post(RUNS, json=body, headers=finance)
    assert everyone.status_code == 200, everyone.text
    assert everyone.json()["customers"] == [] and everyone.json()["invoices"] == []
    named = await client.post(RUNS, json={**body, "customer_id": str(customer_id)}, headers=finance)
    assert named.status_code == 200, named.text
    [skipped] = named.json()["customers"]
    assert skipped["outcome"] == "skipped" and skipped["code"] == "not_invoiced_periodically"
    # A weekly customer is not billed by a monthly run either.
    await bill_as(sessionmaker, "periodic", "week")
    weekly = await client.post(
        RUNS, json={**body, "customer_id": str(customer_id)}, headers=finance
    )
    assert weekly.json()["customers"][0]["outcome"] == "skipped"
    assert await invoice_count(sessionmaker) == 0


async def test_bad_runs_are_refused(client, auth, data, sessionmaker) -> None:
    finance = await auth.as_role("finance")
    today = datetime.now(UTC).date()
    month = last_month()
    for body, field, rule in (
        (
            {"period": "month", "period_end": (month.end - timedelta(days=1)).isoformat()},
            "period_end",
            "not_period_end",
        ),
        (
            {"period": "week", "as_of": (today + timedelta(days=30)).isoformat()},
            "as_of",
            "period_not_ended",
        ),
        (
            {"period": "month", "period_end": month.end.isoformat(), "as_of": today.isoformat()},
            "as_of",
            "one_of",
        ),
        ({"period": "month", "customer_id": str(uuid.uuid4())}, "customer_id", "exists"),
    ):
        problem = assert_problem(
            await client.post(RUNS, json=body, headers=finance), 422, field=field
        )
        assert any(e["rule"] == rule for e in problem["errors"]), problem
    assert_problem(await client.post(RUNS, json={"period": "year"}, headers=finance), 422)
    refused = await client.post(RUNS, json={"period": "month"}, headers=await auth.as_role("sales"))
    assert refused.status_code == 403
    assert await invoice_count(sessionmaker) == 0


class CrashingProvider(LocalEInvoiceProvider):
    """The provider crashes on the invoices of one buyer. (A refusal it reports,
    ``EInvoiceError``, leaves an automatic invoice a draft instead: see test_void.py.)"""

    async def issue(self, document: InvoiceDocument) -> IssuedDocument:
        if (document.buyer or {}).get("name") == "BROKEN":
            raise RuntimeError("the provider's client crashed")
        return await super().issue(document)


async def test_a_customer_that_fails_is_reported_and_the_others_are_billed(
    client, auth, data, sessionmaker, settings
) -> None:
    await bill_as(sessionmaker, "periodic", "month")
    broken = await make_customer(
        sessionmaker,
        "A-BROKEN",
        invoicing_policy="periodic",
        invoicing_period="month",
        tax_registration={"name": "BROKEN"},
    )
    month = last_month()
    when = datetime.combine(month.start, time(12), tzinfo=UTC)
    billed, first = await ship(client, auth, {"S-1": "1"})
    moved, second = await ship(client, auth, {"S-2": "2"})
    async with sessionmaker() as session:  # the second order is the other customer's
        await session.execute(
            update(Order)
            .where(Order.id == uuid.UUID(moved["id"]))
            .values(customer_id=broken.id, customer_code="A-BROKEN")
        )
        await session.commit()
    for shipment in (first, second):
        await shipped_at(sessionmaker, shipment["id"], when)

    bus = MessageBus(
        settings,
        commands=bootstrap.COMMANDS,
        reactions=bootstrap.REACTIONS,
        einvoice=CrashingProvider(),
    )
    command = RunPeriodicInvoicing(
        principal=BILLER, period=InvoicingPeriod.MONTH, period_end=month.end
    )
    report = await bus.handle(command, bootstrap.unit_of_work(sessionmaker, bus))
    assert [(c.customer_code, c.outcome) for c in report.customers] == [
        ("A-BROKEN", "failed"),
        ("ACME", "invoiced"),
    ]
    assert report.customers[0].code == "failed"
    [(_, made)] = report.invoices
    assert made.total == Decimal("10.00")
    # The failed customer's transaction wrote nothing: its shipment waits for the next run.
    assert await invoices_of(client, auth, moved["id"]) == []
    assert (await order_view(client, auth, moved["id"]))["lines"][0]["invoiced"] == "0"
    assert len(await invoices_of(client, auth, billed["id"])) == 1
    assert await invoice_count(sessionmaker) == 1
