"""Replenishment rules and purchase order receipts, without a database."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.errors import InvalidState, RuleViolation
from app.domain.purchasing import (
    LineQuantities,
    PurchaseOrderStatus,
    check_cancel,
    check_receipt,
    check_receive,
    check_send,
    format_purchase_order_number,
    status_after_receipt,
)
from app.domain.replenishment import (
    ProductPosition,
    Reason,
    expected_date,
    group_by_supplier,
    plan,
    round_up,
    suggest,
)

D = Decimal
SUPPLIER_A, SUPPLIER_B = uuid.uuid4(), uuid.uuid4()


def position(**kw) -> ProductPosition:
    values = {
        "product_id": uuid.uuid4(),
        "sku": "SKU-1",
        "available": D(0),
        "shortage": D(0),
        "on_order": D(0),
        "reorder_point": D(0),
        "reorder_quantity": D(0),
        "uom_precision": 0,
        "supplier_id": SUPPLIER_A,
    }
    values.update(kw)
    return ProductPosition(**values)


def test_below_reorder_point_suggests_the_reorder_quantity() -> None:
    s = suggest(position(available=D(3), reorder_point=D(5), reorder_quantity=D(20)))
    assert s is not None
    assert s.reasons == (Reason.BELOW_REORDER_POINT,) and s.quantity == 20


def test_at_the_reorder_point_nothing_is_suggested() -> None:
    assert suggest(position(available=D(5), reorder_point=D(5), reorder_quantity=D(20))) is None


def test_goods_on_order_count_towards_the_reorder_point() -> None:
    p = position(available=D(1), on_order=D(10), reorder_point=D(5), reorder_quantity=D(20))
    assert suggest(p) is None


def test_shortage_adds_to_the_reorder_quantity() -> None:
    s = suggest(position(shortage=D(7), reorder_point=D(5), reorder_quantity=D(20)))
    assert s is not None
    assert s.reasons == (Reason.SHORTAGE, Reason.BELOW_REORDER_POINT)
    assert s.quantity == 27


def test_shortage_with_no_reorder_point_buys_the_shortage_plus_reorder_quantity() -> None:
    s = suggest(position(available=D(0), shortage=D(4), reorder_quantity=D(10)))
    assert s is not None and s.reasons[0] is Reason.SHORTAGE and s.quantity == 14


def test_shortage_already_covered_by_purchase_orders_is_not_bought_twice() -> None:
    p = position(shortage=D(4), on_order=D(4), reorder_quantity=D(10))
    assert suggest(p) is None
    partly = suggest(position(shortage=D(4), on_order=D(1), reorder_quantity=D(10)))
    assert partly is not None and partly.quantity == 13


def test_zero_reorder_quantity_fills_up_to_the_reorder_point() -> None:
    s = suggest(position(available=D(2), reorder_point=D(10)))
    assert s is not None and s.quantity == 8


@pytest.mark.parametrize(
    ("quantity", "precision", "expected"),
    [("2.1", 0, "3"), ("2.0", 0, "2"), ("1.2341", 3, "1.235"), ("0.001", 2, "0.01")],
)
def test_quantities_round_up_to_the_unit_precision(quantity, precision, expected) -> None:
    assert round_up(D(quantity), precision) == D(expected)


def test_pieces_are_suggested_in_whole_units() -> None:
    s = suggest(position(shortage=D("2.5"), reorder_quantity=D("0.2")))
    assert s is not None and s.quantity == 3
    kg = suggest(position(shortage=D("2.5"), reorder_quantity=D("0.2"), uom_precision=3))
    assert kg is not None and kg.quantity == D("2.7")


def test_expected_date_adds_the_lead_time() -> None:
    assert expected_date(date(2026, 12, 28), 7) == date(2027, 1, 4)


def test_suggestions_group_by_supplier_with_the_unassigned_last() -> None:
    today = date(2026, 11, 22)
    positions = [
        position(sku="A1", shortage=D(1)),
        position(sku="N1", shortage=D(1), supplier_id=None),
        position(sku="B1", shortage=D(1), supplier_id=SUPPLIER_B),
        position(sku="A2", shortage=D(1)),
        position(sku="OK", available=D(50), reorder_point=D(5)),
    ]
    groups = plan(positions, {SUPPLIER_A: 3, SUPPLIER_B: 10}, today)
    assert [g.supplier_id for g in groups] == [SUPPLIER_A, SUPPLIER_B, None]
    assert [[s.position.sku for s in g.suggestions] for g in groups] == [
        ["A1", "A2"],
        ["B1"],
        ["N1"],
    ]
    assert groups[0].expected_date == date(2026, 11, 25) and groups[0].lead_time_days == 3
    assert groups[1].expected_date == date(2026, 12, 2)
    assert groups[2].unassigned and groups[2].expected_date is None
    assert not groups[0].unassigned


def test_no_suggestions_no_groups() -> None:
    assert group_by_supplier([], {}, date(2026, 1, 1)) == []


quantities = st.decimals(min_value=0, max_value=10_000, places=3, allow_nan=False)


@given(
    available=quantities,
    shortage=quantities,
    reorder_point=quantities,
    reorder_quantity=quantities,
    precision=st.integers(min_value=0, max_value=3),
)
def test_suggested_quantity_covers_the_shortage(
    available, shortage, reorder_point, reorder_quantity, precision
) -> None:
    p = position(
        available=available,
        shortage=shortage,
        reorder_point=reorder_point,
        reorder_quantity=reorder_quantity,
        uom_precision=precision,
    )
    s = suggest(p)
    if shortage > 0:
        assert s is not None and s.quantity >= shortage
    if s is not None:
        assert s.quantity > 0
        assert s.quantity == round_up(s.quantity, precision)


@given(
    available=quantities,
    on_order=quantities,
    shortage=quantities,
    reorder_point=quantities,
    reorder_quantity=quantities,
)
def test_suggested_quantity_covers_what_is_not_on_order(
    available, on_order, shortage, reorder_point, reorder_quantity
) -> None:
    p = position(
        available=available,
        on_order=on_order,
        shortage=shortage,
        reorder_point=reorder_point,
        reorder_quantity=reorder_quantity,
    )
    s = suggest(p)
    if shortage > on_order:
        assert s is not None and s.quantity >= shortage - on_order
    if s is not None and Reason.BELOW_REORDER_POINT in s.reasons and reorder_quantity == 0:
        # Without a reorder quantity, the suggestion brings the position back to the point.
        assert p.projected + s.quantity >= reorder_point


@given(
    stock=quantities,
    reorder_point=quantities,
    reorder_quantity=quantities,
    on_order=quantities,
)
def test_nothing_short_and_above_the_reorder_point_suggests_nothing(
    stock, reorder_point, reorder_quantity, on_order
) -> None:
    available = max(stock, reorder_point - on_order)
    p = position(
        available=available,
        on_order=on_order,
        reorder_point=reorder_point,
        reorder_quantity=reorder_quantity,
    )
    assert suggest(p) is None


def test_purchase_order_numbers() -> None:
    assert format_purchase_order_number(2026, 42) == "PO-2026-000042"


def test_life_cycle_checks() -> None:
    check_send("draft", "PO-1")
    for status in ("sent", "partially_received", "received", "cancelled"):
        with pytest.raises(InvalidState):
            check_send(status, "PO-1")
    for status in ("draft", "sent"):
        check_cancel(status, "PO-1")
    for status in ("partially_received", "received", "cancelled"):
        with pytest.raises(InvalidState, match=status):
            check_cancel(status, "PO-1")
    for status in ("sent", "partially_received"):
        check_receive(status, "PO-1")
    for status in ("draft", "received", "cancelled"):
        with pytest.raises(InvalidState):
            check_receive(status, "PO-1")


def test_receipt_beyond_the_tolerance_names_each_line() -> None:
    a = LineQuantities("A", D(10), D(8))
    b = LineQuantities("B", D(5), D(0))
    check_receipt([(0, a, D(2)), (1, b, D(5))], D(0))
    with pytest.raises(RuleViolation) as caught:
        check_receipt([(0, a, D(3)), (1, b, D(6))], D(0))
    assert [i.field for i in caught.value.issues] == ["lines.0.quantity", "lines.1.quantity"]
    assert {i.rule for i in caught.value.issues} == {"over_receipt"}
    assert "ordered 10, received 8, receiving 3 would exceed 10" in caught.value.issues[0].message
    check_receipt([(0, a, D(3))], D(10))  # 11 ≤ 10 + 10 %
    with pytest.raises(RuleViolation):
        check_receipt([(0, a, D("3.001"))], D(10))


def test_status_after_receipt_is_derived_from_the_lines() -> None:
    partial = [LineQuantities("A", D(10), D(10)), LineQuantities("B", D(5), D(1))]
    full = [LineQuantities("A", D(10), D(11)), LineQuantities("B", D(5), D(5))]
    assert status_after_receipt(partial) is PurchaseOrderStatus.PARTIALLY_RECEIVED
    assert status_after_receipt(full) is PurchaseOrderStatus.RECEIVED
