"""The shipping label (面单), 100 × 150 mm, one per package, for shipments the own fleet or a
table-rate carrier delivers (``hands_over_itself``); carriers reached over HTTP print their
own labels (``GET /shipments/{id}/label``)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from app.domain.documents.labels import label
from app.domain.documents.model import Document, Field, PageSize
from app.domain.errors import Conflict
from app.domain.shipments import hands_over_itself
from app.services.documents.common import address, weight
from app.services.documents.options import PrintOptions
from app.services.documents.shipment_facts import ShipmentFacts, shipment_facts
from app.services.unit_of_work import UnitOfWork


async def shipping_label_documents(
    uow: UnitOfWork, shipment_id: uuid.UUID, options: PrintOptions, *, base_url: str = ""
) -> list[Document]:
    """A label per package (one when there are none); 409 ``carrier_prints_label`` when
    the shipment's carrier prints its own."""
    async with uow:
        (facts,) = await shipment_facts(uow, [shipment_id], options)
    if not hands_over_itself(facts.carrier.adapter_kind if facts.carrier else None):
        assert facts.carrier is not None
        raise Conflict(
            f"Carrier {facts.carrier.code} prints its own labels: download it from "
            f"/api/v1/shipments/{shipment_id}/label.",
            code="carrier_prints_label",
        )
    return shipping_labels(facts, options, base_url)


def shipping_labels(facts: ShipmentFacts, options: PrintOptions, base_url: str) -> list[Document]:
    s, language = facts.shipment, facts.language

    def t(key: str) -> str:
        return label(key, language)

    name, phone = facts.contact()
    weights = [p.weight_kg for p in facts.packages] or [Decimal(0)]
    count = len(weights)
    documents = []
    for n, package_weight in enumerate(weights, start=1):
        header = [
            Field(t("receiver"), f"{name} {phone}".strip()),
            Field(t("ship_to"), address(s.ship_to or facts.order.ship_to, language)),
            Field(t("customer"), facts.order.customer_name),
            Field(t("order_number"), facts.order.number),
            Field(t("carrier"), f"{facts.carrier_name(language)} {s.service or ''}".strip()),
        ]
        if s.tracking_number:
            header.append(Field(t("tracking_number"), s.tracking_number))
        if facts.packages:
            header.append(Field(t("package_no"), label("package_of", language, n=n, m=count)))
            header.append(Field(t("weight_kg"), weight(package_weight)))
        header.append(Field(t("sender"), f"{facts.company.name} · {facts.warehouse}"))
        documents.append(
            Document(
                title=t("shipping_label"),
                number=s.number,
                company=facts.company,
                language=language,
                page_size=PageSize.LABEL_100X150,
                header=tuple(header),
                qr=facts.tracking_qr(base_url, language),
            )
        )
    return documents
