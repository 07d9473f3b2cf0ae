"""Exchange rates an admin keeps: one row per (base, quote, valid-from day)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, Numeric, String, UniqueConstraint, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.domain.exchange_rates import ExchangeRate
from app.repositories.base import Base, IdMixin, Lookups, utcnow
from app.repositories.pagination import PageResult, equals, paginate


class ExchangeRateRecord(IdMixin, Base):
    """``1 base_currency = rate quote_currency`` from ``valid_from`` on."""

    __tablename__ = "exchange_rates"
    __table_args__ = (UniqueConstraint("base_currency", "quote_currency", "valid_from"),)

    base_currency: Mapped[str] = mapped_column(String(3))
    quote_currency: Mapped[str] = mapped_column(String(3), index=True)
    rate: Mapped[Decimal] = mapped_column(Numeric(24, 10, asdecimal=True))
    valid_from: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))


class ExchangeRateRepository(Lookups[ExchangeRateRecord]):
    model = ExchangeRateRecord
    noun = "exchange rate"

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, record: ExchangeRateRecord) -> None:
        self.session.add(record)

    async def get_exact(self, base: str, quote: str, valid_from: date) -> ExchangeRateRecord | None:
        stmt = select(ExchangeRateRecord).where(
            ExchangeRateRecord.base_currency == base,
            ExchangeRateRecord.quote_currency == quote,
            ExchangeRateRecord.valid_from == valid_from,
        )
        return (await self.session.scalars(stmt)).first()

    async def page(
        self, *, base: str | None, quote: str | None, limit: int, cursor: str | None
    ) -> PageResult[ExchangeRateRecord]:
        """By pair, then by the day each rate takes effect."""
        r = ExchangeRateRecord
        stmt = select(r).where(*equals((r.base_currency, base), (r.quote_currency, quote)))
        columns = [r.base_currency, r.quote_currency, r.valid_from, r.id]
        return await paginate(self.session, stmt, columns, limit=limit, cursor=cursor)

    async def in_force(
        self, currencies: Collection[str], target: str, day: date
    ) -> list[ExchangeRate]:
        """For each pair between ``target`` and one of ``currencies`` (either way round), the
        newest rate valid on ``day``: at most two a currency, whatever the history."""
        r = ExchangeRateRecord
        wanted = sorted(set(currencies) - {target})
        if not wanted:
            return []
        pairs = or_(
            and_(r.base_currency.in_(wanted), r.quote_currency == target),
            and_(r.base_currency == target, r.quote_currency.in_(wanted)),
        )
        newest = (
            select(r.base_currency, r.quote_currency, func.max(r.valid_from).label("day"))
            .where(pairs, r.valid_from <= day)
            .group_by(r.base_currency, r.quote_currency)
            .subquery()
        )
        stmt = select(r).join(
            newest,
            and_(
                r.base_currency == newest.c.base_currency,
                r.quote_currency == newest.c.quote_currency,
                r.valid_from == newest.c.day,
            ),
        )
        return [
            ExchangeRate(row.base_currency, row.quote_currency, row.rate, row.valid_from)
            for row in await self.session.scalars(stmt)
        ]
