"""What order review shows: an order's review and decisions, the approval queue, and a
customer's credit position."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from app.domain.auth import Principal
from app.domain.credit import CreditPosition
from app.repositories.customers import Customer
from app.repositories.orders import Order
from app.repositories.pagination import PageResult
from app.repositories.reviews import OrderDecision, OrderReview
from app.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class ReviewView:
    order: Order
    review: OrderReview | None
    decisions: list[OrderDecision]


async def get_review(uow: UnitOfWork, order_id: uuid.UUID) -> ReviewView:
    async with uow:
        order = await uow.orders.get_or_raise(order_id)
        return ReviewView(
            order, await uow.reviews.latest_review(order.id), await uow.reviews.decisions(order.id)
        )


async def approvals_queue(
    uow: UnitOfWork, principal: Principal, *, limit: int, cursor: str | None
) -> PageResult[Order]:
    roles = None if "admin" in principal.roles else list(principal.roles)
    async with uow:
        return await uow.reviews.approvals_queue(roles, limit=limit, cursor=cursor)


async def customer_credit(
    uow: UnitOfWork, customer_id: uuid.UUID
) -> tuple[Customer, CreditPosition]:
    async with uow:
        customer = await uow.customers.get_or_raise(customer_id)
        return customer, await uow.reviews.credit_position(customer)
