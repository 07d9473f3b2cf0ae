"""The after-sales report's summary tables (售后分析), written only by the worker.

Facts, derived whole from the transaction tables for what an event touched: one per return
line, one per (refund, return line) share, one per shipment line shipped (the units a return
rate is over), one per service case. Roll-ups per day and per month (``period`` its first
day), each keyed first by grain, dimension and period so a range is an index range scan."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from app.repositories.base import Base, Quantity

OPEN = "open"


class ReportReturnLineFact(Base):
    """A return line: its day (the return's request day), keys and units (see
    ``app.domain.reports.after_sales``)."""

    __tablename__ = "report_return_line_facts"

    return_line_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    return_id: Mapped[uuid.UUID] = mapped_column(index=True)
    credit_note_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    day: Mapped[date] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(16))
    counted: Mapped[bool]
    product_id: Mapped[uuid.UUID]
    sku: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(32))
    returned_units: Mapped[Decimal] = mapped_column(Quantity)
    received_units: Mapped[Decimal] = mapped_column(Quantity)


class ReportReturnRefundFact(Base):
    """A return line's share of one refund of its return, on the refund's date."""

    __tablename__ = "report_return_refund_facts"

    refund_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    return_line_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    return_id: Mapped[uuid.UUID] = mapped_column(index=True)
    day: Mapped[date] = mapped_column(index=True)
    product_id: Mapped[uuid.UUID]
    sku: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(32))
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[Decimal]


class ReportShippedFact(Base):
    """A shipment line that left, on its shipment's ship day."""

    __tablename__ = "report_shipped_facts"

    shipment_line_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    order_id: Mapped[uuid.UUID] = mapped_column(index=True)
    day: Mapped[date] = mapped_column(index=True)
    product_id: Mapped[uuid.UUID]
    quantity: Mapped[Decimal] = mapped_column(Quantity)


class ReportCaseFact(Base):
    """A service case: opened when, resolved when (None: not resolved, or reopened), how many
    whole hours that took, and whether it is open now."""

    __tablename__ = "report_case_facts"
    __table_args__ = (
        Index(
            "ix_report_case_facts_open_kind",
            "open",
            "kind",
            postgresql_where=text(OPEN),
            sqlite_where=text(OPEN),
        ),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    opened_day: Mapped[date] = mapped_column(index=True)
    resolved_day: Mapped[date | None] = mapped_column(index=True)
    hours: Mapped[int | None] = mapped_column(Integer)
    open: Mapped[bool]


class ReportReturns(Base):
    """Returns per period, dimension (all, product, reason, product_reason) and key;
    ``product_key``: the key's product ('' unless by product)."""

    __tablename__ = "report_returns"

    grain: Mapped[str] = mapped_column(String(8), primary_key=True)
    dimension: Mapped[str] = mapped_column(String(24), primary_key=True)
    period: Mapped[date] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    product_key: Mapped[str] = mapped_column(String(40))
    returns: Mapped[int] = mapped_column(Integer)
    returned_units: Mapped[Decimal] = mapped_column(Quantity)
    received_units: Mapped[Decimal] = mapped_column(Quantity)


class ReportReturnRefunds(Base):
    """Refunds of returns per refund period, dimension, key and currency."""

    __tablename__ = "report_return_refunds"

    grain: Mapped[str] = mapped_column(String(8), primary_key=True)
    dimension: Mapped[str] = mapped_column(String(24), primary_key=True)
    period: Mapped[date] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    product_key: Mapped[str] = mapped_column(String(40))
    refund_value: Mapped[Decimal]


class ReportShippedUnits(Base):
    """Units shipped per ship period: ``dimension`` all (key '') or product (the product)."""

    __tablename__ = "report_shipped_units"

    grain: Mapped[str] = mapped_column(String(8), primary_key=True)
    dimension: Mapped[str] = mapped_column(String(24), primary_key=True)
    period: Mapped[date] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    units: Mapped[Decimal] = mapped_column(Quantity)


class ReportCases(Base):
    """Cases per period and kind: opened (by the opening day), resolved (by the resolution
    day)."""

    __tablename__ = "report_cases"

    grain: Mapped[str] = mapped_column(String(8), primary_key=True)
    period: Mapped[date] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    opened: Mapped[int] = mapped_column(Integer)
    resolved: Mapped[int] = mapped_column(Integer)


class ReportCaseHours(Base):
    """How many cases resolved in the period took ``hours``: the percentiles' histogram."""

    __tablename__ = "report_case_hours"

    grain: Mapped[str] = mapped_column(String(8), primary_key=True)
    period: Mapped[date] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    hours: Mapped[int] = mapped_column(Integer, primary_key=True)
    cases: Mapped[int] = mapped_column(Integer)


FACTS = (ReportReturnLineFact, ReportReturnRefundFact, ReportShippedFact, ReportCaseFact)
ROLLUPS = (ReportReturns, ReportReturnRefunds, ReportShippedUnits, ReportCases, ReportCaseHours)
