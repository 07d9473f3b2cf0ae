"""Whose order a shop's order is. ``account``: the connection's one account customer (a fully
paid order then takes no lock on it: review skips the credit check, and with it the lock, for
an order paid in full). ``per_customer``: the Lading customer the shop customer became —
matched by the platform's customer id, then by email — or a new one, created here with no
credit (its orders are prepaid) in the order's currency."""

from __future__ import annotations

import uuid

from app.domain.customers import DEFAULT_PAYMENT_TERMS_DAYS
from app.domain.storefronts.connections import CustomerMode, customer_code
from app.domain.storefronts.orders import MappedOrder
from app.repositories.customers import Customer
from app.repositories.storefronts import StorefrontConnection
from app.repositories.uow import is_unique_violation
from app.services.common import retrying
from app.services.orders.shop_outcome import shop_principal
from app.services.resources import record_created
from app.services.unit_of_work import UnitOfWork


async def customer_of(
    uow: UnitOfWork, connection: StorefrontConnection, mapped: MappedOrder
) -> uuid.UUID:
    if connection.customer_mode == CustomerMode.ACCOUNT and connection.account_customer_id:
        return connection.account_customer_id
    who = mapped.customer
    async with uow:
        found = await uow.storefronts.customer_for(connection.id, who.platform_id, who.email)
    if found is not None:
        return found
    try:
        return await _create(uow, connection, mapped)
    except Exception as exc:
        if not is_unique_violation(exc):
            raise
    # A concurrent order of the same shop customer created it first.
    async with uow:
        code = customer_code(connection.code, who.platform_id, who.email)
        existing = await uow.customers.get_by_code(code)
        if existing is None:  # pragma: no cover - the violation names a row that exists
            raise RuntimeError("customer vanished after a unique violation")
        return existing.id


@retrying
async def _create(
    uow: UnitOfWork, connection: StorefrontConnection, mapped: MappedOrder
) -> uuid.UUID:
    who = mapped.customer
    code = customer_code(connection.code, who.platform_id, who.email)
    async with uow:
        existing = await uow.customers.get_by_code(code)
        if existing is None:
            contact = {
                k: v
                for k, v in (("name", who.name), ("email", who.email), ("phone", who.phone))
                if v
            }
            existing = Customer(
                id=uuid.uuid4(),
                code=code,
                name=who.name[:200],
                status="active",
                customer_group=None,
                credit_limit=0,
                currency=mapped.currency,
                payment_terms_days=DEFAULT_PAYMENT_TERMS_DAYS,
                price_list_id=None,
                tags=[connection.code],
                contacts=[contact],
                bill_to=None,
                ship_to=[],
                active=True,
                version=1,
            )
            uow.customers.add(existing)
            await record_created(uow, shop_principal(connection), "customer", existing)
        await uow.storefronts.link_customer(connection.id, who.platform_id, who.email, existing.id)
        await uow.commit()
    return existing.id
