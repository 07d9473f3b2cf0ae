"""One document's pages on the shared PDF: page geometry, the font, text placed by its top
edge, wrapping, and the page furniture (company header on every page, a continuation line
from the second page on). Lengths are millimetres, font sizes points."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF

from app.domain.documents.labels import label
from app.domain.documents.model import Document, PageSize

FONT_FILE = Path(__file__).parent / "fonts" / "NotoSansSC-Subset.ttf"
FAMILY = "NotoSansSC"
PT = 25.4 / 72  # millimetres per point
BODY = 9.0
SMALL = 7.5


@dataclass(frozen=True)
class Geometry:
    width: float
    height: float
    margin: float
    footer: float  # the band under the content that the page footer is printed in

    @property
    def bottom(self) -> float:
        return self.height - self.margin - self.footer


GEOMETRY = {
    PageSize.A4: Geometry(210.0, 297.0, 12.0, 7.0),
    PageSize.LETTER: Geometry(215.9, 279.4, 12.0, 7.0),
    PageSize.LABEL_100X150: Geometry(100.0, 150.0, 4.0, 5.0),
}


def line_height(size: float) -> float:
    return size * PT * 1.35


class Canvas:
    """Draws one document; ``y`` is where the next thing goes. ``repeat`` (a table's header
    row, while a table is being drawn) is drawn again at the top of every new page."""

    def __init__(self, pdf: FPDF, document: Document) -> None:
        self.pdf = pdf
        self.document = document
        self.geometry = GEOMETRY[document.page_size]
        self.is_label = document.page_size is PageSize.LABEL_100X150
        self.left = self.geometry.margin
        self.width = self.geometry.width - 2 * self.geometry.margin
        self.first_page = pdf.pages_count + 1
        self.last_page = self.first_page
        self.y = 0.0
        self.repeat: Callable[[], None] | None = None
        self._char_widths: dict[tuple[str, float], float] = {}

    @property
    def pages(self) -> range:
        return range(self.first_page, self.last_page + 1)

    # -- text -------------------------------------------------------------------------------

    def text(
        self, x: float, top: float, text: str, size: float = BODY, *, bold: bool = False
    ) -> None:
        """``text`` with its line box's top edge at ``top``."""
        pdf = self.pdf
        pdf.set_font_size(size)
        baseline = top + size * PT * 1.05
        if not bold:
            pdf.text(x, baseline, text)
            return
        # No bold face is shipped (it would double the font's size): fill and stroke the
        # outlines instead, then put the text rendering mode back (it outlives the text object).
        pdf.text_mode = "FILL_STROKE"
        pdf.text(x, baseline, text)
        pdf.text_mode = "FILL"
        pdf._out("BT 0 Tr ET")

    def text_right(self, right: float, top: float, text: str, size: float = BODY) -> None:
        self.text(right - self.text_width(text, size), top, text, size)

    def text_width(self, text: str, size: float = BODY) -> float:
        self.pdf.set_font_size(size)
        return float(self.pdf.get_string_width(text))

    def wrap(self, text: str, width: float, size: float = BODY) -> list[str]:
        """``text`` broken into lines no wider than ``width``: at spaces where a word fits,
        anywhere in a run of Chinese (or a word too long for the line)."""
        lines: list[str] = []
        for paragraph in text.split("\n"):
            if self.text_width(paragraph, size) <= width:
                lines.append(paragraph)
                continue
            lines.extend(self._wrap_line(paragraph, width, size))
        return lines or [""]

    def _wrap_line(self, text: str, width: float, size: float) -> list[str]:
        lines: list[str] = []
        line, line_width, last_space = "", 0.0, -1
        for char in text:
            char_width = self._char_width(char, size)
            if line_width + char_width > width and line:
                if char != " " and last_space > 0:
                    head, line = line[:last_space], line[last_space + 1 :]
                    lines.append(head)
                    line_width = self.text_width(line, size)
                else:
                    lines.append(line)
                    line, line_width = "", 0.0
                last_space = -1
                if char == " ":
                    continue
            if char == " ":
                last_space = len(line)
            line += char
            line_width += char_width
        lines.append(line)
        return lines

    def _char_width(self, char: str, size: float) -> float:
        key = (char, size)
        width = self._char_widths.get(key)
        if width is None:
            width = self._char_widths[key] = self.text_width(char, size)
        return width

    # -- pages ------------------------------------------------------------------------------

    def room(self, height: float) -> bool:
        """Starts a new page unless ``height`` fits under ``y``; True when it did."""
        if self.y + height <= self.geometry.bottom:
            return False
        self.new_page()
        return True

    def new_page(self) -> None:
        geometry = self.geometry
        self.pdf.add_page(format=(geometry.width, geometry.height))
        self.last_page = self.pdf.page
        self.y = geometry.margin
        self.company_header()
        if self.pdf.page > self.first_page:
            document = self.document
            continued = label("continued", document.language)
            size = SMALL if self.is_label else 10.0
            self.text(
                self.left, self.y, f"{document.title}  {document.number}  ({continued})", size
            )
            self.y += line_height(size) + 1.5
        if self.repeat is not None:
            self.repeat()

    def company_header(self) -> None:
        company = self.document.company
        if self.is_label:
            self.text(self.left, self.y, company.name, 9.0, bold=True)
            self.y += line_height(9.0) + 0.5
            self.rule()
            return
        x = self.left
        if company.logo_png:
            logo = self.pdf.image(io.BytesIO(company.logo_png), x=x, y=self.y, h=12.0)
            x += float(logo.rendered_width) + 3.0
        self.text(x, self.y, company.name, 12.0, bold=True)
        language = self.document.language
        parts = [
            f"{label(key, language)}: {value}"
            for key, value in (
                ("address", company.address),
                ("tax_id", company.tax_id),
                ("phone", company.phone),
            )
            if value
        ]
        top = self.y + line_height(12.0)
        self.pdf.set_text_color(80)
        for line in self.wrap("    ".join(parts), self.left + self.width - x, SMALL)[:2]:
            self.text(x, top, line, SMALL)
            top += line_height(SMALL)
        self.pdf.set_text_color(0)
        self.y = max(top, self.y + (12.0 if company.logo_png else 0.0)) + 1.0
        self.rule()

    def rule(self, weight: float = 0.3) -> None:
        self.pdf.set_line_width(weight)
        self.pdf.line(self.left, self.y, self.left + self.width, self.y)
        self.pdf.set_line_width(0.2)
        self.y += 2.0

    def footer(self, page: int, pages: int, text: str) -> None:
        """Prints ``text`` at the foot of ``page`` (drawn once every page exists)."""
        pdf = self.pdf
        pdf.page = page
        # Text is placed from the current page's height, and the page, the font and the
        # colours were last set for another page (maybe of another size): set them again.
        pdf._set_orientation("P", self.geometry.width * pdf.k, self.geometry.height * pdf.k)
        pdf.current_font_is_set_on_page = False
        pdf.set_fill_color(255)
        pdf.set_fill_color(0)
        top = self.geometry.height - self.geometry.margin - line_height(SMALL)
        self.text(self.left, top, self.document.number, SMALL)
        self.text(self.left + (self.width - self.text_width(text, SMALL)) / 2, top, text, SMALL)


def new_pdf() -> FPDF:
    pdf = FPDF(unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.add_font(FAMILY, fname=str(FONT_FILE))
    pdf.set_font(FAMILY, size=BODY)
    pdf.set_line_width(0.2)
    pdf.set_creator("Lading")
    return pdf
