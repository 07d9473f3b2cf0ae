"""Price-list commands: create, update (replace items, deactivate)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.domain.errors import DuplicateKey
from app.domain.price_lists import ItemDraft, PriceListKind, check_price_list
from app.repositories.products import PriceList, PriceListItem
from app.services.bus import Context
from app.services.common import check_version
from app.services.price_lists.commands import HEADER, CreatePriceList, UpdatePriceList
from app.services.price_lists.documents import PriceListDocument, document, image, same_items
from app.services.price_lists.queries import current_items
from app.services.resources import assign, record_created, record_updated
from app.services.unit_of_work import UnitOfWork


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


async def create_price_list(
    cmd: CreatePriceList, uow: UnitOfWork, ctx: Context
) -> PriceListDocument:
    header = {"code": cmd.code} | {name: getattr(cmd, name) for name in HEADER}
    header["kind"] = PriceListKind(header["kind"]).value
    async with uow:
        if await uow.price_lists.get_by_code(cmd.code):
            raise DuplicateKey(f"A price list with code '{cmd.code}' already exists.")
        rows = await _check_and_build(uow, header["kind"], header["customer_group"], cmd.items)
        price_list = PriceList(**header)
        uow.price_lists.add(price_list)
        await uow.flush()
        await uow.price_lists.replace_items(price_list.id, rows or [])
        await record_created(
            uow, cmd.principal, "price_list", price_list, image=image(price_list, cmd.items)
        )
        await uow.commit()
    return document(price_list, cmd.items)


async def _apply(
    uow: UnitOfWork,
    price_list: PriceList,
    changes: Mapping[str, Any],
    items: tuple[list[ItemDraft], list[ItemDraft] | None, list[PriceListItem] | None],
) -> list[ItemDraft] | None:
    """Apply the header changes and, when they differ, the new items; the items the list
    then has, or None when nothing changed."""
    current, drafts, rows = items
    changed = assign(price_list, changes)
    if drafts is not None and rows is not None and not same_items(drafts, current):
        await uow.price_lists.replace_items(price_list.id, rows)
        current = drafts
        changed = True
    return current if changed else None


async def update_price_list(
    cmd: UpdatePriceList, uow: UnitOfWork, ctx: Context
) -> PriceListDocument:
    """Change the given header fields and, when ``items`` is given, replace every item.
    A change that alters nothing writes nothing and keeps the version."""
    changes = dict(cmd.changes)
    if changes.get("kind") is not None:
        changes["kind"] = PriceListKind(changes["kind"]).value
    async with uow:
        price_list = await uow.price_lists.get_or_raise(cmd.price_list_id)
        check_version(price_list, cmd.expected_version)
        merged = {name: getattr(price_list, name) for name in HEADER} | changes
        rows = await _check_and_build(uow, merged["kind"], merged["customer_group"], cmd.items)
        current = await current_items(uow, price_list.id)
        before = image(price_list, current)
        after = await _apply(uow, price_list, changes, (current, cmd.items, rows))
        if after is None:
            return document(price_list, current)
        uow.price_lists.touch(price_list)
        await uow.flush()
        record_updated(
            uow, cmd.principal, "price_list", price_list.id, before, image(price_list, after)
        )
        await uow.commit()
    return document(price_list, after)
