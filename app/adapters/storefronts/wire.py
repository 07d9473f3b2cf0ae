"""What the storefront adapters share: one JSON exchange under a deadline with every failure
turned into :class:`StorefrontError`, and readers of an answer's fields.

Classification (the worker retries what is retryable, with backoff, and dead-letters the rest):

- transport failures and timeouts: retryable, ``status`` None;
- 429 and 5xx: retryable (a 429's ``Retry-After`` kept as ``retry_after``);
- other 4xx (bad credentials, unknown order, refused input): not retryable;
- a 2xx whose body is not the JSON the platform promises: retryable — every call is safe to
  repeat, and such answers come from proxies and half-delivered bodies more often than from
  the platform; the dead-letter limit ends a lasting one."""

from __future__ import annotations

import asyncio
from decimal import ROUND_FLOOR, Decimal
from typing import Any

import httpx

from app.adapters.storefronts.base import StorefrontError

DEFAULT_TIMEOUT_S = 15.0
RAW_ERROR_CHARS = 500  # of an error answer quoted in the message
MAX_QUANTITY = 1_000_000_000  # the largest stock quantity sent (Shopify's inventory maximum)


class Malformed(Exception):
    """The answer is not shaped as the platform documents it."""


def malformed(what: str, exc: Exception, status: int | None = None) -> StorefrontError:
    return StorefrontError(f"malformed {what}: {exc}", status=status, retryable=True)


def retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None
    return seconds if seconds is not None and 0 <= seconds < 86400 else None


def said(response: httpx.Response) -> str:
    """What an error answer says: WooCommerce's ``message`` (with its ``code``), Shopify's
    ``errors`` (a string, list or object), else the start of the raw body."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        if isinstance(body.get("message"), str):
            code = body.get("code")
            return f"{code}: {body['message']}" if isinstance(code, str) else body["message"]
        if body.get("errors"):
            return str(body["errors"])[:RAW_ERROR_CHARS]
    return response.text[:RAW_ERROR_CHARS].strip()


async def exchange(
    client: httpx.AsyncClient, method: str, url: str, *, timeout_s: float, **kwargs: Any
) -> Any:
    """One HTTP exchange; its JSON body (None for an empty one)."""
    try:
        async with asyncio.timeout(timeout_s):
            response = await client.request(method, url, **kwargs)
    except (httpx.HTTPError, TimeoutError) as exc:
        raise StorefrontError(
            f"{method} {url} failed: {type(exc).__name__}: {exc}", retryable=True
        ) from exc
    status = response.status_code
    if not 200 <= status < 300:
        detail = said(response)
        raise StorefrontError(
            f"{method} {url} answered {status}" + (f": {detail}" if detail else ""),
            status=status,
            retryable=status == 429 or status >= 500,
            retry_after=retry_after(response) if status == 429 else None,
        )
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError as exc:
        raise malformed(f"answer to {method} {url} (not JSON)", exc, status) from exc


def field(data: Any, name: str) -> Any:
    """``data[name]``, present and not null."""
    if not isinstance(data, dict) or data.get(name) is None:
        raise Malformed(f"missing field '{name}'")
    return data[name]


def obj(data: Any, name: str) -> dict[str, Any]:
    value = field(data, name)
    if not isinstance(value, dict):
        raise Malformed(f"field '{name}' is not an object")
    return value


def items(data: Any, name: str) -> list[Any]:
    """A list field (``[]`` when null: GraphQL and WooCommerce both answer empty lists so)."""
    if not isinstance(data, dict):
        raise Malformed(f"missing field '{name}'")
    value = data.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise Malformed(f"field '{name}' is not a list")
    return value


def nodes(data: Any, name: str) -> list[Any]:
    """The ``nodes`` of a GraphQL connection field."""
    if not isinstance(data, dict) or data.get(name) is None:
        return []
    return items(obj(data, name), "nodes")


def text(data: Any, name: str) -> str:
    value = field(data, name)
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        raise Malformed(f"field '{name}' is not a non-empty string")
    return str(value)


def optional_text(data: Any, name: str) -> str | None:
    if not isinstance(data, dict) or data.get(name) in (None, ""):
        return None
    return text(data, name)


def integer(data: Any, name: str) -> int:
    value = field(data, name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise Malformed(f"field '{name}' is not an integer")
    return value


def whole_units(available: Decimal) -> int:
    """A sellable quantity as a shop takes it: whole units, rounded down, 0 at least."""
    if not available.is_finite() or available <= 0:
        return 0
    return min(int(available.to_integral_value(rounding=ROUND_FLOOR)), MAX_QUANTITY)
