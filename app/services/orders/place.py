"""Placing an order from any channel, exactly once per Idempotency-Key and per (channel,
external_ref); with ``submit`` it is submitted in the same transaction."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import asdict, fields, is_dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from app.domain import order_lines, payments
from app.domain.errors import Conflict, DomainError
from app.domain.events import OrderPlaced
from app.domain.orders import PREPAID_CHANNELS, OrderStatus, format_order_number
from app.repositories.base import jsonable
from app.repositories.customers import Customer
from app.repositories.idempotency import IdempotencyRecord
from app.repositories.orders import Order, OrderLine
from app.repositories.uow import is_unique_violation
from app.services.bus import Context
from app.services.common import retrying
from app.services.orders.commands import PlaceOrder
from app.services.orders.intake import (
    apply_pricing,
    check_currency,
    check_request,
    order_payload,
    ordering_customer,
    ship_to,
    take_payment,
)
from app.services.orders.lifecycle import record_submission
from app.services.orders.pricing import PricedLine, price_requested_lines
from app.services.orders.queries import OrderView, PlaceResult
from app.services.unit_of_work import UnitOfWork
from app.settings import Settings

# Who asks and under which key is not the request's content.
_NOT_CONTENT = frozenset({"principal", "idempotency_key"})


def _decimal_text(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def _content(cmd: PlaceOrder) -> dict[str, Any]:
    """The request as its JSON body states it: every field (defaults included), and the
    ship-to's coordinates without trailing zeros, as the address schema writes them."""
    content: dict[str, Any] = {}
    for f in fields(cmd):
        if f.name in _NOT_CONTENT:
            continue
        value = getattr(cmd, f.name)
        if is_dataclass(value) and not isinstance(value, type):
            value = asdict(value)
        elif isinstance(value, tuple):
            value = [asdict(x) if is_dataclass(x) and not isinstance(x, type) else x for x in value]
        content[f.name] = value
    if cmd.ship_to is not None:
        content["ship_to"] = {
            k: _decimal_text(v) if isinstance(v, Decimal) else v for k, v in cmd.ship_to.items()
        }
    return content


def request_hash(cmd: PlaceOrder) -> str:
    """The fingerprint of what is asked: the same request gives the same hash, so a repeat
    under one Idempotency-Key is recognised and a different request under it refused."""
    canonical = json.dumps(jsonable(_content(cmd)), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@retrying
async def place_order(cmd: PlaceOrder, uow: UnitOfWork, ctx: Context) -> PlaceResult:
    """Create (and optionally submit) an order, exactly once per Idempotency-Key and per
    (channel, external_ref).

    The keys are not looked up first: the insert itself is the check (their unique indexes),
    which spares two reads on every new order. Only when the attempt fails — on either key,
    or on a rule (the customer blocked since the first request, say) — is the first order
    looked for, and a repeat answered with it as it was."""
    digest = request_hash(cmd)
    try:
        return await _place(uow, cmd, ctx.settings, digest)
    except Exception as exc:
        if not (is_unique_violation(exc) or isinstance(exc, DomainError)):
            raise
        failure = exc
    async with uow:
        existing = await _existing(uow, cmd, digest)
        if existing is not None:
            return PlaceResult(OrderView(existing, await uow.orders.lines(existing.id)), False)
    if isinstance(failure, DomainError):
        raise failure
    raise Conflict("A concurrent request conflicted; retry.") from failure


async def _existing(uow: UnitOfWork, cmd: PlaceOrder, digest: str) -> Order | None:
    if cmd.idempotency_key:
        record = await uow.idempotency.get(cmd.principal.subject_id, cmd.idempotency_key)
        if record is not None:
            if record.request_hash != digest:
                raise Conflict(
                    "This Idempotency-Key was used with a different request body.",
                    code="idempotency_key_reused",
                )
            return await uow.orders.get(uuid.UUID(record.resource_id))
    if cmd.external_ref:
        return await uow.orders.get_by_external_ref(cmd.channel.value, cmd.external_ref)
    return None


async def _place(uow: UnitOfWork, cmd: PlaceOrder, settings: Settings, digest: str) -> PlaceResult:
    now = datetime.now(UTC)
    async with uow:
        order, lines = await _priced_order(uow, cmd, settings, now)
        enter(uow, cmd, order, lines, digest, now)
        await uow.commit()
    return PlaceResult(OrderView(order, lines), True)


def enter(
    uow: UnitOfWork,
    cmd: PlaceOrder,
    order: Order,
    lines: list[OrderLine],
    digest: str | None,
    now: datetime,
) -> None:
    """A new order is added and recorded placed; with ``submit``, submitted. No flush here:
    the unit of work writes everything at commit, table by table in foreign-key order, each
    table's rows in one statement."""
    uow.orders.add(order)
    for line in lines:
        uow.orders.add_line(line)
    if cmd.idempotency_key and digest:
        uow.idempotency.add(
            IdempotencyRecord(
                owner=cmd.principal.subject_id,
                key=cmd.idempotency_key,
                request_hash=digest,
                resource_id=str(order.id),
                status_code=201,
                created_at=now,
            )
        )
    uow.record(
        OrderPlaced(
            actor=cmd.principal.actor, entity_id=order.id, after=order_payload(order, lines)
        )
    )
    # Below the floor price: accepted, but only as a draft; an explicit submit sends it to
    # review, which asks for a price approval.
    if cmd.submit and not order.requires_price_approval:
        record_submission(uow, order, lines, cmd.principal, now)


async def _priced_order(
    uow: UnitOfWork, cmd: PlaceOrder, settings: Settings, now: datetime
) -> tuple[Order, list[OrderLine]]:
    """The new order and its lines, checked and priced (nothing added to the session yet)."""
    check_request(
        line_count=len(cmd.lines),
        max_lines=settings.order_max_lines,
        requested_delivery_date=cmd.requested_delivery_date,
        today=now.date(),
    )
    if cmd.payment is not None:
        payments.ensure_may_report(cmd.principal, cmd.channel.value)
    customer = await ordering_customer(uow, cmd.customer)
    currency = cmd.currency or customer.currency
    await check_currency(uow, customer, currency)
    address = ship_to(customer, cmd.ship_to, cmd.ship_to_id)
    priced = await price_requested_lines(
        uow,
        customer=customer,
        currency=currency,
        requested=list(cmd.lines),
        order_discount_percent=cmd.discount_percent,
        on=now.date(),
        tax_inclusive=settings.prices_include_tax,
        principal=cmd.principal,
    )
    return await new_order(uow, cmd, customer, currency, address, priced, now)


async def new_order(
    uow: UnitOfWork,
    cmd: PlaceOrder,
    customer: Customer,
    currency: str,
    address: dict[str, Any],
    priced: list[PricedLine],
    now: datetime,
) -> tuple[Order, list[OrderLine]]:
    """The order ``cmd`` asks for, of lines already priced (nothing added yet)."""
    # A prepaid order reported paid becomes a payment (billing's reaction): its number comes
    # with the order's.
    paid = cmd.payment is not None and cmd.channel in PREPAID_CHANNELS
    number = format_order_number(
        now.year, await uow.orders.next_number(also=("payment",) if paid else ())
    )
    order = _draft(cmd, customer, currency, address, number, now)
    lines = apply_pricing(order, priced)
    take_payment(order, cmd)
    order_lines.refresh(order, lines)
    return order, lines


def _draft(
    cmd: PlaceOrder,
    customer: Customer,
    currency: str,
    address: dict[str, Any],
    number: str,
    now: datetime,
) -> Order:
    return Order(
        id=uuid.uuid4(),
        number=number,
        channel=cmd.channel.value,
        external_ref=cmd.external_ref,
        customer_id=customer.id,
        customer_code=customer.code,
        customer_name=customer.name,
        ship_to=address,
        requested_delivery_date=cmd.requested_delivery_date,
        currency=currency,
        status=OrderStatus.DRAFT.value,
        priority=cmd.priority,
        notes=cmd.notes,
        discount_percent=cmd.discount_percent,
        payment_status=None,  # set by take_payment once the total is known
        payment_reference=None,
        payment_amount=None,
        created_by=cmd.principal.actor,
        updated_by=cmd.principal.actor,
        created_at=now,
        updated_at=now,
        version=1,
        holds=[],
        pending_approvals=[],
    )
