"""Credit re-review when money comes in: a payment or credit note applied to a customer's
invoices lowers its open receivables (and may clear what was overdue), so the customer's
orders held for credit are reviewed by the credit rule again and released when they pass.

The release is the one a person makes (``holds.release``): the same decision row and
``OrderHoldReleased`` audit event, by ``system:credit-recheck`` with the event that caused it
as the reason; with no hold left the order goes on to approval or is approved, and allocated
by the usual reactions. Finance can still release a credit hold by hand.

Orders are re-checked oldest first, each against the position with the ones released before
it already counted (the unit of work is flushed after each release, so the credit position
reads them as committed). Locks: the held orders (sorted by id, as every use case that locks
several orders takes them), then the customer (inside the credit check) — an order before
its customer, as review and a manual release take them.
"""

from __future__ import annotations

import uuid

from app.domain.auth import Principal
from app.domain.billing.events import CreditNoteApplied, PaymentApplied
from app.domain.orders import OrderStatus
from app.domain.review import credit_holds
from app.repositories.orders import Order
from app.repositories.reviews import CREDIT_HOLDS
from app.services.bus import Context
from app.services.order_review.holds import release
from app.services.order_review.policy import load_review_policy
from app.services.order_review.review import credit_facts
from app.services.unit_of_work import UnitOfWork

# Who the audit names for a release by the re-check.
RECHECKER = Principal(
    subject_id="system", name="credit-recheck", kind="system", roles=(), scopes=frozenset()
)
# How many held orders one payment re-checks (a customer rarely has more on credit hold).
MAX_ORDERS = 200


async def on_money_applied(
    event: PaymentApplied | CreditNoteApplied, uow: UnitOfWork, ctx: Context
) -> None:
    """Reaction: money applied to a customer's invoices — its orders held for credit are
    re-checked by the credit rule, oldest first, and those that pass lose their credit hold."""
    if event.customer_id is None:
        return
    customer_id = uuid.UUID(event.customer_id)
    held = await uow.reviews.credit_held_orders(customer_id, limit=MAX_ORDERS)
    if not held:
        return
    orders = [await uow.orders.get_for_update(i) for i in sorted(held, key=str)]
    customer = await uow.customers.get_or_raise(customer_id)
    policy = await load_review_policy(uow)
    reason = f"credit re-checked: {event.entity_type} {event.action} by {event.actor}"
    for order in sorted(_still_held(orders), key=lambda o: (o.created_at, str(o.id))):
        credit = await credit_facts(uow, order, customer)
        if credit_holds(credit, order.total, policy):
            continue
        for code in [h for h in order.holds if h in CREDIT_HOLDS]:
            await release(uow, order, code, reason, RECHECKER, policy)
        await uow.flush()
        event.results.append(order.number)


def _still_held(orders: list[Order | None]) -> list[Order]:
    """The orders that, locked, are still on hold for credit."""
    return [
        o
        for o in orders
        if o is not None
        and o.status == OrderStatus.ON_HOLD.value
        and any(h in CREDIT_HOLDS for h in o.holds)
    ]
