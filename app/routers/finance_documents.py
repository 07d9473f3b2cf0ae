"""Printed finance and route documents as PDF: the invoice (发票), the customer statement
(对账单), the driver manifest (派车单) and the return authorisation (退货授权).

A document is in the customer's language unless ``?language=`` asks for another (the manifest:
Chinese), on the company's default page size unless ``?page_size=``. Each path sits beside the
JSON resource it prints (``/invoices/{id}.pdf``), so it is listed before those routers."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response

from app.deps import AUTHENTICATED, SettingsDep, UowDep, requires
from app.domain.auth import Principal
from app.domain.documents.model import Document
from app.routers.documents import PDF, pdf_responses, print_options
from app.services.documents.invoice import invoice_document
from app.services.documents.manifest import manifest_document
from app.services.documents.pdf import pdf_of
from app.services.documents.return_authorisation import return_authorisation_document
from app.services.documents.statement import statement_document

router = APIRouter(prefix="/api/v1", tags=["documents"], dependencies=AUTHENTICATED)
InvoiceReader = Annotated[Principal, Depends(requires("invoices:read"))]
StockReader = Annotated[Principal, Depends(requires("stock:read"))]
ReturnReader = Annotated[Principal, Depends(requires("returns:read"))]
EARLIEST, LATEST = date(1900, 1, 1), date(9999, 12, 30)

PDF_RESPONSES = pdf_responses("The document as PDF", 401, 403, 404, 422)
Language = Annotated[
    Literal["zh-CN", "en"] | None,
    Query(description="The document's language; default: the customer's"),
]
PageSizeParam = Annotated[
    Literal["A4", "Letter"] | None,
    Query(description="Default: the company's page size (company settings)"),
]


async def pdf_response(document: Document, filename: str) -> Response:
    """The document rendered (in a worker thread), shown inline with a file name."""
    return Response(
        content=await pdf_of(document),
        media_type=PDF,
        headers={"Content-Disposition": f'inline; filename="{filename}.pdf"'},
    )


@router.get(
    "/invoices/{invoice_id}.pdf",
    response_class=Response,
    summary="Print an invoice",
    responses=PDF_RESPONSES,
)
async def invoice_pdf(
    invoice_id: uuid.UUID,
    uow: UowDep,
    principal: InvoiceReader,
    settings: SettingsDep,
    language: Language = None,
    page_size: PageSizeParam = None,
) -> Response:
    """发票 as PDF: our company with tax id and bank, the buyer's tax registration, the lines,
    totals per tax rate, the grand total and, for CNY in Chinese, the total in capital
    numerals (大写金额). Also `GET /invoices/{id}` with `Accept: application/pdf`."""
    options = print_options(settings, language, page_size)
    document = await invoice_document(uow, invoice_id, options)
    return await pdf_response(document, document.number)


@router.get(
    "/customers/{customer_id}/statement.pdf",
    response_class=Response,
    summary="Print a customer's statement",
    responses=PDF_RESPONSES,
)
async def statement_pdf(
    customer_id: uuid.UUID,
    uow: UowDep,
    principal: InvoiceReader,
    settings: SettingsDep,
    from_: Annotated[
        date | None,
        Query(
            alias="from",
            ge=EARLIEST,
            le=LATEST,
            description="Default: the first day of the month of `to`",
        ),
    ] = None,
    to: Annotated[
        date | None, Query(ge=EARLIEST, le=LATEST, description="Default: today (UTC)")
    ] = None,
    language: Language = None,
    page_size: PageSizeParam = None,
) -> Response:
    """对账单 as PDF, with the figures of `GET /customers/{id}/statement`: per currency the
    opening balance, each entry with the running balance, the closing balance (in capital
    numerals for CNY in Chinese), and the aging of what is open at the end of `to`."""
    end = to or datetime.now(UTC).date()
    start = from_ or end.replace(day=1)
    options = print_options(settings, language, page_size)
    document = await statement_document(uow, customer_id, start, end, options)
    return await pdf_response(document, f"statement-{start}-{end}")


@router.get(
    "/delivery-plans/{plan_id}/routes/{route_id}/manifest.pdf",
    response_class=Response,
    summary="Print a route's driver manifest",
    responses=PDF_RESPONSES,
)
async def manifest_pdf(
    plan_id: uuid.UUID,
    route_id: uuid.UUID,
    uow: UowDep,
    principal: StockReader,
    settings: SettingsDep,
    language: Annotated[
        Literal["zh-CN", "en"] | None, Query(description="The document's language; default: zh-CN")
    ] = None,
    page_size: PageSizeParam = None,
) -> Response:
    """派车单 as PDF: vehicle, driver and phone, depot, planned start and end, the stops in
    order (shipment number as a barcode, receiver, address, contact, window, planned arrival,
    packages and goods) and the loading order."""
    options = print_options(settings, language, page_size)
    document = await manifest_document(uow, plan_id, route_id, options)
    return await pdf_response(document, document.number)


@router.get(
    "/returns/{return_id}/authorisation.pdf",
    response_class=Response,
    summary="Print a return authorisation",
    responses=PDF_RESPONSES,
)
async def return_authorisation_pdf(
    return_id: uuid.UUID,
    uow: UowDep,
    principal: ReturnReader,
    settings: SettingsDep,
    language: Language = None,
    page_size: PageSizeParam = None,
) -> Response:
    """退货授权 as PDF, to pack with the goods: the RMA number as a barcode, customer, order,
    lines and reasons, how and where to send the goods, the return tracking number once a
    label is bought, and a QR code of the customer's tracking page."""
    options = print_options(settings, language, page_size)
    document = await return_authorisation_document(uow, return_id, options)
    return await pdf_response(document, document.number)
