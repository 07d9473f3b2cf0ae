"""Batch import (EDI-style): rows → orders. Pure rules: encodings, columns, grouping.

A CSV file has one row per order line; the rows of one order carry the same ``external_ref`` and
stand together (consecutive), so a file of any size is read one order at a time, in bounded
memory. JSON Lines files carry one whole order per line.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from app.domain.errors import RuleViolation

REQUIRED_COLUMNS = ("external_ref", "customer_code", "sku", "quantity")
OPTIONAL_COLUMNS = (
    "unit_price",
    "discount_percent",
    "requested_delivery_date",
    "currency",
    "priority",
    "notes",
    "ship_to_id",
)
# Order-level columns: every row of an order must agree on them.
ORDER_COLUMNS = (
    "customer_code",
    "requested_delivery_date",
    "currency",
    "priority",
    "notes",
    "ship_to_id",
)
SUPPORTED_CHARSETS = ("utf-8", "utf-8-sig", "gb18030", "gbk")
# A running import saves its progress every PROGRESS_EVERY orders; one that has saved none for
# STALE_AFTER was interrupted (its process crashed or was stopped) and will not finish.
PROGRESS_EVERY = 25
STALE_AFTER = timedelta(minutes=10)


class UnreadableEncoding(RuleViolation):
    code = "unreadable_encoding"


def normalise_charset(name: str) -> str:
    try:
        canonical = codecs.lookup(name).name
    except LookupError as exc:
        raise RuleViolation.on("charset", "enum", f"Unknown charset '{name}'.") from exc
    aliases = {"utf-8": "utf-8", "utf-8-sig": "utf-8-sig", "gb18030": "gb18030", "gbk": "gbk"}
    if canonical not in aliases:
        raise RuleViolation.on(
            "charset", "enum", f"Supported charsets: {', '.join(SUPPORTED_CHARSETS)}."
        )
    return aliases[canonical]


def detect_charset(sample_is_utf8: bool, starts_with_bom: bool) -> str:
    """UTF-8 with a BOM, else UTF-8 when the bytes are valid UTF-8, else GB18030 (what Excel
    exports on Chinese Windows; a superset of GBK)."""
    if starts_with_bom:
        return "utf-8-sig"
    return "utf-8" if sample_is_utf8 else "gb18030"


def check_columns(header: list[str]) -> list[str]:
    names = [h.strip().lower() for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise RuleViolation.on(
            "file.header", "required_columns", f"Missing column(s): {', '.join(missing)}."
        )
    return names


@dataclass
class RowGroup:
    """The rows of one order: the file row number of its first row, and the rows."""

    first_row: int
    external_ref: str
    rows: list[dict[str, str]] = field(default_factory=list)
    error: str | None = None


def group_rows(rows: Iterable[tuple[int, dict[str, str]]]) -> Iterator[RowGroup]:
    """Consecutive rows with the same ``external_ref`` form one order. A reference that comes
    back after another order, a row without one, or rows that disagree on an order-level column
    make that group an error (reported, never blocking the other orders)."""
    seen: set[str] = set()
    current: RowGroup | None = None
    for number, row in rows:
        ref = (row.get("external_ref") or "").strip()
        if current is not None and ref == current.external_ref and ref:
            for column in ORDER_COLUMNS:
                if (row.get(column) or "").strip() != (current.rows[0].get(column) or "").strip():
                    current.error = (
                        f"row {number}: column {column} differs from the order's first row"
                    )
            current.rows.append(row)
            continue
        if current is not None:
            yield current
        current = RowGroup(number, ref, [row])
        if not ref:
            current.error = f"row {number}: external_ref is required"
        elif ref in seen:
            current.error = f"row {number}: the rows of order {ref} must stand together in the file"
        seen.add(ref)
    if current is not None:
        yield current


def import_status(status: str, last_progress: datetime, now: datetime) -> str:
    """The status to show: a ``running`` import that stopped progressing is ``interrupted``
    (the orders it created stay; importing the file again skips them as duplicates)."""
    if status == "running" and now - last_progress > STALE_AFTER:
        return "interrupted"
    return status


def final_status(errors: int) -> str:
    return "completed_with_errors" if errors else "completed"
