"""Customers: contacts, bill-to and ship-to addresses, credit and payment terms."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from app.domain.auth import Principal
from app.domain.billing.invoices import InvoiceType, InvoicingPeriod, InvoicingPolicy
from app.domain.carrier_selection import Preference
from app.domain.customers import DEFAULT_PAYMENT_TERMS_DAYS, CustomerStatus
from app.domain.notifications.kinds import Language
from app.schemas.common import (
    Address,
    AddressRead,
    AmountOut,
    Code,
    Contact,
    CurrencyCode,
    DeliveryWindows,
    Name,
    NonNegativeMoney,
    Schema,
    ShipToAddress,
)
from app.schemas.patch import Patch
from app.services.customers.commands import CreateCustomer, UpdateCustomer

Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
CustomerGroup = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)
]
Contacts = Annotated[list[Contact], Field(max_length=50)]
Tags = Annotated[list[Tag], Field(max_length=50, description="Repeats are dropped")]
PaymentTermsDays = Annotated[int, Field(ge=0, le=3650, description="Days until an invoice is due")]


class ShipTo(ShipToAddress):
    """A delivery address of the customer; orders name it by ``id``."""

    id: uuid.UUID | None = Field(
        default=None, description="Kept when given; assigned by the server when left out"
    )
    label: str | None = Field(default=None, max_length=100, description="e.g. 华东仓库收货点")
    is_default: bool = Field(
        default=False, description="At most one; when none is, the first ship-to is the default"
    )


ShipTos = Annotated[list[ShipTo], Field(max_length=100)]


class TaxRegistration(Schema):
    """The buyer's VAT registration as printed on its invoices; a special (专用) invoice needs
    every field, and a valid 统一社会信用代码."""

    buyer_name: str | None = Field(default=None, min_length=1, max_length=200)
    taxpayer_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=32,
        description="统一社会信用代码: 18 characters, the last a check character",
        examples=["91350100M000100Y43"],
    )
    address: str | None = Field(default=None, min_length=1, max_length=300)
    phone: str | None = Field(default=None, min_length=1, max_length=50)
    bank: str | None = Field(default=None, min_length=1, max_length=200)
    account: str | None = Field(default=None, min_length=1, max_length=64)


# Value objects stored as JSON documents, always whole (every field, defaults included).
_DOCUMENTS = {"contacts", "bill_to", "ship_to", "tax_registration"}
_ENUMS = (
    "language",
    "status",
    "shipping_preference",
    "invoicing_policy",
    "invoicing_period",
    "invoice_type",
)


def _columns(data: Schema, given: set[str]) -> dict[str, Any]:
    values = data.model_dump(include=given - _DOCUMENTS)
    values.update(data.model_dump(mode="json", include=given & _DOCUMENTS))
    for name in _ENUMS:
        if values.get(name) is not None:
            values[name] = str(values[name])
    return values


class ShipToRead(AddressRead):
    id: uuid.UUID
    label: str | None = None
    is_default: bool
    delivery_windows: DeliveryWindows = Field(default_factory=list)


class CustomerCreate(Schema):
    code: Code
    name: Name
    contacts: Contacts = Field(default_factory=list)
    bill_to: Address | None = None
    ship_to: ShipTos = Field(default_factory=list)
    credit_limit: NonNegativeMoney = Field(
        default=Decimal("0"), description="In `currency`; 0 = cash only"
    )
    currency: CurrencyCode = Field(description="ISO 4217, e.g. CNY")
    payment_terms_days: PaymentTermsDays = DEFAULT_PAYMENT_TERMS_DAYS
    price_list_id: uuid.UUID | None = Field(default=None, description="A customer price list")
    customer_group: CustomerGroup | None = Field(default=None, description="For group pricing")
    status: CustomerStatus = CustomerStatus.ACTIVE
    tags: Tags = Field(default_factory=list)
    shipping_preference: Preference = Field(
        default=Preference.CHEAPEST,
        description="How carriers are ranked for the customer's shipments",
    )
    preferred_carrier: Code | None = Field(
        default=None, description="Carrier code; required with shipping_preference=preferred"
    )
    active: bool = True
    invoicing_policy: InvoicingPolicy = Field(
        default=InvoicingPolicy.ON_SHIPMENT, description="When the customer is invoiced"
    )
    invoicing_period: InvoicingPeriod | None = Field(
        default=None, description="Required exactly when invoicing_policy is periodic (月结)"
    )
    invoice_type: InvoiceType = Field(
        default=InvoiceType.ORDINARY, description="普通 (ordinary) or 专用 (special) VAT invoice"
    )
    tax_registration: TaxRegistration | None = None
    language: Language = Field(
        default=Language.ZH_CN, description="The language of the customer's notifications"
    )
    email_opt_out: bool = Field(default=False, description="No notification emails")
    sms_opt_out: bool = Field(default=False, description="No notification text messages")

    def to_command(self, principal: Principal) -> CreateCustomer:
        return CreateCustomer(principal=principal, **_columns(self, set(type(self).model_fields)))


class CustomerUpdate(Schema):
    """The fields to change; a list or address given replaces the stored one as a whole."""

    name: Patch[Name] = None
    contacts: Patch[Contacts] = None
    bill_to: Address | None = None
    ship_to: Patch[ShipTos] = None
    credit_limit: Patch[NonNegativeMoney] = None
    currency: Patch[CurrencyCode] = None
    payment_terms_days: Patch[PaymentTermsDays] = None
    price_list_id: uuid.UUID | None = None
    customer_group: CustomerGroup | None = None
    status: Patch[CustomerStatus] = None
    tags: Patch[Tags] = None
    shipping_preference: Patch[Preference] = None
    preferred_carrier: Code | None = None
    active: Patch[bool] = None
    invoicing_policy: Patch[InvoicingPolicy] = None
    invoicing_period: InvoicingPeriod | None = None
    invoice_type: Patch[InvoiceType] = None
    tax_registration: TaxRegistration | None = None
    language: Patch[Language] = None
    email_opt_out: Patch[bool] = None
    sms_opt_out: Patch[bool] = None

    def to_command(
        self, principal: Principal, customer_id: uuid.UUID, expected_version: int
    ) -> UpdateCustomer:
        return UpdateCustomer(
            principal=principal,
            customer_id=customer_id,
            expected_version=expected_version,
            changes=_columns(self, self.model_fields_set),
        )


class CustomerRead(Schema):
    id: uuid.UUID
    code: str
    name: str
    contacts: list[Contact]
    bill_to: AddressRead | None
    ship_to: list[ShipToRead]
    credit_limit: AmountOut
    currency: str
    payment_terms_days: int
    price_list_id: uuid.UUID | None
    customer_group: str | None
    status: CustomerStatus
    tags: list[str]
    shipping_preference: Preference
    preferred_carrier: str | None
    active: bool
    invoicing_policy: InvoicingPolicy
    invoicing_period: InvoicingPeriod | None
    invoice_type: InvoiceType
    tax_registration: TaxRegistration | None
    language: Language
    email_opt_out: bool
    sms_opt_out: bool
    version: int
    created_at: datetime
    updated_at: datetime
