"""Personal data: phone numbers recognised and checked in one way, and masked (with ID-card
numbers, e-mail addresses and names) in logs and in anything published."""

from __future__ import annotations

import logging
import re
from typing import Optional

MOBILE = re.compile(r"(?<!\d)(\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)")
"""A mainland mobile number in running text: 13812345678, 138-1234-5678, +86 138 1234 5678."""
LANDLINE = re.compile(r"(?<!\d)(0\d{2,3}-?)(\d{3,4})(\d{4})(?!\d)")
ID_CARD = re.compile(r"(?<![\dA-Za-z])(\d{6})(\d{8})(\d{3}[\dXx])(?![\dA-Za-z])")
EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*(@[A-Za-z0-9.-]+\.[A-Za-z]{2,})")
_SURNAMES = (
    "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻柏水窦章云苏潘葛"
    "奚范彭郎鲁韦昌马苗凤花方俞任袁柳鲍史唐费廉岑薛雷贺倪汤滕殷罗毕郝邬安常乐于时傅皮卞齐康伍余"
    "元卜顾孟平黄和穆萧尹姚邵汪祁毛禹狄米贝明臧计伏成戴谈宋茅庞熊纪舒屈项祝董梁杜阮蓝闵席季麻强"
    "贾路娄危江童颜郭梅盛林刁钟徐邱骆高夏蔡田樊胡凌霍虞万支柯管卢莫经房裘缪解应宗丁宣邓郁单杭洪"
    "包诸左石崔吉龚程邢裴陆荣翁荀羊甄曲家封储靳段富巫乌焦巴弓牧山谷车侯全班仰秋仲伊宫宁仇栾暴甘"
    "厉戎祖武符刘景詹束龙叶幸司韶黎蓟薄印宿白怀蒲邰从鄂索咸籍赖卓蔺屠蒙池乔阴胥能苍双闻莘党翟谭"
    "贡劳逄姬申扶堵冉宰郦雍璩桑桂濮牛寿通边扈燕冀浦尚农温别庄晏柴瞿阎充慕连茹习宦艾鱼容向古易慎"
    "戈廖庾终暨居衡步都耿满弘匡国文寇广禄阙东欧沃利蔚越夔隆师巩厍聂晁勾敖融冷訾辛阚那简饶空曾毋"
    "沙乜养鞠须丰巢关蒯相查后荆红游竺权逯盖益桓公"
)
NAME_AFTER_CUE = re.compile(
    r"(我叫|本人叫|我是|姓名[:：]?|联系人[:：]?|名字[:：]?|叫做)\s*([" + _SURNAMES + r"])([\u4e00-\u9fff]{1,2})"
)
HONORIFIC = re.compile(r"([" + _SURNAMES + r"])(先生|女士|小姐|阿姨|大爷|师傅|老师)")


def find_mobile(text: Optional[str]) -> Optional[str]:
    """The 11 digits of the first mobile number in `text`, or None."""
    found = MOBILE.search(text or "")
    return "".join(found.group(2, 3, 4)) if found else None


def normalise_phone(value: Optional[str]) -> Optional[str]:
    """The digits of a mobile number or a landline with its area code, or None if `value` is
    not one (spaces, dashes, brackets and +86 allowed)."""
    digits = re.sub(r"[\s\-()（）]", "", value or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    if MOBILE.fullmatch(digits) or LANDLINE.fullmatch(digits):
        return digits
    return None


def mask_phone(number: str) -> str:
    digits = re.sub(r"\D", "", number)
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "****" + digits[-4:]


def mask(text: str) -> str:
    """Mask phone numbers, ID-card numbers, e-mail addresses and names that follow a cue."""
    if not text:
        return text
    text = ID_CARD.sub(lambda m: m.group(1) + "********" + "***" + "*", text)
    text = MOBILE.sub(lambda m: (m.group(1) or "") + m.group(2) + "****" + m.group(4), text)
    text = LANDLINE.sub(lambda m: m.group(1) + "****" + m.group(3), text)
    text = EMAIL.sub(lambda m: m.group(1) + "***" + m.group(2), text)
    text = NAME_AFTER_CUE.sub(lambda m: m.group(1) + m.group(2) + "*" * len(m.group(3)), text)
    text = HONORIFIC.sub(lambda m: m.group(1) + m.group(2), text)
    return text


def without_personal_data(text: str) -> str:
    """`text` with phone numbers, ID-card numbers, e-mail addresses and cued names removed
    (not masked): for what is computed from citizens' words and then shown, such as grouping
    keywords, where even a masked number says nothing and two people's shared number must not
    make their opinions look alike."""
    if not text:
        return text
    for pattern in (ID_CARD, MOBILE, LANDLINE, EMAIL):
        text = pattern.sub(" ", text)
    text = NAME_AFTER_CUE.sub(lambda m: m.group(1), text)
    return HONORIFIC.sub(lambda m: m.group(2), text)


def is_personal(word: str) -> bool:
    """True when a single word shown in public would be (or contain) personal data."""
    return bool(
        mask(word) != word or without_personal_data(word) != word or _LONG_DIGITS.search(word)
    )


_LONG_DIGITS = re.compile(r"\d{7,}")


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***."""
    name = (name or "").strip()
    if not name:
        return ""
    return name[0] + "*" * (len(name) - 1)


class MaskingFilter(logging.Filter):
    """A logging filter that masks personal data in every record's rendered message."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string must not lose the record
            return True
        masked = mask(message)
        if masked != message:
            record.msg = masked
            record.args = None
        return True


def install_log_masking(logger: logging.Logger | None = None) -> None:
    """Attach the masking filter to every handler of `logger` (root by default)."""
    target = logger or logging.getLogger()
    masking = MaskingFilter()
    for handler in target.handlers:
        if not any(isinstance(f, MaskingFilter) for f in handler.filters):
            handler.addFilter(masking)
    if not any(isinstance(f, MaskingFilter) for f in target.filters):
        target.addFilter(masking)
