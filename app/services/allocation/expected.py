"""When goods a backorder waits for are expected: open purchase orders and production
requests."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from app.domain.purchasing import OPEN
from app.services.unit_of_work import UnitOfWork


async def expected_dates(uow: UnitOfWork, product_ids: list[uuid.UUID]) -> dict[uuid.UUID, date]:
    """The earliest date stock is expected: the open purchase orders and production requests
    of these products (a request by the date its production system expects, else its due
    date)."""
    if not product_ids:
        return {}
    open_orders = await uow.purchasing.on_order_by_product(OPEN, product_ids)
    expected = {product_id: when for product_id, (_, when) in open_orders.items() if when}
    today = datetime.now(UTC).date()
    for product_id, due in (await uow.production.expected_by_product(product_ids)).items():
        when = max(due, today)  # a late request is expected today at the earliest
        expected[product_id] = min(when, expected.get(product_id, when))
    return expected
