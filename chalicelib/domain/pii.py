"""Personal data in Chinese free text: recognise it and mask it before anything is published
(R-12345-11: personal data never reaches the public).

What is masked (every character of it becomes `*`):
- numbers of 7 or more digits, with or without spaces, dashes or dots between the digits, full-width
  digits included, with a `+86` / `0086` / `86` prefix or a bracketed area code: mobiles
  (`138 0000 1234`, `138-0000-1234`, `+86 13800001234`, `１３８００００１２３４`), landlines
  (`0576-84012345`, `(0576)84012345`, `84012345`), 15- and 18-digit ID numbers (`…X`), bank cards;
  dates (`2026-11-26`) are kept;
- e-mail addresses, WeChat / QQ ids after their cue words, car plates;
- building, unit, floor and room numbers (`3幢2单元502室`, `3-2-502`), house numbers after a road;
- personal names: after cue words (`我叫`, `联系人：`, `投诉人` …), before forms of address (`先生`,
  `女士`, `师傅` …), and the person names a word segmenter (jieba, imported on first use) finds that
  start with a surname of the surname list.

`redact(text)` is pure and deterministic; the segmenter's dictionary is loaded once per process.
"""

from __future__ import annotations

import logging
import re
from functools import cache
from typing import Any

# Surnames: the common single-character ones (≈ 99 % of the population) and the compound ones.
SINGLE_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
    "常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单"
    "季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚"
    "娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘"
    "池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠"
    "豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰"
    "赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富"
    "尧闭由"
)
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 端木 独孤 南宫 西门 百里 呼延 "
    "钟离 澹台 太史 申屠 公冶 万俟 闻人 赫连".split()
)
TITLES = (
    "先生",
    "女士",
    "小姐",
    "师傅",
    "阿姨",
    "大爷",
    "大妈",
    "大姐",
    "大哥",
    "老师",
    "医生",
    "经理",
    "主任",
    "老板",
    "同学",
    "律师",
    "书记",
    "队长",
    "所长",
    "科长",
    "村长",
    "老人",
    "奶奶",
    "爷爷",
)
CUES = (
    "我叫",
    "名叫",
    "叫做",
    "姓名",
    "联系人",
    "本人",
    "我是",
    "投诉人",
    "举报人",
    "报告人",
    "反映人",
    "来电人",
    "业主",
    "户主",
    "租户",
    "房东",
    "邻居",
    "签名",
)

_FULL_WIDTH = str.maketrans(
    "０１２３４５６７８９＋－（）　．", "0123456789+-() ."
)  # digits and the signs around them; everything else of the text is kept as it was
_SEP = r"[ \t\u00a0\-.—–]"
_NUMBER = re.compile(
    rf"(?<![0-9A-Za-z])"
    rf"(?:(?:\+|00)?86{_SEP}*)?"  # country code
    rf"(?:\(0\d{{2,3}}\){_SEP}*)?"  # (0576)
    rf"\d(?:{_SEP}?\d){{6,}}[Xx]?"  # seven or more digits, one separator at most between two of them
    rf"(?![0-9A-Za-z])"
)
_DATE = re.compile(r"\d{4}([-./])\d{1,2}\1\d{1,2}")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_HANDLE = re.compile(r"(微信号?|QQ号?|qq号?|vx|VX|wx|WX)(\s*[:：]?\s*)([A-Za-z0-9_\-]{5,30})")
_PLATE = re.compile(
    r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领][A-Z][·•\s]?[A-Z0-9]{5,6}(?![A-Za-z0-9])"
)
_UNIT_NUMBER = re.compile(r"(?<![0-9A-Za-z\-])\d{1,4}(?:\s*-\s*\d{1,4}){1,3}\s*(?:室|号|房)?(?![0-9A-Za-z])")
_ROOM = re.compile(
    r"[A-Za-z]?\d+\s*(?:号楼|號樓|幢|栋|棟|座|单元|單元|层|楼|室|号房|房间|房|户)"
    r"|(?<=[路街巷弄道村里湾坊苑园区])\d+\s*号"
)
_HAN = "\u4e00-\u9fff"
_NAME_AFTER_CUE = re.compile(rf"({'|'.join(CUES)})(\s*[:：是为]?\s*)([{_HAN}]{{2,4}})")
_NAME_BEFORE_TITLE = re.compile(rf"([{_HAN}]{{1,3}}?)({'|'.join(TITLES)})")


def _stars(text: str) -> str:
    return re.sub(r"\S", "*", text)


def _surname_length(word: str) -> int:
    """Characters of the surname `word` starts with (0: none of the list)."""
    if word[:2] in COMPOUND_SURNAMES:
        return 2
    return 1 if word[:1] in SINGLE_SURNAMES else 0


def _looks_like_name(word: str) -> bool:
    n = _surname_length(word)
    return n > 0 and 1 <= len(word) - n <= 2


def _mask_number(match: re.Match[str]) -> str:
    found = match.group(0)
    return found if _DATE.fullmatch(found) else _stars(found)


def _mask_digits_unless_date(match: re.Match[str]) -> str:
    found = match.group(0)
    return found if _DATE.fullmatch(found.strip()) else re.sub(r"\d", "*", found)


def _mask_cue(match: re.Match[str]) -> str:
    cue, sep, rest = match.groups()
    for size in (4, 3, 2):  # the longest name-shaped prefix: 张三丰在 → 张三丰
        if len(rest) >= size and _looks_like_name(rest[:size]):
            return cue + sep + "*" * size + rest[size:]
    return match.group(0)


def _mask_titled(match: re.Match[str]) -> str:
    before, title = match.groups()
    for size in range(len(before), 0, -1):  # 王小明先生 / 张师傅 / 欧阳女士
        name = before[-size:]
        if _surname_length(name) and len(name) - _surname_length(name) <= 2:
            return before[:-size] + "*" * size + title
    return match.group(0)


@cache
def _segmenter() -> Any:
    import jieba  # imported lazily: its dictionary takes about a second to load
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    return jieba.posseg


def _mask_segmented(text: str) -> str:
    """Person names (`nr`) the segmenter finds, when they start with a listed surname."""
    out: list[str] = []
    for token in _segmenter().cut(text):
        word, flag = str(token.word), str(token.flag)
        named = flag.startswith("nr") and _looks_like_name(word)
        out.append("*" * len(word) if named else word)
    return "".join(out)


def redact(text: str) -> str:
    """`text` with every recognised piece of personal data masked."""
    if not text:
        return text
    text = text.translate(_FULL_WIDTH)
    text = _EMAIL.sub(lambda m: _stars(m.group(0)), text)
    text = _HANDLE.sub(lambda m: m.group(1) + m.group(2) + _stars(m.group(3)), text)
    text = _PLATE.sub(lambda m: _stars(m.group(0)), text)
    text = _NUMBER.sub(_mask_number, text)
    text = _UNIT_NUMBER.sub(_mask_digits_unless_date, text)
    text = _ROOM.sub(lambda m: re.sub(r"\d", "*", m.group(0)), text)
    text = _NAME_AFTER_CUE.sub(_mask_cue, text)
    text = _NAME_BEFORE_TITLE.sub(_mask_titled, text)
    return _mask_segmented(text)
