"""Review decisions, approvals and holds of orders; the credit position of a customer."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.domain.credit import CreditPosition
from app.repositories.base import Base, IdMixin, first, utcnow
from app.repositories.customers import Customer
from app.repositories.events import AuditEvent
from app.repositories.orders import Order, OrderLine
from app.repositories.pagination import PageResult, paginate

# Orders whose value counts against credit until invoiced: approved, and every later state
# that fulfilment adds.
COMMITTED_STATUSES = ("approved",)
# Orders that are gone: nothing of theirs counts.
CLOSED_STATUSES = ("cancelled", "rejected", "draft")


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
        self, customer: Customer, *, exclude_order_id: uuid.UUID | None = None
    ) -> CreditPosition:
        """Open receivables (invoiced value of the customer's live orders; payments arrive
        with billing) and approved orders not yet invoiced, from the order lines."""
        invoiced = OrderLine.total * OrderLine.quantity_invoiced / OrderLine.quantity_ordered
        unbilled = (
            OrderLine.total
            * (OrderLine.quantity_ordered - OrderLine.quantity_invoiced)
            / OrderLine.quantity_ordered
        )
        base = (
            select(func.coalesce(func.sum(invoiced), 0))
            .select_from(OrderLine)
            .join(Order, Order.id == OrderLine.order_id)
            .where(Order.customer_id == customer.id, Order.status.not_in(CLOSED_STATUSES))
        )
        open_orders = (
            select(func.coalesce(func.sum(unbilled), 0))
            .select_from(OrderLine)
            .join(Order, Order.id == OrderLine.order_id)
            .where(Order.customer_id == customer.id, Order.status.in_(COMMITTED_STATUSES))
        )
        if exclude_order_id is not None:
            base = base.where(Order.id != exclude_order_id)
            open_orders = open_orders.where(Order.id != exclude_order_id)
        receivables = Decimal(str(await self.session.scalar(base) or 0))
        committed = Decimal(str(await self.session.scalar(open_orders) or 0))
        cent = Decimal("0.01")
        return CreditPosition(
            limit=customer.credit_limit,
            open_receivables=receivables.quantize(cent),
            open_orders=committed.quantize(cent),
        )

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
