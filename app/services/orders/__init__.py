"""Order intake use cases: place (exactly once), edit a draft, submit, cancel, read, list."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from app.domain import order_lines, payments
from app.domain.auth import Principal
from app.domain.errors import Conflict, NotFound, RuleViolation, UnknownReference, Violations
from app.domain.events import (
    OrderCancelled,
    OrderEdited,
    OrderEditStarted,
    OrderPlaced,
    OrderSubmitted,
)
from app.domain.money import ZERO
from app.domain.orders import (
    PREPAID_CHANNELS,
    LineQuantities,
    OrderStatus,
    PaymentStatus,
    RequestedLine,
    check_intake,
    ensure_cancellable,
    ensure_editable,
    ensure_submittable,
    format_order_number,
)
from app.domain.pricing import order_totals
from app.repositories.base import jsonable, snapshot
from app.repositories.customers import Customer
from app.repositories.orders import IdempotencyRecord, Order, OrderFilters, OrderLine

__all__ = ["OrderFilters"]  # re-exported for the router
from app.repositories.pagination import PageResult
from app.repositories.uow import is_unique_violation
from app.schemas.common import Address
from app.schemas.orders import OrderCreate, OrderLineIn, OrderUpdate
from app.services.common import check_version, retrying
from app.services.orders.pricing import PricedLine, price_requested_lines
from app.services.unit_of_work import UnitOfWork
from app.settings import Settings


@dataclass(frozen=True)
class OrderView:
    order: Order
    lines: list[OrderLine]


@dataclass(frozen=True)
class PlaceResult:
    view: OrderView
    created: bool


def request_hash(body: OrderCreate) -> str:
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _requested(lines: list[OrderLineIn]) -> list[RequestedLine]:
    return [RequestedLine(x.sku, x.quantity, x.unit_price, x.discount_percent) for x in lines]


def _order_payload(order: Order, lines: list[OrderLine]) -> dict[str, Any]:
    """The outbox payload of order events: enough for a receiver to act without calling back."""
    data = snapshot(order)
    data["lines"] = [
        {
            "sku": x.sku,
            "quantity": str(x.quantity_ordered),
            "unit_price": str(x.unit_price),
            "total": str(x.total),
        }
        for x in lines
    ]
    return data


async def _customer(uow: UnitOfWork, body: OrderCreate) -> Customer:
    ref = body.customer
    customer = (
        await uow.customers.get(ref.id)
        if ref.id
        else await uow.customers.get_by_code(ref.code or "")
    )
    if customer is None:
        raise UnknownReference.on("customer", "exists", "No such customer.")
    if not customer.active or customer.status == "blocked":
        raise RuleViolation(
            f"Customer {customer.code} is {'blocked' if customer.active else 'inactive'} "
            "and cannot place orders.",
            code="customer_blocked",
            issues=[_issue("customer", "customer_blocked", "The customer is blocked.")],
        )
    return customer


def _issue(field: str, rule: str, message: str) -> Any:
    from app.domain.errors import FieldIssue

    return FieldIssue(field, rule, message)


def _ship_to(customer: Customer, address: Address | None, ship_to_id: str | None) -> dict[str, Any]:
    if address is not None:
        return dict(jsonable(address.model_dump(exclude_none=True)))
    candidates = customer.ship_to or []
    if ship_to_id is not None:
        for entry in candidates:
            if entry.get("id") == ship_to_id:
                return dict(entry)
        raise UnknownReference.on("ship_to_id", "exists", "The customer has no such ship-to.")
    for entry in candidates:
        if entry.get("is_default"):
            return dict(entry)
    if candidates:
        return dict(candidates[0])
    raise RuleViolation.on(
        "ship_to", "required", "Give a ship-to address: the customer has no default ship-to."
    )


def _apply_pricing(order: Order, priced: list[PricedLine]) -> list[OrderLine]:
    lines = []
    for no, p in enumerate(priced, start=1):
        a = p.amounts
        lines.append(
            OrderLine(
                id=uuid.uuid4(),
                order_id=order.id,
                line_no=no,
                product_id=p.product.id,
                sku=p.product.sku,
                name=p.product.name,
                quantity_ordered=p.quantity,
                quantity_reserved=ZERO,
                quantity_shipped=ZERO,
                quantity_delivered=ZERO,
                quantity_invoiced=ZERO,
                quantity_returned=ZERO,
                unit_price=p.price.unit_price,
                price_source=p.price.source.value,
                below_floor=p.below_floor,
                discount_percent=p.discount_percent,
                tax_rate=p.product.tax_rate,
                gross_before_discount=a.gross_before_discount,
                discount=a.discount,
                net=a.net,
                tax=a.tax,
                total=a.total,
            )
        )
    totals = order_totals(p.amounts for p in priced)
    order.gross_before_discount = totals.gross_before_discount
    order.discount_total = totals.discount
    order.net_total = totals.net
    order.tax_total = totals.tax
    order.total = totals.total
    order.requires_price_approval = any(p.below_floor for p in priced)
    return lines


def _check_currency(customer: Customer, currency: str, price_list_currency: str | None) -> None:
    if price_list_currency is not None and price_list_currency != currency:
        raise RuleViolation.on(
            "currency",
            "currency_mismatch",
            f"The order is in {currency} but the customer's price list is in "
            f"{price_list_currency}.",
        )


def _take_payment(order: Order, body: OrderCreate) -> None:
    """The payment given with the order, checked against its total (a prepaid order given
    none is unpaid)."""
    payment = body.payment
    if payment is None:
        if body.channel in PREPAID_CHANNELS:
            order.payment_status = PaymentStatus.UNPAID.value
        return
    violations = Violations()
    payments.check_intake(
        payment.status,
        payment.amount,
        payment.currency,
        channel=body.channel,
        order_currency=order.currency,
        total=order.total,
        violations=violations,
    )
    violations.raise_if_any("The payment does not fit the order.")
    order.payment_status = payments.standing(payment.status, payment.amount, order.total)
    order.payment_reference = payment.reference
    order.payment_amount = payment.amount


@retrying
async def place_order(
    uow: UnitOfWork,
    body: OrderCreate,
    principal: Principal,
    settings: Settings,
    *,
    idempotency_key: str | None,
    today: date | None = None,
) -> PlaceResult:
    """Create (and optionally submit) an order, exactly once per Idempotency-Key and per
    (channel, external_ref). A lost race on either unique key returns the winner's order."""
    digest = request_hash(body)
    try:
        return await _place(uow, body, principal, settings, idempotency_key, digest, today)
    except Exception as exc:
        if not is_unique_violation(exc):
            raise
    # Another request committed the same key or external reference first: answer with its order.
    async with uow:
        existing = await _existing(uow, body, principal, idempotency_key, digest)
        if existing is None:  # pragma: no cover - the unique violation names a row that exists
            raise Conflict("A concurrent request conflicted; retry.")
        return PlaceResult(OrderView(existing, await uow.orders.lines(existing.id)), False)


async def _existing(
    uow: UnitOfWork,
    body: OrderCreate,
    principal: Principal,
    idempotency_key: str | None,
    digest: str,
) -> Order | None:
    if idempotency_key:
        record = await uow.idempotency.get(principal.subject_id, idempotency_key)
        if record is not None:
            if record.request_hash != digest:
                raise Conflict(
                    "This Idempotency-Key was used with a different request body.",
                    code="idempotency_key_reused",
                )
            return await uow.orders.get(uuid.UUID(record.resource_id))
    if body.external_ref:
        return await uow.orders.get_by_external_ref(body.channel.value, body.external_ref)
    return None


async def _place(
    uow: UnitOfWork,
    body: OrderCreate,
    principal: Principal,
    settings: Settings,
    idempotency_key: str | None,
    digest: str,
    today: date | None,
) -> PlaceResult:
    now = datetime.now(UTC)
    async with uow:
        existing = await _existing(uow, body, principal, idempotency_key, digest)
        if existing is not None:
            return PlaceResult(OrderView(existing, await uow.orders.lines(existing.id)), False)

        violations = Violations()
        check_intake(
            line_count=len(body.lines),
            max_lines=settings.order_max_lines,
            requested_delivery_date=body.requested_delivery_date,
            today=today or now.date(),
            violations=violations,
        )
        violations.raise_if_any()
        if body.payment is not None:
            payments.ensure_may_report(principal, body.channel.value)
        customer = await _customer(uow, body)
        currency = body.currency or customer.currency
        if customer.price_list_id is not None:
            price_list = await uow.price_lists.get(customer.price_list_id)
            _check_currency(customer, currency, price_list.currency if price_list else None)
        ship_to = _ship_to(customer, body.ship_to, body.ship_to_id)
        priced = await price_requested_lines(
            uow,
            customer=customer,
            currency=currency,
            requested=_requested(body.lines),
            order_discount_percent=body.discount_percent,
            on=today or now.date(),
            tax_inclusive=settings.prices_include_tax,
            principal=principal,
        )
        number = format_order_number(now.year, await uow.orders.next_number())
        order = Order(
            id=uuid.uuid4(),
            number=number,
            channel=body.channel.value,
            external_ref=body.external_ref,
            customer_id=customer.id,
            customer_code=customer.code,
            customer_name=customer.name,
            ship_to=ship_to,
            requested_delivery_date=body.requested_delivery_date,
            currency=currency,
            status=OrderStatus.DRAFT.value,
            priority=body.priority,
            notes=body.notes,
            discount_percent=body.discount_percent,
            payment_status=None,  # set by _take_payment once the total is known
            payment_reference=None,
            payment_amount=None,
            created_by=principal.actor,
            updated_by=principal.actor,
            created_at=now,
            updated_at=now,
            version=1,
            holds=[],
            pending_approvals=[],
        )
        lines = _apply_pricing(order, priced)
        _take_payment(order, body)
        order_lines.refresh(order, lines)
        # Below the floor price: accepted, but only as a draft; an explicit submit sends it to
        # review, which asks for a price approval.
        submitting = body.submit and not order.requires_price_approval
        # No flush here: the unit of work writes everything at commit, table by table in
        # foreign-key order, each table's rows in one statement.
        uow.orders.add(order)
        for line in lines:
            uow.orders.add_line(line)
        if idempotency_key:
            uow.idempotency.add(
                IdempotencyRecord(
                    owner=principal.subject_id,
                    key=idempotency_key,
                    request_hash=digest,
                    resource_id=str(order.id),
                    status_code=201,
                    created_at=now,
                )
            )
        payload = _order_payload(order, lines)
        uow.record(OrderPlaced(actor=principal.actor, entity_id=order.id, after=payload))
        if submitting:
            await _submit(uow, order, lines, principal, settings, now)
        await uow.commit()
    return PlaceResult(OrderView(order, lines), True)


async def _submit(
    uow: UnitOfWork,
    order: Order,
    lines: list[OrderLine],
    principal: Principal,
    settings: Settings,
    now: datetime,
) -> None:
    """Submission: record it; review (a reaction) decides the order's status."""
    order.submitted_at = now
    uow.record(
        OrderSubmitted(
            actor=principal.actor,
            entity_id=order.id,
            before={"status": OrderStatus.DRAFT.value},
            after={"status": "submitted"},
            payload=_order_payload(order, lines),
            on=now.date(),
        )
    )


async def _load(uow: UnitOfWork, order_id: uuid.UUID, *, for_update: bool = False) -> Order:
    order = await (uow.orders.get_for_update(order_id) if for_update else uow.orders.get(order_id))
    if order is None:
        raise NotFound(f"No order with id {order_id}.")
    return order


async def get_order(uow: UnitOfWork, order_id: uuid.UUID) -> OrderView:
    async with uow:
        order = await _load(uow, order_id)
        return OrderView(order, await uow.orders.lines(order.id))


async def get_order_by_number(uow: UnitOfWork, number: str) -> OrderView:
    async with uow:
        order = await uow.orders.get_by_number(number)
        if order is None:
            raise NotFound(f"No order numbered {number}.")
        return OrderView(order, await uow.orders.lines(order.id))


@retrying
async def update_order(
    uow: UnitOfWork,
    order_id: uuid.UUID,
    body: OrderUpdate,
    expected_version: int,
    principal: Principal,
    settings: Settings,
) -> OrderView:
    """Edit a draft and re-price it."""
    now = datetime.now(UTC)
    async with uow:
        order = await _load(uow, order_id, for_update=True)
        check_version(order, expected_version)
        lines = await uow.orders.lines(order.id)
        ensure_editable(
            order.status,
            [
                LineQuantities(x.quantity_ordered, x.quantity_reserved, x.quantity_shipped)
                for x in lines
            ],
        )
        before = _order_payload(order, lines)
        # The lines are replaced and reviewed again: whatever they held goes back first (a
        # reaction, published now, before the old lines are deleted).
        uow.record(OrderEditStarted(actor=principal.actor, entity_id=order.id))
        await uow.publish()
        changes = body.model_dump(exclude_unset=True)
        violations = Violations()
        check_intake(
            line_count=len(body.lines) if body.lines is not None else len(lines),
            max_lines=settings.order_max_lines,
            requested_delivery_date=body.requested_delivery_date,
            today=now.date(),
            violations=violations,
        )
        violations.raise_if_any()
        customer = await uow.customers.get(order.customer_id)
        assert customer is not None
        if "ship_to" in changes or "ship_to_id" in changes:
            order.ship_to = _ship_to(customer, body.ship_to, body.ship_to_id)
        for name in ("requested_delivery_date", "priority", "notes", "discount_percent"):
            if name in changes:
                setattr(order, name, getattr(body, name))
        requested = (
            _requested(body.lines)
            if body.lines is not None
            else [
                RequestedLine(
                    x.sku,
                    x.quantity_ordered,
                    x.unit_price if x.price_source == "override" else None,
                    x.discount_percent,
                )
                for x in lines
            ]
        )
        priced = await price_requested_lines(
            uow,
            customer=customer,
            currency=order.currency,
            requested=requested,
            order_discount_percent=order.discount_percent,
            on=now.date(),
            tax_inclusive=settings.prices_include_tax,
            principal=principal,
        )
        for line in lines:
            await uow.orders.delete_line(line)
        await uow.flush()
        new_lines = _apply_pricing(order, priced)
        for line in new_lines:
            uow.orders.add_line(line)
        order_lines.refresh(order, new_lines)
        # A new total may leave a payment short of it (or cover it again).
        order.payment_status = payments.standing(
            order.payment_status, order.payment_amount, order.total
        )
        order.updated_by = principal.actor
        order.updated_at = now
        await uow.flush()
        after = _order_payload(order, new_lines)
        # Editing a reviewed order sends it back through review (a reaction); earlier
        # approvals lapse.
        uow.record(
            OrderEdited(
                actor=principal.actor,
                entity_id=order.id,
                before=before,
                after=after,
                reviewed_before=order.status != OrderStatus.DRAFT,
                on=now.date(),
            )
        )
        await uow.commit()
    return OrderView(order, new_lines)


@retrying
async def submit_order(
    uow: UnitOfWork, order_id: uuid.UUID, principal: Principal, settings: Settings
) -> OrderView:
    async with uow:
        order = await _load(uow, order_id, for_update=True)
        ensure_submittable(order.status)
        lines = await uow.orders.lines(order.id)
        await _submit(uow, order, lines, principal, settings, datetime.now(UTC))
        await uow.commit()
    return OrderView(order, lines)


@retrying
async def cancel_order(
    uow: UnitOfWork, order_id: uuid.UUID, reason: str, principal: Principal
) -> OrderView:
    async with uow:
        order = await _load(uow, order_id, for_update=True)
        lines = await uow.orders.lines(order.id)
        ensure_cancellable(
            order.status,
            [LineQuantities(x.quantity_ordered, shipped=x.quantity_shipped) for x in lines],
        )
        before = {"status": order.status}
        order.status = OrderStatus.CANCELLED.value
        order.cancelled_at = datetime.now(UTC)
        order.cancel_reason = reason
        order.updated_by = principal.actor
        await uow.flush()
        # Its reservations are released by a reaction; the payload shows the order after it.
        uow.record(
            OrderCancelled(
                actor=principal.actor,
                entity_id=order.id,
                before=before,
                after={"status": order.status, "reason": reason},
                payload=lambda: _order_payload(order, lines),
            )
        )
        await uow.commit()
    return OrderView(order, lines)


async def list_orders(
    uow: UnitOfWork,
    filters: OrderFilters,
    *,
    sort: str,
    limit: int,
    cursor: str | None,
) -> PageResult[Order]:
    async with uow:
        return await uow.orders.page(filters=filters, sort=sort, limit=limit, cursor=cursor)


async def order_events(
    uow: UnitOfWork, order_id: uuid.UUID, *, limit: int, cursor: str | None
) -> PageResult[Any]:
    async with uow:
        await _load(uow, order_id)
        return await uow.audit.page_for("order", str(order_id), limit=limit, cursor=cursor)
