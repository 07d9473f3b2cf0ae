"""The rules of resolving a return: once received, as asked or by a refund instead, for what
arrived and is not credited yet."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal as D

import pytest

from app.domain.after_sales import resolution as rules
from app.domain.after_sales.returns import ReturnResolution as R
from app.domain.errors import InvalidState


@dataclass
class Line:
    received: D | None
    credited: D = D(0)


def test_what_arrived_and_what_is_left_to_credit() -> None:
    assert rules.arrived(Line(None)) == 0
    assert rules.arrived(Line(D(2))) == 2
    assert rules.to_credit(Line(D(2), D(1))) == 1


def test_a_received_return_is_resolved_as_asked_or_by_a_refund() -> None:
    rules.check_resolvable("received", "replacement", R.REPLACEMENT)
    rules.check_resolvable("received", "replacement", R.REFUND)
    with pytest.raises(InvalidState) as exc:
        rules.check_resolvable("received", "refund", R.EXCHANGE)
    assert exc.value.code == "resolution_not_requested"
    with pytest.raises(InvalidState) as exc:
        rules.check_resolvable("approved", "refund", R.REFUND)
    assert exc.value.code == "return_not_received"


def test_the_invoice_that_billed_the_goods_is_one() -> None:
    import uuid

    a, b = uuid.uuid4(), uuid.uuid4()
    assert rules.billing_invoice([a, a]) == a
    for ids, code in (([], "return_not_invoiced"), ([a, b], "return_spans_invoices")):
        with pytest.raises(InvalidState) as exc:
            rules.billing_invoice(ids)
        assert exc.value.code == code
    assert rules.price_difference(D("25"), D("10")) == D("15")
