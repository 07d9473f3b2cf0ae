"""Document numbers: a PostgreSQL sequence per document type (no lock held until commit, so
numbering never serialises writers), or a counter row on SQLite (one writer at a time anyway)."""

from __future__ import annotations

from sqlalchemy import Integer, String, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.repositories.base import Base


class DocumentCounter(Base):
    """Number sequences on SQLite (one writer at a time, so a row counter is safe there);
    PostgreSQL uses real sequences, which never hold a lock until commit."""

    __tablename__ = "document_counters"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


async def next_document_number(
    session: AsyncSession, name: str, sequence: str | None = None
) -> int:
    """The next number of the document type ``name``: ``nextval`` of the PostgreSQL sequence
    ``sequence`` (default ``<name>_number_seq``), or the SQLite counter row called ``name``."""
    if session.bind.dialect.name == "postgresql":
        seq = sequence or f"{name}_number_seq"
        if not seq.replace("_", "").isalnum():
            raise ValueError(f"not a sequence name: {seq!r}")
        # Straight to the driver: a text() through the ORM session costs twice the CPU, and
        # order placement takes two numbers.
        connection = await session.connection()
        value = (await connection.exec_driver_sql(f"SELECT nextval('{seq}')")).scalar_one()
        return int(value)
    bumped = await session.execute(
        update(DocumentCounter)
        .where(DocumentCounter.name == name)
        .values(value=DocumentCounter.value + 1)
        .returning(DocumentCounter.value)
    )
    row = bumped.first()
    if row is not None:
        return int(row[0])
    session.add(DocumentCounter(name=name, value=1))
    await session.flush()
    return 1
