"""统一社会信用代码: length, alphabet and check character; the special-invoice buyer rule."""

from __future__ import annotations

import pytest

from app.domain.billing.taxpayer import (
    buyer_issues,
    check_buyer,
    check_character,
    is_valid_taxpayer_id,
    taxpayer_id_problem,
)
from app.domain.errors import RuleViolation

# Published codes (the check characters agree with GB 32100-2015's computation).
REAL = ["91350100M000100Y43", "91440300708461136T", "91110000802100433B", "913100007109385971"]
FULL = {
    "buyer_name": "福州某某贸易有限公司",
    "taxpayer_id": "91350100M000100Y43",
    "address": "福州市鼓楼区五四路 1 号",
    "phone": "0591-87654321",
    "bank": "中国工商银行福州分行",
    "account": "1402023309000123456",
}


@pytest.mark.parametrize("code", REAL)
def test_published_codes_are_valid(code: str) -> None:
    assert is_valid_taxpayer_id(code)
    assert check_character(code[:17]) == code[17]


def test_a_wrong_check_character_is_refused() -> None:
    assert taxpayer_id_problem("91350100M000100Y44") == (
        "check_character",
        "The check character of 91350100M000100Y4 is 3.",
    )


def test_wrong_length_and_bad_characters_are_refused() -> None:
    assert taxpayer_id_problem("91350100M000100Y4")[0] == "length"  # type: ignore[index]
    assert taxpayer_id_problem("91350100M000100Y433")[0] == "length"  # type: ignore[index]
    for bad in ("91350100I000100Y43", "91350100O000100Y43", "91350100s000100Y43"):
        assert taxpayer_id_problem(bad)[0] == "alphabet"  # type: ignore[index]


def test_a_special_invoice_needs_every_buyer_field() -> None:
    assert buyer_issues("special", FULL) == []
    missing = {**FULL, "bank": None, "phone": ""}
    assert [i.field for i in buyer_issues("special", missing)] == [
        "tax_registration.phone",
        "tax_registration.bank",
    ]
    assert len(buyer_issues("special", None)) == 6
    with pytest.raises(RuleViolation) as refused:
        check_buyer("special", {**FULL, "taxpayer_id": "91350100M000100Y44"})
    assert [(i.field, i.rule) for i in refused.value.issues] == [
        ("tax_registration.taxpayer_id", "check_character")
    ]


def test_an_ordinary_invoice_needs_nothing_but_a_valid_id_if_any() -> None:
    assert buyer_issues("ordinary", None) == []
    assert buyer_issues("ordinary", {"buyer_name": "x"}) == []
    assert [i.rule for i in buyer_issues("ordinary", {"taxpayer_id": "123"})] == ["length"]
