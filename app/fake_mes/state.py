"""What the fake MES is configured with and what it remembers: the requests Lading released
to it and how far it has got with each."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx

from app.adapters.production.lading_json import TOLERANCE_S, decimal_text

REPORT_PATH = "/api/v1/webhooks/production"


@dataclass(frozen=True)
class FakeMesSettings:
    """``lading_url`` is Lading's base URL; reports are signed with ``report_secret``; Lading's
    deliveries are verified with ``endpoint_secret`` (both ``whsec_…``)."""

    lading_url: str
    report_secret: str
    endpoint_secret: str
    client: httpx.AsyncClient | None = None
    tolerance_seconds: int = TOLERANCE_S

    @property
    def report_url(self) -> str:
        return self.lading_url.rstrip("/") + REPORT_PATH


@dataclass
class HeldRequest:
    """A released request (its release document) and what the fake has reported on it."""

    document: dict[str, Any]
    status: str = "released"
    completed_quantity: Decimal = Decimal(0)
    scrapped_quantity: Decimal = Decimal(0)

    def view(self) -> dict[str, Any]:
        return {
            **self.document,
            "mes": {
                "status": self.status,
                "completed_quantity": decimal_text(self.completed_quantity),
                "scrapped_quantity": decimal_text(self.scrapped_quantity),
            },
        }


@dataclass
class FakeMes:
    """Requests by number, in the order they were first released, and every delivery id
    taken (Lading repeats a delivery's ``webhook-id`` on a retry)."""

    settings: FakeMesSettings
    requests: dict[str, HeldRequest] = field(default_factory=dict)
    deliveries: list[str] = field(default_factory=list)

    def release(self, document: dict[str, Any]) -> None:
        """Keep a released request; a re-release replaces its document, not its progress."""
        number = str(document["number"])
        held = self.requests.get(number)
        if held is None:
            self.requests[number] = HeldRequest(document)
        else:
            held.document = document

    def reported(self, number: str, report: dict[str, Any]) -> None:
        """Lading accepted ``report``: move the request along as the report says."""
        held = self.requests[number]
        quantity = report.get("completed_quantity")
        if report["type"] == "progress" and quantity is not None:
            held.completed_quantity = Decimal(quantity)
        if report["type"] == "completed":
            held.completed_quantity += Decimal(quantity or 0)
            held.scrapped_quantity += Decimal(report.get("scrapped_quantity") or 0)
        held.status = "completed" if report["type"] == "completed" else "started"
