"""大写金额: the PBOC rules' own examples, the issue's, and properties over all amounts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.documents.capital_numerals import (
    ALPHABET,
    DIGITS,
    amount_in_words,
    rmb_in_words,
)


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("1234.56", "壹仟贰佰叁拾肆元伍角陆分"),
        ("1234", "壹仟贰佰叁拾肆元整"),
        ("1004.05", "壹仟零肆元零伍分"),
        ("100000", "壹拾万元整"),
        ("0.5", "伍角整"),
        ("0.05", "伍分"),
        ("0.55", "伍角伍分"),
        ("0", "零元整"),
        ("100010001.01", "壹亿零壹万零壹元零壹分"),
        ("10", "壹拾元整"),
        ("10.05", "壹拾元零伍分"),
        ("1000.30", "壹仟元叁角整"),
        # 《支付结算办法》 附件一 第三条's examples (the variant without the optional 零).
        ("1409.50", "壹仟肆佰零玖元伍角整"),
        ("6007.14", "陆仟零柒元壹角肆分"),
        ("1680.32", "壹仟陆佰捌拾元叁角贰分"),
        ("107000.53", "壹拾万柒仟元伍角叁分"),
        ("16409.02", "壹万陆仟肆佰零玖元零贰分"),
        ("325.04", "叁佰贰拾伍元零肆分"),
        ("20500", "贰万零伍佰元整"),
        ("100000000", "壹亿元整"),
        ("100000001", "壹亿零壹元整"),
        ("100001000", "壹亿零壹仟元整"),
        ("110000001", "壹亿壹仟万零壹元整"),
        ("100100000000", "壹仟零壹亿元整"),
        ("999999999999.99", "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
        ("-3", "负叁元整"),
        ("-1234.56", "负壹仟贰佰叁拾肆元伍角陆分"),
    ],
)
def test_examples(amount: str, words: str) -> None:
    assert rmb_in_words(Decimal(amount)) == words


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("0.005", "壹分"),  # half up to the fen
        ("0.004", "零元整"),
        ("-0.004", "零元整"),  # rounds to zero: no 负
        ("1.995", "贰元整"),
        ("2.345", "贰元叁角伍分"),
    ],
)
def test_rounds_half_up_to_the_fen(amount: str, words: str) -> None:
    assert rmb_in_words(Decimal(amount)) == words


@pytest.mark.parametrize("amount", ["1000000000000", "-1000000000000", "NaN", "Infinity"])
def test_refuses_what_cannot_be_written(amount: str) -> None:
    with pytest.raises(ValueError):
        rmb_in_words(Decimal(amount))


def test_words_only_for_renminbi_in_chinese() -> None:
    assert amount_in_words(Decimal("5"), "CNY", "zh-CN") == "伍元整"
    assert amount_in_words(Decimal("5"), "USD", "zh-CN") is None
    assert amount_in_words(Decimal("5"), "CNY", "en") is None


_UNITS = {"拾": 10, "佰": 100, "仟": 1000}


def _parse(words: str) -> Decimal:
    """Back from words to the amount (the inverse the rules make possible)."""
    sign = -1 if words.startswith("负") else 1
    words = words.removeprefix("负").removesuffix("整")
    if words == "零元":
        return Decimal(0)
    yuan_part, _, rest = words.rpartition("元") if "元" in words else ("", "", words)
    total = 0
    section = 0
    group = 0
    digit = 0
    for ch in yuan_part:
        if ch in DIGITS:
            digit = DIGITS.index(ch)
        elif ch in _UNITS:
            group += digit * _UNITS[ch]
            digit = 0
        elif ch == "万":
            section += (group + digit) * 10_000
            group = digit = 0
        elif ch == "亿":
            total += (section + group + digit) * 100_000_000
            section = group = digit = 0
    total += section + group + digit
    fen = 0
    digit = 0
    for ch in rest:
        if ch in DIGITS:
            digit = DIGITS.index(ch)
        elif ch == "角":
            fen += digit * 10
        elif ch == "分":
            fen += digit
    return sign * (Decimal(total) + Decimal(fen) / 100)


amounts = st.decimals(
    min_value=Decimal("-999999999999.99"),
    max_value=Decimal("999999999999.99"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)
# Sparse digits (many zeros) are where the rules bite.
sparse = st.lists(st.sampled_from("0000000123456789"), min_size=1, max_size=14).map(
    lambda ds: Decimal("".join(ds)) / 100
)


@given(st.one_of(amounts, sparse))
def test_uses_only_capital_numerals_and_never_repeats_zero(amount: Decimal) -> None:
    words = rmb_in_words(amount)
    assert set(words) <= ALPHABET
    assert "零零" not in words
    assert not words.endswith("零")
    assert words.endswith(("整", "分"))
    assert "零元" not in words or words == "零元整"
    assert not words.startswith("零") or words == "零元整"
    assert "零万" not in words and "零亿" not in words and "零元" not in words[1:]


@given(st.one_of(amounts, sparse))
def test_reads_back_as_the_amount(amount: Decimal) -> None:
    assert _parse(rmb_in_words(amount)) == amount
