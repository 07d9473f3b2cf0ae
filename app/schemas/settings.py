"""Settings an admin changes through the API: the order review policy, the company details."""

from __future__ import annotations

import base64
import binascii
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, field_validator

from app.domain.documents.company import LOGO_MAX_BYTES, CompanySettings
from app.domain.documents.model import PageSize
from app.domain.limits import numeric_max
from app.domain.review import ReviewPolicy
from app.schemas.common import AmountOut, DecimalOut, Schema
from app.schemas.patch import Patch

Amount = Annotated[
    Decimal, Field(max_digits=18, decimal_places=4, le=numeric_max(18, 4), ge=-numeric_max(18, 4))
]
Percent = Annotated[
    Decimal, Field(max_digits=7, decimal_places=4, le=numeric_max(7, 4), ge=-numeric_max(7, 4))
]
RoleName = Annotated[str, Field(max_length=32)]
RuleName = Annotated[str, Field(max_length=32)]
# An upper bound only keeps dates computable; "not negative" is the policy's own rule.
Days = Annotated[int, Field(le=3650)]


class ReviewSettingsRead(Schema):
    """The review policy in force; ``version`` is also the ETag (0: the defaults, never set)."""

    enabled_rules: list[str] = Field(description="Rules that run, e.g. credit, amount")
    min_lead_time_days: int
    max_discount_percent: DecimalOut
    price_approver: str = Field(description="Role that approves prices below floor or discounts")
    amount_threshold_1: AmountOut
    amount_approver_1: str
    amount_threshold_2: AmountOut
    amount_approver_2: str
    overdue_days: int = Field(description="Receivables overdue longer than this hold an order")
    release_roles: dict[str, list[str]] = Field(
        description="Hold code → roles that may release it (admin may release any)"
    )
    return_auto_approve_max: AmountOut = Field(
        description="Returns worth less than this are approved automatically (0: none)"
    )
    return_approvers: list[str] = Field(
        description="Roles that approve or refuse the other returns (admin always may)"
    )
    version: int

    @classmethod
    def of(cls, policy: ReviewPolicy, version: int) -> ReviewSettingsRead:
        return cls(
            enabled_rules=list(policy.enabled_rules),
            min_lead_time_days=policy.min_lead_time_days,
            max_discount_percent=policy.max_discount_percent,
            price_approver=policy.price_approver,
            amount_threshold_1=policy.amount_threshold_1,
            amount_approver_1=policy.amount_approver_1,
            amount_threshold_2=policy.amount_threshold_2,
            amount_approver_2=policy.amount_approver_2,
            overdue_days=policy.overdue_days,
            release_roles={str(k): list(v) for k, v in policy.release_roles.items()},
            return_auto_approve_max=policy.return_auto_approve_max,
            return_approvers=list(policy.return_approvers),
            version=version,
        )


class ReviewSettingsUpdate(Schema):
    """Fields left out stay as they are; none may be null. The review policy itself checks
    the result (no negative amounts, T2 not below T1, known roles, rules and holds)."""

    enabled_rules: Patch[Annotated[list[RuleName], Field(max_length=20)]] = None
    min_lead_time_days: Patch[Days] = None
    max_discount_percent: Patch[Percent] = None
    price_approver: Patch[RoleName] = None
    amount_threshold_1: Patch[Amount] = None
    amount_approver_1: Patch[RoleName] = None
    amount_threshold_2: Patch[Amount] = None
    amount_approver_2: Patch[RoleName] = None
    overdue_days: Patch[Days] = None
    return_auto_approve_max: Patch[Amount] = None
    return_approvers: Patch[Annotated[list[RoleName], Field(max_length=10)]] = None
    release_roles: Patch[
        Annotated[dict[Annotated[str, Field(max_length=32)], list[RoleName]], Field(max_length=20)]
    ] = Field(
        default=None,
        description="The whole map, hold code → roles; holds left out only admin may release",
    )


Text200 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text64 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Address = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
# The logo, base64: a little over 4/3 of LOGO_MAX_BYTES of text; its bytes are checked after.
LOGO_MAX_CHARS = LOGO_MAX_BYTES * 4 // 3 + 4
DefaultPageSize = Literal["A4", "Letter"]


class CompanySettingsRead(Schema):
    """The issuing company every printed document's header shows; ``version`` is the ETag
    (0: never set)."""

    name: str | None = Field(description="null: documents print LADING_COMPANY_NAME")
    address: str | None = Field(description="One block of text, printed as given")
    tax_id: str | None = Field(description="Tax id (统一社会信用代码)")
    phone: str | None
    bank_name: str | None = Field(description="Printed on invoices and statements")
    bank_account: str | None = Field(description="Printed on invoices and statements")
    logo: str | None = Field(description="The logo, a PNG, base64")
    page_size: DefaultPageSize = Field(description="What documents print on by default")
    version: int

    @classmethod
    def of(cls, s: CompanySettings, version: int) -> CompanySettingsRead:
        return cls(
            name=s.name,
            address=s.address,
            tax_id=s.tax_id,
            phone=s.phone,
            bank_name=s.bank_name,
            bank_account=s.bank_account,
            logo=None if s.logo_png is None else base64.b64encode(s.logo_png).decode(),
            page_size="Letter" if s.page_size is PageSize.LETTER else "A4",
            version=version,
        )


class CompanySettingsUpdate(Schema):
    """Fields left out stay as they are; null clears one (a cleared name prints
    LADING_COMPANY_NAME). The logo is a PNG of at most 512 KiB, checked by its bytes."""

    name: Text200 | None = None
    address: Address | None = None
    tax_id: Text64 | None = Field(default=None, description="Tax id (统一社会信用代码)")
    phone: Text64 | None = None
    bank_name: Text200 | None = None
    bank_account: Text64 | None = None
    logo: str | None = Field(
        default=None, max_length=LOGO_MAX_CHARS, description="A PNG, base64 (at most 512 KiB)"
    )
    page_size: Patch[DefaultPageSize] = None

    @field_validator("logo")
    @classmethod
    def _logo_base64(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError("The logo is not valid base64.") from exc
        return value

    def changes(self) -> dict[str, Any]:
        """The fields sent, as the company settings hold them."""
        sent = self.model_dump(exclude_unset=True)
        if "logo" in sent:
            logo = sent.pop("logo")
            sent["logo_png"] = None if logo is None else base64.b64decode(logo)
        if "page_size" in sent:
            sent["page_size"] = PageSize(sent["page_size"])
        return sent
