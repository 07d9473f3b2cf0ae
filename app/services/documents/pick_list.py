"""The pick list (拣货单): its lines in walking-path order (the order the pick list was built
in), a group row per zone, a check box and the SKU's barcode on every line."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from app.domain.documents.labels import label
from app.domain.documents.model import Align, Barcode, Cell, Column, Document, Field, Table
from app.domain.locations import BinCode
from app.repositories.picking import PickListLine
from app.services.documents.common import quantity, timestamp
from app.services.documents.options import PrintOptions, frame_of
from app.services.unit_of_work import UnitOfWork

MAX_ORDERS_SHOWN = 12


async def pick_list_documents(
    uow: UnitOfWork, pick_list_ids: Sequence[uuid.UUID], options: PrintOptions
) -> list[Document]:
    """One document per pick list, in the order asked; 404 naming the first unknown id."""
    async with uow:
        pick_lists = [await uow.pick_lists.get_or_raise(i) for i in pick_list_ids]
        ids = [p.id for p in pick_lists]
        lines = await uow.pick_lists.lines_of(ids)
        orders: dict[uuid.UUID, list[str]] = {}
        for item in await uow.pick_lists.items(ids):
            numbers = orders.setdefault(item.pick_list_id, [])
            if item.order_number not in numbers:
                numbers.append(item.order_number)
        products = await uow.products.get_many_by_sku(sorted({x.sku for x in lines}))
        warehouses = {p.warehouse_id: await uow.warehouses.get(p.warehouse_id) for p in pick_lists}
        frame = await frame_of(uow, options, None)
    language = frame.language
    documents = []
    for pick_list in pick_lists:
        warehouse = warehouses[pick_list.warehouse_id]
        own = [x for x in lines if x.pick_list_id == pick_list.id]
        rows = _rows(own, {s: (p.name, p.spec or "", p.uom) for s, p in products.items()}, language)
        numbers = orders.get(pick_list.id, [])
        shown = ", ".join(numbers[:MAX_ORDERS_SHOWN]) + (
            " …" if len(numbers) > MAX_ORDERS_SHOWN else ""
        )
        documents.append(
            Document(
                title=label("pick_list", language),
                number=pick_list.number,
                company=frame.company,
                language=language,
                page_size=frame.page_size,
                header=(
                    Field(label("warehouse", language), warehouse.code if warehouse else ""),
                    Field(label("picker", language), pick_list.picker or ""),
                    Field(label("created_at", language), timestamp(pick_list.created_at)),
                    Field(label("lines", language), str(len(own))),
                    Field(label("orders", language), shown),
                ),
                blocks=(Table(_columns(language), rows, title=label("pick_lines", language)),),
            )
        )
    return documents


def _columns(language: str) -> tuple[Column, ...]:
    return (
        Column(label("location", language), 0.13),
        Column(label("sku", language), 0.14),
        Column(label("product_name", language), 0.21),
        Column(label("spec", language), 0.12),
        Column(label("quantity", language), 0.08, Align.RIGHT),
        Column(label("checked", language), 0.06, Align.CENTER),
        Column(label("barcode", language), 0.26),
    )


def _rows(
    lines: list[PickListLine], products: dict[str, tuple[str, str, str]], language: str
) -> tuple[tuple[Cell, ...] | str, ...]:
    rows: list[tuple[Cell, ...] | str] = []
    zone: str | None = ""
    for line in lines:  # already along the walking path (line_no)
        if line.zone != zone:
            zone = line.zone
            rows.append(
                label("zone", language, zone=zone) if zone else label("no_location", language)
            )
        name, spec, uom = products.get(line.sku, ("", "", ""))
        located = None not in (line.zone, line.aisle, line.shelf, line.bin)
        where = str(BinCode(line.zone, line.aisle, line.shelf, line.bin)) if located else ""  # type: ignore[arg-type]
        picked = line.picked is not None and line.picked >= line.quantity
        rows.append(
            (
                where,
                line.sku,
                name,
                spec,
                f"{quantity(line.quantity)} {uom}".strip(),
                picked,
                Barcode(line.sku),
            )
        )
    return tuple(rows)
