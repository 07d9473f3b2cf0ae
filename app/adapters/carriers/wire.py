"""What the HTTP carrier adapters share (generic JSON, EasyPost): one JSON request with the
error handling every adapter needs (transport failures, timeouts and 5xx retryable; 4xx not;
an unreadable body a 502), and readers of the fields of an answer that raise ``Malformed``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx

from app.adapters.carriers.base import CarrierError, CarrierErrorDetail

RAW_ERROR_CHARS = 2000  # of an error answer that is not the error JSON
DEFAULT_TIMEOUT_S = 10.0


class Malformed(Exception):
    """The carrier's answer is not what its protocol promises (reported as 502)."""


async def request_json(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    timeout_s: float,
    expect_body: bool = True,
    **kwargs: Any,
) -> Any:
    """One HTTP exchange under a deadline, with every failure turned into ``CarrierError``."""
    try:
        async with asyncio.timeout(timeout_s):
            response = await client.request(method, url, **kwargs)
    except (httpx.HTTPError, TimeoutError) as exc:
        raise CarrierError(
            f"{method} {url} failed: {type(exc).__name__}: {exc}", retryable=True
        ) from exc
    status = response.status_code
    if status >= 400:
        raise answer_error(method, url, response)
    if not expect_body:
        return None
    try:
        return response.json()
    except ValueError as exc:
        raise CarrierError(f"{method} {url}: the body is not JSON", status=502) from exc


def _detail(item: Any) -> CarrierErrorDetail | None:
    if isinstance(item, str) and item:
        return CarrierErrorDetail(item)
    if isinstance(item, dict) and item.get("message"):
        where = item.get("field")
        return CarrierErrorDetail(str(item["message"]), str(where) if where else None)
    return None


def error_body(body: Any) -> tuple[str | None, str | None, tuple[CarrierErrorDetail, ...]]:
    """``(code, message, details)`` of an error answer ``{"error": {"code", "message",
    "errors": [...]}}`` — EasyPost's shape (its items are ``{"field", "message"}`` objects or
    plain strings), which the generic protocol's carriers answer too. Nones and () when the
    body is not that shape."""
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, str) and error:
        return None, error, ()
    if not isinstance(error, dict):
        return None, None, ()
    code = error.get("code")
    message = error.get("message")
    raw = error.get("errors")
    details = tuple(d for d in map(_detail, raw if isinstance(raw, list) else []) if d)
    return (
        str(code) if code not in (None, "") else None,
        str(message) if message not in (None, "") else None,
        details,
    )


def describe_error(
    code: str | None, message: str | None, details: tuple[CarrierErrorDetail, ...]
) -> str:
    """``PARAMETER.REQUIRED: Missing required parameter. (shipment: cannot be blank)``."""
    items = "; ".join(f"{d.field}: {d.message}" if d.field else d.message for d in details)
    text = ": ".join(x for x in (code, message) if x)
    return f"{text} ({items})" if text and items else text or items


def answer_error(method: str, url: str, response: httpx.Response) -> CarrierError:
    """The ``CarrierError`` of a 4xx/5xx answer, with the carrier's code, message and
    itemised errors when the body has them (whole, not cut); any other body is quoted up to
    :data:`RAW_ERROR_CHARS` characters."""
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = None
    code, message, details = error_body(body)
    said = describe_error(code, message, details) or response.text[:RAW_ERROR_CHARS].strip()
    return CarrierError(
        f"{method} {url} answered {status}" + (f": {said}" if said else ""),
        status=status,
        retryable=status >= 500,
        code=code,
        details=details,
    )


def field(data: Any, name: str) -> Any:
    """``data[name]``, present and not null; a ``Malformed`` otherwise."""
    if not isinstance(data, dict) or data.get(name) is None:
        raise Malformed(f"missing field '{name}'")
    return data[name]


def text(data: Any, name: str) -> str:
    value = field(data, name)
    if not isinstance(value, str) or not value:
        raise Malformed(f"field '{name}' is not a non-empty string")
    return value


def decimal(data: Any, name: str) -> Decimal:
    value = field(data, name)
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise Malformed(f"field '{name}' is not an amount")
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise Malformed(f"field '{name}' is not an amount") from exc
    if not amount.is_finite():
        raise Malformed(f"field '{name}' is not an amount")
    return amount


def timestamp(data: Any, name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text(data, name).replace("Z", "+00:00"))
    except ValueError as exc:
        raise Malformed(f"field '{name}' is not an ISO 8601 time") from exc
    if moment.tzinfo is None:
        raise Malformed(f"field '{name}' has no UTC offset")
    return moment


def optional_date(data: Any, name: str) -> date | None:
    if not isinstance(data, dict) or data.get(name) is None:
        return None
    try:
        return date.fromisoformat(text(data, name)[:10])
    except ValueError as exc:
        raise Malformed(f"field '{name}' is not a date") from exc


def items(data: Any, name: str) -> list[Any]:
    value = field(data, name)
    if not isinstance(value, list):
        raise Malformed(f"field '{name}' is not a list")
    return value


def lowered(headers: Mapping[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}
