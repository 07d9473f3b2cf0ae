"""The issuing company as the documents' header prints it.

Stand-in until the company settings land: the admin settings document ``company`` when one is
stored (``name``, ``address``, ``tax_id``, ``phone``, ``bank_account``), else "Lading"."""

from __future__ import annotations

from app.domain.documents.model import Company
from app.services.unit_of_work import UnitOfWork

DEFAULT_NAME = "Lading"


async def company_of(uow: UnitOfWork) -> Company:
    record = await uow.settings.get("company")
    value = record.value if record is not None else {}
    return Company(
        name=str(value.get("name") or DEFAULT_NAME),
        address=value.get("address"),
        tax_id=value.get("tax_id"),
        phone=value.get("phone"),
        bank_account=value.get("bank_account"),
    )
