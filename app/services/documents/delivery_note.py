"""The delivery note (发货单): who and where it goes to, by which carrier and tracking number
(with its barcode), the goods, the packages and their weights, a QR code of the public
tracking link, and boxes for the warehouse check and the receiver's signature."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import Decimal

from app.domain.documents.labels import label
from app.domain.documents.model import (
    Align,
    Barcode,
    Block,
    Column,
    Document,
    Field,
    SignatureBoxes,
    Table,
    Totals,
)
from app.services.documents.common import (
    address,
    day,
    dimensions,
    package_items,
    quantity,
    weight,
)
from app.services.documents.options import PrintOptions
from app.services.documents.shipment_facts import ShipmentFacts, shipment_facts
from app.services.unit_of_work import UnitOfWork


async def delivery_note_documents(
    uow: UnitOfWork,
    shipment_ids: Sequence[uuid.UUID],
    options: PrintOptions,
    *,
    base_url: str = "",
) -> list[Document]:
    """One delivery note per shipment, in the order asked, in the customer's language unless
    ``options`` name one; ``base_url`` makes the tracking link absolute."""
    async with uow:
        facts = await shipment_facts(uow, shipment_ids, options)
    return [delivery_note(f, options, base_url) for f in facts]


def delivery_note(facts: ShipmentFacts, options: PrintOptions, base_url: str) -> Document:
    s, language = facts.shipment, facts.language

    def t(key: str) -> str:
        return label(key, language)

    name, phone = facts.contact()
    header = (
        Field(t("order_number"), facts.order.number),
        Field(t("customer"), facts.order.customer_name),
        Field(t("ship_to"), address(s.ship_to or facts.order.ship_to, language)),
        Field(t("contact"), f"{name} {phone}".strip()),
        Field(t("carrier"), facts.carrier_name(language)),
        Field(t("service"), s.service or ""),
        Field(t("tracking_number"), s.tracking_number or ""),
        Field(t("promised_date"), day(s.promised_date)),
        Field(t("warehouse"), facts.warehouse),
    )
    goods = Table(
        (
            Column("#", 0.05, Align.RIGHT),
            Column(t("sku"), 0.18),
            Column(t("product_name"), 0.37),
            Column(t("spec"), 0.2),
            Column(t("quantity"), 0.2, Align.RIGHT),
        ),
        tuple(
            (
                str(x.line_no),
                x.sku,
                x.name,
                (facts.products[x.sku].spec or "") if x.sku in facts.products else "",
                f"{quantity(x.quantity)} {_uom(facts, x.sku)}".strip(),
            )
            for x in facts.lines
        ),
        title=t("goods"),
    )
    blocks: list[Block] = []
    if s.tracking_number:
        blocks.append(Barcode(s.tracking_number))
    blocks.append(goods)
    if facts.packages:
        blocks.append(
            Table(
                (
                    Column(t("package_no"), 0.15, Align.RIGHT),
                    Column(t("weight_kg"), 0.2, Align.RIGHT),
                    Column(t("dimensions_cm"), 0.35),
                    Column(t("items"), 0.3, Align.RIGHT),
                ),
                tuple(
                    (
                        str(p.package_no),
                        weight(p.weight_kg),
                        dimensions(p.length_cm, p.width_cm, p.height_cm),
                        quantity(package_items(p.contents)),
                    )
                    for p in facts.packages
                ),
                title=t("packages"),
            )
        )
        total = sum((p.weight_kg for p in facts.packages), start=Decimal(0))
        blocks.append(Totals((Field(t("total_weight"), f"{weight(total)} kg"),)))
    blocks.append(SignatureBoxes((t("warehouse_check"), t("receipt"))))
    return Document(
        title=t("delivery_note"),
        number=s.number,
        company=facts.company,
        language=language,
        page_size=facts.frame.page_size,
        header=header,
        qr=facts.tracking_qr(base_url, language),
        blocks=tuple(blocks),
    )


def _uom(facts: ShipmentFacts, sku: str) -> str:
    product = facts.products.get(sku)
    return product.uom if product else ""
