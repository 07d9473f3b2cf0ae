"""Opening a service case: by staff for a customer (optionally about an order, a shipment and
some of its lines), or by the customer from the shipment's tracking link."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import UTC, datetime

from app.domain.after_sales.cases import (
    CaseKind,
    CasePriority,
    CaseSource,
    CaseState,
    EntryKind,
    Visibility,
    format_case_number,
)
from app.domain.errors import Conflict, NotFound, RuleViolation, Violations
from app.domain.events import CaseOpened
from app.repositories.cases import CaseLine, ServiceCase
from app.repositories.uow import is_unique_violation
from app.services.after_sales.cases.commands import OpenCase, OpenCaseFromTracking
from app.services.after_sales.cases.timeline import add_entry, set_deadlines
from app.services.after_sales.cases.views import CaseView, image, load_view
from app.services.bus import Context
from app.services.common import retrying
from app.services.idempotency import fingerprint, remember, replayed
from app.services.unit_of_work import UnitOfWork

CASES_WRITE = "cases:write"
CUSTOMER = "customer"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check_terms(kind: str, priority: str) -> None:
    v = Violations()
    if kind not in {k.value for k in CaseKind}:
        v.add("kind", "enum", f"Not a case kind: {kind}.")
    if priority not in {p.value for p in CasePriority}:
        v.add("priority", "enum", f"Not a priority: {priority}.")
    v.raise_if_any("The case is not valid.")


async def _new_case(
    uow: UnitOfWork,
    ctx: Context,
    *,
    customer_id: uuid.UUID,
    order_id: uuid.UUID | None,
    shipment_id: uuid.UUID | None,
    kind: str,
    priority: str,
    source: CaseSource,
    subject: str,
    description: str,
    actor: str,
) -> ServiceCase:
    now = datetime.now(UTC)
    case = ServiceCase(
        id=uuid.uuid4(),
        number=format_case_number(now.year, await uow.cases.next_number()),
        customer_id=customer_id,
        order_id=order_id,
        shipment_id=shipment_id,
        kind=kind,
        priority=priority,
        state=CaseState.OPEN.value,
        source=source.value,
        subject=subject,
        description=description,
        opened_at=now,
        opened_by=actor,
        updated_at=now,
        updated_by=actor,
    )
    set_deadlines(ctx, case)
    uow.cases.add(case)
    await uow.flush()  # before its lines and entries (no ORM relationship orders them)
    return case


@retrying
async def open_case(cmd: OpenCase, uow: UnitOfWork, ctx: Context) -> CaseView:
    """A case for a customer; the order, shipment and lines named must be theirs."""
    cmd.principal.require(CASES_WRITE)
    _check_terms(cmd.kind, cmd.priority)
    digest = fingerprint("case", cmd)
    try:
        async with uow:
            found = await replayed(uow, cmd.principal, cmd.idempotency_key, digest)
            if found is not None:
                return await load_view(uow, await uow.cases.get_or_raise(found))
            await _check_references(uow, cmd)
            case = await _new_case(
                uow,
                ctx,
                customer_id=cmd.customer_id,
                order_id=cmd.order_id,
                shipment_id=cmd.shipment_id,
                kind=cmd.kind,
                priority=cmd.priority,
                source=CaseSource.API if cmd.principal.kind == "api_key" else CaseSource.STAFF,
                subject=cmd.subject,
                description=cmd.description,
                actor=cmd.principal.actor,
            )
            case.assignee = cmd.assignee
            for x in cmd.lines:
                uow.cases.add(
                    CaseLine(case_id=case.id, order_line_id=x.order_line_id, quantity=x.quantity)
                )
            await uow.flush()
            await remember(uow, cmd.principal, cmd.idempotency_key, digest, case.id)
            uow.record(CaseOpened(actor=cmd.principal.actor, entity_id=case.id, after=image(case)))
            await uow.commit()
            return await load_view(uow, case)
    except Exception as exc:
        if not is_unique_violation(exc):
            raise
    async with uow:
        found = await replayed(uow, cmd.principal, cmd.idempotency_key, digest)
        if found is None:  # pragma: no cover - the violation names a key that exists
            raise Conflict("A concurrent request conflicted; retry.")
        return await load_view(uow, await uow.cases.get_or_raise(found))


async def _check_references(uow: UnitOfWork, cmd: OpenCase) -> None:
    if await uow.customers.get(cmd.customer_id) is None:
        raise RuleViolation.on("customer_id", "exists", f"No customer with id {cmd.customer_id}.")
    if cmd.assignee is not None:
        await check_assignee(uow, cmd.assignee)
    order = await uow.orders.get(cmd.order_id) if cmd.order_id else None
    if cmd.order_id and (order is None or order.customer_id != cmd.customer_id):
        raise RuleViolation.on("order_id", "of_customer", "No order of this customer.")
    if cmd.shipment_id:
        shipment = await uow.shipments.get(cmd.shipment_id)
        if shipment is None or order is None or shipment.order_id != order.id:
            raise RuleViolation.on("shipment_id", "of_order", "No shipment of this order.")
    if cmd.lines:
        if order is None:
            raise RuleViolation.on("lines", "needs_order", "Lines name an order's lines.")
        ids = {x.id for x in await uow.orders.lines(order.id)}
        for n, x in enumerate(cmd.lines):
            if x.order_line_id not in ids:
                raise RuleViolation.on(
                    f"lines.{n}.order_line_id", "of_order", "Not a line of this order."
                )


@retrying
async def open_case_from_tracking(
    cmd: OpenCaseFromTracking, uow: UnitOfWork, ctx: Context
) -> CaseView:
    """The customer holding a tracking link opens a case about that shipment; the answer
    carries the case's own token once (only its hash is kept)."""
    _check_terms(cmd.kind, CasePriority.NORMAL.value)
    async with uow:
        shipment = await uow.tracking.by_token(cmd.token)
        if shipment is None:
            raise NotFound("No shipment has this tracking link.")
        order = await uow.orders.get(shipment.order_id)
        assert order is not None
        case = await _new_case(
            uow,
            ctx,
            customer_id=order.customer_id,
            order_id=order.id,
            shipment_id=shipment.id,
            kind=cmd.kind,
            priority=CasePriority.NORMAL.value,
            source=CaseSource.TRACKING_PAGE,
            subject=cmd.subject,
            description=cmd.description,
            actor=CUSTOMER,
        )
        token = secrets.token_urlsafe(24)
        case.customer_token_hash = token_hash(token)
        add_entry(
            uow,
            case,
            kind=EntryKind.MESSAGE,
            visibility=Visibility.CUSTOMER,
            author=CUSTOMER,
            body=cmd.description,
        )
        await uow.flush()
        uow.record(CaseOpened(actor=CUSTOMER, entity_id=case.id, after=image(case)))
        await uow.commit()
        return await load_view(uow, case, token)


async def check_assignee(uow: UnitOfWork, username: str) -> None:
    """A case is assigned to an active user."""
    user = await uow.users.get_by_username(username)
    if user is None or not user.active:
        raise RuleViolation.on("assignee", "exists", f"No active user '{username}'.")
