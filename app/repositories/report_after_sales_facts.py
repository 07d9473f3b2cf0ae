"""The after-sales facts, derived from the transaction tables for a set of returns, orders
(their shipments) or cases and written in place of what was there; each ``replace`` answers
the days the old and the new facts stand on, whose roll-ups are then summed again."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import date
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.reports import after_sales as rules
from app.repositories.base import insert_rows
from app.repositories.cases import ServiceCase
from app.repositories.payments import Refund
from app.repositories.report_after_sales_models import (
    ReportCaseFact,
    ReportReturnLineFact,
    ReportReturnRefundFact,
    ReportShippedFact,
)
from app.repositories.returns import Return, ReturnLine
from app.repositories.shipments import Shipment, ShipmentLine

Rows = list[dict[str, Any]]


class AfterSalesFacts:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _days(self, column: Any, where: Any) -> set[date]:
        return {d for d in (await self.session.scalars(select(column).where(where))).all() if d}

    async def _write(self, table: Any, where: Any, rows: Rows) -> None:
        await self.session.execute(delete(table).where(where))
        if rows:
            await insert_rows(self.session, table, rows)

    async def replace_returns(self, ids: Collection[uuid.UUID]) -> tuple[set[date], set[date]]:
        """(return days, refund days) the returns' old and new facts stand on."""
        ids = list(ids)
        lf, rf = ReportReturnLineFact, ReportReturnRefundFact
        days = await self._days(lf.day, lf.return_id.in_(ids))
        refund_days = await self._days(rf.day, rf.return_id.in_(ids))
        lines, refunds = await self.derive_returns(ids)
        await self._write(lf, lf.return_id.in_(ids), lines)
        await self._write(rf, rf.return_id.in_(ids), refunds)
        return days | {x["day"] for x in lines}, refund_days | {x["day"] for x in refunds}

    async def derive_returns(self, ids: Sequence[uuid.UUID]) -> tuple[Rows, Rows]:
        r, x = Return, ReturnLine
        rows = (
            await self.session.execute(
                select(r.id, r.status, r.reason, r.requested_at, r.credit_note_id,
                       x.id, x.product_id, x.sku, x.quantity, x.received, x.unit_value)
                .join(x, x.return_id == r.id)
                .where(r.id.in_(list(ids)))
                .order_by(r.id, x.line_no)
            )
        ).all()  # fmt: skip
        lines: Rows = []
        by_return: dict[uuid.UUID, list[tuple[dict[str, Any], Any]]] = defaultdict(list)
        notes: dict[uuid.UUID, uuid.UUID] = {}
        for rid, status, reason, requested_at, note, lid, pid, sku, qty, received, unit in rows:
            fact = {
                "return_line_id": lid, "return_id": rid, "credit_note_id": note,
                "day": requested_at.date(), "status": status,
                "counted": rules.counted(status), "product_id": pid, "sku": sku,
                "reason": reason,
                "returned_units": rules.returned_units(status, qty, received),
                "received_units": rules.received_units(status, received),
            }  # fmt: skip
            lines.append(fact)
            weight = unit * (received if received is not None else qty)
            by_return[rid].append((fact, weight))
            if note is not None:
                notes[note] = rid
        return lines, await self._refunds(by_return, notes)

    async def _refunds(
        self, by_return: dict[uuid.UUID, list[tuple[dict[str, Any], Any]]], notes: dict[Any, Any]
    ) -> Rows:
        """Each refund of a return's credit note, shared among the return's lines."""
        if not notes:
            return []
        refunds = await self.session.execute(
            select(Refund.id, Refund.credit_note_id, Refund.amount, Refund.currency,
                   Refund.refunded_on)
            .where(Refund.credit_note_id.in_(list(notes)))
            .order_by(Refund.id)
        )  # fmt: skip
        out: Rows = []
        for refund_id, note, amount, currency, refunded_on in refunds:
            own = by_return[notes[note]]
            for (fact, _w), part in zip(
                own, rules.share(amount, [w for _f, w in own]), strict=True
            ):
                out.append(
                    {
                        "refund_id": refund_id, "return_line_id": fact["return_line_id"],
                        "return_id": fact["return_id"], "day": refunded_on,
                        "product_id": fact["product_id"], "sku": fact["sku"],
                        "reason": fact["reason"], "currency": currency, "amount": part,
                    }
                )  # fmt: skip
        return out

    async def returns_of_notes(self, note_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
        """The returns whose facts name these credit notes (a refund of one touches them)."""
        if not note_ids:
            return set()
        f = ReportReturnLineFact
        rows = await self.session.scalars(
            select(f.return_id).where(f.credit_note_id.in_(list(note_ids)))
        )
        return set(rows.all())

    async def notes_of_refunds(self, refund_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
        if not refund_ids:
            return set()
        rows = await self.session.scalars(
            select(Refund.credit_note_id).where(Refund.id.in_(list(refund_ids)))
        )
        return {x for x in rows.all() if x is not None}

    async def replace_shipped(self, order_ids: Collection[uuid.UUID]) -> set[date]:
        """The ship days the orders' old and new shipped facts stand on."""
        ids = list(order_ids)
        f = ReportShippedFact
        days = await self._days(f.day, f.order_id.in_(ids))
        rows = await self.derive_shipped(ids)
        await self._write(f, f.order_id.in_(ids), rows)
        return days | {x["day"] for x in rows}

    async def derive_shipped(self, order_ids: Sequence[uuid.UUID]) -> Rows:
        s, x = Shipment, ShipmentLine
        rows = await self.session.execute(
            select(x.id, s.order_id, s.shipped_at, x.product_id, x.quantity)
            .join(s, s.id == x.shipment_id)
            .where(s.order_id.in_(list(order_ids)), s.shipped_at.is_not(None))
        )
        return [
            {"shipment_line_id": lid, "order_id": oid, "day": at.date(), "product_id": pid,
             "quantity": qty}
            for lid, oid, at, pid, qty in rows
        ]  # fmt: skip

    async def orders_of_shipments(self, shipment_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
        if not shipment_ids:
            return set()
        rows = await self.session.scalars(
            select(Shipment.order_id).where(Shipment.id.in_(list(shipment_ids)))
        )
        return set(rows.all())

    async def replace_cases(self, ids: Collection[uuid.UUID]) -> set[date]:
        """The opening and resolution days the cases' old and new facts stand on."""
        ids = list(ids)
        f = ReportCaseFact
        days = await self._days(f.opened_day, f.case_id.in_(ids))
        days |= await self._days(f.resolved_day, f.case_id.in_(ids))
        rows = await self.derive_cases(ids)
        await self._write(f, f.case_id.in_(ids), rows)
        days |= {x["opened_day"] for x in rows}
        return days | {x["resolved_day"] for x in rows if x["resolved_day"] is not None}

    async def derive_cases(self, ids: Sequence[uuid.UUID]) -> Rows:
        c = ServiceCase
        rows = await self.session.execute(
            select(c.id, c.kind, c.state, c.opened_at, c.resolved_at).where(c.id.in_(list(ids)))
        )
        return [
            {
                "case_id": cid, "kind": kind, "opened_day": opened.date(),
                "resolved_day": resolved.date() if resolved else None,
                "hours": rules.resolve_hours(opened, resolved),
                "open": state in rules.OPEN_CASE_STATES,
            }
            for cid, kind, state, opened, resolved in rows
        ]  # fmt: skip
