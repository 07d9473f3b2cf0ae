"""Stock for the reports: issues per day summed from the movements ledger (by the worker), and
the stock report's query over ``stock_levels`` — which is itself the summary of on hand and
reserved per warehouse and product — with those issues and the cost purchase receipts record."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, cast, delete, func, insert, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.products import Product
from app.repositories.purchasing import PurchaseOrder, PurchaseOrderLine
from app.repositories.report_models import ReportStockIssue
from app.repositories.stock import StockLevel, StockMovement
from app.repositories.warehouses import Warehouse

LEVELS = {
    "warehouse_product": ("warehouse", "product"),
    "product": ("product",),
    "warehouse": ("warehouse",),
}
ORDERINGS = ("value", "on_hand", "available", "issued")


@dataclass(frozen=True)
class StockRow:
    warehouse: str  # code ('' when summed over warehouses)
    sku: str  # ('' when summed over products)
    currency: str
    on_hand: Decimal
    reserved: Decimal
    value: Decimal
    issued: Decimal
    reorder_point: Decimal | None


class ReportStock:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _day_of(self, column: Any) -> Any:
        if self.session.bind.dialect.name == "postgresql":
            return cast(func.timezone("UTC", column), Date)
        return func.date(column)

    async def refresh_issues(self, days: Collection[date] | None) -> None:
        """Sum the issues of ``days`` (None: every day) again from the ledger."""
        m = StockMovement
        stmt_delete = delete(ReportStockIssue)
        day = self._day_of(m.created_at)
        query = select(day, m.warehouse_id, m.product_id, -func.sum(m.quantity)).where(
            m.kind == "issue"
        )
        if days is not None:
            if not days:
                return
            stmt_delete = stmt_delete.where(ReportStockIssue.day.in_(sorted(days)))
            first, last = min(days), max(days)
            query = query.where(
                m.created_at >= datetime.combine(first, time(), UTC),
                m.created_at < datetime.combine(last + timedelta(days=1), time(), UTC),
                day.in_(sorted(days)),
            )
        await self.session.execute(stmt_delete)
        cols = ["day", "warehouse_id", "product_id", "quantity"]
        query = query.group_by(day, m.warehouse_id, m.product_id)
        await self.session.execute(insert(ReportStockIssue).from_select(cols, query))

    async def stock(
        self, level: str, start: date, end: date, order_by: str, limit: int, only: str | None
    ) -> list[StockRow]:
        """Rows at ``level``, best first by ``order_by``; ``only`` keeps slow movers (stock,
        nothing issued in the range) or, per product, those below their reorder point."""
        lv, p, w = StockLevel, Product, Warehouse
        issued = (
            select(ReportStockIssue.warehouse_id, ReportStockIssue.product_id,
                   func.sum(ReportStockIssue.quantity).label("issued"))
            .where(ReportStockIssue.day >= start, ReportStockIssue.day <= end)
            .group_by(ReportStockIssue.warehouse_id, ReportStockIssue.product_id)
            .subquery()
        )  # fmt: skip
        cost = self._costs()
        keys = LEVELS[level]
        # Grouped by ids (the stock level's own key at the finest level), labelled after.
        group = [
            *([lv.warehouse_id] if "warehouse" in keys else []),
            *([lv.product_id] if "product" in keys else []),
            *([p.currency] if "product" not in keys else []),
        ]
        measures = {
            "on_hand": func.sum(lv.on_hand),
            "reserved": func.sum(lv.reserved),
            "available": func.sum(lv.on_hand - lv.reserved),
            "value": func.sum(lv.on_hand * func.coalesce(cost.c.unit_cost, 0)),
            "issued": func.sum(func.coalesce(issued.c.issued, 0)),
        }
        reorder = func.max(p.reorder_point) if level == "product" else literal(None)
        stmt = (
            select(
                func.max(w.code) if "warehouse" in keys else literal(""),
                func.max(p.sku) if "product" in keys else literal(""),
                func.max(p.currency), measures["on_hand"], measures["reserved"],
                measures["value"], measures["issued"], reorder,
            )
            .join(p, p.id == lv.product_id)
            .join(w, w.id == lv.warehouse_id)
            .outerjoin(issued, (issued.c.warehouse_id == lv.warehouse_id)
                       & (issued.c.product_id == lv.product_id))
            .outerjoin(cost, cost.c.product_id == lv.product_id)
            .group_by(*group)
        )  # fmt: skip
        if only == "slow_movers":
            stmt = stmt.having(measures["on_hand"] > 0, measures["issued"] == 0)
        elif only == "below_reorder":
            stmt = stmt.having(measures["available"] < func.max(p.reorder_point))
        stmt = stmt.order_by(measures[order_by].desc(), *group).limit(limit)
        return [StockRow(*row) for row in await self.session.execute(stmt)]

    def _costs(self) -> Any:
        """Per product, the unit price of its latest received purchase order line."""
        line, po = PurchaseOrderLine, PurchaseOrder
        ranked = (
            select(
                line.product_id,
                line.unit_price.label("unit_cost"),
                func.row_number()
                .over(partition_by=line.product_id, order_by=(po.updated_at.desc(), line.id))
                .label("n"),
            )
            .join(po, po.id == line.purchase_order_id)
            .where(line.received_quantity > 0, line.unit_price.is_not(None))
            .subquery()
        )
        return select(ranked.c.product_id, ranked.c.unit_cost).where(ranked.c.n == 1).subquery()

    async def issues_by_day(self, start: date, end: date) -> list[tuple[date, Decimal]]:
        r = ReportStockIssue
        stmt = (
            select(r.day, func.sum(r.quantity))
            .where(r.day >= start, r.day <= end)
            .group_by(r.day)
            .order_by(r.day)
        )
        return [(d if isinstance(d, date) else date.fromisoformat(str(d)), q)
                for d, q in await self.session.execute(stmt)]  # fmt: skip
