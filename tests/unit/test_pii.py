"""The personal-data recogniser for published texts (domain/pii.py, R-12345-11) on a corpus of well over
100 strings: every mobile, landline and ID number format, names, rooms — and the text around them kept."""

from __future__ import annotations

import re

import pytest

from chalicelib.domain.pii import redact

MOBILES = ("13800001234", "15912345678", "18657601234", "19988887777", "17012345678")


def mobile_formats(m: str) -> list[str]:
    full_width = m.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    return [
        m,
        f"{m[:3]} {m[3:7]} {m[7:]}",
        f"{m[:3]}-{m[3:7]}-{m[7:]}",
        f"+86{m}",
        f"+86 {m[:3]} {m[3:7]} {m[7:]}",
        f"+86-{m}",
        f"0086{m}",
        f"86-{m}",
        full_width,
        f"＋８６ {full_width}",
        f"{m[:3]}.{m[3:7]}.{m[7:]}",
        f"{m[:4]} {m[4:8]} {m[8:]}",
    ]


TEMPLATES = ("我的电话是{}，请回电", "联系方式：{}", "{}", "有事打{}找我", "手机（{}）")
LANDLINES = (
    "0576-84012345",
    "0576 8401 2345",
    "(0576)84012345",
    "（0576）84012345",
    "84012345",
    "057684012345",
    "021-6123 4567",
    "8401-2345",
    "+86-576-84012345",
)
ID_NUMBERS = ("33102219800101123X", "331022198001011234", "331022800101123", "33102219800101123x")
NAMES = (
    ("我叫王小明，家里漏水", "王小明"),
    ("联系人：李建国", "李建国"),
    ("欧阳娜娜女士反映噪音", "欧阳"),
    ("请张师傅上门", "张"),
    ("投诉人陈静说", "陈静"),
    ("王小明先生来电", "王小明"),
    ("邻居李建国家里装修", "李建国"),
    ("本人刘洋，要求答复", "刘洋"),
    ("姓名：诸葛亮亮", "诸葛亮亮"),
    ("楼上的孙大妈每天跳舞", "孙"),
    ("物业经理黄海涛不处理", "黄海涛"),
    ("我是赵丽颖的邻居", "赵丽颖"),
)
ROOMS = (
    ("住在3幢2单元502室", ("502", "3幢", "2单元")),
    ("12-3-401楼上漏水", ("401",)),
    ("5号楼1单元门口", ("5号楼",)),
    ("402房的租客", ("402",)),
    ("B座1203室", ("1203",)),
    ("广场路88号", ("88",)),
    ("7栋18层", ("18层", "7栋")),
)
OTHERS = (
    ("邮箱 zhangsan@example.com", "zhangsan@example.com"),
    ("微信号：wxid_abc123", "wxid_abc123"),
    ("QQ 12345678", "12345678"),
    ("车牌浙J12345乱停", "浙J12345"),
    ("银行卡6222 0212 3456 7890 123", "6222"),
)
KEPT = (
    "2026-11-26 晚上施工",
    "工单T20261126-00001",
    "12345热线",
    "噪声超过70分贝",
    "下午3点到10:30",
    "海游街道广场路路灯坏了三天",
    "小区门口积水",
    "人民政府",
    "2026.11.26",
    "持续了2周",
)


def digits(text: str) -> str:
    return re.sub(r"\D", "", text.translate(str.maketrans("０１２３４５６７８９", "0123456789")))


PHONE_CASES = [
    (template.format(number), m) for m in MOBILES for number in mobile_formats(m) for template in TEMPLATES[:2]
] + [(template.format(m), m) for m in MOBILES for template in TEMPLATES[2:]]


def test_the_corpus_has_over_100_strings() -> None:
    total = len(PHONE_CASES) + len(LANDLINES) * 2 + len(ID_NUMBERS) * 2 + len(NAMES) + len(ROOMS) + len(OTHERS)
    assert total + len(KEPT) >= 100


@pytest.mark.parametrize(("text", "mobile"), PHONE_CASES)
def test_r12345_11_mobiles_in_every_format_are_masked(text: str, mobile: str) -> None:
    out = redact(text)
    assert mobile[-8:] not in digits(out), out
    assert "*" in out


@pytest.mark.parametrize("number", LANDLINES)
@pytest.mark.parametrize("template", ["座机{}", "电话：{}（白天）"])
def test_r12345_11_landlines_are_masked(number: str, template: str) -> None:
    out = redact(template.format(number))
    assert "4012345" not in digits(out) and "61234567" not in digits(out), out


@pytest.mark.parametrize("number", ID_NUMBERS)
@pytest.mark.parametrize("template", ["身份证{}", "身份证号码：{}，核实"])
def test_r12345_11_id_numbers_15_and_18_digits_are_masked(number: str, template: str) -> None:
    out = redact(template.format(number))
    assert "3310221" not in digits(out) and "800101" not in digits(out), out


@pytest.mark.parametrize(("text", "name"), NAMES)
def test_r12345_11_names_are_masked(text: str, name: str) -> None:
    out = redact(text)
    assert name not in out, out
    assert len(out) == len(text)  # masked in place, the rest of the sentence kept


@pytest.mark.parametrize(("text", "secrets"), ROOMS)
def test_r12345_11_building_unit_and_room_numbers_are_masked(text: str, secrets: tuple[str, ...]) -> None:
    out = redact(text)
    assert all(secret not in out for secret in secrets), out


@pytest.mark.parametrize(("text", "secret"), OTHERS)
def test_r12345_11_mail_chat_ids_plates_and_cards_are_masked(text: str, secret: str) -> None:
    assert secret not in redact(text)


@pytest.mark.parametrize("text", KEPT)
def test_text_without_personal_data_is_kept(text: str) -> None:
    assert redact(text) == text


def test_a_long_mixed_text() -> None:
    text = "我叫王小明，住海游街道广场路88号3幢2单元502室，电话 138-0000-1234，身份证33102219800101123X，2026-11-26 夜间施工噪音"
    out = redact(text)
    for secret in ("王小明", "88号", "502", "13800001234", "3310221980"):
        assert secret not in digits(out) and secret not in out, out
    assert "海游街道广场路" in out and "2026-11-26 夜间施工噪音" in out
