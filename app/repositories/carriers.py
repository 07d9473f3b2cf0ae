"""Carriers: master data for shipping (coverage, limits, rate tables, credentials)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Numeric, String, Text, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.repositories.base import Base, IdMixin, Lookups, TimestampMixin, VersionedMixin, first
from app.repositories.pagination import PageResult, paginate
from app.repositories.search import contains


class Carrier(IdMixin, TimestampMixin, VersionedMixin, Base):
    __tablename__ = "carriers"

    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    adapter_kind: Mapped[str] = mapped_column(String(32))
    services: Mapped[list[dict[str, Any]]]
    # {country: [regions]}; an empty list covers the whole country.
    coverage: Mapped[dict[str, Any]]
    max_package_weight_kg: Mapped[Decimal] = mapped_column(Numeric(12, 3))
    goods_classes: Mapped[list[str]]
    currency: Mapped[str] = mapped_column(String(3))
    transit_days: Mapped[dict[str, Any]]
    # {zone: {"base": "12.00", "per_kg": "1.50"}}; amounts as decimal text.
    rates: Mapped[dict[str, Any]]
    surcharges: Mapped[dict[str, Any]]
    cutoff_time: Mapped[str] = mapped_column(String(5))
    zone_rules: Mapped[dict[str, Any]]
    # The secret to call the carrier with: written by the API, never read back by it.
    credentials: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True, index=True)
    # HTTP adapters: the API's base URL (EasyPost's public one when empty), whether the
    # carrier calls Lading's webhook (otherwise the worker polls its tracking), and the
    # deadline of each call to it.
    endpoint: Mapped[str | None] = mapped_column(String(300))
    webhooks: Mapped[bool] = mapped_column(default=True)
    timeout_seconds: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=Decimal(10))

    @property
    def has_credentials(self) -> bool:
        return bool(self.credentials)


class CarrierRepository(Lookups[Carrier]):
    model = Carrier
    noun = "carrier"

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_by_code(self, code: str) -> Carrier | None:
        return await first(self.session, select(Carrier).where(Carrier.code == code))

    def add(self, carrier: Carrier) -> None:
        self.session.add(carrier)

    async def all(self) -> list[Carrier]:
        """Every carrier, active or not, by code (carriers are few)."""
        return list((await self.session.scalars(select(Carrier).order_by(Carrier.code))).all())

    async def page(
        self, *, active: bool | None, q: str | None, limit: int, cursor: str | None
    ) -> PageResult[Carrier]:
        stmt = select(Carrier)
        if active is not None:
            stmt = stmt.where(Carrier.active == active)
        if q:
            stmt = stmt.where(contains(q, Carrier.code, Carrier.name))
        return await paginate(self.session, stmt, [Carrier.code], limit=limit, cursor=cursor)
