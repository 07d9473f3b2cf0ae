"""Reading an import file: CSV (one row per order line, the rows of an order together) or
JSON Lines (one order per line), one order document at a time, in bounded memory."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

from app.domain.errors import FieldIssue, RuleViolation
from app.domain.order_import import RowGroup, UnreadableEncoding, check_columns, group_rows
from app.domain.text import without_nul

# (row number, external_ref, the order document or an error message) per order of a file.
Source = tuple[int, str | None, dict[str, Any] | str]


@contextmanager
def _text(upload: IO[bytes], charset: str) -> Iterator[io.TextIOWrapper]:
    """Read the upload as text; the upload stays open for the next pass."""
    upload.seek(0)
    wrapper = io.TextIOWrapper(upload, encoding=charset, newline="", errors="strict")
    try:
        yield wrapper
    finally:
        wrapper.detach()


def _csv_groups(upload: IO[bytes], charset: str) -> Iterator[RowGroup]:
    with _text(upload, charset) as text:
        reader = csv.reader(text)
        try:
            header = next(reader)
        except StopIteration:
            raise RuleViolation.on("file", "not_empty", "The file is empty.") from None
        names = check_columns(header)

        def rows() -> Iterator[tuple[int, dict[str, str]]]:
            for values in reader:
                if not any(v.strip() for v in values):
                    continue
                fields = {names[i]: v.strip() for i, v in enumerate(values) if i < len(names)}
                yield reader.line_num, fields

        yield from group_rows(rows())


def _jsonl_orders(upload: IO[bytes], charset: str) -> Iterator[tuple[int, Any]]:
    with _text(upload, charset) as text:
        for number, line in enumerate(text, start=1):
            if line.strip():
                try:
                    yield number, json.loads(line)
                except (ValueError, RecursionError) as exc:
                    yield number, exc


def _not_an_order(number: int, problem: object) -> str:
    if isinstance(problem, RecursionError):
        return f"row {number}: the JSON is nested too deeply"
    return f"row {number}: not a JSON object"


def _reference(value: object) -> str | None:
    return without_nul(value) if isinstance(value, str) else None


def _order_from_group(group: RowGroup, channel: str, submit: bool) -> dict[str, Any]:
    first = group.rows[0]
    order: dict[str, Any] = {
        "channel": channel,
        "external_ref": group.external_ref,
        "customer": {"code": first.get("customer_code")},
        "lines": [],
        "submit": submit,
    }
    for column in ("requested_delivery_date", "currency", "priority", "notes", "ship_to_id"):
        if first.get(column):
            order[column] = first[column]
    for row in group.rows:
        line = {"sku": row.get("sku"), "quantity": row.get("quantity")}
        for column in ("unit_price", "discount_percent"):
            if row.get(column):
                line[column] = row[column]
        order["lines"].append(line)
    return order


def sources(
    upload: IO[bytes], fmt: str, charset: str, channel: str, submit: bool
) -> Iterator[Source]:
    """(row number, external_ref, order document or an error message) per order."""
    if fmt == "csv":
        for group in _csv_groups(upload, charset):
            ref = _reference(group.external_ref or None)
            if group.error:
                yield group.first_row, ref, without_nul(group.error)
            else:
                yield group.first_row, ref, _order_from_group(group, channel, submit)
        return
    for number, doc in _jsonl_orders(upload, charset):
        if not isinstance(doc, dict):
            yield number, None, _not_an_order(number, doc)
            continue
        doc = {**doc, "channel": doc.get("channel", channel)}
        doc.setdefault("submit", submit)
        yield number, _reference(doc.get("external_ref")), doc


def count_orders(upload: IO[bytes], fmt: str, charset: str) -> int:
    """A first pass over the whole file: it checks the encoding and the columns too."""
    try:
        count = sum(1 for _ in sources(upload, fmt, charset, "import", False))
    except UnicodeDecodeError as exc:
        raise UnreadableEncoding(
            f"The file cannot be read as {charset}: {exc.reason}. Give the right `charset`.",
            issues=[FieldIssue("charset", "decodable", f"not valid {charset}")],
        ) from exc
    except csv.Error as exc:
        raise RuleViolation.on("file", "csv", f"The file is not valid CSV: {exc}.") from exc
    return count
