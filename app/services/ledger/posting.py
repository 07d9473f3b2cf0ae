"""The one writer of the journal: a reaction to every event that moves money."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from app.domain.billing.events import MoneyEvent
from app.domain.billing.ledger import PER_CUSTOMER
from app.repositories.ledger import JournalEntry, JournalLine
from app.services.bus import Context
from app.services.unit_of_work import UnitOfWork


async def post_entry(event: MoneyEvent, uow: UnitOfWork, ctx: Context) -> None:
    """Reaction: write the event's balanced entry (its receivable and customer-credit legs
    carry the customer), in the transaction of the change (invariant 9)."""
    posting = event.posting
    if posting is None or not posting.legs:
        return
    customer_id = uuid.UUID(event.customer_id) if event.customer_id else None
    entry = JournalEntry(
        id=uuid.uuid4(),
        posted_at=datetime.now(UTC),
        memo=posting.memo[:200],
        source_type=event.entity_type,
        source_id=str(event.entity_id),
        action=event.action,
        actor=event.actor,
    )
    lines = [
        JournalLine(
            entry_id=entry.id,
            account=leg.account.value,
            customer_id=customer_id if leg.account in PER_CUSTOMER else None,
            currency=leg.currency,
            debit=leg.debit,
            credit=leg.credit,
        )
        for leg in posting.legs
    ]
    uow.ledger.add(entry, lines)
