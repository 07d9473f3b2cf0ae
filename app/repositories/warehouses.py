"""Warehouses and bin locations."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Integer, Numeric, String, UniqueConstraint, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.repositories.base import Base, IdMixin, Lookups, TimestampMixin, VersionedMixin, first
from app.repositories.pagination import PageResult, paginate
from app.repositories.search import contains


class Warehouse(IdMixin, TimestampMixin, VersionedMixin, Base):
    __tablename__ = "warehouses"

    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[dict[str, Any] | None]
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    priority: Mapped[int] = mapped_column(Integer, default=100)
    active: Mapped[bool] = mapped_column(default=True, index=True)
    # Depot settings for delivery planning (app.domain.routing.depot): the IANA time zone its
    # local times are in, and its routing document (null: the defaults).
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    routing: Mapped[dict[str, Any] | None]


class BinLocation(IdMixin, Base):
    """Where a product lives in a warehouse: zone-aisle-shelf-bin, used for pick paths."""

    __tablename__ = "bin_locations"
    __table_args__ = (UniqueConstraint("warehouse_id", "product_id", name="warehouse_product"),)

    warehouse_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("warehouses.id"))
    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("products.id"), index=True)
    zone: Mapped[str] = mapped_column(String(16))
    aisle: Mapped[str] = mapped_column(String(16))
    shelf: Mapped[str] = mapped_column(String(16))
    bin: Mapped[str] = mapped_column(String(16))


class WarehouseRepository(Lookups[Warehouse]):
    model = Warehouse
    noun = "warehouse"

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_by_code(self, code: str) -> Warehouse | None:
        return await first(self.session, select(Warehouse).where(Warehouse.code == code))

    def add(self, warehouse: Warehouse) -> None:
        self.session.add(warehouse)

    async def get_bin(self, warehouse_id: uuid.UUID, product_id: uuid.UUID) -> BinLocation | None:
        return await first(
            self.session,
            select(BinLocation).where(
                BinLocation.warehouse_id == warehouse_id, BinLocation.product_id == product_id
            ),
        )

    def add_bin(self, location: BinLocation) -> None:
        self.session.add(location)

    async def page(
        self, *, active: bool | None, q: str | None, limit: int, cursor: str | None
    ) -> PageResult[Warehouse]:
        stmt = select(Warehouse)
        if active is not None:
            stmt = stmt.where(Warehouse.active == active)
        if q:
            stmt = stmt.where(contains(q, Warehouse.code, Warehouse.name))
        return await paginate(self.session, stmt, [Warehouse.code], limit=limit, cursor=cursor)

    async def page_bins(
        self, warehouse_id: uuid.UUID, *, limit: int, cursor: str | None
    ) -> PageResult[tuple[BinLocation, str]]:
        """Bins of a warehouse with their SKU, in a stable order."""
        from app.repositories.products import Product

        stmt = select(BinLocation).where(BinLocation.warehouse_id == warehouse_id)
        page = await paginate(self.session, stmt, [BinLocation.id], limit=limit, cursor=cursor)
        ids = [b.product_id for b in page.items]
        skus = dict(
            (await self.session.execute(select(Product.id, Product.sku).where(Product.id.in_(ids))))
            .tuples()
            .all()
        )
        return PageResult([(b, skus[b.product_id]) for b in page.items], page.next_cursor)
