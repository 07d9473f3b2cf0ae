"""Amounts in Chinese capital numerals (大写金额), as cheques, invoices and statements print them.

The rules are those of the People's Bank of China, 《支付结算办法》 (银发〔1997〕393号),
附件一 《正确填写票据和结算凭证的基本规定》, 第二、三条:

- the digits 壹贰叁肆伍陆柒捌玖 with the units 拾佰仟万亿 and 元角分; 拾 keeps its 壹
  (壹拾万, not 拾万) so nothing can be written in front of it;
- an amount that ends at 元 is followed by 整; after 角 "整" may be left out — we write it, as
  invoices commonly do (伍角整); after 分 never;
- a zero (or a run of zeros) between digits is written as one 零 (1,409.50 → 壹仟肆佰零玖元伍角;
  6,007.14 → 陆仟零柒元壹角肆分);
- where the 万 or 元 digit is zero the 零 may be written or left out (1,680.32 → 壹仟陆佰捌拾元
  叁角贰分; 107,000.53 → 壹拾万柒仟元伍角叁分): we leave it out, so a group's trailing zeros
  fold into its 万/亿 and the 元's zero into 元;
- a zero 角 before a non-zero 分 is written 零 (16,409.02 → 壹万陆仟肆佰零玖元零贰分).

Amounts are rounded to the fen, half up; a negative amount is prefixed 负."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

DIGITS = "零壹贰叁肆伍陆柒捌玖"
_PLACES = ("仟", "佰", "拾", "")
_GROUPS = ("亿", "万", "")
LIMIT = Decimal(10) ** 12
FEN = Decimal("0.01")
# Every character a capital amount may hold.
ALPHABET = frozenset(DIGITS + "拾佰仟万亿元角分整负")


def _integer_words(n: int) -> str:
    """Yuan 1 … 10^12 − 1 in words, without 元."""
    out: list[str] = []
    zero_pending = False
    digits = f"{n:012d}"
    for g, unit in enumerate(_GROUPS):
        group = digits[4 * g : 4 * g + 4]
        if group == "0000":
            zero_pending = zero_pending or bool(out)
            continue
        for place, d in zip(_PLACES, group, strict=True):
            if d == "0":
                zero_pending = zero_pending or bool(out)
                continue
            if zero_pending:
                out.append("零")
                zero_pending = False
            out.append(DIGITS[int(d)] + place)
        out.append(unit)
        # Zeros at the end of a group fold into its 万/亿 (壹拾万柒仟, not 壹拾万零柒仟).
        zero_pending = False
    return "".join(out)


def rmb_in_words(amount: Decimal) -> str:
    """``amount`` yuan in capital numerals: 1234.56 → 壹仟贰佰叁拾肆元伍角陆分, 1004.05 →
    壹仟零肆元零伍分, 100000 → 壹拾万元整, 0.5 → 伍角整, 0 → 零元整, −3 → 负叁元整.
    Rounded to the fen (half up); ValueError when not finite or not below 10^12 in size."""
    if not amount.is_finite():
        raise ValueError(f"{amount} is not an amount.")
    rounded = amount.quantize(FEN, rounding=ROUND_HALF_UP)
    size = abs(rounded)
    if size >= LIMIT:
        raise ValueError(f"{amount} is too large to write in words (at most 10^12 - 0.01).")
    fen_total = int(size * 100)
    yuan, jiao, fen = fen_total // 100, fen_total // 10 % 10, fen_total % 10
    if fen_total == 0:
        return "零元整"
    words = _integer_words(yuan) + "元" if yuan else ""
    if jiao:
        words += DIGITS[jiao] + "角"
    if fen:
        words += ("零" if yuan and not jiao else "") + DIGITS[fen] + "分"
    else:
        words += "整"
    return ("负" if rounded < 0 else "") + words


def amount_in_words(amount: Decimal, currency: str, language: str) -> str | None:
    """The total in words as a document prints it: 大写金额 for renminbi in Chinese; None for
    other currencies or languages (no words are printed then)."""
    if currency.upper() == "CNY" and language == "zh-CN":
        return rmb_in_words(amount)
    return None
