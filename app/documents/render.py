"""Documents to PDF: ``render`` lays any number of documents out in one PDF, each starting
on a new page with its own page numbering (第 n 页 / 共 m 页 in its footer). fpdf2 draws;
the Noto Sans SC subset shipped in ``fonts/`` is embedded (and subset again to the glyphs
used), so Chinese shows in every viewer and nothing is fetched at run time.

Rendering is CPU-bound and synchronous: call it from a worker thread in async code."""

from __future__ import annotations

from collections.abc import Sequence

from app.documents.blocks import (
    draw_barcode,
    draw_field,
    draw_paragraph,
    draw_qr_block,
    draw_signatures,
    draw_totals,
)
from app.documents.canvas import Canvas, new_pdf
from app.documents.heading import draw_heading
from app.documents.tables import draw_table
from app.domain.documents.model import (
    Barcode,
    Block,
    Document,
    Field,
    Paragraph,
    QrCode,
    SignatureBoxes,
    Table,
    Totals,
    page_footer,
)


def render(documents: Sequence[Document]) -> bytes:
    """One PDF of ``documents`` in order (at least one)."""
    if not documents:
        raise ValueError("nothing to render")
    pdf = new_pdf()
    canvases = []
    for document in documents:
        canvas = Canvas(pdf, document)
        canvas.new_page()
        draw_heading(canvas)
        for block in document.blocks:
            _draw_block(canvas, block)
        canvases.append(canvas)
    for canvas in canvases:
        pages = canvas.pages
        for n, page in enumerate(pages, start=1):
            canvas.footer(page, len(pages), page_footer(n, len(pages), canvas.document.language))
    pdf.page = pdf.pages_count
    return bytes(pdf.output())


def _draw_block(canvas: Canvas, block: Block) -> None:
    if isinstance(block, Table):
        draw_table(canvas, block)
    elif isinstance(block, Field):
        draw_field(canvas, block)
    elif isinstance(block, Totals):
        draw_totals(canvas, block)
    elif isinstance(block, SignatureBoxes):
        draw_signatures(canvas, block)
    elif isinstance(block, Paragraph):
        draw_paragraph(canvas, block)
    elif isinstance(block, Barcode):
        draw_barcode(canvas, block)
    elif isinstance(block, QrCode):
        draw_qr_block(canvas, block)
