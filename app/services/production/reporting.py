"""What the production system reports — through its signed webhook, kept once in the inbox by
its event id, or a planner through the API (``production:write``): a start, progress (a new
expected finish date), or a completion. A completion is a ``production`` stock movement into
the request's warehouse (scrap recorded with its reason, more than requested only with an
over-production reason); through the bus it allocates the waiting orders — those the request
serves first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from app.domain import production as rules
from app.domain.errors import PermissionDenied, RuleViolation
from app.domain.events import ProductionCompleted, ProductionProgressed, StockArrived
from app.domain.production import ProductionStatus
from app.domain.stock import MovementKind
from app.repositories.production import ProductionRequest
from app.services.bus import Context
from app.services.common import retrying
from app.services.production.commands import ReportProduction
from app.services.production.views import ProductionView, image, load_view
from app.services.unit_of_work import UnitOfWork

PRODUCTION_WRITE = "production:write"
SENDER = "production:mes"  # the inbox's sender of the production system's webhooks
KINDS = ("started", "progress", "completed")


@dataclass(frozen=True)
class Reported:
    """The request as the report left it; ``duplicate``: the event was taken before and
    changed nothing now (``view`` is None)."""

    view: ProductionView | None
    duplicate: bool = False


async def report_production(cmd: ReportProduction, uow: UnitOfWork, ctx: Context) -> Reported:
    """A planner's report (``production:write``)."""
    if cmd.principal is None:
        raise PermissionDenied("Reports through the API name who reports.")
    cmd.principal.require(PRODUCTION_WRITE)
    return await apply_report(cmd, uow)


@retrying
async def apply_report(cmd: ReportProduction, uow: UnitOfWork) -> Reported:
    """Apply a report once (per event id when it has one) to a running request."""
    if cmd.kind not in KINDS:
        raise RuleViolation.on("type", "enum", f"Not a report: {cmd.kind}.")
    async with uow:
        now = datetime.now(UTC)
        if cmd.event_id and not await uow.tracking.receive(SENDER, cmd.event_id, now):
            return Reported(None, duplicate=True)
        found = await uow.production.by_number(cmd.request_number)
        if found is None:
            raise RuleViolation.on(
                "request", "exists", f"No production request {cmd.request_number}."
            )
        request = await uow.production.get_for_update_or_raise(found.id)
        rules.check_running(request.status, request.number)
        before = image(await load_view(uow, request))
        made_before = request.quantity_completed
        if cmd.kind == "completed":
            await _complete(uow, cmd, request)
        else:
            _progress(cmd, request)
        request.updated_at = now
        request.updated_by = cmd.actor
        await uow.flush()
        view = await load_view(uow, request)
        event = ProductionCompleted if cmd.kind == "completed" else ProductionProgressed
        uow.record(event(actor=cmd.actor, entity_id=request.id, before=before, after=image(view)))
        if request.quantity_completed > made_before:  # goods arrived: allocate them
            first = tuple(dict.fromkeys(x.order_id for x in view.links))
            uow.record(
                StockArrived(
                    actor=cmd.actor,
                    entity_id=request.number,
                    product_ids=(request.product_id,),
                    first_order_ids=first,
                )
            )
        if cmd.event_id:
            await uow.tracking.settle(SENDER, cmd.event_id, f"{cmd.kind}: {request.status}")
        await uow.commit()
        return Reported(view)


def _progress(cmd: ReportProduction, request: ProductionRequest) -> None:
    """Started or progressing: in progress, with the production system's expected date."""
    if request.status == ProductionStatus.RELEASED:
        request.status = ProductionStatus.IN_PROGRESS.value
    if cmd.expected_finish_date is not None:
        request.expected_finish_date = cmd.expected_finish_date


async def _complete(uow: UnitOfWork, cmd: ReportProduction, request: ProductionRequest) -> None:
    product = await uow.products.get_or_raise(request.product_id)
    completion = rules.Completion(
        requested=request.quantity,
        completed_before=request.quantity_completed,
        good=cmd.completed_quantity or Decimal(0),
        scrapped=cmd.scrapped_quantity,
        over_production_reason=cmd.over_production_reason,
        scrap_reason=cmd.scrap_reason,
    )
    rules.check_completion(completion, product.uom_precision)
    if completion.good > 0:
        moved = await uow.stock.move(
            request.warehouse_id,
            request.product_id,
            completion.good,
            kind=MovementKind.PRODUCTION.value,
            actor=cmd.actor,
            reason=cmd.over_production_reason
            if completion.completed_after > request.quantity
            else None,
            reference=request.number,
        )
        assert moved is not None  # an arrival never takes stock below zero
    request.quantity_completed = completion.completed_after
    request.quantity_scrapped += completion.scrapped
    if completion.scrapped > 0:
        request.scrap_reason = cmd.scrap_reason
    if completion.completed_after > request.quantity:
        request.over_production_reason = cmd.over_production_reason
    request.status = rules.status_after(
        request.quantity, request.quantity_completed, finished=False
    ).value
    if request.status == ProductionStatus.COMPLETED:
        request.completed_at = datetime.now(UTC)
