"""Benchmark: render a 300-line pick list and 100 delivery notes as one PDF.

    .venv/bin/python -m bench.documents [--lines 300] [--notes 100] [--repeat 5]

The documents are built as ``Document`` values directly (no database: the figure is the
renderer's own cost) and rendered with ``app.documents.render.render`` in one batch, ``repeat``
times after a first, cold run (that one also loads the font). Reports the wall time of the cold
run and the median and best of the warm ones, the PDF's pages and size, the peak memory the
render allocates (tracemalloc) and the process's peak RSS. Results are written to
bench/results/documents.json. Not part of make test.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

from app.documents.render import render
from app.domain.documents.model import (
    Align,
    Barcode,
    Column,
    Company,
    Document,
    Field,
    QrCode,
    SignatureBoxes,
    Table,
    Totals,
)
from bench import output

RESULTS = Path(__file__).resolve().parent / "results"
COMPANY = Company(
    name="上海拉丁供应链有限公司",
    address="上海市浦东新区张江路 88 号",
    tax_id="91310000MA1FL0XX1X",
    phone="021-5555 0000",
)


def pick_list(lines: int) -> Document:
    rows: list[tuple[str | Barcode | bool, ...] | str] = []
    for n in range(lines):
        if n % 60 == 0:
            rows.append(f"Z{n // 60} 区")
        sku = f"SKU-{n:05d}"
        location = f"Z{n // 60}-{n % 60 // 10:02d}-1-{n % 10:02d}"
        rows.append(
            (location, sku, f"商品名称 {n}", "500g×12", f"{n % 7 + 1} pcs", False, Barcode(sku))
        )
    columns = (
        Column("库位", 0.13), Column("SKU", 0.14), Column("品名", 0.21), Column("规格", 0.12),
        Column("数量", 0.08, Align.RIGHT), Column("核对", 0.06, Align.CENTER), Column("条码", 0.26),
    )  # fmt: skip
    return Document(
        title="拣货单",
        number="PL-2026-000001",
        company=COMPANY,
        header=(Field("仓库", "HZ"), Field("拣货员", "张三"), Field("行数", str(lines))),
        blocks=(Table(columns, tuple(rows), title="拣货明细"),),
    )


def delivery_note(n: int) -> Document:
    number = f"SH-2026-{n:06d}"
    goods = Table(
        (Column("#", 0.05, Align.RIGHT), Column("SKU", 0.18), Column("品名", 0.37),
         Column("规格", 0.2), Column("数量", 0.2, Align.RIGHT)),
        tuple((str(i), f"SKU-{i:05d}", f"商品 {i}", "工业级", f"{i} pcs") for i in range(1, 6)),
        title="货物明细",
    )  # fmt: skip
    packages = Table(
        (Column("箱号", 0.15, Align.RIGHT), Column("重量 (kg)", 0.2, Align.RIGHT),
         Column("尺寸 (cm)", 0.35), Column("件数", 0.3, Align.RIGHT)),
        (("1", "2.5", "40 × 30 × 20", "8"), ("2", "4.25", "40 × 30 × 20", "7")),
        title="包裹",
    )  # fmt: skip
    return Document(
        title="发货单",
        number=number,
        company=COMPANY,
        header=(
            Field("订单号", f"SO-2026-{n:06d}"),
            Field("客户", "华东贸易有限公司"),
            Field("收货地址", "上海市浦东新区 张江路 88 号"),
            Field("联系人", "王芳 +86 21 5080 1234"),
            Field("承运商", "自有车队"),
            Field("运单号", f"SF{n:010d}"),
            Field("承诺送达", "2026-03-01"),
        ),
        qr=QrCode(f"https://lading.example/api/v1/track/token{n:020d}", "扫码查询物流"),
        blocks=(
            Barcode(f"SF{n:010d}"),
            goods,
            packages,
            Totals((Field("总重量", "6.75 kg"),)),
            SignatureBoxes(("仓库核对", "收货人签收")),
        ),
    )


def run(args: argparse.Namespace) -> dict[str, object]:
    batch = [pick_list(args.lines), *(delivery_note(n) for n in range(1, args.notes + 1))]
    started = time.perf_counter()
    pdf = render(batch)
    cold = time.perf_counter() - started
    warm = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        render(batch)
        warm.append(time.perf_counter() - started)
    tracemalloc.start()
    render(batch)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "documents": len(batch),
        "pick_list_lines": args.lines,
        "delivery_notes": args.notes,
        "pages": pdf.count(b"/Type /Page\n") or pdf.count(b"/Type /Page"),
        "pdf_bytes": len(pdf),
        "cold_seconds": round(cold, 3),
        "warm_median_seconds": round(statistics.median(warm), 3) if warm else None,
        "warm_best_seconds": round(min(warm), 3) if warm else None,
        "peak_traced_mb": round(peak / 1e6, 1),
        "peak_rss_mb": round(rss_kb / 1024 if sys.platform != "darwin" else rss_kb / 1e6, 1),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=300)
    parser.add_argument("--notes", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    result = run(parser.parse_args())
    result["commit"] = output.commit()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "documents.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
