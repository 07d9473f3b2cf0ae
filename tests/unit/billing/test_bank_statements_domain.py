"""Bank statement rules without a database: decoding (UTF-8, UTF-8 with BOM, GB18030),
column aliases, missing columns, amounts, bad rows, fingerprints and the matching rules."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest

from app.domain.billing.bank_matching import (
    OpenInvoiceRef,
    Payer,
    check_can_ignore,
    check_can_match,
    identify_payer,
    invoice_numbers,
    match_by_customer_amount,
    match_by_invoice_number,
)
from app.domain.billing.bank_statements import (
    MatchRule,
    StatementLine,
    decode,
    fingerprint,
    parse_amount,
    parse_date,
    parse_statement,
)
from app.domain.errors import InvalidState, RuleViolation

CHINESE = (
    "交易日期,贷方金额,对方户名,对方账号,摘要,附言\n"
    '2026-12-01,"1,234.50",杭州西湖贸易有限公司,6222 0212 3456 7890,货款,INV-2026-000001\n'
    "2026/12/02,88.00,上海浦东实业有限公司,6222021200001111,转账,\n"
)


def test_utf8_utf8_bom_and_gb18030_decode_to_the_same_lines() -> None:
    plain = parse_statement(CHINESE.encode("utf-8"), "CNY")
    bom = parse_statement(b"\xef\xbb\xbf" + CHINESE.encode("utf-8"), "CNY")
    gb = parse_statement(CHINESE.encode("gb18030"), "CNY")
    assert (plain.encoding, bom.encoding, gb.encoding) == ("utf-8", "utf-8-sig", "gb18030")
    assert plain.lines == bom.lines == gb.lines
    assert [x.payer_name for x in gb.lines] == ["杭州西湖贸易有限公司", "上海浦东实业有限公司"]
    first = gb.lines[0]
    assert first.amount == Decimal("1234.50") and first.booked_on == date(2026, 12, 1)
    assert first.memo == "货款 INV-2026-000001"  # 摘要 and 附言 are read together
    assert first.payer_account == "6222 0212 3456 7890" and first.currency == "CNY"


def test_bytes_that_are_neither_utf8_nor_gb18030_are_refused_on_the_file() -> None:
    with pytest.raises(RuleViolation) as caught:
        decode(b"date,amount\n\x81\x20\xff\xfe")
    assert caught.value.code == "unreadable_encoding"
    assert [(i.field, i.rule) for i in caught.value.issues] == [("file", "unreadable_encoding")]


def test_english_column_names_and_a_currency_column() -> None:
    text = (
        "Date,Amount,Payer Name,Payer_Account,Reference,Currency\n"
        "20261203,¥1000,Acme Trading,ACC-1,order 7,usd\n"
        "2026年12月04日,5.5,Acme Trading,ACC-1,,人民币\n"
    )
    parsed = parse_statement(text.encode(), "CNY")
    assert [(x.booked_on, x.amount, x.currency) for x in parsed.lines] == [
        (date(2026, 12, 3), Decimal("1000"), "USD"),
        (date(2026, 12, 4), Decimal("5.5"), "CNY"),
    ]


def test_the_credit_column_wins_over_a_plain_amount_column() -> None:
    text = "记账日期,金额,收入金额,付款人名称,付款人账号,用途\n2026-12-01,-5,12.00,甲,1,x\n"
    [line] = parse_statement(text.encode(), "CNY").lines
    assert line.amount == Decimal("12.00")


def test_missing_required_columns_are_named() -> None:
    text = "交易日期,对方户名,备注\n2026-12-01,甲,x\n"
    with pytest.raises(RuleViolation) as caught:
        parse_statement(text.encode("gb18030"), "CNY")
    assert caught.value.code == "missing_columns"
    [issue] = caught.value.issues
    assert (issue.field, issue.rule) == ("file", "missing_columns")
    assert "amount" in issue.message and "payer_account" in issue.message
    assert "date" not in issue.message.split("(")[0]


def test_an_empty_file_is_missing_its_columns() -> None:
    with pytest.raises(RuleViolation) as caught:
        parse_statement(b"\n\n", "CNY")
    assert caught.value.code == "missing_columns"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1,234.50", Decimal("1234.50")),
        ("1234.5", Decimal("1234.5")),
        ("¥1,234.50", Decimal("1234.50")),
        ("￥ 1,234.50", Decimal("1234.50")),
        ("RMB 20", Decimal("20")),
        ("-3.00", Decimal("-3.00")),
        ("", None),
        ("  ", None),
    ],
)
def test_amounts(text: str, value: Decimal | None) -> None:
    assert parse_amount(text) == value


@pytest.mark.parametrize("text", ["abc", "1.2.3", "NaN", "Infinity", "1,2e"])
def test_amounts_that_are_not_numbers(text: str) -> None:
    with pytest.raises(ValueError):
        parse_amount(text)


def test_dates_with_times_and_chinese_forms() -> None:
    assert parse_date("2026-12-01 10:22:33") == date(2026, 12, 1)
    assert parse_date("2026年12月01日") == date(2026, 12, 1)
    with pytest.raises(ValueError):
        parse_date("yesterday")


def test_debits_are_skipped_and_reported() -> None:
    text = (
        "date,amount,payer name,payer account,memo\n"
        "2026-12-01,,Bank,1,fee\n"
        "2026-12-01,-20,Supplier,2,out\n"
        "2026-12-01,0.00,X,3,zero\n"
        "2026-12-01,30,Acme,4,in\n"
    )
    parsed = parse_statement(text.encode(), "CNY")
    assert [(s.line_no, s.reason) for s in parsed.skipped] == [
        (1, "not_a_credit"),
        (2, "not_a_credit"),
        (3, "not_a_credit"),
    ]
    assert [x.line_no for x in parsed.lines] == [4]


def test_a_malformed_row_refuses_the_whole_file_naming_each_field() -> None:
    text = (
        "date,amount,payer name,payer account,memo,currency\n"
        "2026-12-01,10,Acme,1,ok,CNY\n"
        "someday,ten,Acme,1,bad,CNY\n"
        "2026-12-01,1.234,Acme,1,three decimals,CNY\n"
        "2026-12-01,5,,1,no payer,ABC\n"  # ABC: no such ISO 4217 code
    )
    with pytest.raises(RuleViolation) as caught:
        parse_statement(text.encode(), "CNY")
    assert sorted((i.field, i.rule) for i in caught.value.issues) == [
        ("lines[2].amount", "decimal"),
        ("lines[2].date", "date"),
        ("lines[3].amount", "minor_units"),
        ("lines[4].currency", "iso_4217"),
        ("lines[4].payer_name", "required"),
    ]


def test_a_nul_in_a_row_is_refused() -> None:
    text = "date,amount,payer name,payer account,memo\n2026-12-01,10,Ac\x00me,1,x\n"
    with pytest.raises(RuleViolation) as caught:
        parse_statement(text.encode(), "CNY")
    assert [(i.field, i.rule) for i in caught.value.issues] == [("lines[1].payer_name", "no_nul")]


def test_fingerprints_count_identical_rows_and_ignore_amount_formatting() -> None:
    text = (
        "date,amount,payer name,payer account,memo\n"
        '2026-12-01,"1,000.00",Acme,1,rent\n'
        "2026-12-01,1000,Acme,1,rent\n"
        "2026-12-01,1000,Acme,1,rent2\n"
    )
    a, b, c = parse_statement(text.encode(), "CNY").lines
    assert a.fingerprint == fingerprint(date(2026, 12, 1), Decimal("1000"), "1", "rent", 0)
    assert b.fingerprint == fingerprint(date(2026, 12, 1), Decimal("1000.00"), "1", "rent", 1)
    assert len({a.fingerprint, b.fingerprint, c.fingerprint}) == 3
    # The same file parsed again gives the same fingerprints (that is what finds duplicates).
    again = parse_statement(text.encode("gb18030"), "CNY").lines
    assert [x.fingerprint for x in again] == [a.fingerprint, b.fingerprint, c.fingerprint]


def test_invoice_numbers_in_a_memo() -> None:
    assert invoice_numbers("货款 inv-2026-000012，INV-2026-000013 INV-2026-000012") == [
        "INV-2026-000012",
        "INV-2026-000013",
    ]
    assert invoice_numbers("INV-26-12 SO-2026-000001") == []


def _line(memo: str = "", amount: str = "100.00", **kw: object) -> StatementLine:
    values: dict[str, object] = {
        "line_no": 1,
        "booked_on": date(2026, 12, 1),
        "amount": Decimal(amount),
        "currency": "CNY",
        "payer_name": "杭州西湖贸易有限公司",
        "payer_account": "6222021234567890",
        "memo": memo,
        "fingerprint": "f",
    }
    values.update(kw)
    return StatementLine(**values)  # type: ignore[arg-type]


A, B = uuid.uuid4(), uuid.uuid4()


def _inv(number: str, owed: str, customer: uuid.UUID = A, currency: str = "CNY") -> OpenInvoiceRef:
    return OpenInvoiceRef(uuid.uuid4(), number, customer, currency, Decimal(owed))


def test_rule_a_the_invoice_number_in_the_memo() -> None:
    paid = _inv("INV-2026-000001", "0")
    open_ = _inv("INV-2026-000002", "40.00", customer=B)
    found = match_by_invoice_number(_line("INV-2026-000001 INV-2026-000002"), [paid, open_])
    assert found is not None
    assert (found.rule, found.invoice_id, found.customer_id) == (
        MatchRule.INVOICE_NUMBER,
        open_.id,
        B,
    )
    assert match_by_invoice_number(_line("INV-2026-000001"), [paid]) is None
    usd = _inv("INV-2026-000003", "100.00", currency="USD")
    assert match_by_invoice_number(_line("INV-2026-000003"), [usd]) is None


PAYERS = [
    Payer(A, "West Lake Trading", "杭州西湖贸易有限公司", "6222 0212 3456 7890"),
    Payer(B, "上海浦东实业有限公司", None, None),
]


def test_the_payer_is_identified_by_account_then_by_name() -> None:
    assert identify_payer("anyone", "6222-0212-3456-7890", PAYERS) == A
    assert identify_payer("杭州西湖贸易有限公司", None, PAYERS) == A  # the buyer name
    assert identify_payer(" 上海浦东实业有限公司 ", "999", PAYERS) == B  # the customer name
    assert identify_payer("nobody", "999", PAYERS) is None
    twins = [*PAYERS, Payer(uuid.uuid4(), "上海浦东实业有限公司", None, None)]
    assert identify_payer("上海浦东实业有限公司", None, twins) is None


def test_rule_b_one_open_invoice_owing_exactly_the_amount() -> None:
    exact = _inv("INV-2026-000010", "100.00")
    other = _inv("INV-2026-000011", "100.01")
    found = match_by_customer_amount(_line(), A, [exact, other])
    assert found is not None and found.invoice_id == exact.id
    assert found.rule == MatchRule.CUSTOMER_AMOUNT
    twin = _inv("INV-2026-000012", "100")
    assert match_by_customer_amount(_line(), A, [exact, twin]) is None  # two: ambiguous
    assert match_by_customer_amount(_line(), None, [exact]) is None  # nobody identified
    assert match_by_customer_amount(_line(), B, [exact]) is None  # another customer's
    assert match_by_customer_amount(_line(amount="99.99"), A, [exact]) is None


def test_a_line_is_matched_or_ignored_once() -> None:
    check_can_match("unmatched")
    check_can_ignore("unmatched")
    for status, code in [("matched", "line_already_matched"), ("ignored", "line_ignored")]:
        with pytest.raises(InvalidState) as caught:
            check_can_match(status)
        assert caught.value.code == code
        with pytest.raises(InvalidState) as caught:
            check_can_ignore(status)
        assert caught.value.code == code
