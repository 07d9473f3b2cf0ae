"""Shared by the credit-note and void tests: a taxed product, the journal, customer set-up."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update

from app.repositories.customers import Customer
from app.repositories.ledger import JournalLine
from app.repositories.payments import CreditNote
from tests.factories import make_product

SPECIAL_BUYER = {
    "buyer_name": "福州某某贸易有限公司",
    "taxpayer_id": "91350100M000100Y43",
    "address": "福州市鼓楼区五四路 1 号",
    "phone": "0591-87654321",
    "bank": "中国工商银行福州分行",
    "account": "1402023309000123456",
}


async def taxed_product(sessionmaker) -> None:
    """V-1: 100.00, 13% VAT."""
    await make_product(sessionmaker, "V-1", list_price="100.00", floor_price=None, tax_rate="0.13")


async def set_customer(sessionmaker, code: str = "ACME", **values: Any) -> None:
    async with sessionmaker() as session:
        await session.execute(update(Customer).where(Customer.code == code).values(**values))
        await session.commit()


async def books(sessionmaker) -> dict[str, Decimal]:
    """Debit − credit per account; asserts the journal balances."""
    async with sessionmaker() as session:
        legs = list(await session.scalars(select(JournalLine)))
    assert sum(x.debit for x in legs) == sum(x.credit for x in legs)
    out: dict[str, Decimal] = {}
    for x in legs:
        out[x.account] = out.get(x.account, Decimal(0)) + x.debit - x.credit
    return out


async def counts(sessionmaker) -> tuple[int, int]:
    """(credit notes, journal lines)."""
    async with sessionmaker() as session:
        notes = await session.scalar(select(func.count()).select_from(CreditNote))
        legs = await session.scalar(select(func.count()).select_from(JournalLine))
    return int(notes or 0), int(legs or 0)


async def get_invoice(client, auth, invoice_id: str | uuid.UUID) -> dict:
    response = await client.get(
        f"/api/v1/invoices/{invoice_id}", headers=await auth.as_role("finance")
    )
    assert response.status_code == 200, response.text
    return response.json()
