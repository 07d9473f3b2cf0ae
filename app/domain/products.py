"""Product master data rules: goods classes, the floor price, reorder quantities in the unit's
precision, and substitutes."""

from __future__ import annotations

from collections.abc import Iterable, Set
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from app.domain.errors import FieldIssue, RuleViolation, UnknownReference
from app.domain.stock import check_quantity_precision

# The rule name of an issue that names something which does not exist.
EXISTS = "exists"


class GoodsClass(StrEnum):
    """How goods must be handled, stored and carried (carrier selection reads it)."""

    GENERAL = "general"
    FRAGILE = "fragile"
    HAZARDOUS = "hazardous"
    COLD_CHAIN = "cold_chain"
    OVERSIZE = "oversize"


@dataclass(frozen=True)
class ProductTerms:
    """The values of a product that the rules look at (after an update has been merged in)."""

    sku: str
    uom_precision: int
    list_price: Decimal
    floor_price: Decimal | None = None
    reorder_point: Decimal = Decimal(0)
    reorder_quantity: Decimal = Decimal(0)
    substitutes: tuple[str, ...] = field(default_factory=tuple)


def precision_issues(quantity: Decimal, precision: int, field_path: str) -> list[FieldIssue]:
    """``check_quantity_precision`` as issues to collect, rather than a raised error."""
    try:
        check_quantity_precision(quantity, precision, field_path)
    except RuleViolation as exc:
        return list(exc.issues)
    return []


def product_issues(terms: ProductTerms, known_skus: Set[str]) -> list[FieldIssue]:
    """Every rule the product breaks: the floor price is at most the list price, reorder
    quantities are in whole units of the unit of measure's precision, and substitutes are
    existing products (``known_skus``), other than the product itself, each named once."""
    issues: list[FieldIssue] = []
    if terms.floor_price is not None and terms.floor_price > terms.list_price:
        issues.append(
            FieldIssue(
                "floor_price",
                "not_above_list_price",
                f"The floor price ({terms.floor_price}) cannot be above the list price "
                f"({terms.list_price}).",
            )
        )
    for name in ("reorder_point", "reorder_quantity"):
        issues += precision_issues(getattr(terms, name), terms.uom_precision, name)
    seen: set[str] = set()
    for index, sku in enumerate(terms.substitutes):
        path = f"substitutes.{index}"
        if sku == terms.sku:
            issues.append(FieldIssue(path, "not_self", "A product cannot substitute itself."))
        elif sku in seen:
            issues.append(FieldIssue(path, "unique", f"'{sku}' is listed more than once."))
        elif sku not in known_skus:
            issues.append(FieldIssue(path, EXISTS, f"No product with SKU '{sku}'."))
        seen.add(sku)
    return issues


def raise_for_issues(issues: Iterable[FieldIssue]) -> None:
    """Refuse a command that breaks rules, reporting every issue at once. When all of them
    name something that does not exist the error is an ``unknown_reference``."""
    found = list(issues)
    if not found:
        return
    if all(issue.rule == EXISTS for issue in found):
        raise UnknownReference("The request names something that does not exist.", issues=found)
    raise RuleViolation("The request breaks one or more rules.", issues=found)


def check_product(terms: ProductTerms, known_skus: Set[str]) -> None:
    """Raise with every broken rule of :func:`product_issues`."""
    raise_for_issues(product_issues(terms, known_skus))
