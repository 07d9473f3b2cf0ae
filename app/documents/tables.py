"""Tables: a header row repeated at the top of every page the table runs onto, group rows
spanning the table (kept with the row under them), check boxes and barcodes in cells."""

from __future__ import annotations

from dataclasses import dataclass

from app.documents.canvas import SMALL, Canvas, line_height
from app.documents.codes import draw_code128
from app.domain.documents.model import Align, Barcode, Cell, Table

PAD = 1.2
BOX = 3.6
HEADER_FILL = 225
GROUP_FILL = 242


@dataclass(frozen=True)
class _Row:
    height: float
    cells: tuple[Barcode | bool | list[str], ...] | None = None  # wrapped text, a barcode or a box
    group: str | None = None


class _Layout:
    def __init__(self, canvas: Canvas, table: Table) -> None:
        self.canvas = canvas
        self.table = table
        self.size = 7.0 if canvas.is_label else 8.5
        self.line = line_height(self.size)
        self.barcode_height = 9.0 if canvas.is_label else 10.0
        total = sum(c.width for c in table.columns) or 1.0
        self.widths = [c.width / total * canvas.width for c in table.columns]
        self.xs = [canvas.left + sum(self.widths[:i]) for i in range(len(self.widths))]
        self.titles = [
            canvas.wrap(c.title, w - 2 * PAD, self.size)
            for c, w in zip(table.columns, self.widths, strict=True)
        ]
        self.header_height = max((len(t) for t in self.titles), default=1) * self.line + 2 * PAD

    def prepare(self, row: tuple[Cell, ...] | str) -> _Row:
        if isinstance(row, str):
            return _Row(height=self.line + 2 * PAD, group=row)
        cells: list[Barcode | bool | list[str]] = []
        height = self.line
        for cell, width in zip(row, self.widths, strict=True):
            if isinstance(cell, str):
                lines = self.canvas.wrap(cell, width - 2 * PAD, self.size)
                cells.append(lines)
                height = max(height, len(lines) * self.line)
            else:
                cells.append(cell)
                height = max(height, self.barcode_height if isinstance(cell, Barcode) else BOX)
        return _Row(height=height + 2 * PAD, cells=tuple(cells))

    def draw_header(self) -> None:
        canvas, pdf = self.canvas, self.canvas.pdf
        pdf.set_fill_color(HEADER_FILL)
        pdf.rect(canvas.left, canvas.y, canvas.width, self.header_height, style="DF")
        for x, width, column, lines in zip(
            self.xs, self.widths, self.table.columns, self.titles, strict=True
        ):
            for n, line in enumerate(lines):
                self._text(x, width, column.align, canvas.y + PAD + n * self.line, line, True)
        canvas.y += self.header_height

    def draw_group(self, row: _Row) -> None:
        canvas, pdf = self.canvas, self.canvas.pdf
        pdf.set_fill_color(GROUP_FILL)
        pdf.rect(canvas.left, canvas.y, canvas.width, row.height, style="DF")
        canvas.text(canvas.left + PAD, canvas.y + PAD, row.group or "", self.size, bold=True)
        canvas.y += row.height

    def draw_row(self, row: _Row) -> None:
        canvas, pdf = self.canvas, self.canvas.pdf
        top = canvas.y
        for x, width, column, cell in zip(
            self.xs, self.widths, self.table.columns, row.cells or (), strict=True
        ):
            pdf.rect(x, top, width, row.height)
            if isinstance(cell, list):
                for n, line in enumerate(cell):
                    self._text(x, width, column.align, top + PAD + n * self.line, line, False)
            elif isinstance(cell, Barcode):
                draw_code128(
                    pdf, cell.value, x + PAD, top + PAD, width - 2 * PAD, self.barcode_height,
                    max_module=0.3, text_size=6.0,
                )  # fmt: skip
            else:
                self._box(x + (width - BOX) / 2, top + PAD, ticked=cell)
        canvas.y += row.height

    def _text(
        self, x: float, width: float, align: Align, top: float, text: str, bold: bool
    ) -> None:
        canvas = self.canvas
        if align is Align.LEFT:
            left = x + PAD
        else:
            text_width = canvas.text_width(text, self.size)
            left = (
                x + width - PAD - text_width
                if align is Align.RIGHT
                else x + (width - text_width) / 2
            )
        canvas.text(left, top, text, self.size, bold=bold)

    def _box(self, x: float, y: float, *, ticked: bool) -> None:
        pdf = self.canvas.pdf
        pdf.rect(x, y, BOX, BOX)
        if ticked:
            pdf.line(x + 0.7, y + BOX * 0.55, x + BOX * 0.42, y + BOX - 0.7)
            pdf.line(x + BOX * 0.42, y + BOX - 0.7, x + BOX - 0.6, y + 0.6)


def draw_table(canvas: Canvas, table: Table) -> None:
    layout = _Layout(canvas, table)
    rows = [layout.prepare(row) for row in table.rows]
    title_height = line_height(10.0) + 1.0 if table.title else 0.0
    first = rows[0].height + (rows[1].height if len(rows) > 1 and rows[0].group else 0.0)
    canvas.room(title_height + layout.header_height + (first if rows else 0.0))
    if table.title:
        canvas.text(
            canvas.left, canvas.y, table.title, SMALL if canvas.is_label else 10.0, bold=True
        )
        canvas.y += title_height
    layout.draw_header()
    canvas.repeat = layout.draw_header
    try:
        for i, row in enumerate(rows):
            if row.group is not None:
                follower = rows[i + 1] if i + 1 < len(rows) and rows[i + 1].group is None else None
                canvas.room(row.height + (follower.height if follower else 0.0))
                layout.draw_group(row)
            else:
                canvas.room(row.height)
                layout.draw_row(row)
    finally:
        canvas.repeat = None
    canvas.y += 3.0
