"""Reading rendered PDFs back in tests: page count, text per page, page images and the
barcodes and QR codes found on them (pypdfium2 renders, zxing-cpp decodes)."""

from __future__ import annotations

import pypdfium2 as pdfium
import zxingcpp
from PIL import Image


def _open(pdf: bytes) -> pdfium.PdfDocument:
    assert pdf.startswith(b"%PDF-"), pdf[:40]
    return pdfium.PdfDocument(bytes(pdf))


def pdf_pages(pdf: bytes) -> int:
    """How many pages the PDF has."""
    document = _open(pdf)
    try:
        return len(document)
    finally:
        document.close()


def pdf_text(pdf: bytes) -> list[str]:
    """The text of every page, in page order."""
    document = _open(pdf)
    try:
        texts = []
        for page in document:
            textpage = page.get_textpage()
            texts.append(textpage.get_text_bounded())
            textpage.close()
            page.close()
        return texts
    finally:
        document.close()


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    """(width, height) of every page, in points."""
    document = _open(pdf)
    try:
        sizes = (document.get_page_size(i) for i in range(len(document)))
        return [(round(width, 1), round(height, 1)) for width, height in sizes]
    finally:
        document.close()


def page_images(pdf: bytes, scale: float = 3.0) -> list[Image.Image]:
    """Every page rendered to an image (``scale`` pixels per point; 3 ≈ 216 dpi)."""
    document = _open(pdf)
    try:
        images = []
        for page in document:
            images.append(page.render(scale=scale, grayscale=True).to_pil())
            page.close()
        return images
    finally:
        document.close()


def decoded_codes(image: Image.Image) -> list[tuple[str, str]]:
    """(format, text) of every barcode and QR code found on the image, e.g.
    ("Code128", "PL-2026-000001") or ("QRCode", "https://…")."""
    found = zxingcpp.read_barcodes(image)
    return [(code.format.name, code.text) for code in found]
