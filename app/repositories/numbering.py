"""Document numbers: a PostgreSQL sequence per document type (no lock held until commit, so
numbering never serialises writers), or a counter row on SQLite (one writer at a time anyway)."""

from __future__ import annotations

from collections.abc import Sequence

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


# Numbers a statement took for the other document types a command said it will number,
# waiting in the session (``Session.info``) for the command to ask: one round trip for both.
WAITING = "lading.numbers_waiting"


async def next_document_number(
    session: AsyncSession, name: str, sequence: str | None = None, also: Sequence[str] = ()
) -> int:
    """The next number of the document type ``name``: ``nextval`` of the PostgreSQL sequence
    ``sequence`` (default ``<name>_number_seq``), or the SQLite counter row called ``name``.
    ``also``: document types the command will number next; on PostgreSQL the same statement
    takes theirs (a number a rolled-back command took is skipped, as a sequence skips it)."""
    if session.bind.dialect.name == "postgresql":
        waiting: dict[str, int] = session.info.setdefault(WAITING, {})
        if name in waiting:
            return waiting.pop(name)
        others = [n for n in also if n not in waiting and n != name]
        sequences = [sequence or f"{name}_number_seq", *(f"{n}_number_seq" for n in others)]
        if not all(seq.replace("_", "").isalnum() for seq in sequences):
            raise ValueError(f"not sequence names: {sequences!r}")
        # Straight to the driver: a text() through the ORM session costs twice the CPU.
        connection = await session.connection()
        taken = ", ".join(f"nextval('{seq}')" for seq in sequences)
        values = (await connection.exec_driver_sql(f"SELECT {taken}")).one()
        waiting.update(zip(others, (int(v) for v in values[1:]), strict=True))
        return int(values[0])
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
