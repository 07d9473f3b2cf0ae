"""Reshaping drafts (``production:write``): a split gives part of a draft to a new draft with
the order lines that part serves; a combination gathers drafts of one product and warehouse
into the first, each order line kept."""

from __future__ import annotations

import uuid
from decimal import Decimal

from app.domain import production as rules
from app.domain.errors import RuleViolation
from app.domain.events import ProductionCancelled, ProductionCreated, ProductionUpdated
from app.domain.production import ProductionSource, ProductionStatus
from app.repositories.production import ProductionRequest, ProductionRequestLine
from app.services.bus import Context
from app.services.common import retrying
from app.services.production.commands import CombineProductionRequests, SplitProductionRequest
from app.services.production.planning import PRODUCTION_WRITE, locked, new_request, touch
from app.services.production.views import ProductionView, image, load_view
from app.services.unit_of_work import UnitOfWork


@retrying
async def split_request(
    cmd: SplitProductionRequest, uow: UnitOfWork, ctx: Context
) -> tuple[ProductionView, ProductionView]:
    """A draft gives ``quantity`` to a new draft, with the order lines that part serves."""
    cmd.principal.require(PRODUCTION_WRITE)
    actor = cmd.principal.actor
    async with uow:
        request = await locked(uow, cmd.request_id, cmd.expected_version)
        rules.check_draft(request.status, request.number, "split")
        product = await uow.products.get_or_raise(request.product_id)
        rules.check_split(cmd.quantity, request.quantity, product.uom_precision)
        before = image(await load_view(uow, request))
        links = await uow.production.links([request.id])
        parts = [rules.Part(x.order_line_id, x.quantity) for x in links]
        keep, moved = rules.split_links(
            parts, max(Decimal(0), cmd.quantity - _spare(request, links))
        )
        source = ProductionSource(request.source)
        other = await new_request(
            uow,
            product,
            request.warehouse_id,
            cmd.quantity,
            request.due_date,
            source=source,
            actor=actor,
            priority=request.priority,
            note=request.note,
        )
        request.quantity -= cmd.quantity
        await _relink(uow, request, links, keep)
        await _relink(uow, other, links, moved)
        touch(request, actor)
        await uow.flush()
        first, second = await load_view(uow, request), await load_view(uow, other)
        uow.record(
            ProductionUpdated(actor=actor, entity_id=request.id, before=before, after=image(first))
        )
        uow.record(ProductionCreated(actor=actor, entity_id=other.id, after=image(second)))
        await uow.commit()
        return first, second


def _spare(request: ProductionRequest, links: list[ProductionRequestLine]) -> Decimal:
    """What a request makes beyond the order lines it serves (a split takes it first)."""
    return request.quantity - sum((x.quantity for x in links), Decimal(0))


async def _relink(
    uow: UnitOfWork,
    request: ProductionRequest,
    old: list[ProductionRequestLine],
    parts: list[rules.Part],
) -> None:
    """The request serves exactly ``parts`` (its own old links replaced)."""
    orders = {x.order_line_id: x.order_id for x in old}
    for link in old:
        if link.request_id == request.id:
            await uow.production.delete_link(link)
    for part in parts:
        line_id = part.order_line_id
        assert isinstance(line_id, uuid.UUID)
        uow.production.add(
            ProductionRequestLine(
                request_id=request.id,
                order_id=orders[line_id],
                order_line_id=line_id,
                quantity=part.quantity,
            )
        )


@retrying
async def combine_requests(
    cmd: CombineProductionRequests, uow: UnitOfWork, ctx: Context
) -> ProductionView:
    """Drafts of one product and warehouse become the first named; the others are cancelled
    as combined, their order lines kept on the survivor."""
    cmd.principal.require(PRODUCTION_WRITE)
    actor = cmd.principal.actor
    if len(set(cmd.request_ids)) < 2:
        raise RuleViolation.on("request_ids", "at_least_two", "Name two requests or more.")
    async with uow:
        requests = [
            await uow.production.get_for_update_or_raise(x)
            for x in sorted(set(cmd.request_ids), key=str)
        ]
        survivor = next(r for r in requests if r.id == cmd.request_ids[0])
        for r in requests:
            rules.check_draft(r.status, r.number, "combined")
            if (r.product_id, r.warehouse_id) != (survivor.product_id, survivor.warehouse_id):
                raise RuleViolation.on(
                    "request_ids", "same_product", f"{r.number} is of another product or warehouse."
                )
        before = image(await load_view(uow, survivor))
        for r in requests:
            if r is survivor:
                continue
            for link in await uow.production.links([r.id]):
                link.request_id = survivor.id
            survivor.quantity += r.quantity
            r.status = ProductionStatus.CANCELLED.value
            r.cancel_reason = f"combined into {survivor.number}"
            touch(r, actor)
            uow.record(
                ProductionCancelled(
                    actor=actor,
                    entity_id=r.id,
                    after={"number": r.number, "combined_into": survivor.number},
                )
            )
        touch(survivor, actor)
        await uow.flush()
        view = await load_view(uow, survivor)
        uow.record(
            ProductionUpdated(actor=actor, entity_id=survivor.id, before=before, after=image(view))
        )
        await uow.commit()
        return view
