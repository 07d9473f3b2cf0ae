"""Resolving a received return: a refund, a replacement order or an exchange order."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, status

from app.deps import AUTHENTICATED, BusDep, UowDep, requires
from app.domain.auth import Principal
from app.errors import problem_responses
from app.routers.returns import return_read
from app.schemas.order_reads import order_read
from app.schemas.return_resolution import ReturnRefund, ReturnResolutionRead
from app.schemas.returns import ReturnRead
from app.services.after_sales.returns.views import ReturnView
from app.services.orders.commands import ExchangeReturn, ReplaceReturn
from app.services.orders.replacements import ResolutionOrder

router = APIRouter(prefix="/api/v1/returns", tags=["returns"], dependencies=AUTHENTICATED)
# The use cases check the other scope each needs: a refund invoices:write, an exchange
# returns:write.
Refunder = Annotated[Principal, Depends(requires("payments:write"))]
Writer = Annotated[Principal, Depends(requires("returns:write"))]
Exchanger = Annotated[Principal, Depends(requires("invoices:write"))]


def resolution_read(result: ResolutionOrder) -> ReturnResolutionRead:
    return ReturnResolutionRead(
        return_=return_read(ReturnView(result.ret, result.lines)),
        order=order_read(result.order),
        price_difference=result.price_difference,
    )


@router.post(
    "/{return_id}/refund",
    response_model=ReturnRead,
    summary="Refund a received return",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def refund(
    return_id: uuid.UUID,
    bus: BusDep,
    uow: UowDep,
    principal: Refunder,
    body: ReturnRefund | None = None,
) -> ReturnRead:
    """A credit note for what arrived, applied first to what its invoice still owes; what was
    paid for the goods goes back to the order's payment method (or ``method``), or with
    ``keep_as_credit`` stays the customer's credit. 409 ``return_not_received``,
    ``return_not_invoiced``; 422 ``within_unapplied`` for a refund above what was paid."""
    cmd = (body or ReturnRefund()).to_command(principal, return_id)
    ret, lines = await bus.handle(cmd, uow)
    return return_read(ReturnView(ret, lines))


@router.post(
    "/{return_id}/replacement",
    response_model=ReturnResolutionRead,
    status_code=status.HTTP_201_CREATED,
    summary="Replace a received return",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def replacement(
    return_id: uuid.UUID, bus: BusDep, uow: UowDep, principal: Writer
) -> ReturnResolutionRead:
    """A new order of what arrived, at no charge (``external_ref`` the RMA number), through
    review, allocation and shipping as any order. 409 ``return_not_received``,
    ``resolution_not_requested``."""
    cmd = ReplaceReturn(principal=principal, return_id=return_id)
    return resolution_read(await bus.handle(cmd, uow))


@router.post(
    "/{return_id}/exchange",
    response_model=ReturnResolutionRead,
    status_code=status.HTTP_201_CREATED,
    summary="Exchange a received return",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def exchange(
    return_id: uuid.UUID, bus: BusDep, uow: UowDep, principal: Exchanger
) -> ReturnResolutionRead:
    """A credit note for what arrived and a new order of the SKUs the return asked for, at
    the customer's price; the note's credit settles the new order's invoice, so the price
    difference is invoiced or stays the customer's credit."""
    cmd = ExchangeReturn(principal=principal, return_id=return_id)
    return resolution_read(await bus.handle(cmd, uow))
