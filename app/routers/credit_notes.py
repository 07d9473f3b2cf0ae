"""Credit notes (红字发票): returned goods, price adjustments and discounts after invoicing."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, status

from app.deps import AUTHENTICATED, BusDep, IdempotencyKey, PageDep, UowDep, requires
from app.domain.auth import Principal
from app.errors import problem_responses
from app.schemas.common import Page
from app.schemas.credit_notes import (
    CreditApplicationCreate,
    CreditApplicationRead,
    CreditNoteCreate,
    CreditNoteLineRead,
    CreditNoteRead,
)
from app.services.billing import credit_note_queries as queries
from app.services.billing.credit_note_queries import CreditNoteView

router = APIRouter(prefix="/api/v1/credit-notes", tags=["credit-notes"], dependencies=AUTHENTICATED)
Reader = Annotated[Principal, Depends(requires("invoices:read"))]
Writer = Annotated[Principal, Depends(requires("invoices:write"))]


def credit_note_read(view: CreditNoteView) -> CreditNoteRead:
    n = view.credit_note
    return CreditNoteRead(
        id=n.id,
        number=n.number,
        invoice_id=n.invoice_id,
        customer_id=n.customer_id,
        currency=n.currency,
        reason=n.reason,
        note=n.note,
        issue_date=n.issue_date,
        net_total=n.net_total,
        tax_total=n.tax_total,
        total=n.total,
        amount_applied=n.amount_applied,
        amount_refunded=n.amount_refunded,
        unapplied=view.unapplied,
        provider_number=n.provider_number,
        provider_url=n.provider_url,
        created_at=n.created_at,
        lines=[CreditNoteLineRead.model_validate(x) for x in view.lines],
        applications=[CreditApplicationRead.model_validate(x) for x in view.applications],
    )


@router.post(
    "",
    response_model=CreditNoteRead,
    status_code=status.HTTP_201_CREATED,
    summary="Issue a credit note",
    responses=problem_responses(401, 403, 404, 409, 422, 502),
)
async def create(
    body: CreditNoteCreate,
    bus: BusDep,
    uow: UowDep,
    principal: Writer,
    idempotency_key: IdempotencyKey = None,
) -> CreditNoteRead:
    """A credit note against lines of an issued invoice: a quantity returned, or a net amount
    adjusted or discounted, taxed at the line's rate; never more than is left of a line.
    Applied to its invoice's balance unless ``apply`` is false; the rest is customer credit."""
    view = await bus.handle(body.to_command(principal, idempotency_key), uow)
    return credit_note_read(view)


@router.get(
    "",
    response_model=Page[CreditNoteRead],
    summary="List credit notes",
    responses=problem_responses(401, 403, 422),
)
async def list_(
    uow: UowDep,
    principal: Reader,
    page: PageDep,
    customer_id: uuid.UUID | None = None,
    invoice_id: uuid.UUID | None = None,
) -> Page[CreditNoteRead]:
    """Credit notes, newest first, by customer or invoice."""
    result = await queries.list_credit_notes(
        uow, customer_id=customer_id, invoice_id=invoice_id, limit=page.limit, cursor=page.cursor
    )
    return Page(items=[credit_note_read(v) for v in result.items], next_cursor=result.next_cursor)


@router.get(
    "/{credit_note_id}",
    response_model=CreditNoteRead,
    summary="Get a credit note",
    responses=problem_responses(401, 403, 404, 422),
)
async def get(credit_note_id: uuid.UUID, uow: UowDep, principal: Reader) -> CreditNoteRead:
    """One credit note with its lines, its applications and what it has left."""
    return credit_note_read(await queries.get_credit_note(uow, credit_note_id))


@router.post(
    "/{credit_note_id}/applications",
    response_model=CreditNoteRead,
    summary="Apply a credit note to an invoice",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def apply(
    credit_note_id: uuid.UUID,
    body: CreditApplicationCreate,
    bus: BusDep,
    uow: UowDep,
    principal: Writer,
) -> CreditNoteRead:
    """Apply part of the note to an open invoice of the same customer and currency, within
    what the note has left and the invoice owes."""
    view = await bus.handle(body.to_command(principal, credit_note_id), uow)
    return credit_note_read(view)
