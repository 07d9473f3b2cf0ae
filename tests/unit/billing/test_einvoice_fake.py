"""The fake e-invoice provider, and how a bus is given another provider."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.adapters.einvoice.base import EInvoiceError, InvoiceDocument, LocalEInvoiceProvider
from app.adapters.einvoice.fake import FakeEInvoiceProvider
from app.bootstrap import build_bus
from app.settings import Settings

DOC = InvoiceDocument(
    number="INV-2026-000001",
    invoice_type="ordinary",
    currency="CNY",
    net_total=Decimal("100.00"),
    tax_total=Decimal("13.00"),
    total=Decimal("113.00"),
    buyer=None,
)


async def test_the_fake_numbers_links_records_and_fails_on_demand() -> None:
    fake = FakeEInvoiceProvider()
    issued = await fake.issue(DOC)
    red = await fake.red_letter(DOC)
    assert issued.provider_number == "FP000000000001" and issued.url.endswith("FP000000000001")
    assert red.provider_number == "HZ000000000002"
    assert [kind for kind, _ in fake.calls] == ["issue", "red_letter"]
    fake.fail = "down"
    with pytest.raises(EInvoiceError) as failed:
        await fake.issue(DOC)
    assert failed.value.code == "einvoice_unavailable" and len(fake.calls) == 3


def test_a_bus_takes_another_provider() -> None:
    settings = Settings()
    fake = FakeEInvoiceProvider()
    assert build_bus(settings, einvoice=fake).context.einvoice is fake
    assert isinstance(build_bus(settings).context.einvoice, LocalEInvoiceProvider)
