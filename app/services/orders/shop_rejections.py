"""A webhook refused for business reasons: kept with its reason (listed through the API) and
raised as an alert, in one transaction with the inbox's settlement."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from app.domain.events import StorefrontIntakeRejected
from app.repositories.base import snapshot
from app.repositories.storefronts import StorefrontConnection, StorefrontRejection
from app.services.common import retrying
from app.services.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from app.services.orders.shop_outcome import Outcome


@retrying
async def reject(
    uow: UnitOfWork,
    connection: StorefrontConnection,
    webhook_id: str,
    topic: str,
    outcome: Outcome,
    now: datetime,
) -> None:
    refusal = outcome.rejection
    assert refusal is not None
    async with uow:
        row = StorefrontRejection(
            id=uuid.uuid4(),
            connection_id=connection.id,
            webhook_id=webhook_id,
            topic=topic or "unknown",
            platform_order_id=outcome.platform_order_id,
            code=refusal.code[:64],
            field=refusal.field[:200] if refusal.field else None,
            reason=refusal.reason[:2000],
            received_at=now,
        )
        uow.storefronts.add_rejection(row)
        await uow.storefronts.settle(connection.id, webhook_id, f"rejected:{refusal.code}")
        await uow.flush()
        uow.record(
            StorefrontIntakeRejected(
                actor=f"storefront:{connection.code}",
                entity_id=row.id,
                after=snapshot(row),
                connection_id=str(connection.id),
                connection_code=connection.code,
                reason=refusal.reason[:500],
            )
        )
        await uow.commit()
