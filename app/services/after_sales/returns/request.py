"""Requesting a return (RMA) for delivered lines of an order.

The order is locked first, so two returns of the same lines take turns and the second sees
what the first claimed (invariant 3 holds under concurrency: ``returned ≤ delivered``). A
return worth less than the review settings' threshold is approved at once."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal

from app.domain.after_sales import returns as rules
from app.domain.after_sales.returns import (
    ReturnMethod,
    ReturnReason,
    ReturnResolution,
    ReturnStatus,
)
from app.domain.errors import Conflict, NotFound, PermissionDenied, RuleViolation, Violations
from app.domain.events import ReturnApproved, ReturnRequested
from app.domain.money import ZERO, round_money
from app.domain.orders import Channel
from app.domain.review import ReviewPolicy
from app.domain.review_settings import REVIEW_KEY, policy_from_json
from app.repositories.orders import Order, OrderLine
from app.repositories.returns import Return, ReturnLine
from app.repositories.uow import is_unique_violation
from app.services.after_sales.returns.commands import RequestReturn
from app.services.after_sales.returns.views import ReturnResult, image, load_view
from app.services.bus import Context
from app.services.common import retrying
from app.services.idempotency import fingerprint, remember, replayed
from app.services.unit_of_work import UnitOfWork

RETURNS_WRITE = "returns:write"
SYSTEM = "system:returns"


def _check_terms(cmd: RequestReturn) -> None:
    v = Violations()
    for name, enum in (
        ("reason", ReturnReason),
        ("resolution", ReturnResolution),
        ("method", ReturnMethod),
    ):
        if getattr(cmd, name) not in {e.value for e in enum}:
            allowed = ", ".join(e.value for e in enum)
            v.add(name, "enum", f"Not a return {name}: {getattr(cmd, name)} ({allowed}).")
    exchange = cmd.resolution == ReturnResolution.EXCHANGE
    for n, x in enumerate(cmd.lines):
        if exchange and not x.exchange_sku:
            v.add(f"lines.{n}.exchange_sku", "required", "An exchange names the SKU wanted.")
        if not exchange and x.exchange_sku:
            v.add(f"lines.{n}.exchange_sku", "exchange_only", "Only an exchange names a SKU.")
    ids = [x.order_line_id for x in cmd.lines]
    if len(set(ids)) != len(ids):
        v.add("lines", "unique", "Each order line appears once.")
    v.raise_if_any("The return request is not valid.")


async def load_policy(uow: UnitOfWork) -> ReviewPolicy:
    record = await uow.settings.get(REVIEW_KEY)
    return ReviewPolicy() if record is None else policy_from_json(record.value)


@retrying
async def request_return(cmd: RequestReturn, uow: UnitOfWork, ctx: Context) -> ReturnResult:
    """A return of delivered lines, within their window and what is left to return; approved
    at once below the threshold. Once per Idempotency-Key."""
    cmd.principal.require(RETURNS_WRITE)
    _check_terms(cmd)
    digest = fingerprint("return", cmd)
    try:
        return await _request(uow, ctx, cmd, digest)
    except Exception as exc:
        if not is_unique_violation(exc):
            raise
    async with uow:  # a twin under the same key committed first: its return
        found = await replayed(uow, cmd.principal, cmd.idempotency_key, digest)
        if found is None:  # pragma: no cover - the violation names a key that exists
            raise Conflict("A concurrent request conflicted; retry.")
        return ReturnResult(await load_view(uow, await uow.returns.get_or_raise(found)), False)


async def _request(uow: UnitOfWork, ctx: Context, cmd: RequestReturn, digest: str) -> ReturnResult:
    async with uow:
        found = await replayed(uow, cmd.principal, cmd.idempotency_key, digest)
        if found is not None:
            return ReturnResult(await load_view(uow, await uow.returns.get_or_raise(found)), False)
        order = await uow.orders.get_for_update(cmd.order_id)
        if order is None:
            raise NotFound(f"No order with id {cmd.order_id}.")
        if cmd.principal.kind == "api_key" and cmd.principal.channel != order.channel:
            raise PermissionDenied("This API key may request returns only for its own channel.")
        await _check_case(uow, cmd, order)
        lines = {x.id: x for x in await uow.orders.lines(order.id)}
        deliveries = await uow.returns.deliveries(list(lines))
        await _check_lines(uow, ctx, cmd, order, lines, deliveries)
        exchange = await _exchange_products(uow, cmd)
        warehouse_id = await _warehouse(uow, cmd, deliveries)
        ret = await _create(uow, cmd, order, lines, exchange, warehouse_id)
        await remember(uow, cmd.principal, cmd.idempotency_key, digest, ret.id)
        view = await load_view(uow, ret)
        uow.record(ReturnRequested(actor=cmd.principal.actor, entity_id=ret.id, after=image(view)))
        policy = await load_policy(uow)
        if rules.approves_automatically(ret.value, policy.return_auto_approve_max):
            approve(ret, actor=SYSTEM, automatic=True)
            uow.record(
                ReturnApproved(
                    actor=SYSTEM, entity_id=ret.id, after=lambda: image(view), payload=None
                )
            )
        await uow.commit()
        return ReturnResult(view)


async def _check_case(uow: UnitOfWork, cmd: RequestReturn, order: Order) -> None:
    if cmd.case_id is None:
        return
    case = await uow.cases.get(cmd.case_id)
    if case is None or case.customer_id != order.customer_id:
        raise RuleViolation.on("case_id", "of_customer", "No case of this order's customer.")


async def _check_lines(
    uow: UnitOfWork,
    ctx: Context,
    cmd: RequestReturn,
    order: Order,
    lines: dict[uuid.UUID, OrderLine],
    deliveries: dict[uuid.UUID, tuple[datetime, uuid.UUID]],
) -> None:
    claimed = await uow.returns.claimed(list(lines))
    windows = await _windows(uow, ctx, order, lines.values())
    asked = []
    for x in cmd.lines:
        line = lines.get(x.order_line_id)
        facts = None
        if line is not None:
            facts = rules.ReturnableLine(
                delivered=line.quantity_delivered,
                returned=line.quantity_returned,
                claimed=claimed.get(line.id, ZERO),
                delivered_at=deliveries[line.id][0] if line.id in deliveries else None,
                window_days=windows[line.id],
            )
        asked.append(rules.RequestedLine(facts, x.quantity))
    rules.check_request(asked, datetime.now(UTC))


async def _windows(
    uow: UnitOfWork, ctx: Context, order: Order, lines: Iterable[OrderLine]
) -> dict[uuid.UUID, int]:
    out = {}
    for line in lines:
        product = await uow.products.get(line.product_id)
        out[line.id] = rules.window_days(
            product.return_window_days if product else None,
            storefront=order.channel == Channel.STOREFRONT,
            default=ctx.settings.return_window_days,
            storefront_default=ctx.settings.storefront_return_window_days,
        )
    return out


async def _exchange_products(uow: UnitOfWork, cmd: RequestReturn) -> dict[int, uuid.UUID]:
    out = {}
    for n, x in enumerate(cmd.lines):
        if not x.exchange_sku:
            continue
        product = await uow.products.get_by_sku(x.exchange_sku)
        if product is None or not product.active:
            raise RuleViolation.on(
                f"lines.{n}.exchange_sku", "exists", f"No active product '{x.exchange_sku}'."
            )
        out[n] = product.id
    return out


async def _warehouse(
    uow: UnitOfWork, cmd: RequestReturn, deliveries: dict[uuid.UUID, tuple[datetime, uuid.UUID]]
) -> uuid.UUID:
    if cmd.warehouse:
        warehouse = await uow.warehouses.get_by_code(cmd.warehouse)
        if warehouse is None or not warehouse.active:
            raise RuleViolation.on("warehouse", "exists", f"No active warehouse '{cmd.warehouse}'.")
        return warehouse.id
    shipped = [deliveries[x.order_line_id] for x in cmd.lines if x.order_line_id in deliveries]
    return max(shipped)[1]


async def _create(
    uow: UnitOfWork,
    cmd: RequestReturn,
    order: Order,
    lines: dict[uuid.UUID, OrderLine],
    exchange: dict[int, uuid.UUID],
    warehouse_id: uuid.UUID,
) -> Return:
    now = datetime.now(UTC)
    actor = cmd.principal.actor
    ret = Return(
        id=uuid.uuid4(),
        number=rules.format_return_number(now.year, await uow.returns.next_number()),
        order_id=order.id,
        customer_id=order.customer_id,
        case_id=cmd.case_id,
        status=ReturnStatus.REQUESTED.value,
        reason=cmd.reason,
        reason_note=cmd.reason_note,
        resolution=cmd.resolution,
        method=cmd.method,
        warehouse_id=warehouse_id,
        source=cmd.principal.kind,
        value=ZERO,
        currency=order.currency,
        requested_at=now,
        requested_by=actor,
        updated_at=now,
        updated_by=actor,
    )
    uow.returns.add(ret)
    total = ZERO
    for n, x in enumerate(cmd.lines):
        line = lines[x.order_line_id]
        unit_value = line.total / line.quantity_ordered
        total += unit_value * x.quantity
        uow.returns.add(
            ReturnLine(
                id=uuid.uuid4(),
                return_id=ret.id,
                line_no=n + 1,
                order_line_id=line.id,
                product_id=line.product_id,
                sku=line.sku,
                quantity=x.quantity,
                unit_value=round(unit_value, 4),
                exchange_product_id=exchange.get(n),
            )
        )
    ret.value = round_money(Decimal(total), order.currency)
    await uow.flush()
    return ret


def approve(ret: Return, *, actor: str, automatic: bool) -> None:
    """The return's approval, by rule or by someone."""
    now = datetime.now(UTC)
    ret.status = ReturnStatus.APPROVED.value
    ret.approval = "automatic" if automatic else "manual"
    ret.decided_at = now
    ret.decided_by = actor
    ret.updated_at = now
    ret.updated_by = actor
