"""The company settings an admin manages — the issuing company every printed document's header
shows, its bank details for invoices and statements, its logo and the default page size — as
values, and their stored (JSON) form.

The logo is a PNG of at most ``LOGO_MAX_BYTES``, checked by its bytes (the signature and the
IHDR chunk PNG requires first), never by a name or a declared type."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import struct
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.domain.documents.model import Company, PageSize
from app.domain.errors import RuleViolation

COMPANY_KEY = "company"
DEFAULT_NAME = "Lading"
LOGO_MAX_BYTES = 512 * 1024
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# The page sizes a company may print on by default (labels have their own size).
PAGE_SIZES = (PageSize.A4, PageSize.LETTER)
TEXT_FIELDS = ("name", "address", "tax_id", "phone", "bank_name", "bank_account")


@dataclass(frozen=True)
class CompanySettings:
    """What the admin set; None where nothing is (the name then falls back to the default)."""

    name: str | None = None
    address: str | None = None
    tax_id: str | None = None
    phone: str | None = None
    bank_name: str | None = None
    bank_account: str | None = None
    logo_png: bytes | None = field(default=None, repr=False)
    page_size: PageSize = PageSize.A4

    def company(self, default_name: str = DEFAULT_NAME) -> Company:
        """The header a document prints: the bank as "bank name account"."""
        bank = " ".join(x for x in (self.bank_name, self.bank_account) if x) or None
        return Company(
            name=self.name or default_name,
            address=self.address,
            tax_id=self.tax_id,
            phone=self.phone,
            bank_account=bank,
            logo_png=self.logo_png,
        )


def check_logo(data: bytes) -> None:
    """A logo is a PNG (its signature, then the IHDR chunk with a size) of at most
    ``LOGO_MAX_BYTES``; 422 on ``logo`` otherwise."""
    if len(data) > LOGO_MAX_BYTES:
        raise RuleViolation.on(
            "logo", "max_size", f"The logo exceeds the limit of {LOGO_MAX_BYTES} bytes."
        )
    if not data.startswith(PNG_SIGNATURE) or len(data) < 33 or data[12:16] != b"IHDR":
        raise RuleViolation.on("logo", "content_type", "The logo is not a PNG image.")
    width, height = struct.unpack(">II", data[16:24])
    if width == 0 or height == 0:
        raise RuleViolation.on("logo", "content_type", "The logo is not a PNG image.")


def check_page_size(value: PageSize) -> None:
    if value not in PAGE_SIZES:
        allowed = ", ".join(p.value for p in PAGE_SIZES)
        raise RuleViolation.on(
            "page_size", "page_size", f"The default page size is one of {allowed}."
        )


def settings_to_json(s: CompanySettings) -> dict[str, Any]:
    """The stored form: the logo as base64."""
    data: dict[str, Any] = {name: getattr(s, name) for name in TEXT_FIELDS}
    data["logo_png"] = None if s.logo_png is None else base64.b64encode(s.logo_png).decode()
    data["page_size"] = s.page_size.value
    return data


def settings_from_json(data: Mapping[str, Any]) -> CompanySettings:
    """The inverse of ``settings_to_json``; unknown fields are ignored."""
    logo = data.get("logo_png")
    return CompanySettings(
        **{name: data.get(name) for name in TEXT_FIELDS},
        logo_png=None if logo is None else base64.b64decode(logo),
        page_size=PageSize(data.get("page_size", PageSize.A4.value)),
    )


def audit_image(s: CompanySettings) -> dict[str, Any]:
    """The settings as the audit trail and the outbox show them: the logo by its size and
    SHA-256, not its bytes."""
    data: dict[str, Any] = {name: getattr(s, name) for name in TEXT_FIELDS}
    data["page_size"] = s.page_size.value
    data["logo"] = (
        None
        if s.logo_png is None
        else {"bytes": len(s.logo_png), "sha256": hashlib.sha256(s.logo_png).hexdigest()}
    )
    return data


def merged(current: CompanySettings, changes: Mapping[str, Any]) -> CompanySettings:
    """``current`` with ``changes`` (field → value; None clears a field) applied and checked."""
    unknown = sorted(set(changes) - {f.name for f in dataclasses.fields(CompanySettings)})
    if unknown:
        raise RuleViolation.on(unknown[0], "unknown_field", f"No company setting '{unknown[0]}'.")
    result = dataclasses.replace(current, **changes)
    if result.logo_png is not None and "logo_png" in changes:
        check_logo(result.logo_png)
    check_page_size(result.page_size)
    return result
