"""Reading the books: the trial balance, the journal export, a customer's journal lines and
statement, receivables aging, and the reconciliations ``lading check`` runs. Aggregates are
computed by the database (indexed sums), never by replaying the journal in Python."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.books_documents import DocumentReads
from app.repositories.books_journal import (
    AccountTotal as AccountTotal,
)
from app.repositories.books_journal import (
    CustomerMovement as CustomerMovement,
)
from app.repositories.books_journal import (
    ExportLine as ExportLine,
)
from app.repositories.books_journal import JournalReads


@dataclass(frozen=True)
class StatementEntries:
    """A customer's statement as the journal holds it, per currency."""

    opening: dict[str, Decimal]
    moves: list[CustomerMovement]
    numbers: dict[tuple[str, str], str]


class BooksRepository(JournalReads, DocumentReads):
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def statement_entries(
        self,
        customer_id: uuid.UUID,
        accounts: Sequence[str],
        start: datetime,
        end: datetime,
        limit: int,
    ) -> StatementEntries:
        """Balances by currency before ``start``, at most ``limit`` entries from ``start`` to
        ``end``, and each entry's document number by (source type, source id)."""
        opening = await self.customer_balances(customer_id, accounts, start)
        moves = await self.customer_movements(customer_id, accounts, start, end, limit)
        ids: dict[str, set[uuid.UUID]] = defaultdict(set)
        for m in moves:
            try:
                ids[m.source_type].add(uuid.UUID(m.source_id))
            except ValueError:
                continue
        numbers: dict[tuple[str, str], str] = {}
        for kind, found in ids.items():
            for source_id, number in (await self.document_numbers(kind, sorted(found))).items():
                numbers[(kind, source_id)] = number
        return StatementEntries(dict(opening), list(moves), numbers)
