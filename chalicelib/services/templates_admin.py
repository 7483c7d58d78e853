"""Reply templates 答复参考范本 (R-12345-06): admin-edited per category, versioned, checked on reply.

The template in force is Directory `TEMPLATE` / `{category}` (`{"version", "sections", ...}`, the
shape `storage.directory.reply_templates` and the transition context read); every saved version
is kept in `TEMPLATE#{category}` / `v{nnnn}`. Version 0 is the built-in default (domain/templates.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.domain import access
from chalicelib.domain.errors import Conflict, NotFound, ValidationError
from chalicelib.domain.model import Actor, Category, Role
from chalicelib.domain.templates import DEFAULT_TEMPLATES, Section, check_reply
from chalicelib.services import privacy
from chalicelib.storage import directory

if TYPE_CHECKING:
    from chalicelib.bootstrap import Adapters

SECTION_ID = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
MAX_SECTIONS = 20


def _category(value: str) -> str:
    if value not in {c.value for c in Category}:
        raise NotFound(f"没有类别 {value} 的答复参考范本", category=value)
    return value


def parse_sections(raw: Any) -> tuple[Section, ...]:
    """Validate an admin's section list: ids unique and simple, titles required, ≥ 1 required section."""
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_SECTIONS:
        raise ValidationError({"sections": f"须为 1–{MAX_SECTIONS} 个段落的列表"})
    out: list[Section] = []
    errors: dict[str, str] = {}
    for i, s in enumerate(raw):
        problems = _section_problems(s, {x.id for x in out})
        errors.update({f"sections[{i}]{k}": v for k, v in problems.items()})
        if not problems:
            out.append(Section(s["id"], s["title"].strip(), s.get("required", True), s.get("guidance", "").strip()))
    if errors:
        raise ValidationError(errors)
    if not any(s.required for s in out):
        raise ValidationError({"sections": "至少要有一个必填段落"})
    return tuple(out)


def _section_problems(s: Any, seen: set[str]) -> dict[str, str]:
    if not isinstance(s, Mapping):
        return {"": "须为对象 {id, title, required, guidance}"}
    problems: dict[str, str] = {}
    sid, title = s.get("id"), s.get("title")
    if not isinstance(sid, str) or not SECTION_ID.match(sid):
        problems[".id"] = "须为小写字母开头的标识（a-z0-9_，≤32）"
    elif sid in seen:
        problems[".id"] = f"段落标识 {sid} 重复"
    if not isinstance(title, str) or not title.strip() or len(title) > 50:
        problems[".title"] = "必填，≤50 个字符"
    if not isinstance(s.get("required", True), bool):
        problems[".required"] = "须为 true 或 false"
    guidance = s.get("guidance", "")
    if not isinstance(guidance, str) or len(guidance) > 1000:
        problems[".guidance"] = "须为文本，≤1000 个字符"
    return problems


def current(deps: Adapters, category: str) -> dict[str, Any]:
    """The template in force for a category (version 0 = built-in default)."""
    category = _category(category)
    stored = deps.directory.get_item(directory.TEMPLATE, category)
    if stored is None:
        return {
            "category": category,
            "version": 0,
            "sections": [s.as_dict() for s in DEFAULT_TEMPLATES[category]],
            "updated_by": None,
            "updated_by_name": None,
            "updated_at": None,
            "note": "系统默认范本",
        }
    return _named(deps, {"category": category, **stored})


def _named(deps: Adapters, view: dict[str, Any], names: dict[str, str] | None = None) -> dict[str, Any]:
    """A version with `updated_by_name`: who edited it as printed (domain/people.py), None for the default."""
    by = view.get("updated_by")
    names = deps.contexts.names() if names is None else names
    return dict(view, updated_by_name=names.get(str(by), str(by)) if by else None)


def versions(deps: Adapters, category: str) -> list[dict[str, Any]]:
    """Every saved version, oldest first (the default, version 0, first)."""
    category = _category(category)
    default = {
        "category": category,
        "version": 0,
        "sections": [s.as_dict() for s in DEFAULT_TEMPLATES[category]],
        "updated_by": None,
        "updated_at": None,
        "note": "系统默认范本",
    }
    names = deps.contexts.names()
    return [_named(deps, default, names)] + [
        _named(deps, {"category": category, **data}, names)
        for _, data in deps.directory.list_items(f"{directory.TEMPLATE}#{category}")
    ]


def save(deps: Adapters, actor: Actor, category: str, body: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """A new version becomes the template in force (admin); `version` = the one edited (409 if stale)."""
    access.ensure_role(actor, Role.ADMIN)
    before = current(deps, category)
    expected = body.get("version", before["version"])
    if expected != before["version"]:
        raise Conflict("范本已被他人修改，请刷新后重试", expected=expected, current=before["version"])
    sections = parse_sections(body.get("sections"))
    note = str(body.get("note") or "")[:500]
    version = int(before["version"]) + 1
    data = {
        "version": version,
        "sections": [s.as_dict() for s in sections],
        "updated_by": actor.user_id,
        "updated_at": now.isoformat(),
        "note": note,
    }
    if not deps.directory.put_template_version(before["category"], data, version):
        raise Conflict("范本已被他人修改，请刷新后重试", current=version - 1)
    deps.contexts.invalidate()  # this process at once; others within the context TTL (60 s)
    shown = {k: before.get(k) for k in ("version", "sections", "note")}
    privacy.log_change(deps, "template_saved", actor, now, target=before["category"], before=shown, after=data)
    return _named(deps, {"category": before["category"], **data})


def check(deps: Adapters, actor: Actor, category: str, body: Mapping[str, Any]) -> dict[str, Any]:
    """Check a draft reply against the template in force: 422 naming the missing sections (R-12345-06)."""
    access.ensure_role(actor, Role.UNIT_HANDLER, Role.OPERATOR, Role.ADMIN, Role.ANALYST, Role.LEADER)
    tpl = current(deps, category)
    raw = body.get("sections")
    if not isinstance(raw, Mapping):
        raise ValidationError({"sections": "须按答复参考范本逐段填写（对象：段落 → 内容）"})
    cleaned = check_reply(tuple(Section(**s) for s in tpl["sections"]), raw)
    return {"ok": True, "category": tpl["category"], "version": tpl["version"], "sections": sorted(cleaned)}
