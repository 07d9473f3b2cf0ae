from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from app.domain.documents.formats import address, clock, local_time, money, percent, quantity


def test_numbers() -> None:
    assert money(Decimal("1234.5")) == "1,234.50"
    assert money(Decimal("0.005")) == "0.01"
    assert money(Decimal("-12")) == "-12.00"
    assert quantity(Decimal("4.000")) == "4"
    assert quantity(Decimal("10")) == "10"
    assert quantity(Decimal("2.500")) == "2.5"
    assert percent(Decimal("0.1300")) == "13%"
    assert percent(Decimal("0.065")) == "6.5%"
    assert percent(Decimal("0")) == "0%"


def test_times_in_the_zone() -> None:
    at = datetime(2026, 12, 3, 1, 30, tzinfo=UTC)
    assert local_time(at, "Asia/Shanghai") == "2026-12-03 09:30"
    assert clock(at, "Asia/Shanghai") == "09:30"
    assert local_time(None) == ""


def test_addresses_read_in_the_language() -> None:
    a = {
        "country": "CN",
        "region": "广东省",
        "city": "深圳市",
        "district": "南山区",
        "street": "科技园路1号",
        "postcode": "518000",
    }
    assert address(a, "zh-CN") == "广东省深圳市南山区科技园路1号 518000"
    b = {"country": "US", "region": "CA", "city": "Palo Alto", "street": "1 Main St"}
    assert address(b, "en") == "1 Main St, Palo Alto, CA US"
    assert address(None, "en") == ""
