"""Production requests (MO) and the order lines each serves."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.domain.production import OPEN, ProductionStatus
from app.repositories.base import Base, IdMixin, Lookups, Quantity, VersionedMixin
from app.repositories.numbering import next_document_number
from app.repositories.pagination import PageResult, paginate
from app.repositories.stock import StockMovement


class ProductionRequest(IdMixin, VersionedMixin, Base):
    __tablename__ = "production_requests"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint(
            "quantity_completed >= 0 AND quantity_scrapped >= 0", name="quantities_not_negative"
        ),
        Index("ix_production_requests_open", "product_id", "status"),
        Index("ix_production_requests_created", "created_at", "id"),
    )

    number: Mapped[str] = mapped_column(String(32), unique=True)
    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("products.id"), index=True)
    sku: Mapped[str] = mapped_column(String(64))
    warehouse_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("warehouses.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    quantity_completed: Mapped[Decimal] = mapped_column(Quantity, default=Decimal(0))
    quantity_scrapped: Mapped[Decimal] = mapped_column(Quantity, default=Decimal(0))
    status: Mapped[str] = mapped_column(String(20), index=True)
    source: Mapped[str] = mapped_column(String(16))
    priority: Mapped[int] = mapped_column(default=0)
    due_date: Mapped[date] = mapped_column(index=True)
    expected_finish_date: Mapped[date | None]
    over_production_reason: Mapped[str | None] = mapped_column(String(500))
    scrap_reason: Mapped[str | None] = mapped_column(String(500))
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    note: Mapped[str | None] = mapped_column(String(500))
    delayed_at: Mapped[datetime | None]
    released_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(100))


class ProductionRequestLine(IdMixin, Base):
    """An order line a request makes goods for, and how many. (Named after its request, as
    OrderLine and ReturnLine are: without relationships the session writes new rows mapper
    by mapper in name order, and a line must follow the request it points to.)"""

    __tablename__ = "production_links"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    request_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("production_requests.id", ondelete="CASCADE"), index=True
    )
    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id"), index=True)
    order_line_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("order_lines.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Quantity)


@dataclass(frozen=True)
class ProductionFilter:
    status: str | None = None
    product_id: uuid.UUID | None = None
    order_id: uuid.UUID | None = None


class ProductionRepository(Lookups[ProductionRequest]):
    model = ProductionRequest
    noun = "production request"

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def next_number(self) -> int:
        return await next_document_number(self.session, "production_request")

    def add(self, row: ProductionRequest | ProductionRequestLine) -> None:
        self.session.add(row)

    async def delete_link(self, link: ProductionRequestLine) -> None:
        await self.session.delete(link)

    async def by_number(self, number: str) -> ProductionRequest | None:
        stmt = select(ProductionRequest).where(ProductionRequest.number == number)
        return (await self.session.scalars(stmt)).first()

    async def get_for_update(self, row_id: uuid.UUID) -> ProductionRequest | None:
        stmt = (
            select(ProductionRequest)
            .where(ProductionRequest.id == row_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return (await self.session.scalars(stmt)).first()

    async def links(self, request_ids: Collection[uuid.UUID]) -> list[ProductionRequestLine]:
        if not request_ids:
            return []
        stmt = select(ProductionRequestLine).where(
            ProductionRequestLine.request_id.in_(request_ids)
        )
        return list(await self.session.scalars(stmt.order_by(ProductionRequestLine.id)))

    async def draft_for_update(
        self, product_id: uuid.UUID, warehouse_id: uuid.UUID, source: str
    ) -> ProductionRequest | None:
        """The oldest draft of this product and warehouse from ``source``, locked (several
        shortages before release are combined into it)."""
        stmt = (
            select(ProductionRequest)
            .where(
                ProductionRequest.product_id == product_id,
                ProductionRequest.warehouse_id == warehouse_id,
                ProductionRequest.status == ProductionStatus.DRAFT,
                ProductionRequest.source == source,
            )
            .order_by(ProductionRequest.created_at, ProductionRequest.id)
            .limit(1)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return (await self.session.scalars(stmt)).first()

    async def covered(self, order_line_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, Decimal]:
        """Per order line, what open requests are making for it and have not completed."""
        if not order_line_ids:
            return {}
        stmt = (
            select(ProductionRequestLine.order_line_id, func.sum(ProductionRequestLine.quantity))
            .join(ProductionRequest, ProductionRequest.id == ProductionRequestLine.request_id)
            .where(
                ProductionRequestLine.order_line_id.in_(order_line_ids),
                ProductionRequest.status.in_([s.value for s in OPEN]),
            )
            .group_by(ProductionRequestLine.order_line_id)
        )
        rows = await self.session.execute(stmt)
        return {line: Decimal(q) for line, q in rows.all()}

    async def expected_by_product(
        self, product_ids: Collection[uuid.UUID]
    ) -> dict[uuid.UUID, date]:
        """Per product, the earliest date an open request is expected to finish."""
        if not product_ids:
            return {}
        when = func.coalesce(ProductionRequest.expected_finish_date, ProductionRequest.due_date)
        stmt = (
            select(ProductionRequest.product_id, func.min(when))
            .where(
                ProductionRequest.product_id.in_(product_ids),
                ProductionRequest.status.in_([s.value for s in OPEN]),
            )
            .group_by(ProductionRequest.product_id)
        )
        rows = await self.session.execute(stmt)
        return {product: day for product, day in rows.all() if day is not None}

    async def page(
        self, f: ProductionFilter, *, limit: int, cursor: str | None
    ) -> PageResult[ProductionRequest]:
        stmt = select(ProductionRequest)
        if f.status is not None:
            stmt = stmt.where(ProductionRequest.status == f.status)
        if f.product_id is not None:
            stmt = stmt.where(ProductionRequest.product_id == f.product_id)
        if f.order_id is not None:
            stmt = stmt.where(
                ProductionRequest.id.in_(
                    select(ProductionRequestLine.request_id).where(
                        ProductionRequestLine.order_id == f.order_id
                    )
                )
            )
        return await paginate(
            self.session,
            stmt,
            (ProductionRequest.created_at, ProductionRequest.id),
            limit=limit,
            cursor=cursor,
        )

    async def completion_mismatches(self) -> list[tuple[str, Decimal, Decimal]]:
        """(number, completed, what its production movements put on hand) of every request
        whose two differ (``lading check``)."""
        moved = (
            select(
                StockMovement.reference.label("number"),
                func.sum(StockMovement.quantity).label("total"),
            )
            .where(StockMovement.kind == "production")
            .group_by(StockMovement.reference)
            .subquery()
        )
        total = func.coalesce(moved.c.total, 0)
        stmt = (
            select(ProductionRequest.number, ProductionRequest.quantity_completed, total)
            .outerjoin(moved, moved.c.number == ProductionRequest.number)
            .where(ProductionRequest.quantity_completed != total)
            .order_by(ProductionRequest.number)
        )
        rows = await self.session.execute(stmt)
        return [(n, Decimal(q), Decimal(t)) for n, q, t in rows.all()]

    async def late_candidates(
        self, today: date, *, after: uuid.UUID | None, limit: int
    ) -> list[ProductionRequest]:
        """Open requests not yet delayed, past their due date or expected after it."""
        late = (ProductionRequest.due_date < today) | (
            ProductionRequest.expected_finish_date > ProductionRequest.due_date
        )
        stmt = select(ProductionRequest).where(
            ProductionRequest.status.in_([s.value for s in OPEN]),
            ProductionRequest.delayed_at.is_(None),
            late,
        )
        if after is not None:
            stmt = stmt.where(ProductionRequest.id > after)
        stmt = stmt.order_by(ProductionRequest.id).limit(limit)
        return list(await self.session.scalars(stmt))
