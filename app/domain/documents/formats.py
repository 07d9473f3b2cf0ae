"""How printed documents write numbers, money, dates and addresses (already strings in the
document model, so the renderer never formats)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

CENT = Decimal("0.01")


def money(amount: Decimal) -> str:
    """1234.5 → "1,234.50" (half up to the cent, thousands separated)."""
    return f"{amount.quantize(CENT, rounding=ROUND_HALF_UP):,}"


def quantity(value: Decimal) -> str:
    """4.000 → "4", 2.500 → "2.5"."""
    text = f"{value.normalize():f}"
    return "0" if text in {"-0", ""} else text


def percent(rate: Decimal) -> str:
    """A rate as a share: 0.13 → "13%", 0.065 → "6.5%"."""
    return f"{quantity(rate * 100)}%"


def day(value: date | None) -> str:
    return "" if value is None else value.isoformat()


def local_time(value: datetime | None, zone: str | None = None) -> str:
    """ "2026-12-03 09:30" in ``zone`` (as stored when none)."""
    if value is None:
        return ""
    if zone is not None:
        value = value.astimezone(ZoneInfo(zone))
    return value.strftime("%Y-%m-%d %H:%M")


def clock(value: datetime | None, zone: str | None = None) -> str:
    """ "09:30" in ``zone``."""
    if value is None:
        return ""
    if zone is not None:
        value = value.astimezone(ZoneInfo(zone))
    return value.strftime("%H:%M")


def address(data: Mapping[str, Any] | None, language: str) -> str:
    """A postal address on one line: Chinese from the province down (广东省深圳市南山区科技园路
    1号 518000), English from the street up."""
    if not data:
        return ""
    parts = [data.get(k) for k in ("region", "city", "district", "street")]
    if language == "en":
        line = ", ".join(str(p) for p in reversed(parts) if p)
        tail = " ".join(str(p) for p in (data.get("postcode"), data.get("country")) if p)
        return f"{line} {tail}".strip()
    line = "".join(str(p) for p in parts if p)
    return f"{line} {data.get('postcode') or ''}".strip()
