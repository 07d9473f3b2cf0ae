"""统一社会信用代码 (unified social credit code, GB 32100-2015): the taxpayer id of a buyer on a
VAT invoice. 18 characters of the code's alphabet; the last is a check character over the
first 17 (weights 3^i mod 31, modulus 31)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.domain.errors import FieldIssue, RuleViolation

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # digits and capitals without I, O, Z, S, V
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18


def check_character(first17: str) -> str:
    """The check character of the first 17 characters (all from :data:`ALPHABET`)."""
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def taxpayer_id_problem(code: str) -> tuple[str, str] | None:
    """Why ``code`` is not a valid unified social credit code, as (rule, message); None when
    it is one."""
    if len(code) != LENGTH:
        return "length", f"A taxpayer id has {LENGTH} characters, not {len(code)}."
    bad = sorted({c for c in code if c not in ALPHABET})
    if bad:
        return (
            "alphabet",
            f"A taxpayer id uses digits and capitals except I, O, Z, S, V; not {''.join(bad)}.",
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        return "check_character", f"The check character of {code[:17]} is {expected}."
    return None


def is_valid_taxpayer_id(code: str) -> bool:
    return taxpayer_id_problem(code) is None


# What a special (专用) VAT invoice prints of its buyer, every one required.
SPECIAL_INVOICE_FIELDS = ("buyer_name", "taxpayer_id", "address", "phone", "bank", "account")


def buyer_issues(invoice_type: str, buyer: Mapping[str, Any] | None) -> list[FieldIssue]:
    """What keeps an invoice of ``invoice_type`` from being issued to ``buyer`` (the customer's
    tax registration as the invoice recorded it): a special invoice needs every buyer field
    and a valid taxpayer id; an ordinary one needs nothing, but a taxpayer id it carries is
    valid."""
    details = buyer or {}
    issues = []
    if invoice_type == "special":
        for name in SPECIAL_INVOICE_FIELDS:
            if not details.get(name):
                issues.append(
                    FieldIssue(
                        f"tax_registration.{name}",
                        "required_for_special",
                        f"A special (专用) invoice needs the buyer's {name.replace('_', ' ')}.",
                    )
                )
    taxpayer_id = details.get("taxpayer_id")
    if taxpayer_id:
        problem = taxpayer_id_problem(str(taxpayer_id))
        if problem is not None:
            issues.append(FieldIssue("tax_registration.taxpayer_id", problem[0], problem[1]))
    return issues


def check_buyer(invoice_type: str, buyer: Mapping[str, Any] | None) -> None:
    """Refuse to issue an invoice whose buyer details are not enough (422 naming each field)."""
    issues = buyer_issues(invoice_type, buyer)
    if issues:
        raise RuleViolation(
            f"The buyer's tax registration is not enough for a {invoice_type} invoice.",
            issues=issues,
        )
