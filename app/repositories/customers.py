"""Customers (with their ship-to addresses) and suppliers."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ColumnElement,
    ForeignKey,
    Index,
    Integer,
    String,
    exists,
    false,
    func,
    select,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.repositories.base import Base, IdMixin, Lookups, TimestampMixin, VersionedMixin, first
from app.repositories.pagination import PageResult, paginate
from app.repositories.search import contains


class Customer(IdMixin, TimestampMixin, VersionedMixin, Base):
    __tablename__ = "customers"
    __table_args__ = (
        CheckConstraint("credit_limit >= 0", name="credit_limit_not_negative"),
        CheckConstraint("payment_terms_days >= 0", name="payment_terms_not_negative"),
        # JSONB containment (tags @> '["vip"]') uses it on PostgreSQL.
        Index("ix_customers_tags", "tags", postgresql_using="gin"),
    )

    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)
    customer_group: Mapped[str | None] = mapped_column(String(64), index=True)
    credit_limit: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    currency: Mapped[str] = mapped_column(String(3))
    payment_terms_days: Mapped[int] = mapped_column(Integer, default=30)
    price_list_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("price_lists.id"), index=True
    )
    tags: Mapped[list[str]]
    # Contacts and addresses are value objects of the customer, kept as JSON documents;
    # every ship-to carries its own id so that orders can name it.
    contacts: Mapped[list[dict[str, Any]]]
    bill_to: Mapped[dict[str, Any] | None]
    ship_to: Mapped[list[dict[str, Any]]]
    # What happens when stock is short: ship_partial (ship what exists, backorder the rest) or
    # ship_complete (hold until all of it can ship together).
    fulfillment_policy: Mapped[str] = mapped_column(String(16), default="ship_partial")
    # How carriers are chosen for the customer's shipments: cheapest, fastest, or preferred
    # (the preferred carrier first).
    shipping_preference: Mapped[str] = mapped_column(String(16), default="cheapest")
    preferred_carrier: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(default=True, index=True)
    # When the customer is invoiced (app.domain.billing.invoices.InvoicingPolicy), the period
    # of a periodic (月结) customer, and the invoice type it takes by default.
    invoicing_policy: Mapped[str] = mapped_column(String(16), default="on_shipment")
    invoicing_period: Mapped[str | None] = mapped_column(String(8))
    invoice_type: Mapped[str] = mapped_column(String(16), default="ordinary")
    # VAT registration for invoices: buyer name, taxpayer id (统一社会信用代码), address and
    # phone, bank and account.
    tax_registration: Mapped[dict[str, Any] | None]
    # Notifications: the language they are written in (zh-CN or en) and the channels the
    # customer opted out of.
    language: Mapped[str] = mapped_column(String(8), default="zh-CN", server_default="zh-CN")
    email_opt_out: Mapped[bool] = mapped_column(default=False, server_default=false())
    sms_opt_out: Mapped[bool] = mapped_column(default=False, server_default=false())


class Supplier(IdMixin, TimestampMixin, VersionedMixin, Base):
    __tablename__ = "suppliers"
    __table_args__ = (CheckConstraint("lead_time_days >= 0", name="lead_time_not_negative"),)

    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    contacts: Mapped[list[dict[str, Any]]]
    lead_time_days: Mapped[int] = mapped_column(Integer, default=7)
    active: Mapped[bool] = mapped_column(default=True, index=True)


class CustomerRepository(Lookups[Customer]):
    model = Customer
    noun = "customer"

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        # The session's identity map holds unchanged rows weakly; the reactions an order's
        # command triggers at commit (review, allocation) read its customer again, so the
        # customers this unit of work loaded stay held: reading one again costs no statement.
        self._held: dict[uuid.UUID, Customer] = {}

    async def get(self, row_id: uuid.UUID) -> Customer | None:
        held = self._held.get(row_id)
        if held is not None:
            return held
        return self._hold(await self.session.get(Customer, row_id))

    async def get_by_code(self, code: str) -> Customer | None:
        stmt = select(Customer).where(Customer.code == code)
        customer = await first(self.session, stmt)
        return self._hold(customer)

    def _hold(self, customer: Customer | None) -> Customer | None:
        if customer is not None:
            self._held[customer.id] = customer
        return customer

    def add(self, customer: Customer) -> None:
        self.session.add(customer)

    async def page(
        self,
        *,
        status: str | None,
        active: bool | None,
        customer_group: str | None,
        tag: str | None,
        q: str | None,
        limit: int,
        cursor: str | None,
    ) -> PageResult[Customer]:
        """Customers by code, narrowed by every filter that is given."""
        stmt = select(Customer)
        if status is not None:
            stmt = stmt.where(Customer.status == status)
        if active is not None:
            stmt = stmt.where(Customer.active == active)
        if customer_group is not None:
            stmt = stmt.where(Customer.customer_group == customer_group)
        if tag is not None:
            stmt = stmt.where(self._has_tag(tag))
        if q:
            stmt = stmt.where(contains(q, Customer.code, Customer.name))
        return await paginate(self.session, stmt, [Customer.code], limit=limit, cursor=cursor)

    async def invoiced_periodically(self, policy: str, period: str) -> list[tuple[uuid.UUID, str]]:
        """(id, code) of the customers invoiced by ``policy`` every ``period`` (月结), in
        code order."""
        stmt = (
            select(Customer.id, Customer.code)
            .where(Customer.invoicing_policy == policy, Customer.invoicing_period == period)
            .order_by(Customer.code)
        )
        return [(i, c) for i, c in (await self.session.execute(stmt)).tuples()]

    def _has_tag(self, tag: str) -> ColumnElement[bool]:
        """The customer's ``tags`` array holds exactly ``tag``."""
        if self.session.bind.dialect.name == "postgresql":
            # tags @> '["tag"]': JSONB containment, which a GIN index on tags can serve.
            return type_coerce(Customer.tags, JSONB).contains([tag])
        # SQLite: EXISTS (SELECT 1 FROM json_each(customers.tags) WHERE value = :tag)
        elements = func.json_each(Customer.tags).table_valued("value")
        return exists().select_from(elements).where(elements.c.value == tag)


class SupplierRepository(Lookups[Supplier]):
    model = Supplier
    noun = "supplier"

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_by_code(self, code: str) -> Supplier | None:
        return await first(self.session, select(Supplier).where(Supplier.code == code))

    def add(self, supplier: Supplier) -> None:
        self.session.add(supplier)

    async def page(
        self, *, active: bool | None, q: str | None, limit: int, cursor: str | None
    ) -> PageResult[Supplier]:
        """Suppliers by code, narrowed by active flag and text."""
        stmt = select(Supplier)
        if active is not None:
            stmt = stmt.where(Supplier.active == active)
        if q:
            stmt = stmt.where(contains(q, Supplier.code, Supplier.name))
        return await paginate(self.session, stmt, [Supplier.code], limit=limit, cursor=cursor)
