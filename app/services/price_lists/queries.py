"""Reading price lists with their items."""

from __future__ import annotations

import uuid
from collections import defaultdict

from app.domain.price_lists import ItemDraft, PriceListKind
from app.repositories.pagination import PageResult
from app.repositories.products import PriceListItem
from app.services.price_lists.documents import PriceListDocument, document, item_drafts
from app.services.unit_of_work import UnitOfWork


async def current_items(uow: UnitOfWork, price_list_id: uuid.UUID) -> list[ItemDraft]:
    return item_drafts(await uow.price_lists.items_with_sku([price_list_id]))


async def get_price_list(uow: UnitOfWork, price_list_id: uuid.UUID) -> PriceListDocument:
    async with uow:
        price_list = await uow.price_lists.get_or_raise(price_list_id)
        return document(price_list, await current_items(uow, price_list_id))


async def list_price_lists(
    uow: UnitOfWork,
    *,
    active: bool | None,
    kind: PriceListKind | None,
    customer_group: str | None,
    q: str | None,
    limit: int,
    cursor: str | None,
) -> PageResult[PriceListDocument]:
    async with uow:
        page = await uow.price_lists.page(
            active=active,
            kind=kind.value if kind else None,
            customer_group=customer_group,
            q=q,
            limit=limit,
            cursor=cursor,
        )
        by_list: dict[uuid.UUID, list[tuple[PriceListItem, str]]] = defaultdict(list)
        for item, sku in await uow.price_lists.items_with_sku([p.id for p in page.items]):
            by_list[item.price_list_id].append((item, sku))
    return PageResult(
        [document(p, item_drafts(by_list[p.id])) for p in page.items], page.next_cursor
    )
