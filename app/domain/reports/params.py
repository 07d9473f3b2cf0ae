"""The parameters every report takes, checked once: a range (``from`` … ``to``, both
included, at most the configured number of days), a grouping in time, a dimension and a metric
from the report's own lists, and how many keys to keep (``top``)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from app.domain.errors import FieldIssue, RuleViolation
from app.domain.reports.periods import Grouping

SALES_DIMENSIONS = (
    "all", "customer", "customer_group", "product", "channel", "province", "city", "entered_by",
)  # fmt: skip
SALES_METRICS = ("net", "orders", "units", "average_order_value")
FULFILMENT_DIMENSIONS = ("all", "warehouse", "carrier")
FULFILMENT_METRICS = ("orders", "otif_rate", "fill_rate", "on_time_rate")


@dataclass(frozen=True)
class ReportParams:
    start: date
    end: date
    grouping: Grouping
    dimension: str
    metric: str
    top: int | None
    currency: str | None  # the reporting currency; None: per currency


def check_params(
    *,
    start: date,
    end: date,
    group_by: str,
    dimension: str,
    metric: str,
    top: int | None,
    currency: str | None,
    dimensions: Collection[str],
    metrics: Collection[str],
    max_days: int,
) -> ReportParams:
    """The parameters, or a ``RuleViolation`` naming every one that is wrong."""
    issues = _range_issues(start, end, max_days)
    if group_by not in {g.value for g in Grouping}:
        issues.append(_unknown("group_by", group_by, [g.value for g in Grouping]))
    if dimension not in dimensions:
        issues.append(_unknown("dimension", dimension, dimensions))
    if metric not in metrics:
        issues.append(_unknown("metric", metric, metrics))
    if issues:
        raise RuleViolation("The report's parameters break a rule.", issues=issues)
    return ReportParams(start, end, Grouping(group_by), dimension, metric, top, currency)


def _range_issues(start: date, end: date, max_days: int) -> list[FieldIssue]:
    if end < start:
        return [FieldIssue("to", "not_before_from", "`to` must not be before `from`.")]
    days = (end - start).days + 1
    if days > max_days:
        message = f"The range spans {days} days; at most {max_days} are allowed."
        return [FieldIssue("to", "max_range_days", message)]
    return []


def _unknown(name: str, value: str, allowed: Collection[str]) -> FieldIssue:
    listed = ", ".join(allowed)
    return FieldIssue(name, "one_of", f"'{value}' is not one of: {listed}.")


STOCK_DIMENSIONS = ("warehouse_product", "product", "warehouse")
STOCK_METRICS = ("value", "on_hand", "available", "issued")
STOCK_ONLY = ("slow_movers", "below_reorder")


def check_stock_only(only: str | None, dimension: str) -> None:
    """``only``: slow movers at any level; below the reorder point per product only (the
    reorder point is the product's, across warehouses)."""
    if only is None:
        return
    if only not in STOCK_ONLY:
        raise RuleViolation("Unknown filter.", issues=[_unknown("only", only, STOCK_ONLY)])
    if only == "below_reorder" and dimension != "product":
        raise RuleViolation.on("only", "needs_product", "below_reorder needs dimension=product.")
