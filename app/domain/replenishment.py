"""Replenishment (补货): which products to buy, how many, from whom and by when.

A product needs buying when backordered demand is not covered by what is already on order, or
when its projected position (available stock + on order − backordered) falls below its reorder
point. The suggested quantity is the uncovered shortage plus the reorder quantity (when the
reorder quantity is zero: enough to bring the projected position back to the reorder point),
rounded up to what the unit of measure allows.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal
from enum import StrEnum

ZERO = Decimal(0)


class Reason(StrEnum):
    SHORTAGE = "shortage"
    BELOW_REORDER_POINT = "below_reorder_point"


@dataclass(frozen=True)
class ProductPosition:
    """What replenishment knows of one product.

    ``available``: on_hand − reserved summed over active warehouses; ``shortage``: open
    backordered quantity of approved orders; ``on_order``: still to receive on open purchase
    orders."""

    product_id: uuid.UUID
    sku: str
    available: Decimal
    shortage: Decimal
    on_order: Decimal
    reorder_point: Decimal
    reorder_quantity: Decimal
    uom_precision: int = 0
    supplier_id: uuid.UUID | None = None

    @property
    def uncovered_shortage(self) -> Decimal:
        """Backordered demand that open purchase orders do not already cover."""
        return max(self.shortage - self.on_order, ZERO)

    @property
    def projected(self) -> Decimal:
        """Available + on order − backordered: the position once everything open settles."""
        return self.available + self.on_order - self.shortage


@dataclass(frozen=True)
class Suggestion:
    position: ProductPosition
    reasons: tuple[Reason, ...]
    quantity: Decimal

    @property
    def product_id(self) -> uuid.UUID:
        return self.position.product_id

    @property
    def supplier_id(self) -> uuid.UUID | None:
        return self.position.supplier_id


def round_up(quantity: Decimal, precision: int) -> Decimal:
    """``quantity`` rounded up to ``precision`` decimal places (pieces: whole units)."""
    return quantity.quantize(Decimal(1).scaleb(-precision), rounding=ROUND_CEILING)


def suggest(position: ProductPosition) -> Suggestion | None:
    """The purchase suggestion for one product, or None when nothing needs buying."""
    p = position
    reasons: list[Reason] = []
    if p.uncovered_shortage > 0:
        reasons.append(Reason.SHORTAGE)
    if p.projected < p.reorder_point:
        reasons.append(Reason.BELOW_REORDER_POINT)
    if not reasons:
        return None
    quantity = p.uncovered_shortage + max(p.reorder_quantity, ZERO)
    if p.reorder_quantity <= 0 and Reason.BELOW_REORDER_POINT in reasons:
        quantity = max(quantity, p.reorder_point - p.projected)
    quantity = round_up(quantity, p.uom_precision)
    if quantity <= 0:
        return None
    return Suggestion(p, tuple(reasons), quantity)


def expected_date(order_date: date, lead_time_days: int) -> date:
    """When goods ordered on ``order_date`` should arrive."""
    return order_date + timedelta(days=lead_time_days)


@dataclass(frozen=True)
class SupplierGroup:
    """The suggestions one supplier can fill; ``supplier_id`` None gathers the products that
    have no preferred supplier (``unassigned``), which nobody can be asked for yet."""

    supplier_id: uuid.UUID | None
    lead_time_days: int | None
    expected_date: date | None
    suggestions: tuple[Suggestion, ...]

    @property
    def unassigned(self) -> bool:
        return self.supplier_id is None


def group_by_supplier(
    suggestions: Iterable[Suggestion], lead_times: Mapping[uuid.UUID, int], order_date: date
) -> list[SupplierGroup]:
    """Suggestions grouped by preferred supplier, in order of first appearance; the group
    without a supplier comes last."""
    groups: dict[uuid.UUID | None, list[Suggestion]] = {}
    for s in suggestions:
        groups.setdefault(s.supplier_id, []).append(s)
    out: list[SupplierGroup] = []
    for supplier_id, items in groups.items():
        if supplier_id is None:
            continue
        lead = lead_times[supplier_id]
        out.append(SupplierGroup(supplier_id, lead, expected_date(order_date, lead), tuple(items)))
    if None in groups:
        out.append(SupplierGroup(None, None, None, tuple(groups[None])))
    return out


def plan(
    positions: Iterable[ProductPosition], lead_times: Mapping[uuid.UUID, int], order_date: date
) -> list[SupplierGroup]:
    """Every suggestion of ``positions``, grouped by supplier."""
    suggestions = [s for s in map(suggest, positions) if s is not None]
    return group_by_supplier(suggestions, lead_times, order_date)
