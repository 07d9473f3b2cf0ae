"""The e-invoice provider protocol. Issuing an invoice, and voiding it with a red-letter note
(红字), go through a provider; the local provider stands in until a real one is configured."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol


@dataclass(frozen=True)
class InvoiceDocument:
    """What a provider needs to issue an invoice or a red-letter note."""

    number: str
    invoice_type: str
    currency: str
    net_total: Decimal
    tax_total: Decimal
    total: Decimal
    buyer: dict[str, Any] | None
    lines: tuple[dict[str, Any], ...] = ()
    # For a red-letter note: the provider number of the invoice it reverses.
    reverses: str | None = None


@dataclass(frozen=True)
class IssuedDocument:
    provider_number: str
    url: str


class EInvoiceError(Exception):
    """The provider refused or failed; ``code`` is stable for problem+json."""

    def __init__(self, message: str, *, code: str = "einvoice_failed") -> None:
        super().__init__(message)
        self.code = code


class EInvoiceProvider(Protocol):
    async def issue(self, document: InvoiceDocument) -> IssuedDocument: ...

    async def red_letter(self, document: InvoiceDocument) -> IssuedDocument: ...


class LocalEInvoiceProvider:
    """No provider configured: the document keeps Lading's own number and links to its own
    resource. A real provider adapter replaces it (``LADING_EINVOICE_*`` settings)."""

    def __init__(self, base_path: str = "/api/v1/invoices/by-number/") -> None:
        self.base_path = base_path

    async def issue(self, document: InvoiceDocument) -> IssuedDocument:
        return IssuedDocument(document.number, f"{self.base_path}{document.number}")

    async def red_letter(self, document: InvoiceDocument) -> IssuedDocument:
        return IssuedDocument(document.number, f"{self.base_path}{document.number}")
