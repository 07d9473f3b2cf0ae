"""Batch import of orders from CSV or JSON Lines: one order at a time, each in its own
transaction, so a bad order never blocks good ones and memory stays bounded. Orders are
deduplicated on (channel, external_ref): an import retried after a crash creates no duplicates.

Whatever goes wrong with one order — bad input, a rule, a NUL, a number too big, a document
nested too deeply, even a bug — becomes that order's error; the import always ends with its
summary (``completed`` or ``completed_with_errors``). While it runs it saves its progress every
few orders, so one whose process died shows as ``interrupted`` (``import_status``)."""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any

from pydantic import ValidationError

from app.domain.auth import Principal
from app.domain.errors import DomainError, FieldIssue, PayloadTooLarge, RuleViolation
from app.domain.order_import import (
    PROGRESS_EVERY,
    RowGroup,
    UnreadableEncoding,
    check_columns,
    detect_charset,
    final_status,
    group_rows,
    import_status,
    normalise_charset,
)
from app.domain.text import nul_issues, without_nul
from app.repositories.orders import OrderImport
from app.schemas.orders import OrderCreate
from app.services.orders import place_order
from app.services.unit_of_work import UnitOfWork
from app.settings import Settings

MAX_STORED_ERRORS = 1000
log = logging.getLogger(__name__)


@dataclass
class RowResult:
    row: int
    external_ref: str | None
    status: str  # created, duplicate, error
    order_id: str | None = None
    number: str | None = None
    errors: list[dict[str, str]] = field(default_factory=list)


@dataclass
class ImportOutcome:
    record: OrderImport
    results: list[RowResult]


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


def _validation_errors(exc: ValidationError) -> list[dict[str, str]]:
    return [
        {"field": ".".join(str(p) for p in e["loc"]), "rule": e["type"], "message": e["msg"]}
        for e in exc.errors()
    ]


class OrderImporter:
    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        principal: Principal,
        settings: Settings,
    ) -> None:
        self.uow_factory = uow_factory
        self.principal = principal
        self.settings = settings

    def _sources(
        self, upload: IO[bytes], fmt: str, charset: str, channel: str, submit: bool
    ) -> Iterator[tuple[int, str | None, dict[str, Any] | str]]:
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

    def _count(self, upload: IO[bytes], fmt: str, charset: str) -> int:
        try:
            count = sum(1 for _ in self._sources(upload, fmt, charset, "import", False))
        except UnicodeDecodeError as exc:
            raise UnreadableEncoding(
                f"The file cannot be read as {charset}: {exc.reason}. Give the right `charset`.",
                issues=[FieldIssue("charset", "decodable", f"not valid {charset}")],
            ) from exc
        except csv.Error as exc:
            raise RuleViolation.on("file", "csv", f"The file is not valid CSV: {exc}.") from exc
        return count

    async def run(
        self,
        upload: IO[bytes],
        *,
        fmt: str,
        charset: str | None,
        detected_utf8: bool,
        starts_with_bom: bool,
        channel: str,
        submit: bool,
    ) -> ImportOutcome:
        chosen = (
            normalise_charset(charset)
            if charset
            else detect_charset(detected_utf8, starts_with_bom)
        )
        if chosen == "utf-8" and starts_with_bom:
            chosen = "utf-8-sig"
        # A first pass checks the whole file (encoding, columns, size) before anything is written.
        total = self._count(upload, fmt, chosen)
        if total > self.settings.import_max_orders:
            raise PayloadTooLarge(
                f"The file holds {total} orders; at most {self.settings.import_max_orders} "
                "are accepted per request."
            )
        record = OrderImport(
            format=fmt,
            charset=chosen,
            channel=channel,
            status="running",
            orders_total=total,
            error_details=[],
            created_by=self.principal.actor,
            progressed_at=datetime.now(UTC),
        )
        async with self.uow_factory() as uow:
            uow.order_imports.add(record)
            await uow.commit()

        results: list[RowResult] = []
        for number, ref, doc in self._sources(upload, fmt, chosen, channel, submit):
            results.append(await self._one(number, ref, doc))
            if len(results) % PROGRESS_EVERY == 0:
                await self._save(record, results, finished=False)
        return ImportOutcome(await self._save(record, results, finished=True), results)

    async def _save(
        self, record: OrderImport, results: list[RowResult], *, finished: bool
    ) -> OrderImport:
        """Store the counts so far (and the first errors); at the end, the final status."""
        now = datetime.now(UTC)
        async with self.uow_factory() as uow:
            stored = await uow.order_imports.get(record.id)
            assert stored is not None
            stored.created = sum(r.status == "created" for r in results)
            stored.duplicates = sum(r.status == "duplicate" for r in results)
            stored.errors = sum(r.status == "error" for r in results)
            stored.progressed_at = now
            if finished:
                stored.status = final_status(stored.errors)
                stored.error_details = [
                    {"row": r.row, "external_ref": r.external_ref, "errors": r.errors}
                    for r in results
                    if r.status == "error"
                ][:MAX_STORED_ERRORS]
                stored.finished_at = now
            await uow.commit()
        return stored

    async def _one(self, number: int, ref: str | None, doc: dict[str, Any] | str) -> RowResult:
        """One order's result; no failure of one order escapes to stop the others."""
        try:
            return await self._place(number, ref, doc)
        except Exception:
            log.exception("order_import.row_failed", extra={"row": number})
            message = "This order could not be processed; the failure has been logged."
            return RowResult(
                number,
                ref,
                "error",
                errors=[{"field": "row", "rule": "failed", "message": message}],
            )

    async def _place(self, number: int, ref: str | None, doc: dict[str, Any] | str) -> RowResult:
        if isinstance(doc, str):
            return RowResult(
                number, ref, "error", errors=[{"field": "row", "rule": "grouping", "message": doc}]
            )
        if issues := nul_issues(doc):
            errors = [{"field": i.field, "rule": i.rule, "message": i.message} for i in issues]
            return RowResult(number, ref, "error", errors=errors)
        try:
            body = OrderCreate.model_validate(doc)
        except ValidationError as exc:
            return RowResult(number, ref, "error", errors=_validation_errors(exc))
        except RecursionError:
            message = "The order is nested too deeply."
            errors = [{"field": "row", "rule": "too_deep", "message": message}]
            return RowResult(number, ref, "error", errors=errors)
        if not body.external_ref:
            return RowResult(
                number,
                ref,
                "error",
                errors=[
                    {
                        "field": "external_ref",
                        "rule": "required",
                        "message": "Imported orders need an external_ref (it makes retries safe).",
                    }
                ],
            )
        try:
            placed = await place_order(
                self.uow_factory(), body, self.principal, self.settings, idempotency_key=None
            )
        except DomainError as exc:
            errors = [
                {"field": i.field, "rule": i.rule, "message": i.message} for i in exc.issues
            ] or [{"field": "order", "rule": exc.code, "message": exc.detail}]
            return RowResult(number, ref, "error", errors=errors)
        order = placed.view.order
        return RowResult(
            number, ref, "created" if placed.created else "duplicate", str(order.id), order.number
        )


async def get_import(uow: UnitOfWork, import_id: Any) -> OrderImport:
    """The stored summary; a running import that stopped progressing shows as interrupted
    (only in the answer: the session is closed, the record is not changed)."""
    from app.domain.errors import NotFound

    async with uow:
        record = await uow.order_imports.get(import_id)
    if record is None:
        raise NotFound(f"No import with id {import_id}.")
    record.status = import_status(
        record.status, record.progressed_at or record.created_at, datetime.now(UTC)
    )
    return record
