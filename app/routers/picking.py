"""Pick lists (拣货单): create for chosen orders or a wave, assign, confirm, list."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status

from app.deps import AUTHENTICATED, BusDep, ETagDep, PageDep, UowDep, requires
from app.domain.auth import Principal
from app.domain.picking import Confirmation
from app.errors import problem_responses
from app.routers.documents import pdf_alternative, pdf_response, wants_pdf
from app.schemas.common import Page
from app.schemas.picking import (
    PickListAssign,
    PickListConfirm,
    PickListCreate,
    PickListItemRead,
    PickListLineRead,
    PickListRead,
    PickListStatusName,
)
from app.services.documents.options import PrintOptions
from app.services.documents.pick_list import pick_list_documents
from app.services.picking import queries
from app.services.picking.commands import (
    AssignPickList,
    ConfirmPickList,
    CreatePickList,
    PickWave,
)
from app.services.picking.views import PickListView

router = APIRouter(prefix="/api/v1/pick-lists", tags=["pick-lists"], dependencies=AUTHENTICATED)
Reader = Annotated[Principal, Depends(requires("stock:read"))]
Writer = Annotated[Principal, Depends(requires("stock:write"))]


def _create_command(body: PickListCreate, principal: Principal) -> CreatePickList:
    return CreatePickList(
        principal=principal,
        warehouse=body.warehouse,
        order_ids=tuple(body.order_ids) if body.order_ids is not None else None,
        wave=PickWave(cutoff=body.wave.cutoff, max_orders=body.wave.max_orders)
        if body.wave is not None
        else None,
        picker=body.picker,
    )


def _read(view: PickListView) -> PickListRead:
    p = view.pick_list
    return PickListRead(
        id=p.id,
        number=p.number,
        warehouse_id=p.warehouse_id,
        warehouse=view.warehouse,
        status=p.status,
        picker=p.picker,
        created_by=p.created_by,
        updated_by=p.updated_by,
        created_at=p.created_at,
        updated_at=p.updated_at,
        picked_at=p.picked_at,
        version=p.version,
        lines=[
            PickListLineRead(
                id=v.line.id,
                line_no=v.line.line_no,
                product_id=v.line.product_id,
                sku=v.line.sku,
                location=v.location,
                quantity=v.line.quantity,
                picked=v.line.picked,
                orders=[PickListItemRead.model_validate(i, from_attributes=True) for i in v.items],
            )
            for v in view.lines
        ],
    )


@router.post(
    "",
    response_model=PickListRead,
    status_code=status.HTTP_201_CREATED,
    summary="Create a pick list",
    responses=problem_responses(401, 403, 422),
)
async def create(
    body: PickListCreate,
    bus: BusDep,
    uow: UowDep,
    principal: Writer,
    response: Response,
    set_etag: ETagDep,
) -> PickListRead:
    """Lines grouped by product and bin along the walking path, for the chosen orders or a
    wave of the oldest approved orders holding stock in the warehouse."""
    view = await bus.handle(_create_command(body, principal), uow)
    set_etag(view.pick_list.version)
    response.headers["Location"] = f"/api/v1/pick-lists/{view.pick_list.id}"
    return _read(view)


@router.get(
    "",
    response_model=Page[PickListRead],
    summary="List pick lists",
    responses=problem_responses(401, 403, 422),
)
async def list_(
    uow: UowDep,
    principal: Reader,
    page: PageDep,
    warehouse: Annotated[str | None, Query(max_length=64, description="Warehouse code")] = None,
    status: PickListStatusName | None = None,
    picker: Annotated[str | None, Query(max_length=100)] = None,
) -> Page[PickListRead]:
    """Pick lists newest first, filtered by warehouse, status and picker."""
    result = await queries.list_pick_lists(
        uow,
        warehouse=warehouse,
        status=status,
        picker=picker,
        limit=page.limit,
        cursor=page.cursor,
    )
    return Page(items=[_read(v) for v in result.items], next_cursor=result.next_cursor)


@router.get(
    "/{pick_list_id}",
    response_model=PickListRead,
    summary="Get a pick list",
    responses={
        **pdf_alternative("The pick list; with `Accept: application/pdf`, printed (拣货单)"),
        **problem_responses(401, 403, 404),
    },
)
async def get(
    pick_list_id: uuid.UUID,
    uow: UowDep,
    principal: Reader,
    set_etag: ETagDep,
    request: Request,
) -> PickListRead | Response:
    """One pick list with its lines and their per-order breakdown; `Accept: application/pdf`
    answers the printed pick list (as `GET /pick-lists/{id}.pdf`)."""
    if wants_pdf(request.headers.get("accept")):
        documents = await pick_list_documents(uow, [pick_list_id], PrintOptions())
        return await pdf_response(documents, f"{documents[0].number}.pdf")
    view = await queries.get_pick_list(uow, pick_list_id)
    set_etag(view.pick_list.version)
    return _read(view)


@router.post(
    "/{pick_list_id}/assign",
    response_model=PickListRead,
    summary="Assign a picker",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def assign(
    pick_list_id: uuid.UUID, body: PickListAssign, bus: BusDep, uow: UowDep, principal: Writer
) -> PickListRead:
    """Give an open pick list to a picker; 409 once it is picked."""
    command = AssignPickList(principal=principal, pick_list_id=pick_list_id, picker=body.picker)
    return _read(await bus.handle(command, uow))


@router.post(
    "/{pick_list_id}/confirm",
    response_model=PickListRead,
    summary="Confirm what was picked",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def confirm(
    pick_list_id: uuid.UUID,
    body: PickListConfirm,
    bus: BusDep,
    uow: UowDep,
    principal: Writer,
) -> PickListRead:
    """Picked quantity per SKU; a short pick writes the missing stock off (`short_pick`) and
    allocates the orders again. 409 when already confirmed."""
    command = ConfirmPickList(
        principal=principal,
        pick_list_id=pick_list_id,
        lines=tuple(Confirmation(x.sku, x.picked) for x in body.lines),
    )
    return _read(await bus.handle(command, uow))
