"""Batch import of orders from CSV or JSON Lines: one order at a time, each placed by its own
``PlaceOrder`` command in its own transaction, so a bad order never blocks good ones and memory
stays bounded. Orders are deduplicated on (channel, external_ref): an import retried after a
crash creates no duplicates.

Whatever goes wrong with one order — bad input, a rule, a NUL, a number too big, a document
nested too deeply, even a bug — becomes that order's error; the import always ends with its
summary (``completed`` or ``completed_with_errors``). While it runs it saves its progress every
few orders, so one whose process died shows as ``interrupted`` (``import_status``)."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from app.domain.errors import DomainError, NotFound, PayloadTooLarge
from app.domain.order_import import PROGRESS_EVERY, detect_charset, final_status, import_status
from app.domain.order_import import normalise_charset as normalised
from app.domain.text import nul_issues
from app.repositories.order_imports import OrderImport
from app.services.bus import Context
from app.services.orders.commands import ImportOrders
from app.services.orders.import_sources import count_orders, sources
from app.services.orders.queries import PlaceResult
from app.services.unit_of_work import UnitOfWork

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


def _failed(number: int, ref: str | None, field_: str, rule: str, message: str) -> RowResult:
    return RowResult(
        number, ref, "error", errors=[{"field": field_, "rule": rule, "message": message}]
    )


def _refused(number: int, ref: str | None, exc: DomainError) -> RowResult:
    errors = [{"field": i.field, "rule": i.rule, "message": i.message} for i in exc.issues]
    if not errors:
        errors = [{"field": "order", "rule": exc.code, "message": exc.detail}]
    return RowResult(number, ref, "error", errors=errors)


def _charset(cmd: ImportOrders) -> str:
    chosen = (
        normalised(cmd.charset)
        if cmd.charset
        else detect_charset(cmd.detected_utf8, cmd.starts_with_bom)
    )
    return "utf-8-sig" if chosen == "utf-8" and cmd.starts_with_bom else chosen


async def import_orders(cmd: ImportOrders, uow: UnitOfWork, ctx: Context) -> ImportOutcome:
    """Place every order of the file; per-order results and the stored summary. ``uow`` is
    used for one short transaction after another (the record, each order, the progress)."""
    return await _Importer(cmd, uow, ctx).run()


class _Importer:
    def __init__(self, cmd: ImportOrders, uow: UnitOfWork, ctx: Context) -> None:
        self.cmd = cmd
        self.uow = uow
        self.ctx = ctx

    async def run(self) -> ImportOutcome:
        cmd = self.cmd
        charset = _charset(cmd)
        # A first pass checks the whole file (encoding, columns, size) before anything is written.
        total = count_orders(cmd.upload, cmd.fmt, charset)
        limit = self.ctx.settings.import_max_orders
        if total > limit:
            raise PayloadTooLarge(
                f"The file holds {total} orders; at most {limit} are accepted per request."
            )
        record = await self._start(charset, total)
        results: list[RowResult] = []
        for number, ref, doc in sources(cmd.upload, cmd.fmt, charset, cmd.channel, cmd.submit):
            results.append(await self._one(number, ref, doc))
            if len(results) % PROGRESS_EVERY == 0:
                await self._save(record, results, finished=False)
        return ImportOutcome(await self._save(record, results, finished=True), results)

    async def _start(self, charset: str, total: int) -> OrderImport:
        record = OrderImport(
            format=self.cmd.fmt,
            charset=charset,
            channel=self.cmd.channel,
            status="running",
            orders_total=total,
            error_details=[],
            created_by=self.cmd.principal.actor,
            progressed_at=datetime.now(UTC),
        )
        async with self.uow as uow:
            uow.order_imports.add(record)
            await uow.commit()
        return record

    async def _save(
        self, record: OrderImport, results: list[RowResult], *, finished: bool
    ) -> OrderImport:
        """Store the counts so far (and the first errors); at the end, the final status."""
        now = datetime.now(UTC)
        async with self.uow as uow:
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
            return _failed(number, ref, "row", "failed", message)

    async def _place(self, number: int, ref: str | None, doc: dict[str, Any] | str) -> RowResult:
        if isinstance(doc, str):
            return _failed(number, ref, "row", "grouping", doc)
        if issues := nul_issues(doc):
            errors = [{"field": i.field, "rule": i.rule, "message": i.message} for i in issues]
            return RowResult(number, ref, "error", errors=errors)
        try:
            order = self.cmd.read_order(doc, self.cmd.principal)
        except DomainError as exc:
            return _refused(number, ref, exc)
        except RecursionError:
            return _failed(number, ref, "row", "too_deep", "The order is nested too deeply.")
        if not order.external_ref:
            message = "Imported orders need an external_ref (it makes retries safe)."
            return _failed(number, ref, "external_ref", "required", message)
        try:
            placed: PlaceResult = await self.ctx.bus.handle(order, self.uow)
        except DomainError as exc:
            return _refused(number, ref, exc)
        status = "created" if placed.created else "duplicate"
        return RowResult(number, ref, status, str(placed.view.order.id), placed.view.order.number)


async def get_import(uow: UnitOfWork, import_id: uuid.UUID) -> OrderImport:
    """The stored summary; a running import that stopped progressing shows as interrupted
    (only in the answer: the session is closed, the record is not changed)."""
    async with uow:
        record = await uow.order_imports.get(import_id)
    if record is None:
        raise NotFound(f"No import with id {import_id}.")
    record.status = import_status(
        record.status, record.progressed_at or record.created_at, datetime.now(UTC)
    )
    return record
