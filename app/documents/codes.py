"""Code 128 barcodes and QR codes drawn as vector rectangles (sharp at any zoom and on any
printer): python-barcode encodes Code 128, segno encodes QR; fpdf2 only draws."""

from __future__ import annotations

from functools import lru_cache

import segno
from barcode import Code128  # type: ignore[import-untyped]
from fpdf import FPDF

QUIET_MODULES = 10  # Code 128 asks for a quiet zone of ten modules each side


@lru_cache(maxsize=4096)
def code128_runs(value: str) -> tuple[int, tuple[tuple[int, int], ...]]:
    """(modules in all, (start, length) of every bar), quiet zones included."""
    modules = "0" * QUIET_MODULES + Code128(value).build()[0] + "0" * QUIET_MODULES
    return len(modules), _runs(modules)


@lru_cache(maxsize=1024)
def qr_rows(value: str) -> tuple[int, tuple[tuple[tuple[int, int], ...], ...]]:
    """(modules per side, the dark runs of every row), the 4-module quiet zone included."""
    qr = segno.make(value, error="m", micro=False)
    rows = tuple(_runs("".join("1" if dark else "0" for dark in row)) for row in qr.matrix_iter())
    return len(rows), rows


def _runs(modules: str) -> tuple[tuple[int, int], ...]:
    runs = []
    start = None
    for i, module in enumerate(modules):
        if module == "1" and start is None:
            start = i
        elif module == "0" and start is not None:
            runs.append((start, i - start))
            start = None
    if start is not None:
        runs.append((start, len(modules) - start))
    return tuple(runs)


def draw_code128(
    pdf: FPDF,
    value: str,
    x: float,
    y: float,
    width: float,
    height: float,
    *,
    max_module: float = 0.33,
    text_size: float = 7,
) -> None:
    """The barcode centred in ``width`` (modules at most ``max_module`` mm wide), ``height``
    in all with the value printed under the bars."""
    count, runs = code128_runs(value)
    module = min(width / count, max_module)
    left = x + (width - module * count) / 2
    text_height = text_size * 0.45 if text_size else 0.0
    bar_height = height - text_height
    pdf.set_fill_color(0)
    for start, length in runs:
        pdf.rect(left + start * module, y, length * module, bar_height, style="F")
    if text_size:
        pdf.set_font_size(text_size)
        text_width = pdf.get_string_width(value)
        pdf.text(x + (width - text_width) / 2, y + height - 0.3, value)


def draw_qr(pdf: FPDF, value: str, x: float, y: float, size: float) -> None:
    """The QR code as a ``size`` × ``size`` square, quiet zone included."""
    count, rows = qr_rows(value)
    module = size / count
    pdf.set_fill_color(0)
    for r, runs in enumerate(rows):
        for start, length in runs:
            # a hair of overlap so that anti-aliased viewers show no seams between modules
            pdf.rect(x + start * module, y + r * module, length * module, module + 0.02, style="F")
