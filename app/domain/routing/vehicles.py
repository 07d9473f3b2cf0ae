"""The own fleet's vehicles (车辆): the rules of their master data, and what goods they carry.

A vehicle works one shift a day, starting and ending at its depot (a warehouse), within one
calendar day: ``shift_end`` is after ``shift_start`` (no overnight shifts). A route lasts at
most ``max_route_minutes`` — the whole shift when it is not set.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import time
from decimal import Decimal

from app.domain.currencies import is_currency
from app.domain.errors import FieldIssue
from app.domain.products import GoodsClass
from app.domain.routing.windows import AFTER_START

GOODS_CLASSES = frozenset(g.value for g in GoodsClass)
# A stop whose goods name no class carries general goods.
DEFAULT_GOODS_CLASSES = frozenset({GoodsClass.GENERAL.value})


def minutes_of(clock: time) -> int:
    return clock.hour * 60 + clock.minute


@dataclass(frozen=True, kw_only=True)
class VehicleTerms:
    """The values of a vehicle the rules look at (after an update has been merged in)."""

    capacity_kg: Decimal
    capacity_m3: Decimal
    shift_start: time
    shift_end: time
    max_route_minutes: int | None
    fixed_cost: Decimal
    cost_per_km: Decimal
    cost_per_hour: Decimal
    currency: str
    goods_classes: tuple[str, ...]

    @property
    def shift_minutes(self) -> int:
        return minutes_of(self.shift_end) - minutes_of(self.shift_start)

    @property
    def route_minutes(self) -> int:
        """How long one route may last: ``max_route_minutes``, else the whole shift."""
        return self.max_route_minutes if self.max_route_minutes is not None else self.shift_minutes


def vehicle_issues(terms: VehicleTerms) -> list[FieldIssue]:
    """Every rule the vehicle breaks: it carries something (weight and volume above zero), its
    shift ends after it starts on the same day, a route's limit is positive and within the
    shift, costs are not negative, the currency is ISO 4217, and it carries at least one
    goods class, each a known one."""
    issues: list[FieldIssue] = []
    for name in ("capacity_kg", "capacity_m3"):
        if getattr(terms, name) <= 0:
            issues.append(FieldIssue(name, "positive", f"A vehicle's {name} must be above 0."))
    if terms.shift_end <= terms.shift_start:
        issues.append(
            FieldIssue(
                "shift_end",
                AFTER_START,
                f"The shift must end after it starts ({terms.shift_start:%H:%M}) on the same "
                "day; overnight shifts are not supported.",
            )
        )
    if terms.max_route_minutes is not None:
        if terms.max_route_minutes <= 0:
            issues.append(
                FieldIssue("max_route_minutes", "positive", "max_route_minutes must be above 0.")
            )
        elif terms.shift_end > terms.shift_start and terms.max_route_minutes > terms.shift_minutes:
            issues.append(
                FieldIssue(
                    "max_route_minutes",
                    "within_shift",
                    f"A route cannot last longer than the shift ({terms.shift_minutes} minutes).",
                )
            )
    for name in ("fixed_cost", "cost_per_km", "cost_per_hour"):
        if getattr(terms, name) < 0:
            issues.append(FieldIssue(name, "not_negative", f"{name} cannot be negative."))
    if not is_currency(terms.currency):
        issues.append(
            FieldIssue(
                "currency", "iso_4217", f"'{terms.currency}' is not an ISO 4217 currency code."
            )
        )
    if not terms.goods_classes:
        issues.append(
            FieldIssue("goods_classes", "required", "A vehicle carries at least one goods class.")
        )
    for index, goods_class in enumerate(terms.goods_classes):
        if goods_class not in GOODS_CLASSES:
            issues.append(
                FieldIssue(
                    f"goods_classes.{index}",
                    "known_goods_class",
                    f"'{goods_class}' is not a goods class ({', '.join(sorted(GOODS_CLASSES))}).",
                )
            )
    return issues


def can_carry(vehicle_goods_classes: Iterable[str], stop_goods_classes: Iterable[str]) -> bool:
    """Whether a vehicle carrying ``vehicle_goods_classes`` may take a stop's goods: every
    class of the stop is one the vehicle carries. A stop naming no class carries general
    goods."""
    needed = frozenset(stop_goods_classes) or DEFAULT_GOODS_CLASSES
    return needed <= frozenset(vehicle_goods_classes)
