"""Reading the books: the trial balance, the journal export, a customer's journal lines,
receivables aging, and the reconciliations ``lading check`` runs. Aggregates are computed by
the database (indexed sums), never by replaying the journal in Python."""

from __future__ import annotations

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


class BooksRepository(JournalReads, DocumentReads):
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
