"""The PDF renderer, read back: text through pypdfium2, barcodes and QR codes through
zxing-cpp from the rendered page images."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from app.documents.render import render
from app.domain.documents.model import (
    Align,
    Barcode,
    Column,
    Company,
    Document,
    Field,
    PageSize,
    Paragraph,
    QrCode,
    SignatureBoxes,
    Table,
    Totals,
)
from tests.pdf_support import decoded_codes, page_images, page_sizes, pdf_pages, pdf_text

COMPANY = Company(
    name="上海拉丁供应链有限公司",
    address="上海市浦东新区张江路 88 号",
    tax_id="91310000MA1FL0XX1X",
    phone="021-5555 0000",
)
COLUMNS = (
    Column("库位", 0.15),
    Column("SKU", 0.15),
    Column("品名", 0.22),
    Column("数量", 0.1, Align.RIGHT),
    Column("核对", 0.08, Align.CENTER),
    Column("条码", 0.3),
)


def document(**overrides: object) -> Document:
    values: dict[str, object] = {
        "title": "拣货单",
        "number": "PL-2026-000123",
        "company": COMPANY,
        "header": (Field("仓库", "上海一号仓"), Field("订单", "SO-2026-000001")),
    }
    values.update(overrides)
    return Document(**values)  # type: ignore[arg-type]


def sku_table(lines: int) -> Table:
    rows: list[tuple[str | Barcode | bool, ...] | str] = []
    for i in range(lines):
        if i % 50 == 0:
            rows.append(f"Z{i // 50:02d} 区")
        rows.append(
            (
                f"A-{i:03d}",
                f"SKU-{i:05d}",
                "螺丝刀套装",
                str(i + 1),
                i % 2 == 0,
                Barcode(f"SKU-{i:05d}"),
            )
        )
    return Table(COLUMNS, tuple(rows), title="拣货明细")


def test_chinese_renders_with_the_shipped_font_embedded() -> None:
    pdf = render([document(title="发货单", blocks=(Paragraph("拣货单 壹仟贰佰"),))])

    (text,) = pdf_text(pdf)
    assert "发货单" in text
    assert "拣货单 壹仟贰佰" in text
    assert b"/FontFile2" in pdf  # the TrueType font itself travels inside the PDF


def test_a_long_table_repeats_its_header_and_numbers_every_page() -> None:
    pdf = render([document(blocks=(sku_table(300),))])

    texts = pdf_text(pdf)
    pages = len(texts)
    assert pages == pdf_pages(pdf) > 5
    for n, text in enumerate(texts, start=1):
        assert all(title in text for title in ("库位", "SKU", "品名", "数量", "核对", "条码")), n
        assert f"第 {n} 页 / 共 {pages} 页" in text
    assert "(续)" in texts[1] and "(续)" not in texts[0]
    skus = re.findall(r"^SKU-\d{5}", "\n".join(texts), flags=re.MULTILINE)
    listed = [s for s in skus if s in {f"SKU-{i:05d}" for i in range(300)}]
    assert list(dict.fromkeys(listed)) == [f"SKU-{i:05d}" for i in range(300)]
    groups = re.findall(r"Z\d\d 区", "\n".join(texts))
    assert groups == [f"Z{i:02d} 区" for i in range(6)]


def test_barcodes_and_the_qr_code_decode_from_the_page() -> None:
    link = "https://lading.example/api/v1/track/Zx81Tq"
    pdf = render(
        [
            document(
                qr=QrCode(link, "扫码查看物流"), blocks=(sku_table(3), Barcode("SH-2026-000042"))
            )
        ]
    )

    (image,) = page_images(pdf)
    codes = set(decoded_codes(image))
    assert ("Code128", "PL-2026-000123") in codes
    assert ("QRCode", link) in codes
    assert {("Code128", f"SKU-{i:05d}") for i in range(3)} <= codes
    assert ("Code128", "SH-2026-000042") in codes


def test_each_document_of_a_batch_starts_a_page_and_numbers_its_own_pages() -> None:
    batch = [
        document(number="PL-2026-000001", blocks=(sku_table(120),)),
        document(number="PL-2026-000002"),
        document(number="PL-2026-000003", blocks=(sku_table(60),)),
    ]

    texts = pdf_text(render(batch))

    footers = [re.search(r"第 (\d+) 页 / 共 (\d+) 页", t).groups() for t in texts]  # type: ignore[union-attr]
    numbers = [re.search(r"PL-2026-00000\d", t.split("\n")[-1] + t).group() for t in texts]  # type: ignore[union-attr]
    per_document: dict[str, list[tuple[str, str]]] = {}
    for number, footer in zip(numbers, footers, strict=True):
        per_document.setdefault(number, []).append(footer)
    assert list(per_document) == ["PL-2026-000001", "PL-2026-000002", "PL-2026-000003"]
    for pages in per_document.values():
        total = str(len(pages))
        assert pages == [(str(n), total) for n in range(1, len(pages) + 1)]
    assert len(per_document["PL-2026-000001"]) > 1


def test_a_batch_of_mixed_page_sizes_footers_every_page() -> None:
    batch = [document(), document(page_size=PageSize.LABEL_100X150), document()]

    pdf = render(batch)

    assert page_sizes(pdf) == [(595.3, 841.9), (283.5, 425.2), (595.3, 841.9)]
    assert all("第 1 页 / 共 1 页" in text for text in pdf_text(pdf))  # on the page, not off it


@pytest.mark.parametrize(
    ("size", "points"),
    [
        (PageSize.A4, (595.3, 841.9)),
        (PageSize.LETTER, (612.0, 792.0)),
        (PageSize.LABEL_100X150, (283.5, 425.2)),
    ],
)
def test_page_sizes_in_points(size: PageSize, points: tuple[float, float]) -> None:
    pdf = render([document(page_size=size, blocks=(sku_table(40),))])

    sizes = page_sizes(pdf)
    assert sizes and all(s == points for s in sizes)


def test_english_documents_say_page_n_of_m() -> None:
    pdf = render([document(title="Pick list", language="en", blocks=(sku_table(120),))])

    texts = pdf_text(pdf)
    assert len(texts) > 1
    for n, text in enumerate(texts, start=1):
        assert f"Page {n} of {len(texts)}" in text
    assert "Tax ID" in texts[0] and "(continued)" in texts[1]


def test_a_label_prints_the_company_name_only_and_a_big_barcode() -> None:
    label = document(
        title="面单",
        number="SH-2026-000042",
        page_size=PageSize.LABEL_100X150,
        qr=QrCode("https://lading.example/api/v1/track/Zx81Tq"),
        header=(Field("收货人", "李四 138 0000 0000"), Field("地址", "北京市朝阳区建国路 1 号")),
    )

    pdf = render([label])

    (text,) = pdf_text(pdf)
    assert COMPANY.name in text and "张江路" not in text and COMPANY.tax_id not in text
    assert "北京市朝阳区建国路 1 号" in text
    (image,) = page_images(pdf)
    assert ("Code128", "SH-2026-000042") in decoded_codes(image)


def test_totals_signatures_and_a_logo() -> None:
    logo = io.BytesIO()
    Image.new("RGB", (120, 60), (200, 30, 30)).save(logo, format="PNG")
    company = Company(name="拉丁", logo_png=logo.getvalue())
    blocks = (
        Totals((Field("小计", "¥1,000.00"), Field("合计", "¥1,200.00")), "人民币壹仟贰佰元整"),
        SignatureBoxes(("仓库核对", "收货人签收")),
    )

    pdf = render([document(company=company, blocks=blocks)])

    (text,) = pdf_text(pdf)
    for expected in ("合计", "¥1,200.00", "人民币壹仟贰佰元整", "仓库核对", "收货人签收"):
        assert expected in text
    assert b"/Subtype /Image" in pdf


def test_long_text_wraps_inside_its_cell() -> None:
    name = "超长的商品名称" * 8
    table = Table((Column("品名", 0.3), Column("数量", 0.7)), ((name, "1"),))

    (text,) = pdf_text(render([document(blocks=(table,))]))

    assert name in text.replace("\r\n", "").replace("\n", "")


def test_nothing_to_render_is_an_error() -> None:
    with pytest.raises(ValueError, match="nothing to render"):
        render([])
