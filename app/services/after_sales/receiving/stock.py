"""How returned goods enter the stock ledger: restocked goods by a ``return`` movement that
allocates waiting orders (as any arrival does); scrapped goods by a ``return`` movement and a
``scrap`` movement with its reason, so the ledger shows what came back and was written off."""

from __future__ import annotations

import uuid
from decimal import Decimal

from app.domain.errors import InvalidState
from app.domain.stock import MovementKind
from app.services.unit_of_work import UnitOfWork


async def _move(
    uow: UnitOfWork,
    warehouse_id: uuid.UUID,
    product_id: uuid.UUID,
    quantity: Decimal,
    *,
    kind: MovementKind,
    actor: str,
    reference: str,
    reason: str | None = None,
) -> None:
    moved = await uow.stock.move(
        warehouse_id,
        product_id,
        quantity,
        kind=kind.value,
        actor=actor,
        reason=reason,
        reference=reference,
    )
    if moved is None:  # pragma: no cover - an arrival and its write-off net to nothing
        raise InvalidState("The stock ledger refused the movement.", code="stock_refused")


async def restock(
    uow: UnitOfWork,
    warehouse_id: uuid.UUID,
    product_id: uuid.UUID,
    quantity: Decimal,
    *,
    actor: str,
    reference: str,
) -> None:
    await _move(
        uow,
        warehouse_id,
        product_id,
        quantity,
        kind=MovementKind.RETURN,
        actor=actor,
        reference=reference,
    )


async def scrap(
    uow: UnitOfWork,
    warehouse_id: uuid.UUID,
    product_id: uuid.UUID,
    quantity: Decimal,
    *,
    actor: str,
    reference: str,
    reason: str,
) -> None:
    await _move(
        uow,
        warehouse_id,
        product_id,
        quantity,
        kind=MovementKind.RETURN,
        actor=actor,
        reference=reference,
    )
    await _move(
        uow,
        warehouse_id,
        product_id,
        -quantity,
        kind=MovementKind.SCRAP,
        actor=actor,
        reference=reference,
        reason=reason,
    )
