"""Matching a bank statement line (结算): (a) an invoice number in the memo names the invoice;
(b) otherwise the payer identifies one customer (bank account, else name) with exactly one
open invoice owing exactly the amount; (c) otherwise the line waits for finance."""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from app.domain.billing.bank_statements import INVOICE_NUMBER, LineStatus, MatchRule, StatementLine
from app.domain.errors import InvalidState


@dataclass(frozen=True)
class OpenInvoiceRef:
    """An issued invoice with something still owed."""

    id: uuid.UUID
    number: str
    customer_id: uuid.UUID
    currency: str
    owed: Decimal


@dataclass(frozen=True)
class Payer:
    """How a customer shows on a bank statement: its name, its tax registration's buyer name
    and bank account."""

    customer_id: uuid.UUID
    name: str
    buyer_name: str | None
    account: str | None


@dataclass(frozen=True)
class Match:
    rule: MatchRule
    customer_id: uuid.UUID
    invoice_id: uuid.UUID


def invoice_numbers(memo: str) -> list[str]:
    """The invoice numbers a memo names, in order, upper case, once each."""
    out: list[str] = []
    for found in INVOICE_NUMBER.findall(unicodedata.normalize("NFKC", memo)):
        number = found.upper()
        if number not in out:
            out.append(number)
    return out


def same_account(a: str | None, b: str | None) -> bool:
    def norm(x: str) -> str:
        return re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", x))

    return bool(a and b and norm(a) and norm(a) == norm(b))


def same_name(a: str | None, b: str | None) -> bool:
    def norm(x: str) -> str:
        return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", x)).strip().casefold()

    return bool(a and b and norm(a) and norm(a) == norm(b))


def identify_payer(name: str, account: str | None, payers: Iterable[Payer]) -> uuid.UUID | None:
    """The one customer the payer is: by bank account, else by name (the customer's or its
    buyer name). Two candidates identify nobody."""
    known = list(payers)
    by_account = {p.customer_id for p in known if same_account(account, p.account)}
    if by_account:
        return by_account.pop() if len(by_account) == 1 else None
    by_name = {
        p.customer_id for p in known if same_name(name, p.name) or same_name(name, p.buyer_name)
    }
    return by_name.pop() if len(by_name) == 1 else None


def match_by_invoice_number(line: StatementLine, named: Iterable[OpenInvoiceRef]) -> Match | None:
    """Rule (a): the first open invoice, in the line's currency, the memo names."""
    open_ = {i.number: i for i in named if i.owed > 0 and i.currency == line.currency}
    for number in invoice_numbers(line.memo):
        if number in open_:
            inv = open_[number]
            return Match(MatchRule.INVOICE_NUMBER, inv.customer_id, inv.id)
    return None


def match_by_customer_amount(
    line: StatementLine, customer_id: uuid.UUID | None, open_invoices: Iterable[OpenInvoiceRef]
) -> Match | None:
    """Rule (b): the customer's one open invoice (line currency) owing exactly the amount."""
    if customer_id is None:
        return None
    exact = [
        i
        for i in open_invoices
        if i.customer_id == customer_id and i.currency == line.currency and i.owed == line.amount
    ]
    if len(exact) != 1:
        return None
    return Match(MatchRule.CUSTOMER_AMOUNT, customer_id, exact[0].id)


def check_can_match(status: str) -> None:
    """Only a line waiting in the queue is matched; a matched line already made its payment."""
    if status == LineStatus.MATCHED:
        raise InvalidState("This line is already matched.", code="line_already_matched")
    if status == LineStatus.IGNORED:
        raise InvalidState("This line was ignored.", code="line_ignored")


def check_can_ignore(status: str) -> None:
    if status != LineStatus.UNMATCHED:
        raise InvalidState(
            f"This line is {status}; only unmatched lines are ignored.",
            code=f"line_{'already_matched' if status == 'matched' else 'ignored'}",
        )
