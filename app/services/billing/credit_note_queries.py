"""Reading credit notes: one with its lines and applications, and lists."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from app.domain.billing.settlement import unapplied
from app.domain.errors import NotFound
from app.repositories.pagination import PageResult
from app.repositories.payments import CreditApplication, CreditNote, CreditNoteLine
from app.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class CreditNoteView:
    credit_note: CreditNote
    lines: list[CreditNoteLine]
    applications: list[CreditApplication]

    @property
    def unapplied(self) -> Decimal:
        n = self.credit_note
        return unapplied(n.total, n.amount_applied, n.amount_refunded)


async def load_view(uow: UnitOfWork, credit_note: CreditNote) -> CreditNoteView:
    """The view of a credit note (inside an open unit of work)."""
    return CreditNoteView(
        credit_note,
        await uow.payments.credit_note_lines(credit_note.id),
        await uow.payments.credit_applications(credit_note.id),
    )


async def find(uow: UnitOfWork, credit_note_id: uuid.UUID, *, lock: bool = False) -> CreditNote:
    found = await uow.payments.credit_note(credit_note_id, lock=lock)
    if found is None:
        raise NotFound(f"No credit note with id {credit_note_id}.")
    return found


async def get_credit_note(uow: UnitOfWork, credit_note_id: uuid.UUID) -> CreditNoteView:
    async with uow:
        return await load_view(uow, await find(uow, credit_note_id))


async def list_credit_notes(
    uow: UnitOfWork,
    *,
    customer_id: uuid.UUID | None,
    invoice_id: uuid.UUID | None,
    limit: int,
    cursor: str | None,
) -> PageResult[CreditNoteView]:
    async with uow:
        page = await uow.payments.credit_note_page(
            customer_id=customer_id, invoice_id=invoice_id, limit=limit, cursor=cursor
        )
        views = [await load_view(uow, n) for n in page.items]
    return PageResult(items=views, next_cursor=page.next_cursor)
