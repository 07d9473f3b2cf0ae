"""The invoice (发票) as a printed document: the seller's header with its tax id and bank, the
buyer's tax registration, the lines (SKU, name, quantity, unit price, net, tax rate, tax,
total), the totals per tax rate, the grand total and, for renminbi in Chinese, the total in
capital numerals (大写金额)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from app.domain.billing.invoices import InvoiceAmounts, totals_by_rate
from app.domain.documents.capital_numerals import amount_in_words
from app.domain.documents.formats import day, money, percent, quantity
from app.domain.documents.labels import label
from app.domain.documents.model import Align, Column, Document, Field, Paragraph, Table, Totals
from app.repositories.invoices import Invoice, InvoiceLine
from app.services.documents.options import Frame, PrintOptions, frame_of
from app.services.unit_of_work import UnitOfWork

_TITLES = {"draft": "invoice_draft", "void": "invoice_void"}


async def invoice_document(
    uow: UnitOfWork, invoice_id: uuid.UUID, options: PrintOptions
) -> Document:
    """The invoice ``invoice_id`` ready to render (404 when there is none)."""
    async with uow:
        invoice = await uow.invoices.get_or_raise(invoice_id)
        lines = await uow.invoices.lines(invoice.id)
        customer = await uow.customers.get_or_raise(invoice.customer_id)
        frame = await frame_of(uow, options, customer.language)
        registration = invoice.buyer or customer.tax_registration or {}
        return assemble_invoice(
            invoice,
            lines,
            frame,
            customer_name=customer.name,
            customer_code=customer.code,
            buyer=registration,
        )


def assemble_invoice(
    invoice: Invoice,
    lines: list[InvoiceLine],
    frame: Frame,
    *,
    customer_name: str,
    customer_code: str,
    buyer: Mapping[str, Any],
) -> Document:
    lang = frame.language

    def t(key: str) -> str:
        return label(key, lang)

    header = [
        Field(t("issue_date"), day(invoice.issue_date) or "—"),
        Field(t("due_date"), day(invoice.due_date) or "—"),
        Field(t("currency"), invoice.currency),
        Field(t("customer_code"), customer_code),
    ]
    if invoice.period_start and invoice.period_end:
        header.append(
            Field(t("period"), f"{day(invoice.period_start)} – {day(invoice.period_end)}")
        )
    blocks: list[Any] = [*_buyer(buyer, customer_name, lang)]
    if frame.company.bank_account:
        blocks.append(Field(t("seller_bank"), frame.company.bank_account))
    blocks.append(_lines_table(lines, lang))
    blocks.append(_totals(invoice, lines, lang))
    if invoice.status == "void" and invoice.void_reason:
        blocks.append(Paragraph(f"{t('invoice_void')}: {invoice.void_reason}"))
    return Document(
        title=t(_TITLES.get(invoice.status, "invoice")),
        number=invoice.number,
        company=frame.company,
        language=lang,
        page_size=frame.page_size,
        header=tuple(header),
        blocks=tuple(blocks),
    )


def _buyer(buyer: Mapping[str, Any], customer_name: str, lang: str) -> list[Field]:
    fields = [Field(label("buyer", lang), str(buyer.get("buyer_name") or customer_name))]
    if buyer.get("taxpayer_id"):
        fields.append(Field(label("taxpayer_id", lang), str(buyer["taxpayer_id"])))
    contact = " ".join(str(buyer[k]) for k in ("address", "phone") if buyer.get(k))
    if contact:
        fields.append(Field(label("buyer_address", lang), contact))
    bank = " ".join(str(buyer[k]) for k in ("bank", "account") if buyer.get(k))
    if bank:
        fields.append(Field(label("buyer_bank", lang), bank))
    return fields


def _lines_table(lines: list[InvoiceLine], lang: str) -> Table:
    def t(key: str) -> str:
        return label(key, lang)

    right = Align.RIGHT
    columns = (
        Column(t("item_code"), 0.13),
        Column(t("item"), 0.25),
        Column(t("quantity"), 0.08, right),
        Column(t("unit_price"), 0.11, right),
        Column(t("net"), 0.12, right),
        Column(t("tax_rate"), 0.07, right),
        Column(t("tax"), 0.11, right),
        Column(t("line_total"), 0.13, right),
    )
    rows = tuple(
        (
            x.sku,
            x.description,
            quantity(x.quantity),
            money(x.unit_price),
            money(x.net),
            percent(x.tax_rate),
            money(x.tax),
            money(x.total),
        )
        for x in lines
    )
    return Table(columns=columns, rows=rows)


def _totals(invoice: Invoice, lines: list[InvoiceLine], lang: str) -> Totals:
    rates = totals_by_rate(
        (x.tax_rate, InvoiceAmounts(x.gross, x.discount, x.net, x.tax)) for x in lines
    )
    out: list[Field] = []
    for r in rates:
        rate = percent(r.tax_rate)
        out.append(Field(label("net_at_rate", lang).format(rate=rate), money(r.net)))
        out.append(Field(label("tax_at_rate", lang).format(rate=rate), money(r.tax)))
    out += [
        Field(label("net_total", lang), money(invoice.net_total)),
        Field(label("tax_total", lang), money(invoice.tax_total)),
        Field(label("grand_total", lang), f"{invoice.currency} {money(invoice.total)}"),
    ]
    words = amount_in_words(invoice.total, invoice.currency, lang)
    return Totals(
        lines=tuple(out),
        in_words=None if words is None else f"{label('in_words', lang)}：{words}",
    )
