"""The blocks under the heading other than tables: single fields, totals with the amount
in words, signature boxes, paragraphs, a standalone barcode or QR code."""

from __future__ import annotations

from app.documents.canvas import BODY, SMALL, Canvas, line_height
from app.documents.codes import draw_code128, draw_qr
from app.documents.heading import draw_fields
from app.domain.documents.labels import label
from app.domain.documents.model import (
    Barcode,
    Field,
    Paragraph,
    QrCode,
    SignatureBoxes,
    Totals,
)


def draw_field(canvas: Canvas, block: Field) -> None:
    draw_fields(canvas, (block,), columns=1)
    canvas.y += 1.0


def draw_totals(canvas: Canvas, block: Totals) -> None:
    """Label/value lines flush right (the last line, the total, in bold), then the amount
    in words."""
    right = canvas.left + canvas.width
    value_width = max((canvas.text_width(line.value, BODY) for line in block.lines), default=0)
    value_width = max(value_width, 28.0)
    height = line_height(BODY) + 0.8
    canvas.y += 1.5
    for n, line in enumerate(block.lines):
        canvas.room(height)
        bold = n == len(block.lines) - 1
        label_x = right - value_width - 4.0 - canvas.text_width(line.label, BODY)
        canvas.text(label_x, canvas.y, line.label, BODY, bold=bold)
        value_x = right - canvas.text_width(line.value, BODY)
        canvas.text(value_x, canvas.y, line.value, BODY, bold=bold)
        canvas.y += height
    if block.in_words:
        lines = canvas.wrap(block.in_words, canvas.width * 0.8, BODY)
        canvas.room(len(lines) * line_height(BODY))
        for words in lines:
            canvas.text_right(right, canvas.y, words, BODY)
            canvas.y += line_height(BODY)
    canvas.y += 2.0


def draw_signatures(canvas: Canvas, block: SignatureBoxes) -> None:
    """Boxes side by side across the width, each with its caption and a date line."""
    count = max(len(block.captions), 1)
    gap = 6.0
    box_width = (canvas.width - gap * (count - 1)) / count
    box_height = 16.0 if canvas.is_label else 24.0
    canvas.y += 2.0
    canvas.room(box_height)
    date = label("signature_date", canvas.document.language)
    for n, caption in enumerate(block.captions):
        x = canvas.left + n * (box_width + gap)
        canvas.pdf.rect(x, canvas.y, box_width, box_height)
        canvas.text(x + 1.5, canvas.y + 1.0, caption, SMALL)
        canvas.text(x + 1.5, canvas.y + box_height - line_height(SMALL) - 1.0, f"{date}:", SMALL)
    canvas.y += box_height + 3.0


def draw_paragraph(canvas: Canvas, block: Paragraph) -> None:
    size = SMALL if canvas.is_label else BODY
    for line in canvas.wrap(block.text, canvas.width, size):
        canvas.room(line_height(size))
        canvas.text(canvas.left, canvas.y, line, size)
        canvas.y += line_height(size)
    canvas.y += 1.5


def draw_barcode(canvas: Canvas, block: Barcode) -> None:
    height = 24.0 if canvas.is_label else 16.0
    canvas.room(height)
    width = canvas.width if canvas.is_label else min(canvas.width, 90.0)
    draw_code128(
        canvas.pdf, block.value, canvas.left, canvas.y, width, height, max_module=0.5, text_size=9.0
    )
    canvas.y += height + 2.0


def draw_qr_block(canvas: Canvas, block: QrCode) -> None:
    size = 30.0
    caption = line_height(SMALL) if block.caption else 0.0
    canvas.room(size + caption)
    draw_qr(canvas.pdf, block.value, canvas.left, canvas.y, size)
    canvas.y += size
    if block.caption:
        canvas.text(canvas.left, canvas.y, block.caption, SMALL)
        canvas.y += caption
    canvas.y += 2.0
