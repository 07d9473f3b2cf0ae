"""Use-case tests: the business driven through the message bus on the per-test rollback
session, without HTTP. Data comes from tests/builders.py; a test records what happened
(``uow.record(OrderApproved(...))``) and commits, and the reactions of ``app/bootstrap.py`` do
the rest in the same transaction — then the test reads the outcome from the repositories.

(The HTTP tests stay the contract tests; these are the faster tier for the reactions.)"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app import bootstrap
from app.domain.events import (
    CarrierReportedDelivery,
    ConsolidationPlanned,
    Event,
    OrderApproved,
    OrderCancelled,
    OrderEditStarted,
    OrderRejected,
    OrderSubmitted,
    ShortPicked,
    StockArrived,
)
from app.repositories.events import AuditEvent, OutboxEvent
from app.repositories.transfers import Transfer, TransferLine
from app.repositories.uow import SqlAlchemyUnitOfWork
from app.services.bus import Context, MessageBus
from app.settings import Settings
from tests.builders import (
    a_customer,
    a_picked_order,
    a_product,
    a_shipped_order,
    a_warehouse,
    an_approved_order,
    an_order,
    fresh_order,
    level,
    reservations_of,
    stock,
)

D = Decimal
ACTOR = "user:tester"


@pytest.fixture
def bus(settings: Settings) -> MessageBus:
    return bootstrap.build_bus(settings)


@pytest.fixture
def uow(sessionmaker: async_sessionmaker[AsyncSession], bus: MessageBus) -> SqlAlchemyUnitOfWork:
    return bootstrap.unit_of_work(sessionmaker, bus)


async def happen(uow: SqlAlchemyUnitOfWork, *events: Event) -> None:
    """A command that only records ``events`` and commits: the reactions do the work."""
    async with uow:
        for event in events:
            uow.record(event)
        await uow.commit()


async def outbox(uow: SqlAlchemyUnitOfWork, aggregate_id: uuid.UUID) -> list[tuple[str, Any]]:
    async with uow:
        rows = await uow.session.scalars(
            select(OutboxEvent)
            .where(OutboxEvent.aggregate_id == str(aggregate_id))
            .order_by(OutboxEvent.id)
        )
        return [(r.event_type, r.payload) for r in rows]


async def topics(uow: SqlAlchemyUnitOfWork, aggregate_id: uuid.UUID) -> set[str]:
    return {topic for topic, _ in await outbox(uow, aggregate_id)}


async def audit_actions(uow: SqlAlchemyUnitOfWork, entity_id: uuid.UUID) -> list[str]:
    async with uow:
        rows = await uow.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity_id == str(entity_id))
            .order_by(AuditEvent.at, AuditEvent.id)
        )
        return [r.action for r in rows]


@pytest.fixture
async def world(uow: SqlAlchemyUnitOfWork) -> dict[str, Any]:
    """A customer, two products and one warehouse (no stock)."""
    return {
        "customer": await a_customer(uow),
        "widget": await a_product(uow),
        "gadget": await a_product(uow, list_price=D("25.00")),
        "hz": await a_warehouse(uow, latitude=D("30.27"), longitude=D("120.15")),
    }


# --- approved → allocate --------------------------------------------------------------------


async def test_an_approved_order_is_allocated_in_the_same_transaction(uow, world) -> None:
    customer, widget, gadget, hz = (world[k] for k in ("customer", "widget", "gadget", "hz"))
    await stock(uow, hz, widget, 10)
    await stock(uow, hz, gadget, 3)
    placed = await an_approved_order(uow, customer, [(widget, 4), (gadget, 3)])

    await happen(uow, OrderApproved(actor=ACTOR, entity_id=placed.id, after={"reason": "t"}))

    order = await fresh_order(uow, placed)
    assert [x.quantity_reserved for x in order.lines] == [D(4), D(3)]
    assert order.order.fulfillment_status == "reserved"
    assert sorted(
        (r.product_id, r.warehouse_id, r.quantity) for r in await reservations_of(uow, placed)
    ) == sorted([(widget.id, hz.id, D(4)), (gadget.id, hz.id, D(3))])
    assert (await level(uow, hz, widget)).reserved == D(4)
    assert (await level(uow, hz, gadget)).reserved == D(3)
    assert await topics(uow, placed.id) == {"order.approved", "order.allocated"}
    # each event's row is written once its own reactions ran; what they recorded comes after
    assert await audit_actions(uow, placed.id) == ["approved", "allocated"]


async def test_an_approved_order_without_enough_stock_is_backordered(uow, world) -> None:
    customer, widget, hz = world["customer"], world["widget"], world["hz"]
    await stock(uow, hz, widget, 2)
    placed = await an_approved_order(uow, customer, [(widget, 5)])

    await happen(uow, OrderApproved(actor=ACTOR, entity_id=placed.id))

    order = await fresh_order(uow, placed)
    assert order.lines[0].quantity_reserved == D(2)
    assert order.order.fulfillment_status == "partially_reserved"
    [payload] = [p for t, p in await outbox(uow, placed.id) if t == "order.backordered"]
    assert {sku: D(q) for sku, q in payload["backordered"].items()} == {widget.sku: D(3)}
    assert (await level(uow, hz, widget)).reserved == D(2)


# --- stock arrived → allocate backorders ------------------------------------------------------


async def test_stock_arriving_allocates_the_waiting_backorder(uow, world) -> None:
    customer, widget, hz = world["customer"], world["widget"], world["hz"]
    placed = await an_approved_order(uow, customer, [(widget, 6)])
    await happen(uow, OrderApproved(actor=ACTOR, entity_id=placed.id))
    assert (await fresh_order(uow, placed)).lines[0].quantity_reserved == D(0)

    await stock(uow, hz, widget, 10)  # the level and its movement, no reaction yet
    assert (await fresh_order(uow, placed)).lines[0].quantity_reserved == D(0)
    arrived = StockArrived(actor=ACTOR, entity_id=widget.id, product_ids=(widget.id,))
    await happen(uow, arrived)

    order = await fresh_order(uow, placed)
    assert order.lines[0].quantity_reserved == D(6)
    assert order.order.fulfillment_status == "reserved"
    assert (await level(uow, hz, widget)).reserved == D(6)
    assert arrived.results == [1]  # one waiting order looked at, reported to the publisher
    assert "order.allocated" in await topics(uow, placed.id)


async def test_stock_arriving_for_another_product_leaves_the_backorder_waiting(uow, world) -> None:
    customer, widget, gadget, hz = (world[k] for k in ("customer", "widget", "gadget", "hz"))
    placed = await an_approved_order(uow, customer, [(widget, 2)])
    await happen(uow, OrderApproved(actor=ACTOR, entity_id=placed.id))
    await stock(uow, hz, gadget, 10)

    arrived = StockArrived(actor=ACTOR, entity_id=gadget.id, product_ids=(gadget.id,))
    await happen(uow, arrived)

    assert arrived.results == [0]
    assert (await fresh_order(uow, placed)).lines[0].quantity_reserved == D(0)
    assert (await level(uow, hz, gadget)).reserved == D(0)


# --- cancelled / rejected / edited → release ------------------------------------------------


@pytest.mark.parametrize(
    ("event_class", "reason"),
    [
        (OrderCancelled, "cancelled"),
        (OrderRejected, "rejected"),
        (OrderEditStarted, "order edited"),
    ],
)
async def test_cancel_reject_and_edit_release_what_the_order_holds(
    uow, world, event_class: type[Event], reason: str
) -> None:
    customer, widget, hz = world["customer"], world["widget"], world["hz"]
    await stock(uow, hz, widget, 10)
    placed = await an_approved_order(uow, customer, [(widget, 4)], reserve_in=hz)
    assert (await level(uow, hz, widget)).reserved == D(4)

    await happen(uow, event_class(actor=ACTOR, entity_id=placed.id))

    order = await fresh_order(uow, placed)
    assert order.lines[0].quantity_reserved == D(0)
    assert order.order.fulfillment_status == "unfulfilled"
    assert await reservations_of(uow, placed) == []
    stocked = await level(uow, hz, widget)
    assert (stocked.on_hand, stocked.reserved) == (D(10), D(0))
    [released] = [p for t, p in await outbox(uow, placed.id) if t == "order.reservations_released"]
    assert released["number"] == placed.order.number and released["reason"] == reason
    assert D(released["quantity"]) == D(4)


async def test_a_cancelled_order_without_reservations_releases_nothing(uow, world) -> None:
    customer, widget = world["customer"], world["widget"]
    placed = await an_approved_order(uow, customer, [(widget, 4)])

    await happen(uow, OrderCancelled(actor=ACTOR, entity_id=placed.id))

    assert await topics(uow, placed.id) == {"order.cancelled"}
    assert await audit_actions(uow, placed.id) == ["cancelled"]


# --- submitted → review → approved → allocated ------------------------------------------------


async def test_a_submitted_order_is_reviewed_approved_and_allocated(uow, world) -> None:
    customer, widget, hz = world["customer"], world["widget"], world["hz"]
    await stock(uow, hz, widget, 10)
    placed = await an_order(uow, customer, [(widget, 3)])

    await happen(uow, OrderSubmitted(actor=ACTOR, entity_id=placed.id))

    order = await fresh_order(uow, placed)
    assert order.order.status == "approved"
    assert order.lines[0].quantity_reserved == D(3)
    assert (await level(uow, hz, widget)).reserved == D(3)
    assert await topics(uow, placed.id) == {"order.submitted", "order.approved", "order.allocated"}
    # submit → review → approved → allocated, each event handled after the one that caused it
    assert await audit_actions(uow, placed.id) == ["submitted", "reviewed", "approved", "allocated"]


# --- consolidation planned → draft transfer -------------------------------------------------


async def test_a_planned_consolidation_drafts_one_transfer_per_route(uow, world) -> None:
    customer, widget, gadget, hz = (world[k] for k in ("customer", "widget", "gadget", "hz"))
    sh = await a_warehouse(uow)
    placed = await an_approved_order(uow, customer, [(widget, 2), (gadget, 1)])

    planned = ConsolidationPlanned(
        actor=ACTOR,
        entity_id=placed.id,
        moves=((hz.id, sh.id, widget.id, D(2)), (hz.id, sh.id, gadget.id, D(1))),
    )
    await happen(uow, planned)

    [number] = planned.results
    async with uow:
        transfer = (
            await uow.session.scalars(select(Transfer).where(Transfer.number == number))
        ).one()
        items = list(
            await uow.session.scalars(
                select(TransferLine).where(TransferLine.transfer_id == transfer.id)
            )
        )
    assert (transfer.from_warehouse_id, transfer.to_warehouse_id) == (hz.id, sh.id)
    assert (transfer.status, transfer.reason, transfer.order_id) == (
        "draft",
        "consolidation",
        placed.id,
    )
    assert sorted((x.product_id, x.quantity) for x in items) == sorted(
        [(widget.id, D(2)), (gadget.id, D(1))]
    )


# --- short pick → allocate again ------------------------------------------------------------


async def test_a_short_pick_allocates_the_order_again_from_other_stock(uow, world) -> None:
    customer, widget = world["customer"], world["widget"]
    sh = await a_warehouse(uow)
    await stock(uow, sh, widget, 5)
    # what the short pick took back from the first warehouse is written off: nothing reserved
    placed = await an_approved_order(uow, customer, [(widget, 3)])

    await happen(uow, ShortPicked(actor=ACTOR, entity_id=uuid.uuid4(), order_ids=(placed.id,)))

    order = await fresh_order(uow, placed)
    assert order.lines[0].quantity_reserved == D(3)
    assert [(r.warehouse_id, r.quantity) for r in await reservations_of(uow, placed)] == [
        (sh.id, D(3))
    ]


# --- delivered by carrier → record delivery ---------------------------------------------------


async def test_a_carrier_reported_delivery_records_the_delivery(uow, world) -> None:
    customer, widget, hz = world["customer"], world["widget"], world["hz"]
    shipped = await a_shipped_order(uow, customer, hz, [(widget, 2)])
    assert (await fresh_order(uow, shipped)).order.fulfillment_status == "shipped"
    at = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)

    delivered = CarrierReportedDelivery(
        actor="carrier:fake", entity_id=shipped.shipment.id, delivered_at=at
    )
    await happen(uow, delivered)

    order = await fresh_order(uow, shipped)
    assert order.order.fulfillment_status == "delivered"
    assert order.lines[0].quantity_delivered == D(2)
    async with uow:
        shipment = await uow.shipments.get_or_raise(shipped.shipment.id)
    assert shipment.status == "delivered"
    assert shipment.delivered_at == at and shipment.delivered_by == "carrier:fake"
    notes = [p for t, p in await outbox(uow, shipped.id) if t == "order.delivered"]
    assert [p["shipment_number"] for p in notes] == [shipped.shipment.number]
    assert await audit_actions(uow, shipped.shipment.id) == ["delivered"]
    # what stays on the level: nothing reserved, the two issued
    stocked = await level(uow, hz, widget)
    assert (stocked.on_hand, stocked.reserved) == (D(0), D(0))


async def test_the_picked_order_builder_leaves_a_consistent_reserved_order(uow, world) -> None:
    customer, widget, hz = world["customer"], world["widget"], world["hz"]
    picked = await a_picked_order(uow, customer, hz, [(widget, 2)])
    assert picked.pick_list.status == "picked"
    assert picked.lines[0].quantity_reserved == D(2)
    stocked = await level(uow, hz, widget)
    assert (stocked.on_hand, stocked.reserved) == (D(2), D(2))


# --- a failing reaction rolls the whole command back ------------------------------------------


async def test_a_failing_reaction_rolls_the_whole_command_back(
    sessionmaker, settings: Settings, uow, world
) -> None:
    customer, widget, hz = world["customer"], world["widget"], world["hz"]
    await stock(uow, hz, widget, 10)
    placed = await an_approved_order(uow, customer, [(widget, 4)])

    async def refuse(event: OrderApproved, uow: Any, ctx: Context) -> None:
        raise RuntimeError("the next reaction failed")

    table = dict(bootstrap.REACTIONS)
    table[OrderApproved] = [*bootstrap.REACTIONS[OrderApproved], refuse]
    failing = MessageBus(settings, commands=bootstrap.COMMANDS, reactions=table)
    command = SqlAlchemyUnitOfWork(sessionmaker, failing)
    with pytest.raises(RuntimeError, match="next reaction failed"):
        async with command:
            order = await command.orders.get_for_update_or_raise(placed.id)
            order.notes = "changed by the command"
            command.record(OrderApproved(actor=ACTOR, entity_id=placed.id))
            await command.commit()

    # Neither the command's own change nor the allocation that ran before the failure stayed.
    order_now = await fresh_order(uow, placed)
    assert order_now.order.notes is None
    assert order_now.lines[0].quantity_reserved == D(0)
    assert await reservations_of(uow, placed) == []
    assert (await level(uow, hz, widget)).reserved == D(0)
    assert await outbox(uow, placed.id) == []
    assert await audit_actions(uow, placed.id) == []
    # The same event on the real table afterwards allocates as usual.
    await happen(uow, OrderApproved(actor=ACTOR, entity_id=placed.id))
    assert (await fresh_order(uow, placed)).lines[0].quantity_reserved == D(4)
