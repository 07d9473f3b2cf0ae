"""Customers (with their ship-to addresses) and suppliers."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.repositories.base import Base, IdMixin, TimestampMixin, VersionedMixin, first


class Customer(IdMixin, TimestampMixin, VersionedMixin, Base):
    __tablename__ = "customers"
    __table_args__ = (
        CheckConstraint("credit_limit >= 0", name="credit_limit_not_negative"),
        CheckConstraint("payment_terms_days >= 0", name="payment_terms_not_negative"),
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
    active: Mapped[bool] = mapped_column(default=True)


class Supplier(IdMixin, TimestampMixin, VersionedMixin, Base):
    __tablename__ = "suppliers"
    __table_args__ = (CheckConstraint("lead_time_days >= 0", name="lead_time_not_negative"),)

    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    contacts: Mapped[list[dict[str, Any]]]
    lead_time_days: Mapped[int] = mapped_column(Integer, default=7)
    active: Mapped[bool] = mapped_column(default=True)


class CustomerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, customer_id: uuid.UUID) -> Customer | None:
        return await self.session.get(Customer, customer_id)

    async def get_by_code(self, code: str) -> Customer | None:
        return await first(self.session, select(Customer).where(Customer.code == code))

    def add(self, customer: Customer) -> None:
        self.session.add(customer)


class SupplierRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, supplier_id: uuid.UUID) -> Supplier | None:
        return await self.session.get(Supplier, supplier_id)

    async def get_by_code(self, code: str) -> Supplier | None:
        return await first(self.session, select(Supplier).where(Supplier.code == code))

    def add(self, supplier: Supplier) -> None:
        self.session.add(supplier)
