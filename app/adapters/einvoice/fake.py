"""A fake e-invoice provider for tests and demos: provider numbers and links of its own, every
call recorded, and told to fail when a test needs the provider down."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.adapters.einvoice.base import EInvoiceError, InvoiceDocument, IssuedDocument


@dataclass
class FakeEInvoiceProvider:
    """``fail`` makes the next calls raise ``EInvoiceError`` with ``fail`` as the message."""

    base_url: str = "https://einvoice.example/documents/"
    calls: list[tuple[str, InvoiceDocument]] = field(default_factory=list)
    fail: str | None = None
    issued: int = 0

    async def issue(self, document: InvoiceDocument) -> IssuedDocument:
        return self._answer("issue", document, "FP")

    async def red_letter(self, document: InvoiceDocument) -> IssuedDocument:
        return self._answer("red_letter", document, "HZ")

    def _answer(self, kind: str, document: InvoiceDocument, prefix: str) -> IssuedDocument:
        self.calls.append((kind, document))
        if self.fail is not None:
            raise EInvoiceError(self.fail, code="einvoice_unavailable")
        self.issued += 1
        number = f"{prefix}{self.issued:012d}"
        return IssuedDocument(number, f"{self.base_url}{number}")
