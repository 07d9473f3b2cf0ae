"""Turn requested lines into priced order lines: products, quantities, prices, overrides."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from app.domain.auth import Principal
from app.domain.errors import PermissionDenied, RuleViolation, Violations
from app.domain.orders import MergedLine, RequestedLine, merge_duplicate_skus
from app.domain.pricing import (
    LineAmounts,
    PriceBreak,
    PriceSource,
    ResolvedPrice,
    check_storable,
    is_below_floor,
    price_line,
    resolve_unit_price,
)
from app.domain.stock import check_quantity_precision
from app.repositories.customers import Customer
from app.repositories.products import Product
from app.services.unit_of_work import UnitOfWork

PRICE_OVERRIDE_SCOPE = "orders:price-override"


@dataclass(frozen=True)
class PricedLine:
    product: Product
    quantity: Decimal
    price: ResolvedPrice
    discount_percent: Decimal
    below_floor: bool
    amounts: LineAmounts


async def price_requested_lines(
    uow: UnitOfWork,
    *,
    customer: Customer,
    currency: str,
    requested: list[RequestedLine],
    order_discount_percent: Decimal,
    on: date,
    tax_inclusive: bool,
    principal: Principal,
) -> list[PricedLine]:
    """Merge duplicate SKUs, check products and quantities, resolve and compute prices.
    Reports every broken rule at once (naming ``lines.N.field``)."""
    violations = Violations()
    merged = merge_duplicate_skus(requested, violations)
    products = await uow.products.get_many_by_sku([m.sku for m in merged])
    _check_lines(merged, products, principal, violations)
    violations.raise_if_any()
    customer_breaks, group_breaks = await _breaks(
        uow, customer, currency, [products[m.sku].id for m in merged]
    )
    priced = [
        _price_one(
            m,
            products[m.sku],
            customer_breaks,
            group_breaks,
            currency=currency,
            on=on,
            order_discount_percent=order_discount_percent,
            tax_inclusive=tax_inclusive,
        )
        for m in merged
    ]
    check_storable(
        [
            (f"lines.{m.source_indexes[0]}", p.quantity, p.amounts)
            for m, p in zip(merged, priced, strict=True)
        ]
    )
    return priced


def _check_lines(
    merged: list[MergedLine],
    products: Mapping[str, Product],
    principal: Principal,
    violations: Violations,
) -> None:
    """Every SKU names an active product, every quantity fits its unit, and a price override
    needs its permission (refused at once)."""
    for m in merged:
        where = f"lines.{m.source_indexes[0]}"
        product = products.get(m.sku)
        if product is None:
            violations.add(f"{where}.sku", "exists", f"No product with SKU '{m.sku}'.")
        elif not product.active:
            violations.add(f"{where}.sku", "active", f"Product '{m.sku}' is inactive.")
        else:
            try:
                check_quantity_precision(m.quantity, product.uom_precision, f"{where}.quantity")
            except RuleViolation as exc:
                violations.issues.extend(exc.issues)
        if m.unit_price is not None and PRICE_OVERRIDE_SCOPE not in principal.scopes:
            raise PermissionDenied(
                f"Overriding a price needs the '{PRICE_OVERRIDE_SCOPE}' permission."
            )


async def _breaks(
    uow: UnitOfWork, customer: Customer, currency: str, product_ids: list[uuid.UUID]
) -> tuple[dict[uuid.UUID, list[PriceBreak]], dict[uuid.UUID, list[PriceBreak]]]:
    """The price breaks of the customer's own price list and of its group's, per product."""
    customer_breaks: dict[uuid.UUID, list[PriceBreak]] = {}
    group_breaks: dict[uuid.UUID, list[PriceBreak]] = {}
    if customer.price_list_id is not None:
        customer_breaks = dict(await uow.pricing.breaks(customer.price_list_id, product_ids))
    if customer.customer_group:
        group_list = await uow.pricing.group_price_list(customer.customer_group, currency)
        if group_list is not None:
            group_breaks = dict(await uow.pricing.breaks(group_list.id, product_ids))
    return customer_breaks, group_breaks


def _price_one(
    m: MergedLine,
    product: Product,
    customer_breaks: dict[uuid.UUID, list[PriceBreak]],
    group_breaks: dict[uuid.UUID, list[PriceBreak]],
    *,
    currency: str,
    on: date,
    order_discount_percent: Decimal,
    tax_inclusive: bool,
) -> PricedLine:
    if m.unit_price is not None:
        price = ResolvedPrice(m.unit_price, PriceSource.OVERRIDE)
    else:
        price = resolve_unit_price(
            m.quantity,
            on,
            list_price=product.list_price,
            customer_breaks=customer_breaks.get(product.id, ()),
            group_breaks=group_breaks.get(product.id, ()),
        )
    below_floor = is_below_floor(
        price.unit_price, product.floor_price, m.discount_percent, order_discount_percent
    )
    amounts = price_line(
        m.quantity,
        price.unit_price,
        tax_rate=product.tax_rate,
        currency=currency,
        line_discount_percent=m.discount_percent,
        order_discount_percent=order_discount_percent,
        tax_inclusive=tax_inclusive,
    )
    return PricedLine(product, m.quantity, price, m.discount_percent, below_floor, amounts)
