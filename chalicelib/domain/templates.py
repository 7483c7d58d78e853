"""Reply templates 答复参考范本 (R-12345-06): required sections per category."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.errors import ValidationError


@dataclass(frozen=True)
class Section:
    """One section of a reply template."""

    id: str
    title: str
    required: bool = True
    guidance: str = ""

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"id": self.id, "title": self.title, "required": self.required, "guidance": self.guidance}


_BASIS = Section("basis", "政策法规依据", True, "写明办理所依据的政策、法规条款名称及条目")
_CONTACT = Section("contact", "与反映人沟通情况", True, "何时以何种方式将办理结果告知反映人")

DEFAULT_TEMPLATES: dict[str, tuple[Section, ...]] = {
    "consult": (
        Section("answer", "答复内容", True, "针对咨询事项逐项答复"),
        _BASIS,
    ),
    "help": (
        Section("handling", "办理情况", True, "接单后开展的具体工作"),
        Section("result", "处理结果", True, "问题是否解决，如何解决"),
        _BASIS,
        _CONTACT,
    ),
    "complaint": (
        Section("investigation", "调查核实情况", True, "现场核查的时间、人员、发现的事实"),
        Section("result", "处理结果", True, "对被投诉方的处理及整改情况"),
        _BASIS,
        _CONTACT,
    ),
    "report": (
        Section("investigation", "调查核实情况", True, "核查的时间、人员、发现的事实"),
        Section("result", "处理结果", True, "处理决定及执行情况"),
        _BASIS,
    ),
    "suggestion": (
        Section("adoption", "采纳情况", True, "是否采纳，理由"),
        Section("answer", "答复内容", True, ""),
    ),
    "praise": (Section("forwarded", "转达情况", True, "表扬已转达的对象和方式"),),
}


MAX_SECTION = 4000  # characters of one section: a reply of every section stays far below DynamoDB's 400 KB item


def _too_long(value: Any) -> bool:
    return isinstance(value, str) and len(value.strip()) > MAX_SECTION


def check_reply(sections: Sequence[Section], given: Mapping[str, Any]) -> dict[str, str]:
    """Return the cleaned sections; raise naming every missing required section (R-12345-06) and every
    section longer than MAX_SECTION characters (`sections.{id}`)."""
    known = {s.id for s in sections}
    unknown = sorted(k for k in given if k not in known)
    if unknown:
        raise ValidationError({"sections": f"未知的答复段落: {', '.join(unknown)}"}, unknown_sections=unknown)
    titles = {f"sections.{s.id}": s.title for s in sections}
    too_long = {f"sections.{k}": f"不能超过 {MAX_SECTION} 个字符" for k, v in given.items() if _too_long(v)}
    if too_long:
        raise ValidationError(too_long, labels=titles)
    cleaned = {k: str(v).strip() for k, v in given.items() if isinstance(v, str) and v.strip()}
    missing = [s for s in sections if s.required and s.id not in cleaned]
    if missing:
        names = "、".join(s.title for s in missing)
        raise ValidationError(
            {f"sections.{s.id}": "必填，请按答复参考范本填写" for s in missing},  # each section's own field
            message=f"答复未按参考范本填写，缺少：{names}",
            labels=titles,
            missing_sections=[s.id for s in missing],
            missing_titles=[s.title for s in missing],
        )
    return cleaned
