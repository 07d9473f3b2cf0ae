"""Bank statements (结算): a CSV of received transfers, decoded, parsed and matched to invoices.

A file is decoded as UTF-8 (with or without a BOM), else as GB18030 (what Chinese banks and
Excel on Chinese Windows export), else refused. Its header names the columns, in English or as
Chinese banks label them. A malformed row refuses the whole file (nothing half-imports); a row
that is not money received (a debit: an empty, zero or negative credit amount) is skipped and
reported. Each line carries a fingerprint, so a transfer seen in an earlier statement (two
statements that overlap) is never paid twice.

Matching a parsed line to invoices is ``app.domain.billing.bank_matching``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from app.domain.currencies import is_currency
from app.domain.errors import FieldIssue, PayloadTooLarge, RuleViolation
from app.domain.limits import MONEY_MAX
from app.domain.money import round_money
from app.domain.order_import import UnreadableEncoding
from app.domain.text import NUL

MAX_LINES = 5000
PAYER_NAME_MAX = 200
PAYER_ACCOUNT_MAX = 64
MEMO_MAX = 2000
REFERENCE_MAX = 200

# Header aliases per column, most specific first (a file with 金额 and 贷方金额 pays by the
# credit column). Compared after NFKC, lower case, without spaces, "_" and "-".
COLUMNS: dict[str, tuple[str, ...]] = {
    "date": ("date", "bookedon", "transactiondate", "valuedate", "交易日期", "记账日期"),
    "amount": ("credit", "creditamount", "贷方金额", "收入金额", "amount", "金额"),
    "payer_name": ("payername", "payer", "对方户名", "付款人名称", "对方名称", "付款方名称"),
    "payer_account": ("payeraccount", "对方账号", "付款人账号", "付款方账号"),
    "memo": ("reference", "memo", "摘要", "附言", "用途", "备注"),
    "currency": ("currency", "币种"),
}
REQUIRED = ("date", "amount", "payer_name", "payer_account", "memo")
# Several memo columns (摘要 and 附言 side by side) are read together.
MULTI = {"memo"}
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d", "%Y年%m月%d日")
CURRENCY_WORDS = {"人民币": "CNY", "RMB": "CNY"}
INVOICE_NUMBER = re.compile(r"INV-\d{4}-\d{6}", re.IGNORECASE)


class LineStatus(StrEnum):
    MATCHED = "matched"
    UNMATCHED = "unmatched"
    IGNORED = "ignored"
    DUPLICATE = "duplicate"


class MatchRule(StrEnum):
    INVOICE_NUMBER = "invoice_number"
    CUSTOMER_AMOUNT = "customer_amount"
    MANUAL = "manual"


class MissingColumns(RuleViolation):
    code = "missing_columns"


@dataclass(frozen=True)
class StatementLine:
    line_no: int
    booked_on: date
    amount: Decimal
    currency: str
    payer_name: str
    payer_account: str | None
    memo: str
    fingerprint: str


@dataclass(frozen=True)
class SkippedRow:
    line_no: int
    reason: str


@dataclass(frozen=True)
class ParsedStatement:
    encoding: str
    lines: list[StatementLine]
    skipped: list[SkippedRow]


def digest(data: bytes) -> str:
    """The file's identity: the same bytes are the same statement."""
    return hashlib.sha256(data).hexdigest()


def decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding it was read as: UTF-8 (a BOM is dropped), else GB18030."""
    bom = data.startswith(b"\xef\xbb\xbf")
    candidates = ("utf-8-sig",) if bom else ("utf-8", "gb18030")
    for encoding in candidates:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise UnreadableEncoding.on(
        "file", "unreadable_encoding", "The file is neither UTF-8 nor GB18030 text."
    )


def _key(header: str) -> str:
    text = unicodedata.normalize("NFKC", header).strip().lower()
    return re.sub(r"[\s_\-]", "", text)


def map_columns(header: Sequence[str]) -> dict[str, list[int]]:
    """The positions of each known column in ``header``; refuses a header without every
    required column (naming the missing ones)."""
    keys = [_key(h) for h in header]
    found: dict[str, list[int]] = {}
    for column, aliases in COLUMNS.items():
        for alias in aliases:
            positions = [i for i, k in enumerate(keys) if k == alias]
            if positions:
                found.setdefault(column, []).extend(positions)
                if column not in MULTI:
                    break
    missing = [c for c in REQUIRED if c not in found]
    if missing:
        raise MissingColumns.on(
            "file",
            "missing_columns",
            f"Missing column(s): {', '.join(missing)} (e.g. "
            + "; ".join(f"{c}: {'/'.join(COLUMNS[c][:2] + COLUMNS[c][-2:])}" for c in missing)
            + ").",
        )
    return found


def parse_amount(text: str) -> Decimal | None:
    """ "1,234.50", "1234.5", "¥1,234.50", "RMB 1,234.50" → Decimal; empty → None.
    Raises ``ValueError`` for text that is not a number."""
    cleaned = unicodedata.normalize("NFKC", text).strip()
    for mark in ("¥", "CNY", "RMB", "元", ",", " "):
        cleaned = cleaned.replace(mark, "")
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValueError(text) from exc
    if not value.is_finite():
        raise ValueError(text)
    return value


def parse_date(text: str) -> date:
    """The booking date, from a date or a date and time (``2026-12-01 10:20:00``)."""
    head = unicodedata.normalize("NFKC", text).strip().split(" ")[0].split("T")[0]
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(head, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def fingerprint(booked_on: date, amount: Decimal, account: str | None, memo: str, n: int) -> str:
    """A transfer's identity across statements: date, amount, payer account, memo, and its
    occurrence among identical rows of one file (two equal transfers the same day are two)."""
    text = "|".join([booked_on.isoformat(), format(amount.normalize(), "f"), account or "", memo])
    return hashlib.sha256(f"{text}|{n}".encode()).hexdigest()


def _cell(row: Sequence[str], positions: list[int] | None) -> str:
    if not positions:
        return ""
    parts = [row[i].strip() for i in positions if i < len(row) and row[i].strip()]
    return " ".join(parts)


def _currency(text: str, default: str) -> str:
    raw = unicodedata.normalize("NFKC", text).strip()
    if not raw:
        return default
    return CURRENCY_WORDS.get(raw.upper(), CURRENCY_WORDS.get(raw, raw.upper()))


def _row_issues(
    n: int, amount_text: str, date_text: str, currency: str, texts: dict[str, str]
) -> tuple[list[FieldIssue], Decimal | None, date | None]:
    issues: list[FieldIssue] = []
    amount: Decimal | None = None
    booked: date | None = None
    try:
        amount = parse_amount(amount_text)
    except ValueError:
        issues.append(FieldIssue(f"lines[{n}].amount", "decimal", f"'{amount_text}' is no amount."))
    try:
        booked = parse_date(date_text)
    except ValueError:
        issues.append(FieldIssue(f"lines[{n}].date", "date", f"'{date_text}' is no date."))
    if not is_currency(currency):
        issues.append(FieldIssue(f"lines[{n}].currency", "iso_4217", f"'{currency}' is unknown."))
    elif amount is not None and amount > 0:
        if amount > MONEY_MAX:
            issues.append(FieldIssue(f"lines[{n}].amount", "le", "The amount is too large."))
        elif round_money(amount, currency) != amount:
            issues.append(
                FieldIssue(f"lines[{n}].amount", "minor_units", f"{amount} has too many decimals.")
            )
    limits = {"payer_name": PAYER_NAME_MAX, "payer_account": PAYER_ACCOUNT_MAX, "memo": MEMO_MAX}
    for name, text in texts.items():
        if NUL in text:
            issues.append(FieldIssue(f"lines[{n}].{name}", "no_nul", "Text may not hold NUL."))
        elif len(text) > limits[name]:
            issues.append(
                FieldIssue(f"lines[{n}].{name}", "max_length", f"At most {limits[name]} chars.")
            )
    if not texts["payer_name"]:
        issues.append(FieldIssue(f"lines[{n}].payer_name", "required", "The payer is missing."))
    return issues, amount, booked


def parse_statement(data: bytes, default_currency: str) -> ParsedStatement:
    """Every received transfer of the file, or a 422 naming each bad row's field."""
    text, encoding = decode(data)
    rows = list(csv.reader(io.StringIO(text)))
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise MissingColumns.on("file", "missing_columns", "The file has no header row.")
    columns = map_columns(rows[0])
    if len(rows) - 1 > MAX_LINES:
        raise PayloadTooLarge(f"A statement holds at most {MAX_LINES} lines.")
    issues: list[FieldIssue] = []
    lines: list[StatementLine] = []
    skipped: list[SkippedRow] = []
    seen: dict[tuple[date, Decimal, str | None, str], int] = {}
    for n, row in enumerate(rows[1:], start=1):
        texts = {k: _cell(row, columns.get(k)) for k in ("payer_name", "payer_account", "memo")}
        currency = _currency(_cell(row, columns.get("currency")), default_currency)
        amount_text = _cell(row, columns["amount"][:1])
        found, amount, booked = _row_issues(
            n, amount_text, _cell(row, columns["date"][:1]), currency, texts
        )
        if found:
            issues.extend(found)
            continue
        assert booked is not None
        if amount is None or amount <= 0:
            skipped.append(SkippedRow(n, "not_a_credit"))
            continue
        account = texts["payer_account"] or None
        key = (booked, amount.normalize(), account, texts["memo"])
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        lines.append(
            StatementLine(
                line_no=n,
                booked_on=booked,
                amount=amount,
                currency=currency,
                payer_name=texts["payer_name"],
                payer_account=account,
                memo=texts["memo"],
                fingerprint=fingerprint(booked, amount, account, texts["memo"], occurrence),
            )
        )
    if issues:
        raise RuleViolation(
            f"{len({i.field.split('.')[0] for i in issues})} row(s) of the file are malformed; "
            "nothing was imported.",
            issues=issues,
        )
    return ParsedStatement(encoding, lines, skipped)


def reference_of(line_memo: str, payer_account: str | None) -> str | None:
    """The payment's reference: the memo (cut to fit), else the payer's account."""
    memo = line_memo.strip()
    return memo[:REFERENCE_MAX] if memo else payer_account
