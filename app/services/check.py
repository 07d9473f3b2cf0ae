"""``lading check``: verify the invariants across the whole database and list every breach."""

from __future__ import annotations

from app.domain.stock import StockViolation, stock_violations
from app.repositories.uow import SqlAlchemyUnitOfWork


async def check_invariants(uow: SqlAlchemyUnitOfWork) -> list[StockViolation]:
    async with uow:
        suspects = await uow.stock.compare_levels_with_ledger()
    violations: list[StockViolation] = []
    for row in suspects:
        violations += stock_violations(
            str(row.warehouse_id), str(row.product_id), row.on_hand, row.reserved, row.ledger_sum
        )
    return violations
