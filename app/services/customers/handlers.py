"""Customer commands: create, update (hold, block, deactivate)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.domain.carrier_selection import preference_issues
from app.domain.customers import (
    CREDIT_FIELDS,
    arrange_ship_tos,
    credit_changes,
    credit_granted,
    distinct_tags,
    ensure_may_decide_credit,
    invoicing_issues,
    tax_registration_issues,
)
from app.domain.errors import DuplicateKey, UnknownReference
from app.domain.products import raise_for_issues
from app.repositories.customers import Customer
from app.services.bus import Context
from app.services.customers.commands import CreateCustomer, UpdateCustomer
from app.services.resources import columns_of, create_record, patch_record
from app.services.unit_of_work import UnitOfWork


def _arranged(values: Mapping[str, Any]) -> dict[str, Any]:
    """The values as stored: ship-tos with ids and one default, tags without repeats."""
    arranged = dict(values)
    if "ship_to" in arranged:
        arranged["ship_to"] = arrange_ship_tos(arranged["ship_to"])
    if "tags" in arranged:
        arranged["tags"] = distinct_tags(arranged["tags"])
    return arranged


async def _check_price_list(uow: UnitOfWork, values: Mapping[str, Any]) -> None:
    price_list_id = values.get("price_list_id")
    if price_list_id is not None and await uow.price_lists.get(price_list_id) is None:
        raise UnknownReference.on(
            "price_list_id", "exists", f"No price list with id {price_list_id}."
        )


async def _check_shipping(
    uow: UnitOfWork, values: Mapping[str, Any], customer: Customer | None = None
) -> None:
    """The (merged) shipping preference names an existing carrier when it names one."""
    preference = values.get("shipping_preference", customer and customer.shipping_preference)
    carrier = values.get("preferred_carrier", customer and customer.preferred_carrier)
    raise_for_issues(preference_issues(str(preference), carrier))
    named = carrier if "preferred_carrier" in values else None
    if named is not None and await uow.carriers.get_by_code(named) is None:
        raise UnknownReference.on(
            "preferred_carrier", "exists", f"No carrier with code '{carrier}'."
        )


def _check_billing(values: Mapping[str, Any], customer: Customer | None = None) -> None:
    """The (merged) invoicing policy and period agree; a taxpayer id given is valid."""
    policy = values.get("invoicing_policy", customer.invoicing_policy if customer else None)
    period = values.get("invoicing_period", customer.invoicing_period if customer else None)
    issues = invoicing_issues(str(policy or "on_shipment"), period)
    if "tax_registration" in values:
        issues += tax_registration_issues(values["tax_registration"])
    raise_for_issues(issues)


async def create_customer(cmd: CreateCustomer, uow: UnitOfWork, ctx: Context) -> Customer:
    """Create a customer; a credit limit above ``LADING_NEW_CUSTOMER_CREDIT_LIMIT_MAX``, or
    longer payment terms than the default, is finance's call."""
    values = _arranged(columns_of(cmd))
    limit_max = ctx.settings.new_customer_credit_limit_max
    ensure_may_decide_credit(cmd.principal, credit_granted(values, limit_max))
    _check_billing(values)

    async def check(uow: UnitOfWork) -> None:
        if await uow.customers.get_by_code(cmd.code):
            raise DuplicateKey(f"A customer with code '{cmd.code}' already exists.")
        await _check_price_list(uow, values)
        await _check_shipping(uow, values)

    return await create_record(
        uow,
        lambda u: u.customers,
        Customer(**values),
        principal=cmd.principal,
        entity_type="customer",
        check=check,
    )


async def update_customer(cmd: UpdateCustomer, uow: UnitOfWork, ctx: Context) -> Customer:
    """Change the given fields; changing a credit field is finance's call."""
    values = _arranged(cmd.changes)

    async def check(customer: Customer) -> None:
        current = {name: getattr(customer, name) for name in CREDIT_FIELDS}
        ensure_may_decide_credit(cmd.principal, credit_changes(values, current))
        _check_billing(values, customer)
        await _check_price_list(uow, values)
        await _check_shipping(uow, values, customer)

    return await patch_record(
        uow,
        lambda u: u.customers,
        cmd.customer_id,
        values,
        cmd.expected_version,
        principal=cmd.principal,
        entity_type="customer",
        check=check,
    )
