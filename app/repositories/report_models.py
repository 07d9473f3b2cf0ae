"""The summary tables the reports read (数据分析), written only by the worker.

Facts: one row per order and one per order line, re-derived whole from the transaction tables
whenever an event touches the order (so writing one again changes nothing). Roll-ups: per day,
per dimension and key, summed from the facts of the days a batch touched; and per month, in
tables of their own, summed from those days. Nothing on the order path writes any of them
(DESIGN §5: no shared hot row)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from app.repositories.base import Base, Quantity, utcnow

BACKLOG = "backlog > 0"


class ReportOrderFact(Base):
    """One order as the reports see it. ``counted``: submitted and neither cancelled nor
    rejected (what sales count). Lead times in whole hours between the order's steps."""

    __tablename__ = "report_order_facts"
    __table_args__ = (
        Index("ix_report_order_facts_day", "day"),
        Index("ix_report_order_facts_customer_day", "customer_id", "day"),
        Index(
            "ix_report_order_facts_backlog_day",
            "backlog",
            "day",
            postgresql_where=text(BACKLOG),
            sqlite_where=text(BACKLOG),
        ),
    )

    order_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    day: Mapped[date]
    counted: Mapped[bool]
    status: Mapped[str] = mapped_column(String(24))
    customer_id: Mapped[uuid.UUID]
    customer_name: Mapped[str] = mapped_column(String(200))
    customer_group: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))
    province: Mapped[str] = mapped_column(String(100))
    city: Mapped[str] = mapped_column(String(100))
    entered_by: Mapped[str] = mapped_column(String(100))
    currency: Mapped[str] = mapped_column(String(3))
    net: Mapped[Decimal]
    units: Mapped[Decimal] = mapped_column(Quantity)
    lines: Mapped[int] = mapped_column(Integer)
    # Lines reserved in full at the order's first allocation (None: never allocated).
    lines_filled_first: Mapped[int | None] = mapped_column(Integer)
    warehouse_key: Mapped[str] = mapped_column(String(64))  # the first shipment's
    warehouse_label: Mapped[str] = mapped_column(String(64))
    carrier_key: Mapped[str] = mapped_column(String(64))
    carrier_label: Mapped[str] = mapped_column(String(64))
    shipped: Mapped[bool]  # every unit shipped
    in_full: Mapped[bool]  # shipped in full
    promised_delivered: Mapped[bool]  # delivered and a promised date known
    on_time: Mapped[bool]  # delivered by the promised date
    h_approval: Mapped[int | None] = mapped_column(Integer)
    h_allocation: Mapped[int | None] = mapped_column(Integer)
    h_shipment: Mapped[int | None] = mapped_column(Integer)
    h_delivery: Mapped[int | None] = mapped_column(Integer)
    h_total: Mapped[int | None] = mapped_column(Integer)
    # 0: nothing waits; 1: approved, reserved, not shipped; 2: approved, waiting for stock.
    backlog: Mapped[int] = mapped_column(Integer)


class ReportLineFact(Base):
    __tablename__ = "report_line_facts"

    line_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    order_id: Mapped[uuid.UUID] = mapped_column(index=True)
    day: Mapped[date] = mapped_column(index=True)
    counted: Mapped[bool]
    product_id: Mapped[uuid.UUID]
    sku: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3))
    net: Mapped[Decimal]
    units: Mapped[Decimal] = mapped_column(Quantity)


class _SalesColumns:
    """Sales per period, dimension and key, in the orders' own currency. ``dimension``
    ``all`` has the one key ``''``."""

    dimension: Mapped[str] = mapped_column(String(24), primary_key=True)
    period: Mapped[date] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    orders: Mapped[int] = mapped_column(Integer)
    units: Mapped[Decimal] = mapped_column(Quantity)
    net: Mapped[Decimal]


class ReportSales(_SalesColumns, Base):
    """Sales per day (``period`` the day)."""

    __tablename__ = "report_sales"


class ReportSalesMonth(_SalesColumns, Base):
    """Sales per month (``period`` its first day), summed from the days: a year by month reads
    twelve rows per key. ``(dimension, key, period)`` finds the chosen keys' rows."""

    __tablename__ = "report_sales_months"
    __table_args__ = (Index("ix_report_sales_months_key", "dimension", "key", "period"),)


class _FulfilmentColumns:
    """Fulfilment counts per period of the order day, dimension (all, warehouse, carrier)."""

    dimension: Mapped[str] = mapped_column(String(24), primary_key=True)
    period: Mapped[date] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    orders: Mapped[int] = mapped_column(Integer)
    shipped: Mapped[int] = mapped_column(Integer)
    in_full: Mapped[int] = mapped_column(Integer)
    promised_delivered: Mapped[int] = mapped_column(Integer)
    on_time: Mapped[int] = mapped_column(Integer)
    otif: Mapped[int] = mapped_column(Integer)
    allocated: Mapped[int] = mapped_column(Integer)
    lines_allocated: Mapped[int] = mapped_column(Integer)
    lines_filled: Mapped[int] = mapped_column(Integer)


class ReportFulfilment(_FulfilmentColumns, Base):
    __tablename__ = "report_fulfilment"


class ReportFulfilmentMonth(_FulfilmentColumns, Base):
    __tablename__ = "report_fulfilment_months"


class _LeadTimeColumns:
    """How many orders took ``hours`` for ``stage``: the histogram percentiles are read from."""

    dimension: Mapped[str] = mapped_column(String(24), primary_key=True)
    period: Mapped[date] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    stage: Mapped[str] = mapped_column(String(24), primary_key=True)
    hours: Mapped[int] = mapped_column(Integer, primary_key=True)
    orders: Mapped[int] = mapped_column(Integer)


class ReportLeadTime(_LeadTimeColumns, Base):
    __tablename__ = "report_lead_times"


class ReportLeadTimeMonth(_LeadTimeColumns, Base):
    __tablename__ = "report_lead_time_months"


class ReportProgress(Base):
    """How far the projector got in the event stream, and the time up to which every change
    committed is in the summaries (``as_of``)."""

    __tablename__ = "report_progress"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger)
    as_of: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReportStockIssue(Base):
    """Units issued (shipped out) per day, warehouse and product, from the movements ledger:
    what days of cover, turnover and slow movers are computed from."""

    __tablename__ = "report_stock_issues"

    day: Mapped[date] = mapped_column(primary_key=True)
    warehouse_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    product_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    quantity: Mapped[Decimal] = mapped_column(Quantity)
