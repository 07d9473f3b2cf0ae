"""A printable document as values: every document type is assembled into this one model, and
one renderer lays any of them out on pages (A4, Letter or a 100 × 150 mm label) with the
company header, repeated table headers, barcodes, QR codes and "第 n 页 / 共 m 页".

Text is already translated (the assembler picks the customer's language); numbers and money
are already formatted strings. Nothing here knows about PDF."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class PageSize(StrEnum):
    A4 = "A4"
    LETTER = "Letter"
    LABEL_100X150 = "label_100x150"


class Align(StrEnum):
    LEFT = "left"
    RIGHT = "right"
    CENTER = "center"


@dataclass(frozen=True)
class Barcode:
    """A Code 128 barcode of ``value`` (printed with the value under it)."""

    value: str


@dataclass(frozen=True)
class QrCode:
    """A QR code of ``value`` (a URL, usually), with an optional caption."""

    value: str
    caption: str | None = None


@dataclass(frozen=True)
class Field:
    """A label and its value, e.g. ("订单号", "SO-2026-000123")."""

    label: str
    value: str


@dataclass(frozen=True)
class Column:
    title: str
    width: float  # a share of the table's width; the shares of a table add up to 1
    align: Align = Align.LEFT


# A table cell: text, a barcode, or a check box (True: ticked, False: empty box).
Cell = str | Barcode | bool


@dataclass(frozen=True)
class Table:
    """Rows under a header that repeats on every page the table runs onto. ``group`` rows
    (section headings, e.g. a pick zone) span the table."""

    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...] | str, ...]
    title: str | None = None


@dataclass(frozen=True)
class Totals:
    """Label/value lines right-aligned under a table (subtotal, tax per rate, total), and
    the total in words (大写金额) when given."""

    lines: tuple[Field, ...]
    in_words: str | None = None


@dataclass(frozen=True)
class SignatureBoxes:
    """Boxes to sign in, each with its caption (仓库核对, 收货人签收)."""

    captions: tuple[str, ...]


@dataclass(frozen=True)
class Paragraph:
    text: str


Block = Field | Table | Totals | SignatureBoxes | Paragraph | Barcode | QrCode


@dataclass(frozen=True)
class Company:
    """The issuing company as the header prints it (the admin's company settings)."""

    name: str
    address: str | None = None
    tax_id: str | None = None
    phone: str | None = None
    bank_account: str | None = None
    logo_png: bytes | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Document:
    """One document: title, number (with its barcode unless ``number_barcode`` is off),
    header fields beside it, a QR code in the header corner, then the blocks in order.
    ``language`` is "zh-CN" or "en" (the page footer's words follow it)."""

    title: str
    number: str
    company: Company
    language: str = "zh-CN"
    page_size: PageSize = PageSize.A4
    header: tuple[Field, ...] = ()
    qr: QrCode | None = None
    blocks: tuple[Block, ...] = ()
    number_barcode: bool = True


def page_footer(page: int, pages: int, language: str) -> str:
    """第 n 页 / 共 m 页 (or "Page n of m")."""
    if language == "en":
        return f"Page {page} of {pages}"
    return f"第 {page} 页 / 共 {pages} 页"
