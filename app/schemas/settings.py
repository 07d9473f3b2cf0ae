"""Settings an admin changes through the API: the order review policy."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field

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
