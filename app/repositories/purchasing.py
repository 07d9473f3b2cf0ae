"""Purchase orders and their lines; what replenishment reads: shortages, stock, goods on order."""

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
    String,
    UniqueConstraint,
    case,
    func,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import Subquery

from app.domain.orders import OrderStatus
from app.domain.production import OPEN as MAKING
from app.repositories.base import (
    Base,
    IdMixin,
    Lookups,
    Quantity,
    TimestampMixin,
    VersionedMixin,
    first,
)
from app.repositories.customers import Supplier
from app.repositories.numbering import next_document_number
from app.repositories.orders import Order, OrderLine
from app.repositories.pagination import PageResult, equals, newest_first
from app.repositories.production import ProductionRequest
from app.repositories.products import Product
from app.repositories.replenishment import Candidate, SupplierInfo
from app.repositories.stock import StockLevel
from app.repositories.warehouses import Warehouse


class PurchaseOrder(IdMixin, TimestampMixin, VersionedMixin, Base):
    __tablename__ = "purchase_orders"
    __table_args__ = (Index("ix_purchase_orders_created_at_id", "created_at", "id"),)

    number: Mapped[str] = mapped_column(String(32), unique=True)
    supplier_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("suppliers.id"), index=True)
    # Where the goods arrive.
    warehouse_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("warehouses.id"), index=True)
    status: Mapped[str] = mapped_column(String(24), index=True)
    order_date: Mapped[date]
    expected_date: Mapped[date | None] = mapped_column(index=True)
    created_by: Mapped[str] = mapped_column(String(100))


class PurchaseOrderLine(IdMixin, Base):
    __tablename__ = "purchase_order_lines"
    __table_args__ = (
        UniqueConstraint("purchase_order_id", "product_id", name="purchase_order_product"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("received_quantity >= 0", name="received_not_negative"),
        CheckConstraint("unit_price IS NULL OR unit_price >= 0", name="unit_price_not_negative"),
    )

    purchase_order_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("purchase_orders.id", ondelete="CASCADE"), index=True
    )
    line_no: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("products.id"), index=True)
    sku: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    received_quantity: Mapped[Decimal] = mapped_column(Quantity, default=Decimal(0))
    unit_price: Mapped[Decimal | None]


def _remaining() -> ColumnElement[Decimal]:
    """What is still to receive on a line (never negative: over-receipts count as none)."""
    line = PurchaseOrderLine
    return case(
        (line.quantity > line.received_quantity, line.quantity - line.received_quantity),
        else_=0,
    )


class PurchasingRepository(Lookups[PurchaseOrder]):
    model = PurchaseOrder
    noun = "purchase order"

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_for_update(self, purchase_order_id: uuid.UUID) -> PurchaseOrder | None:
        """The order with its row locked until commit (PostgreSQL), read afresh."""
        return await first(
            self.session,
            select(PurchaseOrder)
            .where(PurchaseOrder.id == purchase_order_id)
            .with_for_update()
            .execution_options(populate_existing=True),
        )

    async def lines(self, purchase_order_id: uuid.UUID) -> list[PurchaseOrderLine]:
        rows = await self.session.scalars(
            select(PurchaseOrderLine)
            .where(PurchaseOrderLine.purchase_order_id == purchase_order_id)
            .order_by(PurchaseOrderLine.line_no)
        )
        return list(rows)

    def add(self, purchase_order: PurchaseOrder) -> None:
        self.session.add(purchase_order)

    def add_line(self, line: PurchaseOrderLine) -> None:
        self.session.add(line)

    async def next_number(self) -> int:
        """PostgreSQL sequence ``purchase_order_number_seq``, or the SQLite counter row."""
        return await next_document_number(self.session, "purchase_order")

    async def page(
        self,
        *,
        status: str | None,
        supplier_id: uuid.UUID | None,
        warehouse_id: uuid.UUID | None,
        limit: int,
        cursor: str | None,
    ) -> PageResult[PurchaseOrder]:
        """Purchase orders newest first, filtered."""
        conditions = equals(
            (PurchaseOrder.status, status),
            (PurchaseOrder.supplier_id, supplier_id),
            (PurchaseOrder.warehouse_id, warehouse_id),
        )
        return await newest_first(
            self.session, PurchaseOrder, conditions, limit=limit, cursor=cursor
        )

    async def codes(
        self, orders: Collection[PurchaseOrder]
    ) -> tuple[dict[uuid.UUID, str], dict[uuid.UUID, str]]:
        """Supplier codes and warehouse codes of these orders (two small indexed lookups)."""
        supplier_ids = {o.supplier_id for o in orders}
        warehouse_ids = {o.warehouse_id for o in orders}
        suppliers: dict[uuid.UUID, str] = {}
        warehouses: dict[uuid.UUID, str] = {}
        if supplier_ids:
            result = await self.session.execute(
                select(Supplier.id, Supplier.code).where(Supplier.id.in_(supplier_ids))
            )
            suppliers = dict(result.tuples().all())
        if warehouse_ids:
            result = await self.session.execute(
                select(Warehouse.id, Warehouse.code).where(Warehouse.id.in_(warehouse_ids))
            )
            warehouses = dict(result.tuples().all())
        return suppliers, warehouses

    async def suppliers(self, supplier_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, SupplierInfo]:
        if not supplier_ids:
            return {}
        result = await self.session.execute(
            select(
                Supplier.id, Supplier.code, Supplier.name, Supplier.lead_time_days, Supplier.active
            ).where(Supplier.id.in_(supplier_ids))
        )
        return {row[0]: SupplierInfo(*row) for row in result.tuples().all()}

    async def shortages_by_product(self) -> dict[uuid.UUID, Decimal]:
        """Backordered quantity per product: ordered − reserved − shipped over the lines of
        approved orders (only products with something outstanding)."""
        outstanding = func.sum(
            OrderLine.quantity_ordered - OrderLine.quantity_reserved - OrderLine.quantity_shipped,
            type_=Quantity,
        )
        result = await self.session.execute(
            select(OrderLine.product_id, outstanding)
            .join(Order, Order.id == OrderLine.order_id)
            .where(Order.status == OrderStatus.APPROVED, Order.short_closed_at.is_(None))
            .group_by(OrderLine.product_id)
            .having(outstanding > 0)
        )
        return {pid: Decimal(q) for pid, q in result.tuples().all()}

    async def on_order_by_product(
        self, statuses: Collection[str], product_ids: Collection[uuid.UUID] | None = None
    ) -> dict[uuid.UUID, tuple[Decimal, date | None]]:
        """Per product: the quantity still to receive on purchase orders in ``statuses``, and
        the earliest expected date among them (only products with something to receive)."""
        remaining = func.sum(_remaining(), type_=Quantity)
        stmt = (
            select(PurchaseOrderLine.product_id, remaining, func.min(PurchaseOrder.expected_date))
            .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.purchase_order_id)
            .where(
                PurchaseOrder.status.in_(list(statuses)),
                PurchaseOrderLine.quantity > PurchaseOrderLine.received_quantity,
            )
            .group_by(PurchaseOrderLine.product_id)
        )
        if product_ids is not None:
            stmt = stmt.where(PurchaseOrderLine.product_id.in_(list(product_ids)))
        result = await self.session.execute(stmt)
        return {pid: (Decimal(q), when) for pid, q, when in result.tuples().all()}

    async def replenishment_candidates(
        self,
        on_order_statuses: Collection[str],
        limit: int,
        *,
        product_ids: Collection[uuid.UUID] | None = None,
        supply: str | None = None,
    ) -> list[Candidate]:
        """Active products, by SKU, whose backorders exceed what is on order (bought, or
        being made by open production requests) or whose projected position (available + on
        order − backordered) is below the reorder point; at most ``limit`` (ask for one more
        to learn whether the list was cut); only ``product_ids`` when given (the alerts'
        check of a few products), only products of the ``supply`` method when given."""
        available = (
            select(
                StockLevel.product_id.label("product_id"),
                func.sum(StockLevel.on_hand - StockLevel.reserved).label("quantity"),
            )
            .join(Warehouse, Warehouse.id == StockLevel.warehouse_id)
            .where(Warehouse.active.is_(True))
            .group_by(StockLevel.product_id)
            .subquery()
        )
        shortage = (
            select(
                OrderLine.product_id.label("product_id"),
                func.sum(
                    OrderLine.quantity_ordered
                    - OrderLine.quantity_reserved
                    - OrderLine.quantity_shipped
                ).label("quantity"),
            )
            .join(Order, Order.id == OrderLine.order_id)
            .where(Order.status == OrderStatus.APPROVED, Order.short_closed_at.is_(None))
            .group_by(OrderLine.product_id)
            .subquery()
        )
        on_order = (
            select(
                PurchaseOrderLine.product_id.label("product_id"),
                func.sum(_remaining()).label("quantity"),
            )
            .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.purchase_order_id)
            .where(PurchaseOrder.status.in_(list(on_order_statuses)))
            .group_by(PurchaseOrderLine.product_id)
            .subquery()
        )
        making = _being_made()
        avail_q = func.coalesce(available.c.quantity, 0, type_=Quantity)
        short_q = func.coalesce(shortage.c.quantity, 0, type_=Quantity)
        order_q = func.coalesce(on_order.c.quantity, 0, type_=Quantity) + func.coalesce(
            making.c.quantity, 0, type_=Quantity
        )
        stmt = (
            select(Product, avail_q, short_q, order_q)
            .outerjoin(available, available.c.product_id == Product.id)
            .outerjoin(shortage, shortage.c.product_id == Product.id)
            .outerjoin(on_order, on_order.c.product_id == Product.id)
            .outerjoin(making, making.c.product_id == Product.id)
            .where(
                Product.active.is_(True),
                or_(short_q > order_q, avail_q + order_q - short_q < Product.reorder_point),
            )
            .order_by(Product.sku)
            .limit(limit)
        )
        if product_ids is not None:
            stmt = stmt.where(Product.id.in_(list(product_ids)))
        if supply is not None:
            stmt = stmt.where(Product.supply_method == supply)
        result = await self.session.execute(stmt)
        return [
            Candidate(product, Decimal(a), Decimal(s), Decimal(o))
            for product, a, s, o in result.tuples().all()
        ]


def _being_made() -> Subquery:
    """Per product, what open production requests still have to make."""
    r = ProductionRequest
    return (
        select(
            r.product_id.label("product_id"),
            func.sum(r.quantity - r.quantity_completed).label("quantity"),
        )
        .where(r.status.in_([x.value for x in MAKING]))
        .group_by(r.product_id)
        .subquery()
    )
