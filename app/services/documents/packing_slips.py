"""Packing slips (装箱单): one page per package of a shipment, listing what is inside it."""

from __future__ import annotations

import uuid
from decimal import Decimal

from app.domain.documents.labels import label
from app.domain.documents.model import Align, Column, Document, Field, Table
from app.domain.errors import Conflict
from app.services.documents.common import address, dimensions, quantity, weight
from app.services.documents.options import PrintOptions
from app.services.documents.shipment_facts import ShipmentFacts, shipment_facts
from app.services.unit_of_work import UnitOfWork


async def packing_slip_documents(
    uow: UnitOfWork, shipment_id: uuid.UUID, options: PrintOptions
) -> list[Document]:
    """A document per package (each on its own pages), in package order; 409 when the
    shipment has no packages."""
    async with uow:
        (facts,) = await shipment_facts(uow, [shipment_id], options)
    if not facts.packages:
        raise Conflict(
            f"Shipment {facts.shipment.number} has no packages to print slips for.",
            code="no_packages",
        )
    return packing_slips(facts, options)


def packing_slips(facts: ShipmentFacts, options: PrintOptions) -> list[Document]:
    s, language = facts.shipment, facts.language

    def t(key: str) -> str:
        return label(key, language)

    names = {x.sku: x.name for x in facts.lines}
    name, phone = facts.contact()
    count = len(facts.packages)
    documents = []
    for package in facts.packages:
        rows = []
        for item in package.contents:
            sku = str(item.get("sku", ""))
            product = facts.products.get(sku)
            uom = product.uom if product else ""
            rows.append(
                (
                    sku,
                    names.get(sku) or (product.name if product else ""),
                    (product.spec or "") if product else "",
                    f"{quantity(Decimal(str(item.get('quantity', 0))))} {uom}".strip(),
                )
            )
        size = dimensions(package.length_cm, package.width_cm, package.height_cm)
        documents.append(
            Document(
                title=t("packing_slip"),
                number=s.number,
                company=facts.company,
                language=language,
                page_size=facts.frame.page_size,
                header=(
                    Field(
                        t("package_no"),
                        label("package_of", language, n=package.package_no, m=count),
                    ),
                    Field(t("order_number"), facts.order.number),
                    Field(t("customer"), facts.order.customer_name),
                    Field(t("receiver"), f"{name} {phone}".strip()),
                    Field(t("ship_to"), address(s.ship_to or facts.order.ship_to, language)),
                    Field(t("weight_kg"), weight(package.weight_kg)),
                    Field(t("dimensions_cm"), size),
                ),
                blocks=(
                    Table(
                        (
                            Column(t("sku"), 0.2),
                            Column(t("product_name"), 0.4),
                            Column(t("spec"), 0.2),
                            Column(t("quantity"), 0.2, Align.RIGHT),
                        ),
                        tuple(rows),
                        title=t("contents"),
                    ),
                ),
            )
        )
    return documents
