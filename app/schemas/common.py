"""Shared API shapes: problems, pages, and the small value types every resource uses."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Generic, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
)
from pydantic_core import PydanticCustomError

from app.domain.currencies import is_currency
from app.domain.limits import DAYS_MAX, INT32_MAX, numeric_max

T = TypeVar("T")

Code = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._\-/]*$",
    ),
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


def _iso_currency(code: str) -> str:
    if not is_currency(code):
        raise PydanticCustomError(
            "iso_4217", "'{code}' is not an ISO 4217 currency code.", {"code": code}
        )
    return code


CurrencyCode = Annotated[
    str, StringConstraints(pattern=r"^[A-Z]{3}$"), AfterValidator(_iso_currency)
]
# Numbers are bounded by what their columns hold (``app.domain.limits``), so the bounds show in
# the OpenAPI document and a number the database cannot store is a 422, never an overflow.
NonNegativeMoney = Annotated[
    Decimal, Field(ge=0, max_digits=18, decimal_places=4, le=numeric_max(18, 4))
]
Quantity = Annotated[
    Decimal, Field(max_digits=18, decimal_places=3, le=numeric_max(18, 3), ge=-numeric_max(18, 3))
]
Priority = Annotated[int, Field(ge=0, le=INT32_MAX, description="Lower is preferred")]
Days = Annotated[int, Field(ge=0, le=DAYS_MAX)]


def decimal_text(value: Decimal) -> str:
    """Plain notation without trailing zeros: 31.230400 → "31.2304", 10.000 → "10"."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def amount_text(value: Decimal) -> str:
    """Money: at least two decimals, more only when they are significant (12.5 → "12.50")."""
    normalized = value.normalize()
    exponent = normalized.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -2:
        normalized = value.quantize(Decimal("0.01"))
    return format(normalized, "f")


# Output types: the same text whichever engine stored the value.
DecimalOut = Annotated[Decimal, PlainSerializer(decimal_text, return_type=str, when_used="json")]
AmountOut = Annotated[Decimal, PlainSerializer(amount_text, return_type=str, when_used="json")]


class Schema(BaseModel):
    """Base of every API model: unknown fields are refused rather than silently dropped."""

    model_config = ConfigDict(extra="forbid", from_attributes=True)


class FieldError(BaseModel):
    field: str = Field(description="Dotted path of the offending input, e.g. body.lines.0.sku")
    rule: str = Field(description="The rule that was broken, e.g. greater_than_equal")
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details, as every error is returned."""

    type: str
    title: str
    status: int
    detail: str
    code: str = Field(description="Stable machine-readable code, e.g. insufficient_stock")
    errors: list[FieldError] | None = None
    request_id: str | None = None


class Page(BaseModel, Generic[T]):
    """One page of a list; pass ``next_cursor`` back as ``cursor`` for the next one."""

    items: list[T]
    next_cursor: str | None = None


class Address(Schema):
    """A postal address; Chinese addresses fit as they are (province → region, 区 → district)."""

    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] = Field(
        description="ISO 3166-1 alpha-2, e.g. CN"
    )
    region: str | None = Field(default=None, max_length=100, description="Province or state")
    city: str = Field(min_length=1, max_length=100)
    district: str | None = Field(default=None, max_length=100)
    postcode: str | None = Field(default=None, max_length=20)
    street: str = Field(min_length=1, max_length=300)
    latitude: DecimalOut | None = Field(default=None, ge=-90, le=90)
    longitude: DecimalOut | None = Field(default=None, ge=-180, le=180)


class AddressRead(Address):
    """A stored postal address, as read back (coordinates as decimal text)."""


class DeliveryAddress(AddressRead):
    """Where an order or shipment goes: the address given with the order, or a copy of one of
    the customer's ship-tos (then with its ``id``, ``label`` and ``is_default``)."""

    model_config = ConfigDict(extra="ignore", from_attributes=True)

    id: str | None = Field(default=None, description="The customer's ship-to it was copied from")
    label: str | None = None
    is_default: bool | None = None


class Contact(Schema):
    name: str = Field(min_length=1, max_length=200)
    phone: str | None = Field(default=None, max_length=50)
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
