"""Receiving returned goods at a warehouse, with inspection per line, and the quarantine."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends

from app.deps import AUTHENTICATED, BusDep, UowDep, requires
from app.domain.auth import RETURNS_RECEIVE, Principal
from app.errors import problem_responses
from app.routers.returns import return_read
from app.schemas.return_receipts import QuarantineTake, ReturnReceive
from app.schemas.returns import ReturnRead

router = APIRouter(prefix="/api/v1/returns", tags=["returns"], dependencies=AUTHENTICATED)
Receiver = Annotated[Principal, Depends(requires(RETURNS_RECEIVE))]


@router.post(
    "/{return_id}/receive",
    response_model=ReturnRead,
    summary="Receive a return",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def receive(
    return_id: uuid.UUID, body: ReturnReceive, bus: BusDep, uow: UowDep, principal: Receiver
) -> ReturnRead:
    """Receive an approved return and inspect each line: ``restock`` (a return movement; it
    allocates waiting orders), ``quarantine`` (held apart until released or scrapped) or
    ``scrap`` (written off with ``scrap_reason``). More than requested needs
    ``difference_reason``, and never more than was delivered. 409 ``return_not_approved``."""
    return return_read(await bus.handle(body.to_command(principal, return_id), uow))


@router.post(
    "/{return_id}/lines/{line_id}/release",
    response_model=ReturnRead,
    summary="Release quarantined goods",
    responses=problem_responses(401, 403, 404, 422),
)
async def release(
    return_id: uuid.UUID,
    line_id: uuid.UUID,
    body: QuarantineTake,
    bus: BusDep,
    uow: UowDep,
    principal: Receiver,
) -> ReturnRead:
    """Put quarantined goods of a return line back on hand (never more than it holds)."""
    cmd = body.to_command(principal, return_id, line_id, scrap=False)
    return return_read(await bus.handle(cmd, uow))


@router.post(
    "/{return_id}/lines/{line_id}/scrap",
    response_model=ReturnRead,
    summary="Scrap quarantined goods",
    responses=problem_responses(401, 403, 404, 422),
)
async def scrap(
    return_id: uuid.UUID,
    line_id: uuid.UUID,
    body: QuarantineTake,
    bus: BusDep,
    uow: UowDep,
    principal: Receiver,
) -> ReturnRead:
    """Write off quarantined goods of a return line with a reason."""
    cmd = body.to_command(principal, return_id, line_id, scrap=True)
    return return_read(await bus.handle(cmd, uow))
