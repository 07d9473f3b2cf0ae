"""An overdue invoice raises one alert for finance (the worker's overdue round, run twice,
raises it once); a part payment leaves it open, paying the rest resolves it automatically."""

from __future__ import annotations

from sqlalchemy import select

from app.repositories.alerts import Alert
from app.worker.overdue import raise_overdue
from tests.integration.billing.test_credit_receivables import pay, set_due, shipped_invoice
from tests.integration.test_shipments import data

__all__ = ["data"]


async def alerts_of(sessionmaker, subject: str) -> list[Alert]:
    async with sessionmaker() as session:
        stmt = select(Alert).where(Alert.subject_id == subject)
        return list((await session.scalars(stmt)).all())


async def test_an_overdue_invoice_alert_resolves_when_it_is_paid(
    client, auth, data, sessionmaker, settings
) -> None:
    invoice = await shipped_invoice(client, auth, {"S-1": "6"})  # 60.00
    await set_due(sessionmaker, invoice["id"], days_ago=5)
    assert await raise_overdue(sessionmaker, settings) == 1
    assert await raise_overdue(sessionmaker, settings) == 0
    [alert] = await alerts_of(sessionmaker, invoice["id"])
    assert (alert.rule, alert.role, alert.state) == ("invoice_overdue", "finance", "open")
    assert alert.message == (
        f"Invoice {invoice['number']} is overdue: 60.00 CNY was due on {alert.details['due_date']}."
    )
    assert alert.link == f"/api/v1/invoices/{invoice['id']}"

    await pay(sessionmaker, settings, invoice["id"], "20.00")
    [alert] = await alerts_of(sessionmaker, invoice["id"])
    assert alert.state == "open"  # still overdue: 40.00 owed
    await pay(sessionmaker, settings, invoice["id"], "40.00")
    [alert] = await alerts_of(sessionmaker, invoice["id"])
    assert (alert.state, alert.resolution, alert.resolution_reason) == (
        "resolved",
        "auto",
        "the invoice is paid",
    )
