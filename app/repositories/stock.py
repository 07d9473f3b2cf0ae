"""Stock levels and the movements ledger: the database decides availability in one statement."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.elements import ColumnElement

from app.domain.limits import QUANTITY_MAX
from app.domain.stock import StockOverflow
from app.repositories.base import Base, IdMixin, Quantity, first, utcnow
from app.repositories.pagination import PageResult, paginate
from app.repositories.products import Product
from app.repositories.warehouses import Warehouse


class StockLevel(Base):
    __tablename__ = "stock_levels"
    __table_args__ = (
        CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
        CheckConstraint("reserved >= 0", name="reserved_not_negative"),
        CheckConstraint("reserved <= on_hand", name="reserved_within_on_hand"),
    )

    warehouse_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("warehouses.id"), primary_key=True)
    product_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("products.id"), primary_key=True, index=True
    )
    on_hand: Mapped[Decimal] = mapped_column(Quantity, default=Decimal("0"))
    reserved: Mapped[Decimal] = mapped_column(Quantity, default=Decimal("0"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class StockMovement(IdMixin, Base):
    """One change of on-hand stock; the ledger is append-only and sums to ``on_hand``."""

    __tablename__ = "stock_movements"
    __table_args__ = (
        Index("ix_stock_movements_product_warehouse", "product_id", "warehouse_id"),
        Index("ix_stock_movements_created_at_id", "created_at", "id"),
    )

    warehouse_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("warehouses.id"), index=True)
    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("products.id"))
    kind: Mapped[str] = mapped_column(String(16), index=True)
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    reason: Mapped[str | None] = mapped_column(String(200))
    reference: Mapped[str | None] = mapped_column(String(100), index=True)
    actor: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


@dataclass(frozen=True)
class MovementView:
    """One ledger row with its warehouse code and SKU."""

    id: uuid.UUID
    warehouse_id: uuid.UUID
    warehouse: str
    product_id: uuid.UUID
    sku: str
    kind: str
    quantity: Decimal
    reason: str | None
    reference: str | None
    actor: str
    created_at: datetime

    @classmethod
    def of(cls, m: StockMovement, warehouse: str, sku: str) -> MovementView:
        return cls(
            m.id,
            m.warehouse_id,
            warehouse,
            m.product_id,
            sku,
            m.kind,
            m.quantity,
            m.reason,
            m.reference,
            m.actor,
            m.created_at,
        )


@dataclass(frozen=True)
class LevelVsLedger:
    warehouse_id: uuid.UUID
    product_id: uuid.UUID
    on_hand: Decimal | None
    reserved: Decimal | None
    ledger_sum: Decimal


class StockRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def move(
        self,
        warehouse_id: uuid.UUID,
        product_id: uuid.UUID,
        quantity: Decimal,
        *,
        kind: str,
        actor: str,
        reason: str | None = None,
        reference: str | None = None,
    ) -> StockMovement | None:
        """Invariant 1 in one place: change on-hand stock by ``quantity`` and write its
        movement, together. The only writer of either. None (nothing written) when an issue
        would take on-hand below zero or below what is reserved."""
        if not await self._change_on_hand(warehouse_id, product_id, quantity):
            return None
        movement = StockMovement(
            warehouse_id=warehouse_id,
            product_id=product_id,
            kind=kind,
            quantity=quantity,
            reason=reason,
            reference=reference,
            actor=actor,
        )
        self.session.add(movement)
        return movement

    async def _change_on_hand(
        self, warehouse_id: uuid.UUID, product_id: uuid.UUID, delta: Decimal
    ) -> bool:
        """Add ``delta`` to on-hand stock unless it would fall below zero or below what is
        reserved; one guarded statement, so concurrent callers cannot both pass the check.
        Returns False (and changes nothing) when the guard refuses; an arrival that would take
        on-hand past what the column holds raises ``StockOverflow``."""
        if delta > 0:
            # Arrivals and allocations of a product take its product lock first (then stock
            # rows), so an allocation that finds nothing and a receipt that allocates the
            # waiting orders can never miss each other (and never deadlock).
            await self.lock_products([product_id])
            dialect = self.session.bind.dialect.name
            insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
            stmt = insert(StockLevel).values(
                warehouse_id=warehouse_id,
                product_id=product_id,
                on_hand=delta,
                reserved=Decimal("0"),
                updated_at=utcnow(),
            )
            stmt = stmt.on_conflict_do_update(
                index_elements=[StockLevel.warehouse_id, StockLevel.product_id],
                set_={"on_hand": StockLevel.on_hand + delta, "updated_at": utcnow()},
                where=StockLevel.on_hand + delta <= QUANTITY_MAX,
            )
            if not (await self.session.execute(stmt)).rowcount:  # type: ignore[attr-defined]
                raise StockOverflow.arriving()
            return True
        result = await self.session.execute(
            update(StockLevel)
            .where(
                StockLevel.warehouse_id == warehouse_id,
                StockLevel.product_id == product_id,
                StockLevel.on_hand + delta >= StockLevel.reserved,
            )
            .values(on_hand=StockLevel.on_hand + delta, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def lock_products(self, product_ids: list[uuid.UUID]) -> None:
        """Serialise stock arrivals and allocations per product (see :func:`lock_products`)."""
        await lock_products(self.session, product_ids)

    async def levels_for_product(self, product_id: uuid.UUID) -> list[StockLevel]:
        rows = await self.session.scalars(
            select(StockLevel)
            .where(StockLevel.product_id == product_id)
            .order_by(StockLevel.warehouse_id)
        )
        return list(rows)

    async def get_level(self, warehouse_id: uuid.UUID, product_id: uuid.UUID) -> StockLevel | None:
        return await self.session.get(StockLevel, (warehouse_id, product_id))

    async def read_level(self, warehouse_id: uuid.UUID, product_id: uuid.UUID) -> StockLevel | None:
        """The level as the database holds it now (after a guarded update), not a cached copy."""
        return await first(
            self.session,
            select(StockLevel)
            .where(StockLevel.warehouse_id == warehouse_id, StockLevel.product_id == product_id)
            .execution_options(populate_existing=True),
        )

    async def page_movements(
        self,
        *,
        warehouse_id: uuid.UUID | None,
        product_id: uuid.UUID | None,
        kind: str | None,
        reference: str | None,
        created_from: datetime | None,
        created_to: datetime | None,
        limit: int,
        cursor: str | None,
    ) -> PageResult[tuple[StockMovement, str, str]]:
        """Movements newest first, each with its warehouse code and SKU."""
        conditions: list[ColumnElement[bool]] = []
        if warehouse_id is not None:
            conditions.append(StockMovement.warehouse_id == warehouse_id)
        if product_id is not None:
            conditions.append(StockMovement.product_id == product_id)
        if kind is not None:
            conditions.append(StockMovement.kind == kind)
        if reference is not None:
            conditions.append(StockMovement.reference == reference)
        if created_from is not None:
            conditions.append(StockMovement.created_at >= created_from)
        if created_to is not None:
            conditions.append(StockMovement.created_at < created_to)
        page = await paginate(
            self.session,
            select(StockMovement).where(*conditions),
            [StockMovement.created_at, StockMovement.id],
            limit=limit,
            cursor=cursor,
            descending=True,
        )
        codes, skus = await self._names(page.items)
        return PageResult(
            [(m, codes[m.warehouse_id], skus[m.product_id]) for m in page.items], page.next_cursor
        )

    async def page_levels(
        self,
        *,
        warehouse_id: uuid.UUID | None,
        product_id: uuid.UUID | None,
        limit: int,
        cursor: str | None,
    ) -> PageResult[tuple[StockLevel, str, str]]:
        """Levels in key order, each with its warehouse code and SKU."""
        stmt = select(StockLevel)
        if warehouse_id is not None:
            stmt = stmt.where(StockLevel.warehouse_id == warehouse_id)
        if product_id is not None:
            stmt = stmt.where(StockLevel.product_id == product_id)
        page = await paginate(
            self.session,
            stmt,
            [StockLevel.warehouse_id, StockLevel.product_id],
            limit=limit,
            cursor=cursor,
        )
        codes, skus = await self._names(page.items)
        return PageResult(
            [(lv, codes[lv.warehouse_id], skus[lv.product_id]) for lv in page.items],
            page.next_cursor,
        )

    async def _names(
        self, rows: list[StockMovement] | list[StockLevel]
    ) -> tuple[dict[uuid.UUID, str], dict[uuid.UUID, str]]:
        """Warehouse codes and SKUs of the rows of one page (two small indexed lookups)."""
        warehouse_ids = {r.warehouse_id for r in rows}
        product_ids = {r.product_id for r in rows}
        codes: dict[uuid.UUID, str] = {}
        skus: dict[uuid.UUID, str] = {}
        if warehouse_ids:
            result = await self.session.execute(
                select(Warehouse.id, Warehouse.code).where(Warehouse.id.in_(warehouse_ids))
            )
            codes = dict(result.tuples().all())
        if product_ids:
            result = await self.session.execute(
                select(Product.id, Product.sku).where(Product.id.in_(product_ids))
            )
            skus = dict(result.tuples().all())
        return codes, skus

    async def positions_in_active_warehouses(
        self, product_id: uuid.UUID
    ) -> list[tuple[uuid.UUID, str, Decimal, Decimal]]:
        """(warehouse id, code, on_hand, reserved) of one product in every active warehouse,
        zero where it has never been stocked, in allocation preference (priority, code)."""
        result = await self.session.execute(
            select(
                Warehouse.id,
                Warehouse.code,
                func.coalesce(StockLevel.on_hand, 0),
                func.coalesce(StockLevel.reserved, 0),
            )
            .outerjoin(
                StockLevel,
                (StockLevel.warehouse_id == Warehouse.id) & (StockLevel.product_id == product_id),
            )
            .where(Warehouse.active.is_(True))
            .order_by(Warehouse.priority, Warehouse.code)
        )
        return [
            (wid, code, Decimal(on_hand), Decimal(reserved))
            for wid, code, on_hand, reserved in result.tuples().all()
        ]

    async def compare_levels_with_ledger(self) -> list[LevelVsLedger]:
        """The (warehouse, product) pairs whose level breaks invariant 1: on-hand differs from
        the ledger's sum, a bound is broken, or movements exist with no level at all."""
        sums = (
            select(
                StockMovement.warehouse_id,
                StockMovement.product_id,
                func.sum(StockMovement.quantity).label("total"),
            )
            .group_by(StockMovement.warehouse_id, StockMovement.product_id)
            .subquery()
        )
        from_levels = (
            select(
                StockLevel.warehouse_id,
                StockLevel.product_id,
                StockLevel.on_hand,
                StockLevel.reserved,
                func.coalesce(sums.c.total, 0),
            )
            .outerjoin(
                sums,
                (sums.c.warehouse_id == StockLevel.warehouse_id)
                & (sums.c.product_id == StockLevel.product_id),
            )
            .where(
                (StockLevel.on_hand != func.coalesce(sums.c.total, 0))
                | (StockLevel.on_hand < 0)
                | (StockLevel.reserved < 0)
                | (StockLevel.reserved > StockLevel.on_hand)
            )
        )
        orphans = (
            select(sums.c.warehouse_id, sums.c.product_id, sums.c.total)
            .outerjoin(
                StockLevel,
                (sums.c.warehouse_id == StockLevel.warehouse_id)
                & (sums.c.product_id == StockLevel.product_id),
            )
            .where(StockLevel.product_id.is_(None), sums.c.total != 0)
        )
        out = [
            LevelVsLedger(w, p, Decimal(on_hand), Decimal(reserved), Decimal(total))
            for w, p, on_hand, reserved, total in (await self.session.execute(from_levels)).all()
        ]
        out += [
            LevelVsLedger(w, p, None, None, Decimal(total))
            for w, p, total in (await self.session.execute(orphans)).all()
        ]
        return out


# The products' rows locked in one fixed order, the ids one array: prebuilt text on the
# connection (through the ORM session with an expanding IN it cost twice the client CPU).
LOCK_PRODUCTS = "SELECT id FROM products WHERE id = ANY($1::uuid[]) ORDER BY id FOR NO KEY UPDATE"


async def lock_products(session: AsyncSession, product_ids: list[uuid.UUID]) -> None:
    """Serialise stock arrivals and allocations per product (PostgreSQL; SQLite
    transactions already hold the write lock). ``FOR NO KEY UPDATE`` does not conflict
    with the ``KEY SHARE`` locks that order lines' foreign keys take."""
    if session.bind.dialect.name != "postgresql" or not product_ids:
        return
    connection = await session.connection()
    await connection.exec_driver_sql(LOCK_PRODUCTS, (product_ids,))
