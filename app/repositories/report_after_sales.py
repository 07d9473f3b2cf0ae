"""The after-sales summary (售后分析), registered in ``report_registry``: which events touch it,
its rebuild, and its sample for ``lading check``.

Events followed: ``return.*`` (the return), ``refund.paid`` and ``credit_note.*`` (the
returns whose credit note it is), ``case.*`` (the case), ``order.*`` and ``shipment.*`` (the
order's shipped lines: the units a return rate is over)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.reports.events import touched
from app.repositories.cases import ServiceCase
from app.repositories.events import OutboxEvent
from app.repositories.report_after_sales_facts import AfterSalesFacts
from app.repositories.report_after_sales_models import (
    FACTS,
    ROLLUPS,
    ReportCaseFact,
    ReportReturnLineFact,
    ReportReturnRefundFact,
)
from app.repositories.report_after_sales_rollups import AfterSalesRollups
from app.repositories.report_summaries import Mismatch
from app.repositories.returns import Return
from app.repositories.shipments import Shipment

CHUNK = 2000


def _ids(events: Sequence[OutboxEvent], *aggregates: str) -> set[uuid.UUID]:
    out = set()
    for e in events:
        if e.aggregate_type in aggregates:
            try:
                out.add(uuid.UUID(e.aggregate_id))
            except ValueError:
                continue
    return out


def _touched(events: Sequence[OutboxEvent], kind: str) -> set[uuid.UUID]:
    out = set()
    for e in events:
        t = touched(e.event_type, e.aggregate_type, e.aggregate_id)
        if t is not None and t.kind == kind:
            try:
                out.add(uuid.UUID(t.id))
            except ValueError:
                continue
    return out


class AfterSalesSummary:
    name: str = "after_sales"
    tables: Sequence[Any] = (*ROLLUPS, *FACTS)

    async def project(self, session: AsyncSession, events: Sequence[OutboxEvent]) -> None:
        facts = AfterSalesFacts(session)
        rollups = AfterSalesRollups(session)
        notes = _ids(events, "credit_note") | await facts.notes_of_refunds(_ids(events, "refund"))
        returns = _ids(events, "return") | await facts.returns_of_notes(notes)
        if returns:
            days, refund_days = await facts.replace_returns(returns)
            await rollups.refresh_returns(days)
            await rollups.refresh_refunds(refund_days)
        shipments = _touched(events, "shipment")
        orders = _touched(events, "order") | await facts.orders_of_shipments(shipments)
        if orders:
            await rollups.refresh_shipped(await facts.replace_shipped(orders))
        cases = _ids(events, "service_case")
        if cases:
            await rollups.refresh_cases(await facts.replace_cases(cases))

    async def rebuild(self, session: AsyncSession) -> None:
        facts = AfterSalesFacts(session)
        for column, write in (
            (Return.id, facts.replace_returns),
            (Shipment.order_id, facts.replace_shipped),
            (ServiceCase.id, facts.replace_cases),
        ):
            after = None
            while ids := await _chunk(session, column, after):
                await write(ids)
                after = ids[-1]
        rollups = AfterSalesRollups(session)
        await rollups.refresh_returns(None)
        await rollups.refresh_refunds(None)
        await rollups.refresh_shipped(None)
        await rollups.refresh_cases(None)

    async def mismatches(self, session: AsyncSession, sample: int) -> list[Mismatch]:
        """The latest ``sample`` returns and cases whose stored facts differ from new ones."""
        facts = AfterSalesFacts(session)
        out = []
        latest = select(Return.id).order_by(Return.requested_at.desc(), Return.id).limit(sample)
        ids = list((await session.scalars(latest)).all())
        lines, refunds = await facts.derive_returns(ids)
        for rid in await _differ(session, ReportReturnLineFact, "return_id", ids, lines):
            out.append(Mismatch("return", str(rid), "return line facts differ"))
        for rid in await _differ(session, ReportReturnRefundFact, "return_id", ids, refunds):
            out.append(Mismatch("return", str(rid), "refund facts differ"))
        recent = select(ServiceCase.id).order_by(ServiceCase.opened_at.desc(), ServiceCase.id)
        case_ids = list((await session.scalars(recent.limit(sample))).all())
        cases = await facts.derive_cases(case_ids)
        for cid in await _differ(session, ReportCaseFact, "case_id", case_ids, cases):
            out.append(Mismatch("service_case", str(cid), "case fact differs"))
        return out


async def _chunk(session: AsyncSession, column: Any, after: Any) -> list[uuid.UUID]:
    stmt = select(column).distinct().order_by(column).limit(CHUNK)
    if after is not None:
        stmt = stmt.where(column > after)
    return list((await session.scalars(stmt)).all())


async def _differ(
    session: AsyncSession, table: Any, by: str, ids: list[uuid.UUID], derived: list[dict[str, Any]]
) -> list[uuid.UUID]:
    """Of ``ids``, those whose stored rows of ``table`` differ from ``derived``."""
    if not ids:
        return []
    columns = [c.key for c in table.__table__.columns]
    stored = await session.execute(select(table).where(getattr(table, by).in_(ids)))
    have: dict[Any, list[str]] = {i: [] for i in ids}
    want: dict[Any, list[str]] = {i: [] for i in ids}
    for (row,) in stored:
        have[getattr(row, by)].append(_plain({c: getattr(row, c) for c in columns}))
    for fact in derived:
        want[fact[by]].append(_plain(fact))
    return [i for i in ids if sorted(have[i]) != sorted(want[i])]


def _plain(fact: dict[str, Any]) -> str:
    return repr(
        sorted((k, str(v.normalize() if isinstance(v, Decimal) else v)) for k, v in fact.items())
    )
