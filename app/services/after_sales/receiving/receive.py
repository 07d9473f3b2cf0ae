"""Receiving an approved return: what arrived of each line and how it was inspected.

The order is locked first, as requesting and approving lock it, so a receipt and a new request
of the same lines take turns and the order line never takes back more than was delivered
(invariant 3). Restocked goods are back on hand and allocate waiting orders; quarantined goods
are held on the return line, not available; scrapped goods are written off with a reason. The
order lines' returned quantities rise by what arrived."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from app.domain import order_lines
from app.domain.after_sales import returns as rules
from app.domain.after_sales.returns import ReturnStatus
from app.domain.auth import RETURNS_RECEIVE
from app.domain.errors import RuleViolation
from app.domain.events import ReturnReceived, StockArrived
from app.domain.money import ZERO
from app.domain.stock import check_quantity_precision
from app.repositories.orders import OrderLine
from app.repositories.returns import Return, ReturnLine
from app.services.after_sales.receiving import stock
from app.services.after_sales.receiving.commands import InspectedLine, ReceiveReturn
from app.services.after_sales.returns.views import ReturnView, image, load_view
from app.services.bus import Context
from app.services.common import retrying
from app.services.unit_of_work import UnitOfWork


@retrying
async def receive_return(cmd: ReceiveReturn, uow: UnitOfWork, ctx: Context) -> ReturnView:
    """Receive and inspect an approved return (409 ``return_not_approved`` otherwise)."""
    cmd.principal.require(RETURNS_RECEIVE)
    async with uow:
        found = await uow.returns.get_or_raise(cmd.return_id)
        order = await uow.orders.get_for_update(found.order_id)
        assert order is not None
        ret = await uow.returns.get_for_update_or_raise(found.id)
        rules.check_receivable(ret.status)
        before = image(await load_view(uow, ret))
        lines = await uow.returns.lines(ret.id)
        all_lines = await uow.orders.lines(order.id)
        inspected = await _inspected(uow, cmd, ret, lines, {x.id: x for x in all_lines})
        actor = cmd.principal.actor
        for line, asked in inspected:
            await _take(uow, ret, line, asked, actor)
        arrived = [(x.order_line_id, x.received) for x, _ in inspected if x.received]
        order_lines.return_goods(order, all_lines, arrived)
        now = datetime.now(UTC)
        ret.status = ReturnStatus.RECEIVED.value
        ret.received_at = ret.updated_at = now
        ret.received_by = ret.updated_by = actor
        restocked = tuple({x.product_id for x, _ in inspected if x.restocked > 0})
        if restocked:
            uow.record(StockArrived(actor=actor, entity_id=ret.number, product_ids=restocked))
        view = await load_view(uow, ret)
        uow.record(
            ReturnReceived(actor=actor, entity_id=ret.id, before=before, after=lambda: image(view))
        )
        await uow.commit()
        return view


async def _inspected(
    uow: UnitOfWork,
    cmd: ReceiveReturn,
    ret: Return,
    lines: list[ReturnLine],
    order_lines_by_id: dict[uuid.UUID, OrderLine],
) -> list[tuple[ReturnLine, InspectedLine]]:
    """Each return line with what the receipt says of it (nothing when it is not named),
    checked by the domain's rules."""
    by_id = {x.id: x for x in lines}
    asked: dict[uuid.UUID, InspectedLine] = {}
    for n, x in enumerate(cmd.lines):
        if x.return_line_id not in by_id:
            raise RuleViolation.on(
                f"lines.{n}.return_line_id", "of_return", "Not a line of this return."
            )
        if x.return_line_id in asked:
            raise RuleViolation.on(f"lines.{n}.return_line_id", "unique", "Named twice.")
        asked[x.return_line_id] = x
        product = await uow.products.get(by_id[x.return_line_id].product_id)
        precision = product.uom_precision if product else 0
        for name in ("restock", "quarantine", "scrap"):
            check_quantity_precision(getattr(x, name), precision, f"lines.{n}.{name}")
    claimed = await uow.returns.claimed(list(order_lines_by_id), excluding=ret.id)
    pairs = [(x, asked.get(x.id, InspectedLine(return_line_id=x.id))) for x in lines]
    facts = []
    for line, a in pairs:
        ol = order_lines_by_id[line.order_line_id]
        room = ol.quantity_delivered - ol.quantity_returned - claimed.get(ol.id, ZERO)
        facts.append(
            rules.ReceivedLine(
                requested=line.quantity,
                room=room,
                restock=a.restock,
                quarantine=a.quarantine,
                scrap=a.scrap,
                difference_reason=a.difference_reason,
                scrap_reason=a.scrap_reason,
            )
        )
    rules.check_receipt(facts)
    return pairs


async def _take(
    uow: UnitOfWork, ret: Return, line: ReturnLine, asked: InspectedLine, actor: str
) -> None:
    line.received = asked.restock + asked.quarantine + asked.scrap
    line.restocked = asked.restock
    line.quarantined = asked.quarantine
    line.scrapped = asked.scrap
    line.difference_reason = asked.difference_reason or None
    line.scrap_reason = asked.scrap_reason or None
    if asked.restock > 0:
        await stock.restock(
            uow, ret.warehouse_id, line.product_id, asked.restock, actor=actor, reference=ret.number
        )
    if asked.scrap > 0:
        await stock.scrap(
            uow,
            ret.warehouse_id,
            line.product_id,
            asked.scrap,
            actor=actor,
            reference=ret.number,
            reason=asked.scrap_reason or "",
        )
