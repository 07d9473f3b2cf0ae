"""What transfers do when something happens elsewhere (wired in ``app/bootstrap.py``)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from app.domain.events import ConsolidationPlanned
from app.services.bus import Context
from app.services.transfers.create import draft_transfer
from app.services.unit_of_work import UnitOfWork


async def on_consolidation_planned(
    event: ConsolidationPlanned, uow: UnitOfWork, ctx: Context
) -> None:
    """Reaction: a ship-complete allocation drafts one consolidation transfer per (from, to)
    pair; their numbers go to the event's results."""
    await uow.flush()  # the transfer names the order, which may not be written yet
    grouped: dict[tuple[uuid.UUID, uuid.UUID], list[tuple[uuid.UUID, Decimal]]] = {}
    for source, target, product_id, quantity in event.moves:
        grouped.setdefault((source, target), []).append((product_id, quantity))
    for (source, target), items in grouped.items():
        transfer = await draft_transfer(
            uow,
            from_warehouse_id=source,
            to_warehouse_id=target,
            lines=items,
            reason="consolidation",
            order_id=event.entity_uuid,
            actor=event.actor,
        )
        event.results.append(transfer.number)
