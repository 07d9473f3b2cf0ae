"""The first page's heading: title, number and its barcode, the QR code in the corner and
the header fields in two columns (one on a label)."""

from __future__ import annotations

from app.documents.canvas import BODY, SMALL, Canvas, line_height
from app.documents.codes import draw_code128, draw_qr
from app.domain.documents.labels import label
from app.domain.documents.model import Field


def draw_heading(canvas: Canvas) -> None:
    if canvas.is_label:
        _label_heading(canvas)
    else:
        _page_heading(canvas)
    draw_fields(canvas, canvas.document.header, columns=1 if canvas.is_label else 2)
    canvas.y += 2.0


def _page_heading(canvas: Canvas) -> None:
    document = canvas.document
    top = canvas.y
    qr_size = 26.0 if document.qr else 0.0
    right = canvas.left + canvas.width - (qr_size + 3.0 if qr_size else 0.0)
    canvas.text(canvas.left, top, document.title, 18.0, bold=True)
    number_top = top + line_height(18.0) + 0.5
    canvas.text(
        canvas.left, number_top, f"{label('number', document.language)}: {document.number}", 10.0
    )
    bottom = number_top + line_height(10.0)
    if document.number_barcode:
        draw_code128(canvas.pdf, document.number, right - 62.0, top, 62.0, 14.0)
        bottom = max(bottom, top + 14.0)
    if document.qr:
        x = canvas.left + canvas.width - qr_size
        draw_qr(canvas.pdf, document.qr.value, x, top - 2.0, qr_size)
        bottom = max(bottom, top - 2.0 + qr_size)
        if document.qr.caption:
            canvas.text(x, bottom, document.qr.caption, 6.5)
            bottom += line_height(6.5)
    canvas.y = bottom + 3.0


def _label_heading(canvas: Canvas) -> None:
    document = canvas.document
    top = canvas.y
    qr_size = 24.0 if document.qr else 0.0
    canvas.text(canvas.left, top, document.title, 14.0, bold=True)
    canvas.text(canvas.left, top + line_height(14.0), document.number, 10.0)
    bottom = top + line_height(14.0) + line_height(10.0)
    if document.qr:
        x = canvas.left + canvas.width - qr_size
        draw_qr(canvas.pdf, document.qr.value, x, top - 1.0, qr_size)
        bottom = max(bottom, top - 1.0 + qr_size)
    canvas.y = bottom + 1.5
    if document.number_barcode:
        draw_code128(
            canvas.pdf,
            document.number,
            canvas.left,
            canvas.y,
            canvas.width,
            24.0,
            max_module=0.5,
            text_size=9.0,
        )
        canvas.y += 26.0


def draw_fields(canvas: Canvas, fields: tuple[Field, ...], columns: int) -> None:
    """Label and value pairs, row by row across ``columns`` columns; a value wraps inside
    its column."""
    if not fields:
        return
    gap = 4.0
    column_width = (canvas.width - gap * (columns - 1)) / columns
    label_width = min(28.0 if columns > 1 else 22.0, column_width * 0.4)
    size = SMALL if canvas.is_label else BODY
    for start in range(0, len(fields), columns):
        row = fields[start : start + columns]
        wrapped = [canvas.wrap(f.value, column_width - label_width, size) for f in row]
        height = max(len(lines) for lines in wrapped) * line_height(size) + 0.6
        canvas.room(height)
        for i, (field, lines) in enumerate(zip(row, wrapped, strict=True)):
            x = canvas.left + i * (column_width + gap)
            canvas.pdf.set_text_color(90)
            canvas.text(x, canvas.y, field.label, size)
            canvas.pdf.set_text_color(0)
            for n, line in enumerate(lines):
                canvas.text(x + label_width, canvas.y + n * line_height(size), line, size)
        canvas.y += height
