"""Reading a return's label."""

from __future__ import annotations

import uuid

from app.domain.errors import NotFound
from app.services.unit_of_work import UnitOfWork


async def return_label_document(uow: UnitOfWork, return_id: uuid.UUID) -> tuple[str, bytes]:
    """The return label's content type and bytes; 404 until it is bought."""
    async with uow:
        await uow.returns.get_or_raise(return_id)
        found = await uow.returns.label_of(return_id)
    if found is None:
        raise NotFound(f"Return {return_id} has no label.")
    return found
