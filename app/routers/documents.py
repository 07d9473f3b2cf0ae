"""Printed warehouse documents as PDF: pick lists, delivery notes, packing slips, shipping
labels, and a batch of pick lists or delivery notes in one PDF. Assembled inside a unit of
work, rendered after it closed, in a worker thread (rendering is CPU-bound)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from app.deps import AUTHENTICATED, SettingsDep, UowDep, requires
from app.documents.render import render
from app.domain.auth import Principal
from app.domain.documents.model import Document, PageSize
from app.domain.notifications.kinds import Language
from app.errors import problem_responses
from app.schemas.documents import DocumentPrint, PrintKind, PrintPageSize
from app.services.documents.delivery_note import delivery_note_documents
from app.services.documents.options import PrintOptions
from app.services.documents.packing_slips import packing_slip_documents
from app.services.documents.pick_list import pick_list_documents
from app.services.documents.shipping_label import shipping_label_documents
from app.settings import Settings

router = APIRouter(tags=["documents"], dependencies=AUTHENTICATED)
Reader = Annotated[Principal, Depends(requires("stock:read"))]
LanguageQuery = Annotated[
    Language | None, Query(description="Print in this language instead of the document's own")
]
PageSizeQuery = Annotated[
    PrintPageSize | None,
    Query(description="A4 or Letter; default the company's page size (company settings)"),
]

PDF = "application/pdf"
# As GET /shipments/{id}/label documents its non-JSON answer (generated clients return the bytes).
PDF_CONTENT: dict[str, Any] = {PDF: {}}


def pdf_responses(description: str, *problems: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` of a route answering a PDF (and the given problems)."""
    return {
        200: {"description": description, "content": PDF_CONTENT},
        **problem_responses(*problems),
    }


def pdf_alternative(description: str) -> dict[int | str, dict[str, Any]]:
    """The 200 entry of a JSON route that answers a PDF to ``Accept: application/pdf``."""
    return {200: {"description": description, "content": PDF_CONTENT}}


def wants_pdf(accept: str | None) -> bool:
    """True when the Accept header asks for application/pdf at least as much as for JSON
    (wildcards do not count as asking for JSON)."""
    if not accept:
        return False
    weights: dict[str, float] = {}
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        weights[media.lower()] = max(q, weights.get(media.lower(), 0.0))
    pdf = weights.get(PDF, 0.0)
    return pdf > 0 and pdf >= weights.get("application/json", 0.0)


async def pdf_response(documents: Sequence[Document], filename: str) -> Response:
    content = await asyncio.to_thread(render, documents)
    return Response(
        content=content,
        media_type=PDF,
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


def print_options(
    settings: Settings, language: str | None = None, page_size: str | None = None
) -> PrintOptions:
    """How the caller asked a document to be printed; what it leaves out follows the
    customer (language) and the company settings (page size, name)."""
    return PrintOptions(
        language=language,
        page_size=PageSize(page_size) if page_size else None,
        default_name=settings.company_name or "Lading",
        public_base_url=settings.public_base_url,
    )


def _options(
    settings: Settings, language: Language | None, page_size: PrintPageSize | None
) -> PrintOptions:
    return print_options(
        settings, language.value if language else None, page_size.value if page_size else None
    )


@router.get(
    "/api/v1/pick-lists/{pick_list_id}.pdf",
    response_class=Response,
    summary="Print a pick list",
    responses=pdf_responses("The pick list (拣货单) as PDF", 401, 403, 404, 422),
)
async def pick_list_pdf(
    pick_list_id: uuid.UUID,
    uow: UowDep,
    principal: Reader,
    settings: SettingsDep,
    language: LanguageQuery = None,
    page_size: PageSizeQuery = None,
) -> Response:
    """Lines along the walking path, a group row per zone, a check box and the SKU's
    Code 128 on each line, the pick list number's barcode in the header (zh-CN unless
    `language` says otherwise)."""
    documents = await pick_list_documents(
        uow, [pick_list_id], _options(settings, language, page_size)
    )
    return await pdf_response(documents, f"{documents[0].number}.pdf")


@router.get(
    "/api/v1/shipments/{shipment_id}/delivery-note.pdf",
    response_class=Response,
    summary="Print a delivery note",
    responses=pdf_responses("The delivery note (发货单) as PDF", 401, 403, 404, 422),
)
async def delivery_note_pdf(
    shipment_id: uuid.UUID,
    uow: UowDep,
    principal: Reader,
    settings: SettingsDep,
    language: LanguageQuery = None,
    page_size: PageSizeQuery = None,
) -> Response:
    """Ship-to and contact, carrier (or own fleet), service, tracking number and its barcode,
    promised date, goods, packages with weights, a QR code of the public tracking link and
    signature boxes; in the customer's language unless `language` says otherwise."""
    documents = await delivery_note_documents(
        uow,
        [shipment_id],
        _options(settings, language, page_size),
        base_url=settings.public_base_url,
    )
    return await pdf_response(documents, f"{documents[0].number}.pdf")


@router.get(
    "/api/v1/shipments/{shipment_id}/packing-slips.pdf",
    response_class=Response,
    summary="Print the packing slips",
    responses=pdf_responses(
        "One packing slip (装箱单) per package, as PDF", 401, 403, 404, 409, 422
    ),
)
async def packing_slips_pdf(
    shipment_id: uuid.UUID,
    uow: UowDep,
    principal: Reader,
    settings: SettingsDep,
    language: LanguageQuery = None,
    page_size: PageSizeQuery = None,
) -> Response:
    """A page per package listing its contents; 409 `no_packages` when the shipment was
    created without packages."""
    documents = await packing_slip_documents(
        uow, shipment_id, _options(settings, language, page_size)
    )
    return await pdf_response(documents, f"{documents[0].number}-packing-slips.pdf")


@router.get(
    "/api/v1/shipments/{shipment_id}/shipping-label.pdf",
    response_class=Response,
    summary="Print the shipping labels",
    responses=pdf_responses(
        "A 100 × 150 mm label (面单) per package, as PDF", 401, 403, 404, 409, 422
    ),
)
async def shipping_label_pdf(
    shipment_id: uuid.UUID,
    uow: UowDep,
    principal: Reader,
    settings: SettingsDep,
    language: LanguageQuery = None,
) -> Response:
    """For the own fleet and table-rate carriers: receiver, address, carrier, the shipment
    number as a big barcode and the tracking QR code. 409 `carrier_prints_label` for carriers
    that print their own (download theirs from `GET /shipments/{id}/label`)."""
    documents = await shipping_label_documents(
        uow, shipment_id, _options(settings, language, None), base_url=settings.public_base_url
    )
    return await pdf_response(documents, f"{documents[0].number}-label.pdf")


@router.post(
    "/api/v1/documents/print",
    response_class=Response,
    summary="Print a batch of documents",
    responses=pdf_responses("The documents in one PDF, each from a new page", 401, 403, 404, 422),
)
async def print_batch(
    body: DocumentPrint, uow: UowDep, principal: Reader, settings: SettingsDep
) -> Response:
    """Up to 200 pick lists or delivery notes in one PDF, in the order given, each starting
    on a new page with its own page numbers; 404 naming the first unknown id. Prints only:
    nothing is created or changed."""
    options = _options(settings, body.language, body.page_size)
    if body.kind is PrintKind.PICK_LIST:
        documents = await pick_list_documents(uow, body.ids, options)
    else:
        documents = await delivery_note_documents(
            uow, body.ids, options, base_url=settings.public_base_url
        )
    return await pdf_response(documents, f"{body.kind.value}s.pdf")
