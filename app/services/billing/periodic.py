"""Periodic invoicing (月结): one invoice per customer (and currency) per closed period for
every departed shipment up to the period's end that no invoice bills yet.

A run takes one short transaction per customer (``InvoiceCustomerPeriod`` on the bus), so one
customer's failure is reported and the others are billed all the same. It is idempotent: a
shipment is billed once ever (``invoiced_shipments``), so running a period again makes no new
invoice. A shipment shipped before the period but not billed (a missed run, a customer moved
to periodic billing) is billed by the next run too rather than never. Periods are in UTC
dates (``app.domain.billing.periods``)."""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from app.domain.billing.invoices import InvoicingPolicy
from app.domain.billing.periods import (
    Period,
    check_closed,
    closed_before,
    ending_on,
)
from app.domain.errors import DomainError, RuleViolation, UnknownReference
from app.domain.shipments import DEPARTED
from app.services.billing.invoicing import invoice_shipments
from app.services.billing.periodic_commands import InvoiceCustomerPeriod, RunPeriodicInvoicing
from app.services.bus import Context
from app.services.common import retrying
from app.services.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)
INVOICES_WRITE = "invoices:write"


@dataclass(frozen=True)
class BilledInvoice:
    invoice_id: uuid.UUID
    number: str
    currency: str
    total: Decimal
    shipments: int


@dataclass(frozen=True)
class CustomerOutcome:
    """``invoiced``, ``nothing_due`` (everything already billed), ``skipped`` (not billed
    every such period) or ``failed`` (``code`` and ``reason`` say why)."""

    customer_id: uuid.UUID
    customer_code: str | None
    outcome: str
    invoices: list[BilledInvoice] = field(default_factory=list)
    code: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class RunReport:
    period: Period
    customers: list[CustomerOutcome]

    @property
    def invoices(self) -> list[tuple[CustomerOutcome, BilledInvoice]]:
        return [(c, i) for c in self.customers for i in c.invoices]


def period_of(cmd: RunPeriodicInvoicing, today: date) -> Period:
    """The period a run bills: the one ending on ``period_end``, or the last closed before
    ``as_of`` (default today); only a period that has ended."""
    if cmd.period_end is not None and cmd.as_of is not None:
        raise RuleViolation.on("as_of", "one_of", "Give period_end or as_of, not both.")
    if cmd.period_end is not None:
        period = ending_on(cmd.period, cmd.period_end)
        check_closed(period, today)
        return period
    period = closed_before(cmd.period, cmd.as_of or today)
    check_closed(period, today, field="as_of")
    return period


async def run_periodic_invoicing(
    cmd: RunPeriodicInvoicing, uow: UnitOfWork, ctx: Context
) -> RunReport:
    """Bill a closed period of the periodic customers (or of one), customer by customer."""
    cmd.principal.require(INVOICES_WRITE)
    period = period_of(cmd, datetime.now(UTC).date())
    async with uow:
        if cmd.customer_id is not None:
            customer = await uow.customers.get(cmd.customer_id)
            if customer is None:
                raise UnknownReference.on("customer_id", "exists", "No such customer.")
            customers = [(customer.id, customer.code)]
        else:
            customers = await uow.customers.invoiced_periodically(
                InvoicingPolicy.PERIODIC.value, cmd.period.value
            )
    outcomes = [await _one(cmd, uow, ctx, c, period) for c in customers]
    return RunReport(period, outcomes)


async def _one(
    cmd: RunPeriodicInvoicing,
    uow: UnitOfWork,
    ctx: Context,
    customer: tuple[uuid.UUID, str],
    period: Period,
) -> CustomerOutcome:
    """One customer's outcome; no failure of one customer escapes to stop the others."""
    customer_id, code = customer
    command = InvoiceCustomerPeriod(
        principal=cmd.principal,
        customer_id=customer_id,
        period=period.kind,
        start=period.start,
        end=period.end,
    )
    try:
        outcome: CustomerOutcome = await ctx.bus.handle(command, uow)
        return outcome
    except DomainError as exc:
        return CustomerOutcome(customer_id, code, "failed", code=exc.code, reason=exc.detail)
    except Exception:
        log.exception("invoicing.customer_failed", extra={"customer_id": str(customer_id)})
        reason = "The customer could not be invoiced; the failure has been logged."
        return CustomerOutcome(customer_id, code, "failed", code="failed", reason=reason)


@retrying
async def invoice_customer_period(
    cmd: InvoiceCustomerPeriod, uow: UnitOfWork, ctx: Context
) -> CustomerOutcome:
    """One invoice per currency for the customer's departed shipments shipped before the
    period's end and not billed yet; the shipments are locked in id order first, so two runs
    at once bill each shipment once."""
    cmd.principal.require(INVOICES_WRITE)
    period = Period(cmd.period, cmd.start, cmd.end)
    async with uow:
        customer = await uow.customers.get_or_raise(cmd.customer_id)
        if (customer.invoicing_policy, customer.invoicing_period) != (
            InvoicingPolicy.PERIODIC.value,
            period.kind.value,
        ):
            return CustomerOutcome(
                customer.id,
                customer.code,
                "skipped",
                code="not_invoiced_periodically",
                reason=f"The customer is not invoiced every {period.kind.value} "
                f"(policy {customer.invoicing_policy}, period {customer.invoicing_period}).",
            )
        due = await uow.shipments.unbilled_of_customer(customer.id, DEPARTED, period.until)
        by_currency: dict[str, list[uuid.UUID]] = defaultdict(list)
        locked = {}
        for shipment_id, currency in sorted(due, key=lambda x: str(x[0])):
            locked[shipment_id] = await uow.shipments.get_for_update_or_raise(shipment_id)
            by_currency[currency].append(shipment_id)
        made = []
        for currency in sorted(by_currency):
            shipments = [locked[i] for i in by_currency[currency]]
            invoice = await invoice_shipments(
                uow,
                ctx,
                customer,
                shipments,
                actor=cmd.principal.actor,
                source=InvoicingPolicy.PERIODIC.value,
                period=(period.start, period.end),
            )
            if invoice is not None:
                billed = BilledInvoice(
                    invoice.id, invoice.number, invoice.currency, invoice.total, len(shipments)
                )
                made.append(billed)
        await uow.commit()
    outcome = "invoiced" if made else "nothing_due"
    return CustomerOutcome(customer.id, customer.code, outcome, made)
