"""Amounts spelled in Chinese capitals (大写金额), as on receipts and in
ledgers kept by hand: ``3000 → 叁仟元整``, ``1234.5 → 壹仟贰佰叁拾肆元伍角``."""

from __future__ import annotations

__all__ = ["capitals"]

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL = ("", "拾", "佰", "仟")


def _group(n: int) -> str:
    """0 < n < 10000 in capitals, with 零 for inner zeros."""
    out, zero = "", False
    for pos in range(3, -1, -1):
        d = n // 10**pos % 10
        if d == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += _DIGITS[d] + _SMALL[pos]
    return out


def capitals(amount: float) -> str:
    """An amount below 1 亿 in capitals, to the fen.

    >>> [capitals(x) for x in (3000, 10500, 60, 1250, 100000, 10001)]
    ['叁仟元整', '壹万零伍佰元整', '陆拾元整', '壹仟贰佰伍拾元整', '壹拾万元整', '壹万零壹元']
    >>> capitals(1234.5), capitals(20.07), capitals(0.5)
    ('壹仟贰佰叁拾肆元伍角', '贰拾元零柒分', '伍角')
    """
    fen = round(amount * 100)
    if fen <= 0 or fen >= 10**10:
        raise ValueError(f"amount out of range: {amount}")
    yuan, rest = divmod(fen, 100)
    jiao, f = divmod(rest, 10)
    text = ""
    if yuan:
        high, low = divmod(yuan, 10000)
        if high:
            text = _group(high) + "万"
            if low:
                text += ("零" if low < 1000 else "") + _group(low)
        else:
            text = _group(low)
        text += "元"
    if not jiao and not f:
        # a round sum: 整 when the last digit is a zero ("叁仟元整"), as people write it
        return text + ("整" if yuan % 10 == 0 and yuan >= 10 else "")
    if jiao:
        text += _DIGITS[jiao] + "角"
    elif yuan:
        text += "零"
    if f:
        text += _DIGITS[f] + "分"
    return text
