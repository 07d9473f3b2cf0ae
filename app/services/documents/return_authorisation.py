"""The return authorisation (退货授权) as a printed document, to pack with the goods: the RMA
number as a barcode, customer and order, the lines with their reason, how the goods come back
and where to (the receiving warehouse's address), the return tracking number once a label is
bought, the pickup date and window of an own-fleet pickup, and a QR code of the public link
where the customer follows it — the tracking page of the delivery the goods came with, when
that delivery has one."""

from __future__ import annotations

import uuid
from typing import Any

from app.domain.documents.formats import address, day, local_time, money, quantity
from app.domain.documents.labels import LABELS, label
from app.domain.documents.model import (
    Align,
    Barcode,
    Column,
    Document,
    Field,
    Paragraph,
    QrCode,
    SignatureBoxes,
    Table,
    Totals,
)
from app.services.documents.options import PrintOptions, frame_of
from app.services.unit_of_work import UnitOfWork


def _named(prefix: str, value: str | None, lang: str) -> str:
    if not value:
        return ""
    key = f"{prefix}_{value}"
    return label(key, lang) if key in LABELS else value


async def return_authorisation_document(
    uow: UnitOfWork, return_id: uuid.UUID, options: PrintOptions
) -> Document:
    """The authorisation of return ``return_id`` (404 when there is none)."""
    async with uow:
        ret = await uow.returns.get_or_raise(return_id)
        lines = await uow.returns.lines(ret.id)
        order = await uow.orders.get_or_raise(ret.order_id)
        customer = await uow.customers.get_or_raise(ret.customer_id)
        frame = await frame_of(uow, options, customer.language)
        names = {x.id: x.name for x in await uow.orders.lines(order.id)}
        warehouse = await uow.warehouses.get_or_raise(ret.warehouse_id)
        carrier = await uow.carriers.get(ret.carrier_id) if ret.carrier_id else None
        delivered = await uow.returns.delivered_shipment(order.id)
    lang = frame.language

    def t(key: str) -> str:
        return label(key, lang)

    header: list[Field] = [
        Field(t("customer"), f"{customer.name} ({customer.code})"),
        Field(t("order"), order.number),
        Field(t("return_status"), _named("status", ret.status, lang)),
        Field(t("requested_at"), local_time(ret.requested_at, "UTC")),
        Field(t("resolution"), _named("resolution", ret.resolution, lang)),
        Field(t("method"), _named("method", ret.method, lang)),
    ]
    reason = _named("reason", ret.reason, lang)
    header.append(Field(t("reason"), f"{reason}：{ret.reason_note}" if ret.reason_note else reason))
    blocks: list[Any] = [
        Field(t("send_to"), f"{warehouse.name}\n{address(warehouse.address, lang)}".strip()),
    ]
    if carrier is not None:
        blocks.append(Field(t("carrier"), f"{carrier.name} {ret.carrier_service or ''}".strip()))
    if ret.tracking_number:
        blocks.append(Field(t("return_tracking_number"), ret.tracking_number))
    if ret.pickup_on:
        when = f"{day(ret.pickup_on)} {ret.pickup_window or ''}".strip()
        note = f"\n{ret.pickup_note}" if ret.pickup_note else ""
        blocks.append(Field(t("pickup"), when + note))
    right = Align.RIGHT
    blocks.append(
        Table(
            columns=(
                Column(t("item_code"), 0.18),
                Column(t("item"), 0.40),
                Column(t("quantity"), 0.12, right),
                Column(t("unit_value"), 0.15, right),
                Column(t("value"), 0.15, right),
            ),
            rows=tuple(
                (
                    x.sku,
                    names.get(x.order_line_id, ""),
                    quantity(x.quantity),
                    money(x.unit_value),
                    money(x.unit_value * x.quantity),
                )
                for x in lines
            ),
            title=t("return_lines"),
        )
    )
    blocks.append(Totals(lines=(Field(t("return_value"), f"{ret.currency} {money(ret.value)}"),)))
    if ret.tracking_number:
        blocks.append(Barcode(ret.tracking_number))
    blocks.append(Paragraph(t("return_instructions")))
    blocks.append(SignatureBoxes((t("received_by_signature"),)))
    qr = None
    if delivered is not None and options.public_base_url:
        link = f"{options.public_base_url.rstrip('/')}/api/v1/track/{delivered.tracking_token}"
        qr = QrCode(link, caption=t("public_link"))
    return Document(
        title=t("return_authorisation"),
        number=ret.number,
        company=frame.company,
        language=lang,
        page_size=frame.page_size,
        header=tuple(header),
        qr=qr,
        blocks=tuple(blocks),
    )
