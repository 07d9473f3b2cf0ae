"""Rebuild ``NotoSansSC-Subset.ttf`` from the Debian ``fonts-noto-cjk`` package (not run by the
application; the built file is committed). Usage, from the repository root::

    apt-get download fonts-noto-cjk && dpkg-deb -x fonts-noto-cjk_*.deb /tmp/noto
    .venv/bin/python -m app.documents.fonts.build_font \
        /tmp/noto/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc

It takes Noto Sans CJK SC out of the collection, keeps ASCII, Latin-1, General Punctuation,
CJK Symbols and Punctuation, the fullwidth forms and every GB2312 character (its 6,763 hanzi
among them), and converts the CFF outlines to TrueType quadratic outlines, which every PDF
engine embeds and subsets reliably."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
OUTPUT = HERE / "NotoSansSC-Subset.ttf"
SC_NAME = "Noto Sans CJK SC"


def gb2312_characters() -> set[int]:
    """Every character GB2312 encodes (rows 0xA1–0xF7, cells 0xA1–0xFE)."""
    found: set[int] = set()
    for row in range(0xA1, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                found.add(ord(bytes((row, cell)).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return found


def wanted_characters() -> set[int]:
    ranges = [
        (0x20, 0x7E),  # ASCII
        (0xA0, 0xFF),  # Latin-1
        (0x2000, 0x206F),  # General Punctuation
        (0x3000, 0x303F),  # CJK Symbols and Punctuation
        (0xFF00, 0xFFEF),  # Halfwidth and Fullwidth Forms
    ]
    chars = {c for start, end in ranges for c in range(start, end + 1)}
    return chars | gb2312_characters()


def to_truetype(font: Any) -> None:
    """Replace the CFF table by glyf/loca with quadratic curves (fontTools' otf2ttf recipe)."""
    from fontTools.pens.cu2quPen import Cu2QuPen  # type: ignore[import-untyped]
    from fontTools.pens.ttGlyphPen import TTGlyphPen  # type: ignore[import-untyped]
    from fontTools.ttLib import newTable  # type: ignore[import-untyped]

    glyph_order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in glyph_order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = glyphs
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    font["maxp"] = maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for attr in (
        "maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs",
        "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions",
        "maxComponentElements",
    ):  # fmt: skip
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    post = font["post"]
    post.formatType = 3.0  # no glyph names: smaller, and PDF engines do not need them
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"


def main(collection: str) -> None:
    from fontTools import subset  # type: ignore[import-untyped]
    from fontTools.ttLib import TTCollection

    fonts = TTCollection(collection).fonts
    font = next(f for f in fonts if f["name"].getDebugName(1) == SC_NAME)
    options = subset.Options()
    options.layout_features = []  # documents are set left to right without shaping
    options.hinting = False
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(wanted_characters()))
    subsetter.subset(font)
    to_truetype(font)
    font.save(OUTPUT)
    print(f"{OUTPUT}: {OUTPUT.stat().st_size:,} bytes, {len(font.getGlyphOrder()):,} glyphs")


if __name__ == "__main__":
    main(sys.argv[1])
