"""Input rules of issue 11 that need no database: NUL in text, what the columns hold."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.domain.errors import RuleViolation
from app.domain.limits import MONEY_MAX, QUANTITY_MAX, numeric_max
from app.domain.order_import import STALE_AFTER, import_status
from app.domain.pricing import LineAmounts, check_storable
from app.domain.text import nul_issues, nul_pairs, without_nul


def test_nul_issues_name_every_string_key_and_value_that_holds_one() -> None:
    document = {"a": "x\x00", "b": [{"c": "ok"}, {"d\x00": 1}], "e": 5}
    assert [i.field for i in nul_issues(document, ("body",))] == ["body.a", "body.b.1.d\x00"]
    assert {i.rule for i in nul_issues(document)} == {"no_nul"}
    assert nul_issues({"a": ["fine"], "b": None}) == []


def test_nul_issues_survive_documents_deeper_than_the_stack() -> None:
    deep: object = "\x00"
    for _ in range(50_000):
        deep = [deep]
    assert [i.field for i in nul_issues(deep)] == [".".join(["0"] * 50_000)]


def test_nul_pairs_and_without_nul() -> None:
    assert [i.field for i in nul_pairs([("q", "a\x00"), ("ok", "b")], "query")] == ["query.q"]
    assert without_nul("a\x00b") == "a\ufffdb"


def test_numeric_max_is_what_a_numeric_column_holds() -> None:
    assert numeric_max(18, 3) == QUANTITY_MAX == Decimal("999999999999999.999")
    assert numeric_max(18, 4) == MONEY_MAX
    assert numeric_max(12, 2) == Decimal("9999999999.99")


def _amounts(total: Decimal) -> LineAmounts:
    return LineAmounts(total, Decimal(0), total, Decimal(0), total)


def test_check_storable_names_the_line_or_the_order() -> None:
    check_storable([("lines.0", Decimal(1), _amounts(MONEY_MAX))])
    with pytest.raises(RuleViolation) as line:
        check_storable(
            [
                ("lines.0", Decimal(1), _amounts(Decimal(1))),
                ("lines.1", Decimal(1), _amounts(MONEY_MAX + 1)),
            ]
        )
    assert [(i.field, i.rule) for i in line.value.issues] == [("lines.1", "amount_too_large")]
    with pytest.raises(RuleViolation) as order:
        check_storable([(f"lines.{i}", Decimal(1), _amounts(MONEY_MAX)) for i in range(2)])
    assert [(i.field, i.rule) for i in order.value.issues] == [("lines", "total_too_large")]
    with pytest.raises(RuleViolation) as quantity:
        check_storable([("lines.0", QUANTITY_MAX + 1, _amounts(Decimal(1)))])
    assert [i.field for i in quantity.value.issues] == ["lines.0.quantity"]


def test_a_running_import_that_stopped_progressing_is_interrupted() -> None:
    from datetime import UTC, datetime, timedelta

    now = datetime(2026, 12, 2, tzinfo=UTC)
    assert import_status("running", now - STALE_AFTER - timedelta(seconds=1), now) == "interrupted"
    assert import_status("running", now - STALE_AFTER, now) == "running"
    assert import_status("completed", now - timedelta(days=1), now) == "completed"
