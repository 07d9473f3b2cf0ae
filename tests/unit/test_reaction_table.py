"""The reaction table (``app.bootstrap.REACTIONS``) wires every reaction the issue lists to a
handler of the area whose aggregate it changes, and the bus built by ``build_bus`` runs those
real handlers inside the command's unit of work (over tests/fakes.py: no database).

Handlers are compared by their module's area prefix (``app.services.allocation``), not by
exact function paths, which may move inside an area."""

from __future__ import annotations

import inspect
import sys
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from app import bootstrap
from app.domain.events import (
    CarrierReportedDelivery,
    ConsolidationPlanned,
    Event,
    OrderApproved,
    OrderCancelled,
    OrderEdited,
    OrderEditStarted,
    OrderRejected,
    OrderSubmitted,
    ShortPicked,
    StockArrived,
)
from tests.conftest import make_settings
from tests.fakes import ProbingUnitOfWork, Reached

ORDER = uuid.UUID("00000000-0000-4000-8000-000000000001")
PRODUCT = uuid.UUID("00000000-0000-4000-8000-000000000002")
SOURCE = uuid.UUID("00000000-0000-4000-8000-000000000003")
TARGET = uuid.UUID("00000000-0000-4000-8000-000000000004")
SHIPMENT = uuid.UUID("00000000-0000-4000-8000-000000000005")

# (event, the area that must react to it, the id its handler loads first)
LISTED: list[tuple[Event, str, uuid.UUID]] = [
    # submit → review
    (OrderSubmitted(actor="t", entity_id=ORDER), "app.services.order_review", ORDER),
    # edited (a reviewed order) → reviewed again
    (
        OrderEdited(actor="t", entity_id=ORDER, reviewed_before=True),
        "app.services.order_review",
        ORDER,
    ),
    # approved → allocate
    (OrderApproved(actor="t", entity_id=ORDER), "app.services.allocation", ORDER),
    # consolidation planned → draft transfer
    (
        ConsolidationPlanned(
            actor="t", entity_id=ORDER, moves=((SOURCE, TARGET, PRODUCT, Decimal(2)),)
        ),
        "app.services.transfers",
        SOURCE,
    ),
    # stock arrived (receipt, transfer in, purchase receipt) → allocate backorders
    (
        StockArrived(actor="t", entity_id=PRODUCT, product_ids=(PRODUCT,)),
        "app.services.allocation",
        PRODUCT,
    ),
    # cancelled / rejected / edited → release reservations
    (OrderCancelled(actor="t", entity_id=ORDER), "app.services.allocation", ORDER),
    (OrderRejected(actor="t", entity_id=ORDER), "app.services.allocation", ORDER),
    (OrderEditStarted(actor="t", entity_id=ORDER), "app.services.allocation", ORDER),
    # short pick → allocate again from other stock
    (ShortPicked(actor="t", entity_id=ORDER, order_ids=(ORDER,)), "app.services.allocation", ORDER),
    # delivered by carrier → record delivery
    (
        CarrierReportedDelivery(actor="t", entity_id=SHIPMENT, delivered_at=datetime.now(UTC)),
        "app.services.shipments",
        SHIPMENT,
    ),
]


def _name(event: Event) -> str:
    return type(event).__name__


def in_area(module: str, area: str) -> bool:
    return module == area or module.startswith(area + ".")


@pytest.mark.parametrize(("event", "area", "loaded"), LISTED, ids=[_name(e) for e, _, _ in LISTED])
def test_the_table_maps_the_event_to_a_handler_of_its_area(
    event: Event, area: str, loaded: uuid.UUID
) -> None:
    handlers = bootstrap.REACTIONS.get(type(event), ())
    assert handlers, f"nothing reacts to {_name(event)}"
    modules = [h.__module__ for h in handlers]
    assert any(in_area(m, area) for m in modules), (_name(event), modules)


@pytest.mark.parametrize(("event", "area", "loaded"), LISTED, ids=[_name(e) for e, _, _ in LISTED])
async def test_the_bus_runs_the_real_reaction_inside_the_unit_of_work(
    event: Event, area: str, loaded: uuid.UUID
) -> None:
    """Dispatched through ``build_bus``, the table's handler runs with the command's unit of
    work and goes for the record the event names; what it raises stops the commit."""
    bus = bootstrap.build_bus(make_settings("sqlite+aiosqlite://"))
    uow = ProbingUnitOfWork(bus)
    with pytest.raises(Reached) as reached:
        async with uow:
            uow.record(event)
            await uow.commit()
    assert reached.value.mentions(loaded), (reached.value, reached.value.args)
    assert uow.committed == 0 and uow.audit == [] and uow.outbox == []


async def test_an_edit_of_an_unreviewed_order_reviews_nothing() -> None:
    """The review reaction to OrderEdited acts only when the order had been reviewed: a
    draft's edit reaches no repository."""
    bus = bootstrap.build_bus(make_settings("sqlite+aiosqlite://"))
    uow = ProbingUnitOfWork(bus)
    async with uow:
        uow.record(OrderEdited(actor="t", entity_id=ORDER, reviewed_before=False))
        await uow.commit()
    assert uow.committed == 1
    assert [(r.action, r.entity_id) for r in uow.audit] == [("updated", str(ORDER))]
    assert [r.event_type for r in uow.outbox] == ["order.updated"]


def test_every_table_entry_is_an_event_with_bus_shaped_handlers_of_the_services() -> None:
    assert bootstrap.REACTIONS
    for kind, handlers in bootstrap.REACTIONS.items():
        assert issubclass(kind, Event), kind
        assert handlers, kind
        for handler in handlers:
            assert in_area(handler.__module__, "app.services"), (kind, handler)
            assert inspect.iscoroutinefunction(handler), handler
            assert len(inspect.signature(handler).parameters) == 3, handler
            # a module-level function beside its area's use cases, not a lambda or closure
            module = sys.modules[handler.__module__]
            assert getattr(module, handler.__name__) is handler, handler


def test_the_bus_built_by_bootstrap_uses_the_tables_and_the_given_settings() -> None:
    settings = make_settings("sqlite+aiosqlite://")
    bus = bootstrap.build_bus(settings)
    assert bus.context.settings is settings and bus.context.bus is bus
    for kind, handlers in bootstrap.REACTIONS.items():
        assert bus.reactions[kind] == tuple(handlers)
    assert bus.commands == dict(bootstrap.COMMANDS)
