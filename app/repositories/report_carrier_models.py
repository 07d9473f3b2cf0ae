"""The carriers report's summaries (数据分析), written only by the worker: a fact per shipped
shipment, derived whole from the transaction tables whenever an event touches it, and roll-ups
per day and per month, per dimension, key and cost currency, summed from the facts."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.repositories.base import Base, Quantity


class ReportShipmentFact(Base):
    """One shipment that left (``shipped_at``; ``day`` is its UTC day). ``cost`` and
    ``currency`` are None and '' for a shipment without a shipping cost: it counts in
    shipments, not in the cost figures. ``weight_kg``: its packages' weights summed."""

    __tablename__ = "report_shipment_facts"

    shipment_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(index=True)
    carrier_key: Mapped[str] = mapped_column(String(64))
    carrier_label: Mapped[str] = mapped_column(String(64))
    service_key: Mapped[str] = mapped_column(String(140))
    service_label: Mapped[str] = mapped_column(String(140))
    warehouse_key: Mapped[str] = mapped_column(String(64))
    warehouse_label: Mapped[str] = mapped_column(String(64))
    weight_kg: Mapped[Decimal] = mapped_column(Quantity)
    cost: Mapped[Decimal | None]
    currency: Mapped[str] = mapped_column(String(3))
    promised_date: Mapped[date | None]
    delivered_at: Mapped[datetime | None]
    delivered_with_promise: Mapped[bool]
    on_time: Mapped[bool]
    exception: Mapped[bool]


class _CarrierColumns:
    """Shipment counts and costs per period, dimension (all, carrier, service, warehouse),
    key and cost currency ('' for the shipments without a cost). The primary key leads with
    what a report filters on."""

    dimension: Mapped[str] = mapped_column(String(24), primary_key=True)
    period: Mapped[date] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(140), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    label: Mapped[str] = mapped_column(String(140))
    shipments: Mapped[int] = mapped_column(Integer)
    delivered_with_promise: Mapped[int] = mapped_column(Integer)
    on_time: Mapped[int] = mapped_column(Integer)
    exceptions: Mapped[int] = mapped_column(Integer)
    costed_shipments: Mapped[int] = mapped_column(Integer)
    cost: Mapped[Decimal]
    costed_kg: Mapped[Decimal] = mapped_column(Quantity)


class ReportCarrier(_CarrierColumns, Base):
    """Per day (``period`` the day the shipments left)."""

    __tablename__ = "report_carriers"


class ReportCarrierMonth(_CarrierColumns, Base):
    """Per month (``period`` its first day), summed from the days."""

    __tablename__ = "report_carrier_months"
