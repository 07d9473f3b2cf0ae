"""Review decisions, approvals and holds of orders; the credit position of a customer."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    ForeignKey,
    Index,
    String,
    Text,
    and_,
    case,
    func,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.domain.billing.invoices import InvoiceStatus
from app.domain.credit import CreditPosition
from app.domain.review import HoldCode
from app.repositories.base import Base, IdMixin, first, utcnow
from app.repositories.customers import Customer
from app.repositories.events import AuditEvent
from app.repositories.invoices import Invoice, InvoiceLine
from app.repositories.orders import Order, OrderLine
from app.repositories.pagination import PageResult, paginate

# Orders whose value counts against credit until invoiced: approved, and every later state
# that fulfilment adds.
COMMITTED_STATUSES = ("approved",)
# The holds the credit rule puts on an order.
CREDIT_HOLDS = frozenset({HoldCode.CREDIT_LIMIT_EXCEEDED.value, HoldCode.OVERDUE_RECEIVABLES.value})


class OrderReview(IdMixin, Base):
    """One run of the review rules over an order: each rule's result and reason."""

    __tablename__ = "order_reviews"
    __table_args__ = (Index("ix_order_reviews_order_at", "order_id", "at"),)

    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))
    outcome: Mapped[str] = mapped_column(String(24))
    results: Mapped[list[dict[str, Any]]]
    holds: Mapped[list[str]]
    approval_chain: Mapped[list[str]]


class OrderDecision(IdMixin, Base):
    """A person's decision on an order: approve, reject, hold, release, payment."""

    __tablename__ = "order_decisions"
    __table_args__ = (Index("ix_order_decisions_order_at", "order_id", "at"),)

    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(16))
    role: Mapped[str | None] = mapped_column(String(32))
    hold: Mapped[str | None] = mapped_column(String(32))
    comment: Mapped[str | None] = mapped_column(Text)


class ReviewRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add_review(self, review: OrderReview) -> None:
        self.session.add(review)

    def add_decision(self, decision: OrderDecision) -> None:
        self.session.add(decision)

    async def latest_review(self, order_id: uuid.UUID) -> OrderReview | None:
        return await first(
            self.session,
            select(OrderReview)
            .where(OrderReview.order_id == order_id)
            .order_by(OrderReview.at.desc(), OrderReview.id.desc()),
        )

    async def decisions(self, order_id: uuid.UUID, limit: int = 200) -> list[OrderDecision]:
        rows = await self.session.scalars(
            select(OrderDecision)
            .where(OrderDecision.order_id == order_id)
            .order_by(OrderDecision.at, OrderDecision.id)
            .limit(limit)
        )
        return list(rows)

    async def editors(self, order_id: uuid.UUID) -> set[str]:
        """Everyone who created or edited the order (segregation of duties)."""
        rows = await self.session.scalars(
            select(AuditEvent.actor)
            .where(
                AuditEvent.entity_type == "order",
                AuditEvent.entity_id == str(order_id),
                AuditEvent.action.in_(("created", "updated")),
            )
            .distinct()
        )
        return set(rows)

    async def lock_customer(self, customer_id: uuid.UUID) -> None:
        """Serialise credit decisions per customer: a row lock on PostgreSQL until commit
        (SQLite transactions already take the write lock when they begin). ``FOR NO KEY
        UPDATE``, because inserting the order already holds ``FOR KEY SHARE`` on the customer
        (its foreign key): two plain ``FOR UPDATE`` requests would then deadlock."""
        if self.session.bind.dialect.name == "postgresql":
            await self.session.execute(
                select(Customer.id)
                .where(Customer.id == customer_id)
                .with_for_update(key_share=True)
            )

    async def credit_position(
        self,
        customer: Customer,
        *,
        exclude_order_id: uuid.UUID | None = None,
        today: date | None = None,
    ) -> CreditPosition:
        """The customer's credit position, in two statements.

        - open receivables: what is still owed (total − paid − credited) on the customer's
          issued invoices. A payment not yet applied to an invoice is not netted: until
          finance applies it, it is the customer's credit (refundable), not a settled debt;
        - open orders: committed orders' value not yet invoiced (from their lines' uninvoiced
          quantity), plus draft invoices (their lines are invoiced but nothing is owed yet);
        - overdue: the balance of issued invoices due before ``today`` (default: today, UTC),
          and the days since the oldest of those fell due.

        ``exclude_order_id`` is the order being decided, which the rule adds in full: its own
        share of an invoice is left out (the invoice counts what it bills of other orders, at
        most its balance), so it is not counted twice. Amounts are added at face value,
        whatever their currency, as the credit check always has (orders are normally in the
        customer's currency; no rate is applied)."""
        today = today or datetime.now(UTC).date()
        receivables, drafts, overdue, oldest_due = await self._invoice_totals(
            customer.id, exclude_order_id, today
        )
        committed = await self._uninvoiced(customer.id, exclude_order_id)
        cent = Decimal("0.01")
        return CreditPosition(
            limit=customer.credit_limit,
            open_receivables=receivables.quantize(cent),
            open_orders=(committed + drafts).quantize(cent),
            overdue_amount=overdue.quantize(cent),
            max_days_overdue=(today - oldest_due).days if oldest_due is not None else 0,
        )

    async def _invoice_totals(
        self, customer_id: uuid.UUID, exclude_order_id: uuid.UUID | None, today: date
    ) -> tuple[Decimal, Decimal, Decimal, date | None]:
        """Open receivables, draft invoices, overdue balance and the oldest overdue due date
        of the customer's invoices, in one statement."""
        owed = Invoice.total - Invoice.amount_paid - Invoice.amount_credited
        others: ColumnElement[Decimal] = Invoice.total.expression
        counted: ColumnElement[Decimal] = owed
        own = None
        if exclude_order_id is not None:
            own = (
                select(
                    InvoiceLine.invoice_id.label("invoice_id"),
                    func.sum(InvoiceLine.total).label("billed"),
                )
                .where(InvoiceLine.order_id == exclude_order_id)
                .group_by(InvoiceLine.invoice_id)
                .subquery()
            )
            others = Invoice.total - func.coalesce(own.c.billed, 0)
            counted = case((owed < others, owed), else_=others)
        issued = Invoice.status == InvoiceStatus.ISSUED.value
        overdue = and_(issued, owed > 0, Invoice.due_date < today)
        stmt = select(
            func.coalesce(func.sum(case((issued, counted), else_=0)), 0),
            func.coalesce(func.sum(case((issued, 0), else_=others)), 0),
            func.coalesce(func.sum(case((overdue, owed), else_=0)), 0),
            func.min(case((overdue, Invoice.due_date), else_=None)),
        ).select_from(Invoice)
        if own is not None:
            stmt = stmt.outerjoin(own, own.c.invoice_id == Invoice.id)
        stmt = stmt.where(
            Invoice.customer_id == customer_id,
            or_(Invoice.status == InvoiceStatus.DRAFT.value, and_(issued, owed > 0)),
        )
        row = (await self.session.execute(stmt)).one()
        oldest = row[3]
        if isinstance(oldest, str):  # SQLite answers an aggregate of dates as text
            oldest = date.fromisoformat(oldest)
        return _decimal(row[0]), _decimal(row[1]), _decimal(row[2]), oldest

    async def _uninvoiced(
        self, customer_id: uuid.UUID, exclude_order_id: uuid.UUID | None
    ) -> Decimal:
        """Committed orders' value not yet invoiced, from their lines' uninvoiced quantity —
        of what was ordered, or of what was shipped once the order is short-closed (the rest
        will never be shipped nor billed)."""
        due = case(
            (Order.short_closed_at.is_(None), OrderLine.quantity_ordered),
            else_=OrderLine.quantity_shipped,
        )
        unbilled = (
            OrderLine.total * (due - OrderLine.quantity_invoiced) / OrderLine.quantity_ordered
        )
        stmt = (
            select(func.coalesce(func.sum(unbilled), 0))
            .select_from(OrderLine)
            .join(Order, Order.id == OrderLine.order_id)
            .where(Order.customer_id == customer_id, Order.status.in_(COMMITTED_STATUSES))
        )
        if exclude_order_id is not None:
            stmt = stmt.where(Order.id != exclude_order_id)
        return _decimal(await self.session.scalar(stmt))

    async def credit_held_orders(self, customer_id: uuid.UUID, *, limit: int) -> list[uuid.UUID]:
        """The customer's orders on hold for credit (limit or overdue), oldest first."""
        rows = await self.session.execute(
            select(Order.id, Order.holds)
            .where(Order.customer_id == customer_id, Order.status == "on_hold")
            .order_by(Order.created_at, Order.id)
            .limit(limit)
        )
        return [order_id for order_id, holds in rows.tuples() if set(holds or ()) & CREDIT_HOLDS]

    async def approvals_queue(
        self, roles: list[str] | None, *, limit: int, cursor: str | None
    ) -> PageResult[Order]:
        """Orders waiting for one of ``roles`` (None: every waiting order), oldest first."""
        stmt = select(Order).where(Order.status == "pending_approval")
        if roles is not None:
            stmt = stmt.where(Order.next_approver.in_(roles))
        return await paginate(
            self.session, stmt, [Order.created_at, Order.id], limit=limit, cursor=cursor
        )


def _decimal(value: object) -> Decimal:
    return Decimal(str(value or 0))
