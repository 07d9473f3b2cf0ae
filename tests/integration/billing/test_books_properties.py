"""Property tests of the books (invariant 9): random sequences of money operations, run through
the service functions against a real SQLite database, keep every identity ``lading check``
proves — after every step.

The operations are the rules of :class:`BooksMachine`: issue an invoice for a shipped order,
receive a payment, apply part of a payment within what it has left and the invoice owes, try
applications that must be refused (more than the payment has, more than the invoice owes,
another customer's invoice, another currency without a rate) and change nothing, reverse a
payment (a bounced transfer re-opens what it paid), and issue a credit note (a price
adjustment applied to its invoice). Another operation is one more ``@rule`` method that calls
its use case and updates ``self.expected``; the invariants stay as they are.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Coroutine
from decimal import ROUND_DOWN, Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from app import bootstrap, migrate
from app.db import create_engine, create_sessionmaker
from app.domain.auth import Principal, Role, scopes_for_roles
from app.domain.errors import RuleViolation
from app.domain.money import round_money
from app.repositories.invoices import InvoiceLine
from app.repositories.ledger import JournalLine
from app.repositories.payments import PaymentApplication
from app.services.billing.credit_note_commands import CreateCreditNote, CreditLine
from app.services.billing.payments_commands import ReversePayment
from app.services.check import check_books
from app.settings import Settings
from tests.builders import a_customer, a_product, a_warehouse
from tests.integration.billing.books_support import a_payment, an_invoice, apply

D = Decimal
CENT = D("0.01")
RATE = D("7.1")  # CNY per USD, for applications across currencies
PRICES = ("9.99", "100.00", "33.33")
Snapshot = tuple[Any, ...]
FINANCE = Principal(
    subject_id="books-machine",
    name="books-machine",
    kind="user",
    roles=(Role.FINANCE.value,),
    scopes=scopes_for_roles([Role.FINANCE.value]),
)


class BooksMachine(RuleBasedStateMachine):
    """Two customers, three products; invoices and payments are kept in bundles, and
    ``expected`` holds what the test itself computed each document should show."""

    invoices = Bundle("invoices")
    payments = Bundle("payments")
    url: str = ""

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.engine = create_engine(self.url)
        self.bus = bootstrap.build_bus(Settings(_env_file=None))
        self.uow = bootstrap.unit_of_work(create_sessionmaker(self.engine), self.bus)
        # Document id -> what is applied to it (invoices) or from it (payments).
        self.expected: dict[uuid.UUID, Decimal] = {}
        self.totals: dict[uuid.UUID, Decimal] = {}
        # (payment, invoice) -> what the payment applied to the invoice (invoice currency).
        self.applied: dict[tuple[uuid.UUID, uuid.UUID], Decimal] = {}
        self.reversed: set[uuid.UUID] = set()

    def run(self, work: Coroutine[Any, Any, Any]) -> Any:
        return self.loop.run_until_complete(work)

    def teardown(self) -> None:
        self.run(self.engine.dispose())
        self.loop.close()

    @initialize()
    def master_data(self) -> None:
        async def make() -> None:
            self.customers = [await a_customer(self.uow), await a_customer(self.uow)]
            self.products = {p: await a_product(self.uow, list_price=D(p)) for p in PRICES}
            self.warehouse = await a_warehouse(self.uow)

        self.run(make())

    # --- operations -------------------------------------------------------------------------

    @rule(
        target=invoices,
        customer=st.integers(0, 1),
        lines=st.lists(
            st.tuples(st.sampled_from(PRICES), st.integers(1, 5)),
            min_size=1,
            max_size=2,
            unique_by=lambda x: x[0],  # an order has one line per product
        ),
    )
    def issue_invoice(self, customer: int, lines: list[tuple[str, int]]) -> uuid.UUID:
        specs = [(self.products[p], q) for p, q in lines]
        invoice = self.run(an_invoice(self.uow, self.customers[customer], self.warehouse, specs))
        self.expected[invoice.id] = D(0)
        self.totals[invoice.id] = invoice.total
        return invoice.id

    @rule(
        target=payments,
        customer=st.integers(0, 1),
        cents=st.integers(1, 200_000),
        currency=st.sampled_from(["CNY", "CNY", "USD"]),
    )
    def receive(self, customer: int, cents: int, currency: str) -> uuid.UUID:
        amount = D(cents) / 100
        payment = self.run(a_payment(self.uow, self.customers[customer], amount, currency))
        self.expected[payment.id] = D(0)
        self.totals[payment.id] = amount
        return payment.id

    @rule(payment=payments, invoice=invoices, share=st.integers(1, 100))
    def apply_within_limits(self, payment: uuid.UUID, invoice: uuid.UUID, share: int) -> None:
        """``share`` % of the most that may be applied (at least a cent), at the rate when
        the currencies differ."""
        p, i = self.run(self._documents(payment, invoice))
        if p.customer_id != i.customer_id or payment in self.reversed:
            return  # another customer's invoice: the refused rule covers it
        rate = None if p.currency == i.currency else RATE
        available = p.amount - p.amount_applied - p.amount_refunded
        owed = i.total - i.amount_paid - i.amount_credited
        most = min(available, owed if rate is None else owed / rate)
        amount = max(CENT, (most * share / 100).quantize(CENT, rounding=ROUND_DOWN))
        applied = amount if rate is None else round_money(amount * rate, i.currency)
        while amount > CENT and applied > owed:
            amount -= CENT
            applied = round_money(amount * rate, i.currency)  # type: ignore[operator]
        if amount > available or applied > owed or owed <= 0:
            return  # nothing left to apply
        self.run(apply(self.uow, payment, invoice, amount, rate=rate))
        self.expected[payment] += amount
        self.expected[invoice] += applied
        self.applied[(payment, invoice)] = self.applied.get((payment, invoice), D(0)) + applied

    @rule(payment=payments)
    def reverse(self, payment: uuid.UUID) -> None:
        """A bounced transfer: everything the payment paid is open again."""
        if payment in self.reversed:
            return
        self.run(
            self.bus.handle(
                ReversePayment(principal=FINANCE, payment_id=payment, reason="bounced"), self.uow
            )
        )
        self.reversed.add(payment)
        event("payment reversed")
        self.expected[payment] = D(0)
        for (p, invoice), applied in list(self.applied.items()):
            if p == payment:
                self.expected[invoice] -= applied
                del self.applied[(p, invoice)]

    @rule(invoice=invoices, share=st.integers(1, 100))
    def credit(self, invoice: uuid.UUID, share: int) -> None:
        """A price adjustment of ``share`` % of a line's net (at least a cent), applied to its
        invoice as far as it owes; beyond what the line has left it must be refused."""
        line = self.run(self._first_line(invoice))
        net = max(CENT, (line.net * share / 100).quantize(CENT, rounding=ROUND_DOWN))
        command = CreateCreditNote(
            principal=FINANCE,
            invoice_id=invoice,
            reason="price_adjustment",
            note=None,
            lines=(CreditLine(invoice_line_id=line.id, amount=net),),
        )
        before = self.run(self._credited(invoice))
        try:
            self.run(self.bus.handle(command, self.uow))
            event("credit note issued")
        except RuleViolation:  # credited before: what the line has left is less
            assert self.run(self._credited(invoice)) == before
            event("credit note refused")

    @rule(
        payment=payments,
        invoice=invoices,
        how=st.sampled_from(["over_payment", "over_invoice", "no_rate", "not_positive"]),
    )
    def apply_refused(self, payment: uuid.UUID, invoice: uuid.UUID, how: str) -> None:
        """An application beyond a limit is refused (422 naming the rule) and changes nothing."""
        p, i = self.run(self._documents(payment, invoice))
        if payment in self.reversed:
            return  # a reversed payment is refused as a state, not a limit
        available = p.amount - p.amount_applied - p.amount_refunded
        owed = i.total - i.amount_paid - i.amount_credited
        rate = None if p.currency == i.currency else RATE
        if how == "over_payment":
            amount = available + CENT
        elif how == "over_invoice":
            amount = (owed if rate is None else (owed / rate).quantize(CENT)) + CENT
        elif how == "no_rate":
            amount, rate = CENT, None
            if p.currency == i.currency and p.customer_id == i.customer_id:
                return  # a rate is needed only across currencies
        else:
            amount = D(0)
        before = self.run(self._snapshot(payment, invoice))
        with pytest.raises(RuleViolation):
            self.run(apply(self.uow, payment, invoice, amount, rate=rate))
        assert self.run(self._snapshot(payment, invoice)) == before

    # --- invariants -------------------------------------------------------------------------

    @invariant()
    def books_hold(self) -> None:
        """Every identity of ``lading check`` on the books."""
        if not hasattr(self, "customers"):
            return
        assert self.run(check_books(self.uow)) == []

    @invariant()
    def documents_show_what_was_applied(self) -> None:
        async def stored() -> dict[uuid.UUID, Decimal]:
            async with self.uow:
                out = {}
                for doc_id in self.expected:
                    invoice = await self.uow.invoices.get(doc_id)
                    if invoice is not None:
                        out[doc_id] = invoice.amount_paid
                        continue
                    payment = await self.uow.payments.get_or_raise(doc_id)
                    out[doc_id] = payment.amount_applied
                return out

        assert self.run(stored()) == self.expected
        for doc_id, applied in self.expected.items():
            assert applied <= self.totals[doc_id]

    # --- reads --------------------------------------------------------------------------------

    async def _documents(self, payment_id: uuid.UUID, invoice_id: uuid.UUID) -> tuple[Any, Any]:
        async with self.uow:
            return (
                await self.uow.payments.get_or_raise(payment_id),
                await self.uow.invoices.get_or_raise(invoice_id),
            )

    async def _credited(self, invoice_id: uuid.UUID) -> Snapshot:
        async with self.uow:
            invoice = await self.uow.invoices.get_or_raise(invoice_id)
            session = self.uow.session
            lines = await session.scalar(select(func.count()).select_from(JournalLine))
            return (invoice.amount_credited, lines)

    async def _first_line(self, invoice_id: uuid.UUID) -> InvoiceLine:
        async with self.uow:
            return (await self.uow.invoices.lines(invoice_id))[0]

    async def _snapshot(self, payment_id: uuid.UUID, invoice_id: uuid.UUID) -> Snapshot:
        async with self.uow:
            p = await self.uow.payments.get_or_raise(payment_id)
            i = await self.uow.invoices.get_or_raise(invoice_id)
            session = self.uow.session
            lines = await session.scalar(select(func.count()).select_from(JournalLine))
            apps = await session.scalar(select(func.count()).select_from(PaymentApplication))
            return (p.amount_applied, i.amount_paid, i.amount_credited, lines, apps)


@pytest.fixture(scope="module")
def books_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('books') / 'books.db'}"
    migrate.upgrade(url)
    return url


def test_random_money_operations_keep_the_books(books_database: str) -> None:
    BooksMachine.url = books_database
    run_state_machine_as_test(
        BooksMachine,
        settings=settings(
            max_examples=12,
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
