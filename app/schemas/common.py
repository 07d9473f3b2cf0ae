"""Shared API shapes: problems, pages, and the small value types every resource uses."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from app.domain.currencies import is_currency
from app.domain.errors import RuleViolation
from app.domain.limits import DAYS_MAX, INT32_MAX, numeric_max
from app.domain.routing.windows import ALL_WEEKDAYS, MAX_WINDOWS, check_window

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
# A local wall-clock time of day, 00:00–23:59.
ClockTime = Annotated[
    str,
    StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$"),
    Field(description="HH:MM, local time", examples=["09:30"]),
]


def error_at(loc: tuple[int | str, ...], rule: str, message: str, value: Any) -> ValidationError:
    """A validation error on a part of the value a validator judges as a whole (one item of a
    list): raised inside the validator, pydantic reports it at the field's path + ``loc``."""
    return ValidationError.from_exception_data(
        "Value", [InitErrorDetails(type=PydanticCustomError(rule, message), loc=loc, input=value)]
    )


def end_after_start(end: str, info: ValidationInfo) -> str:
    """The ``end`` of a window or period is after its ``start`` (when that one was valid)."""
    start = info.data.get("start")
    if start is not None:
        try:
            check_window(start, end)
        except RuleViolation as exc:
            (issue,) = exc.issues
            raise PydanticCustomError(issue.rule, issue.message) from exc
    return end


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


Weekday = Annotated[int, Field(ge=1, le=7, description="ISO weekday: 1 = Monday … 7 = Sunday")]


class DeliveryWindow(Schema):
    """When the receiver takes deliveries: on these weekdays, from ``start`` to ``end`` (local
    time, within one day: ``end`` after ``start``)."""

    weekdays: list[Weekday] = Field(
        default_factory=lambda: list(ALL_WEEKDAYS),
        min_length=1,
        max_length=7,
        description="Each once; default: every day",
    )
    start: ClockTime
    end: ClockTime

    @field_validator("weekdays")
    @classmethod
    def _each_day_once(cls, value: list[int]) -> list[int]:
        if len(set(value)) != len(value):
            raise PydanticCustomError("unique", "Each weekday may be given once.")
        return sorted(value)

    _end_after_start = field_validator("end")(end_after_start)


DeliveryWindows = Annotated[
    list[DeliveryWindow],
    Field(
        max_length=MAX_WINDOWS,
        description="When deliveries are taken; several windows mean any of them, none means "
        "any time, and a weekday none names is a day without deliveries",
    ),
]


class ShipToAddress(Address):
    """A postal address deliveries go to, with the times the receiver takes them."""

    delivery_windows: DeliveryWindows = Field(default_factory=list)


class DeliveryAddress(AddressRead):
    """Where an order or shipment goes: the address given with the order, or a copy of one of
    the customer's ship-tos (then with its ``id``, ``label`` and ``is_default``)."""

    model_config = ConfigDict(extra="ignore", from_attributes=True)

    id: str | None = Field(default=None, description="The customer's ship-to it was copied from")
    label: str | None = None
    is_default: bool | None = None
    delivery_windows: DeliveryWindows = Field(default_factory=list)


class Contact(Schema):
    name: str = Field(min_length=1, max_length=200)
    phone: str | None = Field(default=None, max_length=50)
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
