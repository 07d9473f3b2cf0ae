"""The books (invariant 9): a chart of accounts and the journal entry each money event posts.

Every invoice, payment, application, credit note, refund and reversal posts one balanced
entry, in its own currency, in the same transaction as the change. Receivables and customer
credit carry the customer, so a customer's receivable balance can be read from the journal and
proved equal to invoices − applied payments − applied credit notes (``lading check``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from app.domain.errors import InvalidState
from app.domain.money import ZERO


class Account(StrEnum):
    """The accounts Lading posts to (codes of the Chinese standard chart where there is one)."""

    CASH = "1001"  # 库存现金
    BANK = "1002"  # 银行存款
    CLEARING = "1012"  # 其他货币资金: card and storefront gateway settlements
    RECEIVABLES = "1122"  # 应收账款
    CUSTOMER_CREDIT = "2203"  # 预收账款: payments and credit not yet applied
    OUTPUT_VAT = "22210106"  # 应交税费-应交增值税(销项税额)
    FX_CLEARING = "1901"  # cross-currency applications, per currency
    REVENUE = "6001"  # 主营业务收入


ACCOUNT_NAMES: dict[Account, str] = {
    Account.CASH: "Cash",
    Account.BANK: "Bank",
    Account.CLEARING: "Card and gateway clearing",
    Account.RECEIVABLES: "Accounts receivable",
    Account.CUSTOMER_CREDIT: "Customer credit (unapplied)",
    Account.OUTPUT_VAT: "Output VAT",
    Account.FX_CLEARING: "Currency clearing",
    Account.REVENUE: "Sales revenue",
}

# Accounts kept per customer (the receivable and the customer's unapplied credit).
PER_CUSTOMER = frozenset({Account.RECEIVABLES, Account.CUSTOMER_CREDIT})


@dataclass(frozen=True)
class Leg:
    """One line of an entry: a debit (positive) or a credit (negative) to an account."""

    account: Account
    amount: Decimal
    currency: str

    @property
    def debit(self) -> Decimal:
        return self.amount if self.amount > 0 else ZERO

    @property
    def credit(self) -> Decimal:
        return -self.amount if self.amount < 0 else ZERO


@dataclass(frozen=True)
class Posting:
    """A journal entry to post: what it is for and its legs (zero legs are dropped)."""

    memo: str
    legs: tuple[Leg, ...]

    def __post_init__(self) -> None:
        check_balanced(self.legs)


def check_balanced(legs: Sequence[Leg]) -> None:
    """Debits equal credits, per currency."""
    sums: dict[str, Decimal] = {}
    for leg in legs:
        sums[leg.currency] = sums.get(leg.currency, ZERO) + leg.amount
    unbalanced = {c: s for c, s in sums.items() if s != 0}
    if unbalanced:
        raise InvalidState(f"Unbalanced journal entry: {unbalanced}.", code="unbalanced_entry")


def entry(memo: str, currency: str, *pairs: tuple[Account, Decimal]) -> Posting:
    legs = tuple(Leg(a, x, currency) for a, x in pairs if x != 0)
    return Posting(memo, legs)


def invoice_issued(net: Decimal, tax: Decimal, currency: str, number: str) -> Posting:
    """Dr receivables, Cr revenue and output VAT."""
    return entry(
        f"Invoice {number}",
        currency,
        (Account.RECEIVABLES, net + tax),
        (Account.REVENUE, -net),
        (Account.OUTPUT_VAT, -tax),
    )


def credit_note_issued(net: Decimal, tax: Decimal, currency: str, number: str) -> Posting:
    """Dr revenue and output VAT, Cr the customer's credit (applied later, or refunded)."""
    return entry(
        f"Credit note {number}",
        currency,
        (Account.REVENUE, net),
        (Account.OUTPUT_VAT, tax),
        (Account.CUSTOMER_CREDIT, -(net + tax)),
    )


def received(amount: Decimal, currency: str, account: Account, memo: str) -> Posting:
    """Money in (a payment): Dr bank/cash/clearing, Cr customer credit. A negative amount
    is money out (a refund, a bounced payment)."""
    return entry(memo, currency, (account, amount), (Account.CUSTOMER_CREDIT, -amount))


def applied(amount: Decimal, currency: str, memo: str) -> Posting:
    """Credit applied to an invoice: Dr customer credit, Cr receivables (negative: unapplied)."""
    return entry(memo, currency, (Account.CUSTOMER_CREDIT, amount), (Account.RECEIVABLES, -amount))


def applied_across(
    amount: Decimal, currency: str, owed: Decimal, owed_currency: str, memo: str
) -> Posting:
    """Credit in one currency applied to an invoice in another: each side balanced in its own
    currency through the currency clearing account."""
    legs = (
        Leg(Account.CUSTOMER_CREDIT, amount, currency),
        Leg(Account.FX_CLEARING, -amount, currency),
        Leg(Account.FX_CLEARING, owed, owed_currency),
        Leg(Account.RECEIVABLES, -owed, owed_currency),
    )
    return Posting(memo, tuple(x for x in legs if x.amount != 0))
