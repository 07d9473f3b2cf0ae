"""Products and price lists."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import date
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    delete,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.repositories.base import (
    Base,
    IdMixin,
    Lookups,
    Quantity,
    TimestampMixin,
    VersionedMixin,
    first,
    utcnow,
)
from app.repositories.pagination import PageResult, paginate
from app.repositories.search import contains


class Product(IdMixin, TimestampMixin, VersionedMixin, Base):
    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("list_price >= 0", name="list_price_not_negative"),
        CheckConstraint("floor_price IS NULL OR floor_price >= 0", name="floor_price_not_negative"),
        CheckConstraint("uom_precision >= 0 AND uom_precision <= 3", name="uom_precision_range"),
        CheckConstraint("tax_rate >= 0", name="tax_rate_not_negative"),
    )

    sku: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    spec: Mapped[str | None] = mapped_column(String(200))
    uom: Mapped[str] = mapped_column(String(16), default="pcs")
    uom_precision: Mapped[int] = mapped_column(Integer, default=0)
    weight_kg: Mapped[Decimal | None] = mapped_column(Numeric(12, 3))
    length_cm: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    width_cm: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    height_cm: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    goods_class: Mapped[str] = mapped_column(String(16), default="general", index=True)
    currency: Mapped[str] = mapped_column(String(3))
    list_price: Mapped[Decimal]
    floor_price: Mapped[Decimal | None]
    tax_rate: Mapped[Decimal] = mapped_column(Numeric(6, 4), default=Decimal("0"))
    reorder_point: Mapped[Decimal] = mapped_column(Quantity, default=Decimal("0"))
    reorder_quantity: Mapped[Decimal] = mapped_column(Quantity, default=Decimal("0"))
    preferred_supplier_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("suppliers.id"), index=True
    )
    substitutes: Mapped[list[str]]
    # Days after delivery the product may be returned; None: the general return window.
    return_window_days: Mapped[int | None]
    # How it is supplied (app.domain.production): bought, made to stock or made to order;
    # made ones take this many days and are made into this warehouse.
    supply_method: Mapped[str] = mapped_column(String(16), default="buy", server_default="buy")
    production_lead_days: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    production_warehouse_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("warehouses.id"))
    active: Mapped[bool] = mapped_column(default=True, index=True)


class PriceList(IdMixin, TimestampMixin, VersionedMixin, Base):
    """A customer-specific list (customers point at it) or a group list (by customer group)."""

    __tablename__ = "price_lists"

    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), default="customer", index=True)
    customer_group: Mapped[str | None] = mapped_column(String(64), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    active: Mapped[bool] = mapped_column(default=True, index=True)


class PriceListItem(IdMixin, Base):
    """One price for a product from a minimum quantity, optionally within validity dates."""

    __tablename__ = "price_list_items"
    __table_args__ = (
        CheckConstraint("unit_price >= 0", name="unit_price_not_negative"),
        CheckConstraint("min_quantity >= 0", name="min_quantity_not_negative"),
        Index("ix_price_list_items_list_product", "price_list_id", "product_id"),
    )

    price_list_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("price_lists.id", ondelete="CASCADE")
    )
    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("products.id"), index=True)
    min_quantity: Mapped[Decimal] = mapped_column(Quantity, default=Decimal("0"))
    unit_price: Mapped[Decimal]
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]


class ProductRepository(Lookups[Product]):
    model = Product
    noun = "product"

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_by_sku(self, sku: str) -> Product | None:
        return await first(self.session, select(Product).where(Product.sku == sku))

    async def get_many_by_sku(self, skus: list[str]) -> dict[str, Product]:
        rows = await self.session.scalars(select(Product).where(Product.sku.in_(skus)))
        return {p.sku: p for p in rows}

    def add(self, product: Product) -> None:
        self.session.add(product)

    async def page(
        self,
        *,
        active: bool | None,
        goods_class: str | None,
        preferred_supplier_id: uuid.UUID | None,
        q: str | None,
        limit: int,
        cursor: str | None,
    ) -> PageResult[Product]:
        """Products by SKU, filtered."""
        stmt = select(Product)
        if active is not None:
            stmt = stmt.where(Product.active == active)
        if goods_class is not None:
            stmt = stmt.where(Product.goods_class == goods_class)
        if preferred_supplier_id is not None:
            stmt = stmt.where(Product.preferred_supplier_id == preferred_supplier_id)
        if q:
            stmt = stmt.where(contains(q, Product.sku, Product.name))
        return await paginate(self.session, stmt, [Product.sku], limit=limit, cursor=cursor)


class PriceListRepository(Lookups[PriceList]):
    model = PriceList
    noun = "price list"

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_by_code(self, code: str) -> PriceList | None:
        return await first(self.session, select(PriceList).where(PriceList.code == code))

    async def items(self, price_list_id: uuid.UUID) -> list[PriceListItem]:
        rows = await self.session.scalars(
            select(PriceListItem)
            .where(PriceListItem.price_list_id == price_list_id)
            .order_by(PriceListItem.product_id, PriceListItem.min_quantity, PriceListItem.id)
        )
        return list(rows)

    def add(self, price_list: PriceList) -> None:
        self.session.add(price_list)

    async def page(
        self,
        *,
        active: bool | None,
        kind: str | None,
        customer_group: str | None,
        q: str | None,
        limit: int,
        cursor: str | None,
    ) -> PageResult[PriceList]:
        """Price lists by code, filtered."""
        stmt = select(PriceList)
        if active is not None:
            stmt = stmt.where(PriceList.active == active)
        if kind is not None:
            stmt = stmt.where(PriceList.kind == kind)
        if customer_group is not None:
            stmt = stmt.where(PriceList.customer_group == customer_group)
        if q:
            stmt = stmt.where(contains(q, PriceList.code, PriceList.name))
        return await paginate(self.session, stmt, [PriceList.code], limit=limit, cursor=cursor)

    async def items_with_sku(
        self, price_list_ids: Collection[uuid.UUID]
    ) -> list[tuple[PriceListItem, str]]:
        """The items of these lists, each with its product's SKU."""
        if not price_list_ids:
            return []
        rows = await self.session.execute(
            select(PriceListItem, Product.sku)
            .join(Product, Product.id == PriceListItem.product_id)
            .where(PriceListItem.price_list_id.in_(price_list_ids))
        )
        return [(item, sku) for item, sku in rows.tuples()]

    async def replace_items(self, price_list_id: uuid.UUID, items: list[PriceListItem]) -> None:
        """Make ``items`` the list's only items."""
        await self.session.execute(
            delete(PriceListItem).where(PriceListItem.price_list_id == price_list_id)
        )
        for item in items:
            item.price_list_id = price_list_id
        self.session.add_all(items)

    def touch(self, price_list: PriceList) -> None:
        """Mark the list changed, so that its version rises even when only its items did."""
        price_list.updated_at = utcnow()
