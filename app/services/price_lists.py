"""Price list use cases: create, read, list, update (replace items, deactivate).

A price list and its items are one document: the audit images and the version cover both."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from app.domain.auth import Principal
from app.domain.errors import DuplicateKey, NotFound
from app.domain.price_lists import ItemDraft, PriceListKind, check_price_list
from app.repositories.pagination import PageResult
from app.repositories.products import PriceList, PriceListItem
from app.schemas.price_lists import PriceListCreate, PriceListItemIn, PriceListUpdate
from app.services.common import check_version
from app.services.recording import jsonable, record_change, snapshot
from app.services.unit_of_work import UnitOfWork

_HEADER = ("name", "kind", "customer_group", "currency", "active")


@dataclass(frozen=True)
class PriceListDocument:
    """A price list with its items (by SKU), as it is read."""

    id: uuid.UUID
    code: str
    name: str
    kind: str
    customer_group: str | None
    currency: str
    active: bool
    items: list[ItemDraft]
    version: int
    created_at: datetime
    updated_at: datetime


def _sorted(items: Iterable[ItemDraft]) -> list[ItemDraft]:
    return sorted(items, key=lambda i: (i.sku, i.min_quantity, i.valid_from or date.min))


def _document(row: PriceList, items: Iterable[ItemDraft]) -> PriceListDocument:
    return PriceListDocument(
        id=row.id,
        code=row.code,
        name=row.name,
        kind=row.kind,
        customer_group=row.customer_group,
        currency=row.currency,
        active=row.active,
        items=_sorted(items),
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _image(row: PriceList, items: Sequence[ItemDraft]) -> dict[str, Any]:
    """The audit image of the list: its columns and its items."""
    return snapshot(row) | {"items": [jsonable(asdict(item)) for item in _sorted(items)]}


def _drafts(items: Sequence[PriceListItemIn]) -> list[ItemDraft]:
    return [ItemDraft(i.sku, i.unit_price, i.min_quantity, i.valid_from, i.valid_to) for i in items]


async def _check_and_build(
    uow: UnitOfWork,
    kind: str,
    customer_group: str | None,
    drafts: list[ItemDraft] | None,
) -> list[PriceListItem] | None:
    """Check the list's rules; for new items, also build their rows."""
    if drafts is None:
        check_price_list(PriceListKind(kind), customer_group)
        return None
    products = await uow.products.get_many_by_sku(sorted({d.sku for d in drafts}))
    precisions = {sku: p.uom_precision for sku, p in products.items()}
    check_price_list(PriceListKind(kind), customer_group, drafts, precisions)
    return [
        PriceListItem(
            product_id=products[d.sku].id,
            min_quantity=d.min_quantity,
            unit_price=d.unit_price,
            valid_from=d.valid_from,
            valid_to=d.valid_to,
        )
        for d in drafts
    ]


def _duplicate(code: str) -> DuplicateKey:
    return DuplicateKey(f"A price list with code '{code}' already exists.")


async def create_price_list(
    uow: UnitOfWork, data: PriceListCreate, principal: Principal
) -> PriceListDocument:
    header = data.model_dump(include={"code", *_HEADER})
    header["kind"] = PriceListKind(header["kind"]).value
    drafts = _drafts(data.items)
    return await _create(uow, header, drafts, principal)


async def _create(
    uow: UnitOfWork,
    header: dict[str, Any],
    drafts: list[ItemDraft],
    principal: Principal,
) -> PriceListDocument:
    async with uow:
        if await uow.price_lists.get_by_code(header["code"]):
            raise _duplicate(header["code"])
        rows = await _check_and_build(uow, header["kind"], header["customer_group"], drafts)
        price_list = PriceList(**header)
        uow.price_lists.add(price_list)
        await uow.flush()
        await uow.price_lists.replace_items(price_list.id, rows or [])
        await uow.flush()
        record_change(
            uow,
            principal.actor,
            "price_list",
            price_list.id,
            "created",
            None,
            _image(price_list, drafts),
            event="price_list.created",
        )
        await uow.commit()
    return _document(price_list, drafts)


def _item_drafts(rows: Iterable[tuple[PriceListItem, str]]) -> list[ItemDraft]:
    return [
        ItemDraft(sku, item.unit_price, item.min_quantity, item.valid_from, item.valid_to)
        for item, sku in rows
    ]


async def _get(uow: UnitOfWork, price_list_id: uuid.UUID) -> PriceList:
    price_list = await uow.price_lists.get(price_list_id)
    if price_list is None:
        raise NotFound(f"No price list with id {price_list_id}.")
    return price_list


async def _items(uow: UnitOfWork, price_list_id: uuid.UUID) -> list[ItemDraft]:
    return _item_drafts(await uow.price_lists.items_with_sku([price_list_id]))


async def get_price_list(uow: UnitOfWork, price_list_id: uuid.UUID) -> PriceListDocument:
    async with uow:
        price_list = await _get(uow, price_list_id)
        return _document(price_list, await _items(uow, price_list_id))


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
        [_document(p, _item_drafts(by_list[p.id])) for p in page.items], page.next_cursor
    )


def _same(a: Sequence[ItemDraft], b: Sequence[ItemDraft]) -> bool:
    # Dataclass equality compares Decimals by value, so 12.5 and 12.5000 are the same price.
    return _sorted(a) == _sorted(b)


async def update_price_list(
    uow: UnitOfWork,
    price_list_id: uuid.UUID,
    data: PriceListUpdate,
    expected_version: int,
    principal: Principal,
) -> PriceListDocument:
    """Change the given header fields and, when ``items`` is given, replace every item.
    A change that alters nothing writes nothing and keeps the version."""
    changes = data.model_dump(exclude_unset=True, include=set(_HEADER))
    if changes.get("kind") is not None:
        changes["kind"] = PriceListKind(changes["kind"]).value
    drafts = _drafts(data.items) if data.items is not None else None
    async with uow:
        price_list = await _get(uow, price_list_id)
        check_version(price_list, expected_version)
        merged = {name: getattr(price_list, name) for name in _HEADER} | changes
        rows = await _check_and_build(uow, merged["kind"], merged["customer_group"], drafts)
        current = await _items(uow, price_list_id)
        before = _image(price_list, current)
        changed = False
        for key, value in changes.items():
            if getattr(price_list, key) != value:
                setattr(price_list, key, value)
                changed = True
        if drafts is not None and rows is not None and not _same(drafts, current):
            await uow.price_lists.replace_items(price_list_id, rows)
            current = drafts
            changed = True
        if not changed:
            return _document(price_list, current)
        uow.price_lists.touch(price_list)
        await uow.flush()
        record_change(
            uow,
            principal.actor,
            "price_list",
            price_list.id,
            "updated",
            before,
            _image(price_list, current),
            event="price_list.updated",
        )
        await uow.commit()
    return _document(price_list, current)
