"""What pricing needs to read: the price lists that apply to a customer and their items."""

from __future__ import annotations

import uuid
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.pricing import PriceBreak
from app.repositories.products import PriceList, PriceListItem


class PricingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def group_price_list(self, customer_group: str, currency: str) -> PriceList | None:
        """The active group list for a customer group in a currency (the first by code)."""
        rows = await self.session.scalars(
            select(PriceList)
            .where(
                PriceList.kind == "group",
                PriceList.customer_group == customer_group,
                PriceList.currency == currency,
                PriceList.active.is_(True),
            )
            .order_by(PriceList.code)
            .limit(1)
        )
        return rows.first()

    async def breaks(
        self, price_list_id: uuid.UUID, product_ids: list[uuid.UUID]
    ) -> dict[uuid.UUID, list[PriceBreak]]:
        """The price breaks of a list for the given products, by product."""
        out: dict[uuid.UUID, list[PriceBreak]] = defaultdict(list)
        if not product_ids:
            return out
        rows = await self.session.scalars(
            select(PriceListItem).where(
                PriceListItem.price_list_id == price_list_id,
                PriceListItem.product_id.in_(product_ids),
            )
        )
        for item in rows:
            out[item.product_id].append(
                PriceBreak(item.unit_price, item.min_quantity, item.valid_from, item.valid_to)
            )
        return out
