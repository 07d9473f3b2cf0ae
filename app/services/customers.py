"""Customer use cases: create, read, list, update (hold, block, deactivate)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from app.domain.auth import Principal
from app.domain.carrier_selection import preference_issues
from app.domain.customers import (
    CREDIT_FIELDS,
    arrange_ship_tos,
    credit_changes,
    credit_granted,
    distinct_tags,
    ensure_may_decide_credit,
)
from app.domain.errors import DuplicateKey, NotFound, UnknownReference
from app.domain.products import raise_for_issues
from app.repositories.customers import Customer
from app.repositories.pagination import PageResult
from app.schemas.customers import CustomerCreate, CustomerUpdate
from app.services.common import apply_update, record_created
from app.services.unit_of_work import UnitOfWork

# Value objects stored as JSON documents, always whole (every field, defaults included).
_DOCUMENTS = {"contacts", "bill_to", "ship_to"}


def _columns(data: CustomerCreate | CustomerUpdate) -> dict[str, Any]:
    given = (
        data.model_fields_set if isinstance(data, CustomerUpdate) else set(type(data).model_fields)
    )
    values = data.model_dump(include=given - _DOCUMENTS)
    values.update(data.model_dump(mode="json", include=given & _DOCUMENTS))
    if "ship_to" in values:
        values["ship_to"] = arrange_ship_tos(values["ship_to"])
    if "tags" in values:
        values["tags"] = distinct_tags(values["tags"])
    for name in ("status", "shipping_preference"):
        if name in values:
            values[name] = str(values[name])
    return values


async def _check_price_list(uow: UnitOfWork, values: dict[str, Any]) -> None:
    price_list_id = values.get("price_list_id")
    if price_list_id is not None and await uow.price_lists.get(price_list_id) is None:
        raise UnknownReference.on(
            "price_list_id", "exists", f"No price list with id {price_list_id}."
        )


async def _check_shipping(
    uow: UnitOfWork, values: dict[str, Any], customer: Customer | None = None
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


async def create_customer(
    uow: UnitOfWork,
    data: CustomerCreate,
    principal: Principal,
    *,
    credit_limit_max: Decimal,
) -> Customer:
    """Create a customer; a credit limit above ``credit_limit_max``
    (``LADING_NEW_CUSTOMER_CREDIT_LIMIT_MAX``), or longer payment terms than the default, is
    finance's call."""
    values = _columns(data)
    ensure_may_decide_credit(principal, credit_granted(values, credit_limit_max))
    async with uow:
        if await uow.customers.get_by_code(data.code):
            raise DuplicateKey(f"A customer with code '{data.code}' already exists.")
        await _check_price_list(uow, values)
        await _check_shipping(uow, values)
        customer = Customer(**values)
        uow.customers.add(customer)
        await record_created(uow, principal, "customer", customer)
        await uow.commit()
    return customer


async def _get(uow: UnitOfWork, customer_id: uuid.UUID) -> Customer:
    customer = await uow.customers.get(customer_id)
    if customer is None:
        raise NotFound(f"No customer with id {customer_id}.")
    return customer


async def get_customer(uow: UnitOfWork, customer_id: uuid.UUID) -> Customer:
    async with uow:
        return await _get(uow, customer_id)


async def list_customers(
    uow: UnitOfWork,
    *,
    status: str | None,
    active: bool | None,
    customer_group: str | None,
    tag: str | None,
    q: str | None,
    limit: int,
    cursor: str | None,
) -> PageResult[Customer]:
    async with uow:
        return await uow.customers.page(
            status=status,
            active=active,
            customer_group=customer_group,
            tag=tag,
            q=q,
            limit=limit,
            cursor=cursor,
        )


async def update_customer(
    uow: UnitOfWork,
    customer_id: uuid.UUID,
    data: CustomerUpdate,
    expected_version: int,
    principal: Principal,
) -> Customer:
    """Change the given fields; changing a credit field is finance's call."""
    values = _columns(data)
    async with uow:
        customer = await _get(uow, customer_id)
        current = {name: getattr(customer, name) for name in CREDIT_FIELDS}
        ensure_may_decide_credit(principal, credit_changes(values, current))
        await _check_price_list(uow, values)
        await _check_shipping(uow, values, customer)
        await apply_update(uow, principal, "customer", customer, values, expected_version)
        await uow.commit()
    return customer
