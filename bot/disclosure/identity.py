"""Identity numbers: validation (GB 11643 resident ID, GB 32100 credit code) and masking.

The full number is checked once at intake and never stored: the application keeps a masked
form to show and a keyed digest to recognise the same applicant again (repeated applications).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import date
from typing import Callable

_RESIDENT_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_RESIDENT_CHECK = "10X98765432"
_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


class InvalidIdNumber(ValueError):
    """The number is not valid for its type; the message is Chinese and safe to show."""


def normalise(number: str) -> str:
    return re.sub(r"[\s\-]", "", number or "").upper()


def check_resident_id(number: str) -> str:
    """An 18-character 居民身份证 number with a valid birth date and check character."""
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise InvalidIdNumber("身份证号码应为18位（最后一位可以是X），请核对")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdNumber("身份证号码中的出生日期不正确，请核对") from None
    if born.year < 1900 or born > date.today():
        raise InvalidIdNumber("身份证号码中的出生日期不正确，请核对")
    total = sum(int(d) * w for d, w in zip(number[:17], _RESIDENT_WEIGHTS, strict=True))
    if _RESIDENT_CHECK[total % 11] != number[17]:
        raise InvalidIdNumber("身份证号码校验位不正确，请核对后重新输入")
    return number


def check_credit_code(number: str) -> str:
    """An 18-character 统一社会信用代码 with a valid check character."""
    if len(number) != 18 or any(c not in _CREDIT_ALPHABET for c in number):
        raise InvalidIdNumber("统一社会信用代码应为18位数字或大写字母，请核对")
    total = sum(
        _CREDIT_ALPHABET.index(c) * w for c, w in zip(number[:17], _CREDIT_WEIGHTS, strict=True)
    )
    if _CREDIT_ALPHABET[(31 - total % 31) % 31] != number[17]:
        raise InvalidIdNumber("统一社会信用代码校验位不正确，请核对后重新输入")
    return number


def check_passport(number: str) -> str:
    """Passports and travel permits have no public checksum: 5 to 20 letters and digits."""
    if not re.fullmatch(r"[A-Z0-9]{5,20}", number):
        raise InvalidIdNumber("证件号码应为5到20位字母或数字，请核对")
    return number


ID_CHECKS: dict[str, Callable[[str], str]] = {
    "resident_id": check_resident_id,
    "credit_code": check_credit_code,
    "passport": check_passport,
}


def mask_id(number: str) -> str:
    """First two and last two characters: 33**************1X."""
    if len(number) <= 4:
        return "*" * len(number)
    return number[:2] + "*" * (len(number) - 4) + number[-2:]


def id_digest(number: str, key: str) -> str:
    """A keyed digest: the same number gives the same digest, and the digest alone reveals
    nothing (an unkeyed hash of an 18-digit ID number is easy to reverse by trying birthdays)."""
    return hmac.new(key.encode(), number.encode(), hashlib.sha256).hexdigest()
