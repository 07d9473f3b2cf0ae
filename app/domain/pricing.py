"""Pricing: which unit price applies, and what a line and an order cost.

Price resolution: the customer's own price list, then its group's list, then the product's list
price. Within a list, an item applies when the date is within its validity and the quantity
reaches its ``min_quantity``; of those, the highest quantity break wins (then the most recent
``valid_from``). Discounts are percentages: a line discount and an order discount compound
(``1 − (1 − line)(1 − order)``) and are applied per line, so the order's totals remain the sums
of its rounded lines (see ``app.domain.money`` for the rounding rule). Tax is computed per line
at the product's rate; prices are either tax-exclusive (tax added on top) or tax-inclusive (tax
extracted from the price), by setting.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from app.domain.errors import RuleViolation, Violations
from app.domain.limits import MONEY_MAX, QUANTITY_MAX
from app.domain.money import ZERO, round_money

HUNDRED = Decimal(100)


class PriceSource(StrEnum):
    CUSTOMER_LIST = "customer_price_list"
    GROUP_LIST = "group_price_list"
    LIST_PRICE = "list_price"
    OVERRIDE = "override"
    REPLACEMENT = "replacement"  # free of charge: a return's goods sent again


@dataclass(frozen=True)
class PriceBreak:
    """One price-list item: a unit price from ``min_quantity`` up, within optional dates."""

    unit_price: Decimal
    min_quantity: Decimal = ZERO
    valid_from: date | None = None
    valid_to: date | None = None

    def applies(self, quantity: Decimal, on: date) -> bool:
        if self.valid_from is not None and on < self.valid_from:
            return False
        if self.valid_to is not None and on > self.valid_to:
            return False
        return quantity >= self.min_quantity


def best_break(breaks: Iterable[PriceBreak], quantity: Decimal, on: date) -> PriceBreak | None:
    """The applicable item with the highest quantity break (then the latest ``valid_from``)."""
    applicable = [b for b in breaks if b.applies(quantity, on)]
    if not applicable:
        return None
    return max(applicable, key=lambda b: (b.min_quantity, b.valid_from or date.min))


@dataclass(frozen=True)
class ResolvedPrice:
    unit_price: Decimal
    source: PriceSource


def resolve_unit_price(
    quantity: Decimal,
    on: date,
    *,
    list_price: Decimal,
    customer_breaks: Sequence[PriceBreak] = (),
    group_breaks: Sequence[PriceBreak] = (),
) -> ResolvedPrice:
    """The customer's list, then the group's, then the list price."""
    for breaks, source in (
        (customer_breaks, PriceSource.CUSTOMER_LIST),
        (group_breaks, PriceSource.GROUP_LIST),
    ):
        chosen = best_break(breaks, quantity, on)
        if chosen is not None:
            return ResolvedPrice(chosen.unit_price, source)
    return ResolvedPrice(list_price, PriceSource.LIST_PRICE)


def check_discount(percent: Decimal, field: str) -> None:
    if percent < 0 or percent > HUNDRED:
        raise RuleViolation.on(field, "discount_range", "A discount is between 0 and 100 percent.")


def effective_unit_price(
    unit_price: Decimal, line_discount_percent: Decimal, order_discount_percent: Decimal
) -> Decimal:
    """What the customer really pays per unit once both discounts apply (before tax)."""
    keep = (1 - line_discount_percent / HUNDRED) * (1 - order_discount_percent / HUNDRED)
    return unit_price * keep


def is_below_floor(
    unit_price: Decimal,
    floor_price: Decimal | None,
    line_discount_percent: Decimal,
    order_discount_percent: Decimal,
) -> bool:
    """The floor applies to the effective unit price, after discounts."""
    if floor_price is None:
        return False
    effective = effective_unit_price(unit_price, line_discount_percent, order_discount_percent)
    return effective < floor_price


@dataclass(frozen=True)
class LineAmounts:
    """What one line costs; every amount is rounded to the currency's minor unit."""

    gross_before_discount: Decimal
    discount: Decimal
    net: Decimal
    tax: Decimal
    total: Decimal


def price_line(
    quantity: Decimal,
    unit_price: Decimal,
    *,
    tax_rate: Decimal,
    currency: str,
    line_discount_percent: Decimal = ZERO,
    order_discount_percent: Decimal = ZERO,
    tax_inclusive: bool = False,
) -> LineAmounts:
    """Price one line. ``net`` excludes tax and ``total = net + tax`` in both tax modes."""
    if quantity < 0 or unit_price < 0 or tax_rate < 0:
        raise RuleViolation.on(
            "lines", "not_negative", "Quantities, prices and tax rates cannot be negative."
        )
    check_discount(line_discount_percent, "lines.discount_percent")
    check_discount(order_discount_percent, "discount_percent")
    keep = effective_unit_price(Decimal(1), line_discount_percent, order_discount_percent)
    extended = round_money(quantity * unit_price, currency)
    discounted = round_money(quantity * unit_price * keep, currency)
    discount = extended - discounted
    if tax_inclusive:
        total = discounted
        net = round_money(total / (1 + tax_rate), currency)
        tax = total - net
    else:
        net = discounted
        tax = round_money(net * tax_rate, currency)
        total = net + tax
    return LineAmounts(extended, discount, net, tax, total)


@dataclass(frozen=True)
class Totals:
    gross_before_discount: Decimal
    discount: Decimal
    net: Decimal
    tax: Decimal
    total: Decimal


def order_totals(lines: Iterable[LineAmounts]) -> Totals:
    """The order's totals: plain sums of its already-rounded lines, never rounded again."""
    items = list(lines)
    return Totals(
        gross_before_discount=sum((x.gross_before_discount for x in items), ZERO),
        discount=sum((x.discount for x in items), ZERO),
        net=sum((x.net for x in items), ZERO),
        tax=sum((x.tax for x in items), ZERO),
        total=sum((x.total for x in items), ZERO),
    )


def check_storable(lines: Sequence[tuple[str, Decimal, LineAmounts]]) -> None:
    """Every line's quantity and amounts, and the order's totals, fit what the books can hold
    (``app.domain.limits``); ``lines`` are (field path of the line, quantity, amounts). A huge
    quantity times a price is refused naming the line, never left to overflow the database."""
    violations = Violations()
    for where, quantity, amounts in lines:
        if quantity > QUANTITY_MAX:
            violations.add(
                f"{where}.quantity", "quantity_too_large", f"A quantity is at most {QUANTITY_MAX}."
            )
        if max(amounts.gross_before_discount, amounts.total) > MONEY_MAX:
            violations.add(
                where, "amount_too_large", f"The line's amount would exceed {MONEY_MAX}."
            )
    if not violations.issues:
        totals = order_totals(amounts for _, _, amounts in lines)
        if max(totals.gross_before_discount, totals.total) > MONEY_MAX:
            violations.add(
                "lines", "total_too_large", f"The order's total would exceed {MONEY_MAX}."
            )
    violations.raise_if_any("The order's amounts are larger than the books can hold.")
