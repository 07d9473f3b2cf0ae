"""Invoices (发票): made from shipments by the customer's invoicing policy, or by hand."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status

from app.deps import AUTHENTICATED, BusDep, ETagDep, PageDep, SettingsDep, UowDep, requires
from app.domain.auth import Principal
from app.domain.billing.invoices import InvoiceStatus
from app.errors import problem_responses
from app.routers.documents import pdf_alternative, print_options, wants_pdf
from app.routers.finance_documents import pdf_response
from app.schemas.common import Page
from app.schemas.credit_notes import InvoiceVoid
from app.schemas.invoices import (
    InvoiceCreate,
    InvoiceLineRead,
    InvoiceRead,
    TaxRateTotal,
)
from app.services.billing import queries
from app.services.billing.commands import IssueInvoice
from app.services.billing.queries import InvoiceView
from app.services.documents.invoice import invoice_document

router = APIRouter(prefix="/api/v1/invoices", tags=["invoices"], dependencies=AUTHENTICATED)
Reader = Annotated[Principal, Depends(requires("invoices:read"))]
Writer = Annotated[Principal, Depends(requires("invoices:write"))]


def invoice_read(view: InvoiceView) -> InvoiceRead:
    i = view.invoice
    return InvoiceRead(
        id=i.id,
        number=i.number,
        customer_id=i.customer_id,
        currency=i.currency,
        status=InvoiceStatus(i.status),
        standing=view.standing,
        invoice_type=i.invoice_type,
        source=i.source,
        period_start=i.period_start,
        period_end=i.period_end,
        issue_date=i.issue_date,
        due_date=i.due_date,
        net_total=i.net_total,
        tax_total=i.tax_total,
        total=i.total,
        amount_paid=i.amount_paid,
        amount_credited=i.amount_credited,
        balance=view.balance,
        provider_number=i.provider_number,
        provider_url=i.provider_url,
        issued_at=i.issued_at,
        voided_at=i.voided_at,
        void_reason=i.void_reason,
        created_at=i.created_at,
        version=i.version,
        totals_by_rate=[
            TaxRateTotal(tax_rate=t.tax_rate, net=t.net, tax=t.tax, total=t.total)
            for t in view.totals_by_rate
        ],
        lines=[InvoiceLineRead.model_validate(x) for x in view.lines],
    )


@router.post(
    "",
    response_model=InvoiceRead,
    status_code=status.HTTP_201_CREATED,
    summary="Invoice selected shipments",
    responses=problem_responses(401, 403, 404, 409, 422, 502),
)
async def create(
    body: InvoiceCreate, bus: BusDep, uow: UowDep, principal: Writer, set_etag: ETagDep
) -> InvoiceRead:
    """One invoice for confirmed shipments of one customer not billed yet; for shipments one
    invoice already bills, that invoice."""
    view = await bus.handle(body.to_command(principal), uow)
    set_etag(view.invoice.version)
    return invoice_read(view)


@router.get(
    "",
    response_model=Page[InvoiceRead],
    summary="List invoices",
    responses=problem_responses(401, 403, 422),
)
async def list_(
    uow: UowDep,
    principal: Reader,
    page: PageDep,
    customer_id: uuid.UUID | None = None,
    order_id: uuid.UUID | None = None,
    status_: Annotated[InvoiceStatus | None, Query(alias="status")] = None,
    overdue: Annotated[bool, Query(description="Only issued invoices past due")] = False,
) -> Page[InvoiceRead]:
    """Invoices, newest first, by customer, order, status or overdue."""
    result = await queries.list_invoices(
        uow,
        customer_id=customer_id,
        order_id=order_id,
        status=status_.value if status_ else None,
        overdue_on=datetime.now(UTC).date() if overdue else None,
        limit=page.limit,
        cursor=page.cursor,
    )
    return Page(items=[invoice_read(v) for v in result.items], next_cursor=result.next_cursor)


@router.get(
    "/{invoice_id}",
    response_model=InvoiceRead,
    summary="Get an invoice",
    responses={
        **pdf_alternative("The invoice; with `Accept: application/pdf`, printed (发票)"),
        **problem_responses(401, 403, 404, 422),
    },
)
async def get(
    invoice_id: uuid.UUID,
    request: Request,
    uow: UowDep,
    principal: Reader,
    set_etag: ETagDep,
    settings: SettingsDep,
) -> InvoiceRead | Response:
    """One invoice with its lines, totals per tax rate, what is applied and its standing;
    `Accept: application/pdf` answers it printed, as `GET /invoices/{id}.pdf` does."""
    if wants_pdf(request.headers.get("accept")):
        document = await invoice_document(uow, invoice_id, print_options(settings))
        return await pdf_response(document, document.number)
    view = await queries.get_invoice(uow, invoice_id)
    set_etag(view.invoice.version)
    return invoice_read(view)


@router.post(
    "/{invoice_id}/issue",
    response_model=InvoiceRead,
    summary="Issue a draft invoice",
    responses=problem_responses(401, 403, 404, 409, 422, 502),
)
async def issue(
    invoice_id: uuid.UUID, bus: BusDep, uow: UowDep, principal: Writer, set_etag: ETagDep
) -> InvoiceRead:
    """Issue a draft (through the e-invoice provider): due after the customer's terms.
    Issuing an invoice that is no longer a draft is a 409."""
    cmd = IssueInvoice(principal=principal, invoice_id=invoice_id)
    view = await bus.handle(cmd, uow)
    set_etag(view.invoice.version)
    return invoice_read(view)


@router.post(
    "/{invoice_id}/void",
    response_model=InvoiceRead,
    summary="Void an invoice",
    responses=problem_responses(401, 403, 404, 409, 422, 502),
)
async def void(
    invoice_id: uuid.UUID,
    body: InvoiceVoid,
    bus: BusDep,
    uow: UowDep,
    principal: Writer,
    set_etag: ETagDep,
) -> InvoiceRead:
    """Void a draft, or an issued invoice without payments applied (409
    ``invoice_has_payments`` otherwise): a red-letter credit note (through the e-invoice
    provider) clears what it owes. Its lines' quantities are given back and its shipments
    can be invoiced again; nothing is deleted. An action like issue: no If-Match (voiding
    twice is a 409 ``already_void``)."""
    view = await bus.handle(body.to_command(principal, invoice_id), uow)
    set_etag(view.invoice.version)
    return invoice_read(view)
