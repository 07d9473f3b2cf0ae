"""The statement and invoice assemblers' documents, from values (no database)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from app.domain.billing.aging import Aged, Bucket
from app.domain.documents.model import Company, PageSize, Table, Totals
from app.repositories.books import CustomerMovement
from app.repositories.invoices import Invoice, InvoiceLine
from app.services.documents.invoice import assemble_invoice
from app.services.documents.options import Frame
from app.services.documents.statement import StatementFacts, assemble_statement

D = Decimal
FRAME = Frame(Company(name="拉丁"), "zh-CN", PageSize.A4)


def _move(amount: str, kind: str, source: str, memo: str) -> CustomerMovement:
    return CustomerMovement(
        entry_id=uuid.uuid4(),
        posted_at=datetime(2026, 11, 5, 2, 0, tzinfo=UTC),
        memo=memo,
        source_type=kind,
        source_id=source,
        action="issued",
        currency="CNY",
        amount=D(amount),
    )


def test_the_statement_runs_the_balance_and_splits_charges_from_credits() -> None:
    aged = Aged()
    aged.add(Bucket.DAYS_1_30, D("150.00"))
    facts = StatementFacts(
        customer_name="上海华东贸易有限公司",
        customer_code="C-1",
        start=date(2026, 11, 1),
        end=date(2026, 11, 30),
        opening={"CNY": D("50.00")},
        moves=[
            _move("200.00", "invoice", "i1", "发票 INV-1"),
            _move("-100.00", "payment", "p1", "收款 PAY-1"),
        ],
        numbers={("invoice", "i1"): "INV-1", ("payment", "p1"): "PAY-1"},
        aged={"CNY": aged},
    )
    document = assemble_statement(facts, FRAME)
    table, totals, aging = document.blocks
    assert isinstance(table, Table) and isinstance(totals, Totals) and isinstance(aging, Table)
    assert table.rows[0][-1] == "50.00"
    assert table.rows[1][1:] == ("发票", "INV-1", "发票 INV-1", "200.00", "", "250.00")
    assert table.rows[2][1:] == ("收款", "PAY-1", "收款 PAY-1", "", "100.00", "150.00")
    assert totals.in_words == "大写金额：壹佰伍拾元整"
    assert aging.rows == (("CNY", "0.00", "150.00", "0.00", "0.00", "0.00", "150.00"),)
    english = assemble_statement(facts, Frame(Company(name="X"), "en", PageSize.LETTER))
    assert english.title == "Customer statement" and english.page_size is PageSize.LETTER
    assert english.blocks[1].in_words is None  # type: ignore[union-attr]


def test_the_invoice_totals_per_rate_and_in_words() -> None:
    invoice = Invoice(
        number="INV-1",
        status="issued",
        currency="CNY",
        net_total=D("230.00"),
        tax_total=D("27.80"),
        total=D("257.80"),
        issue_date=date(2026, 12, 1),
        due_date=date(2026, 12, 31),
    )

    def line(no: int, rate: str, net: str, tax: str) -> InvoiceLine:
        return InvoiceLine(
            line_no=no,
            sku=f"S-{no}",
            description="螺丝刀",
            quantity=D("1.000"),
            unit_price=D(net),
            tax_rate=D(rate),
            gross=D(net),
            discount=D(0),
            net=D(net),
            tax=D(tax),
            total=D(net) + D(tax),
        )

    lines = [line(1, "0.13", "200.00", "26.00"), line(2, "0.06", "30.00", "1.80")]
    document = assemble_invoice(
        invoice, lines, FRAME, customer_name="甲", customer_code="C-1", buyer={}
    )
    totals = next(b for b in document.blocks if isinstance(b, Totals))
    assert [(f.label, f.value) for f in totals.lines] == [
        ("金额（税率 6%）", "30.00"),
        ("税额（税率 6%）", "1.80"),
        ("金额（税率 13%）", "200.00"),
        ("税额（税率 13%）", "26.00"),
        ("合计金额", "230.00"),
        ("合计税额", "27.80"),
        ("价税合计", "CNY 257.80"),
    ]
    assert totals.in_words == "大写金额：贰佰伍拾柒元捌角整"
    assert document.title == "发票" and document.number == "INV-1"
