"""Writes on the catalog: indicators and report forms with their versions, and who may change them (the
owner unit's administrators or those above)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from giaoban.core.access import Action, can, is_system_admin, scope_paths
from giaoban.core.errors import Forbidden, ServiceError, full_clean_or_raise
from giaoban.core.text import clean_line
from giaoban.orgs.models import OrgUnit

from ..models import DEFAULT_NARRATIVE_SECTIONS, DataValue, FormIndicator, Indicator, ReportForm, ReportFormVersion

__all__ = [
    "INDICATOR_FIELDS",
    "current_version",
    "default_owner",
    "indicator_create",
    "indicator_reactivate",
    "indicator_retire",
    "indicator_update",
    "may_change_catalog",
    "may_manage_catalog",
    "national_root",
    "reportform_create",
    "reportform_reactivate",
    "reportform_retire",
    "reportform_update",
    "version_indicators",
]


INDICATOR_FIELDS = (
    "name_vi",
    "name_en",
    "unit_of_measure",
    "value_type",
    "aggregation",
    "time_aggregation",
    "numerator",
    "denominator",
    "min_value",
    "max_value",
    "required",
)


def national_root() -> OrgUnit | None:
    return OrgUnit.objects.filter(depth=1, kind=OrgUnit.Kind.NATIONAL).order_by("path").first()


def default_owner(actor) -> OrgUnit | None:
    """Who owns what `actor` creates without naming an owner: the national root for system admins (and the
    command line), else the highest unit the actor administers."""
    if actor is None or is_system_admin(actor):
        return national_root()
    paths = scope_paths(actor, Action.MANAGE) or []
    return OrgUnit.objects.filter(path=paths[0]).first() if paths else None


def may_change_catalog(actor, owner: OrgUnit | None) -> bool:
    """A unit admin changes the indicators and forms of their own unit and those below; what the national
    root owns (or nobody yet) is changed only at national level."""
    if actor is None or is_system_admin(actor):
        return True
    return owner is not None and can(actor, Action.MANAGE, owner.path)


def may_manage_catalog(user) -> bool:
    """Whether `user` may create indicators and forms at all (system admins and unit admins); which ones they
    may then change is may_change_catalog's answer."""
    return is_system_admin(user) or bool(scope_paths(user, Action.MANAGE))


def _user_or_none(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _require_active_parts(fields: dict[str, Any]) -> None:
    for name in ("numerator", "denominator"):
        part = fields.get(name)
        if part is not None and part.retired_at is not None:
            message = _("Chỉ tiêu %(c)s đã ngừng sử dụng (indicator %(c)s is retired).") % {"c": part.code}
            raise ServiceError(message, {"fields": {name: [message]}})


def _require_owner(actor, owner: OrgUnit | None) -> None:
    if not may_change_catalog(actor, owner):
        name = owner.name if owner is not None else _("cấp trung ương")
        raise Forbidden(
            _(
                "Mục này thuộc %(u)s; chỉ quản trị của đơn vị đó hoặc cấp trên mới sửa được "
                "(it belongs to %(u)s: only the administrators of that unit or above may change it)."
            )
            % {"u": name},
            {"owner": owner.code if owner is not None else None},
        )


def _clean_names(fields: dict[str, Any]) -> dict[str, Any]:
    return {
        k: clean_line(v) if isinstance(v, str) and k in ("name_vi", "name_en", "unit_of_measure") else v
        for k, v in fields.items()
    }


@transaction.atomic
def indicator_create(*, code: str, name_vi: str, owner: OrgUnit | None = None, actor=None, **fields: Any) -> Indicator:
    unknown = set(fields) - set(INDICATOR_FIELDS)
    if unknown:
        raise ServiceError(_("Trường không hợp lệ (unknown fields): %s") % ", ".join(sorted(unknown)))
    owner = owner or default_owner(actor)
    _require_owner(actor, owner)
    _require_active_parts(fields)
    if Indicator.objects.filter(code=code).exists():
        raise ServiceError(
            _("Mã chỉ tiêu '%s' đã có (indicator code already exists)") % code, {"fields": {"code": code}}
        )
    indicator = Indicator(code=clean_line(code), name_vi=clean_line(name_vi), owner=owner, **_clean_names(fields))
    full_clean_or_raise(indicator)
    indicator.save()
    return indicator


@transaction.atomic
def indicator_update(*, indicator: Indicator, actor=None, **fields: Any) -> Indicator:
    unknown = set(fields) - set(INDICATOR_FIELDS)
    if unknown:
        raise ServiceError(_("Trường không hợp lệ (unknown fields): %s") % ", ".join(sorted(unknown)))
    _require_owner(actor, indicator.owner)
    _require_active_parts(
        {k: v for k, v in fields.items() if k in ("numerator", "denominator") and v != getattr(indicator, k)}
    )
    if ("aggregation" in fields or "value_type" in fields) and DataValue.objects.filter(indicator=indicator).exists():
        if (
            fields.get("aggregation", indicator.aggregation) != indicator.aggregation
            or fields.get("value_type", indicator.value_type) != indicator.value_type
        ):
            raise ServiceError(
                _(
                    "Chỉ tiêu đã có số liệu, không đổi được kiểu hoặc cách tổng hợp "
                    "(the indicator has figures; its type and aggregation are fixed)."
                )
            )
    for name, value in _clean_names(fields).items():
        setattr(indicator, name, value)
    full_clean_or_raise(indicator)
    indicator.save(update_fields=list(fields) or None)
    return indicator


def _check_sections(sections: Any) -> list[dict[str, str]]:
    ok = isinstance(sections, list) and all(
        isinstance(s, dict) and isinstance(s.get("key"), str) and isinstance(s.get("title"), str) for s in sections
    )
    if ok:  # cleaned first: a NUL would make PostgreSQL refuse the row
        sections = [{"key": clean_line(s["key"]), "title": clean_line(s["title"])} for s in sections]
        ok = all(s["key"] for s in sections)
    if not ok or len({s["key"] for s in sections}) != len(sections):
        raise ServiceError(
            _(
                "Phần thuyết minh phải là danh sách {key, title} với key không trùng "
                "(narrative_sections must be a list of {key, title} with distinct keys)."
            )
        )
    return [{"key": s["key"], "title": s["title"]} for s in sections]


def _new_version(form: ReportForm, number: int, indicators: list[Indicator], sections, actor=None) -> ReportFormVersion:
    if not indicators:
        raise ServiceError(_("Biểu mẫu cần ít nhất một chỉ tiêu (a form needs at least one indicator)."))
    if len({i.pk for i in indicators}) != len(indicators):
        raise ServiceError(_("Chỉ tiêu bị lặp trong biểu mẫu (an indicator is listed twice)."))
    if any(i.is_ratio for i in indicators):
        raise ServiceError(
            _(
                "Chỉ tiêu tỷ số được tính, không nhập; hãy đưa tử số và mẫu số vào biểu "
                "(ratio indicators are computed, not entered: put their numerator and denominator in the form)."
            )
        )
    retired = [i.code for i in indicators if i.retired_at is not None]
    if retired:
        message = _("Chỉ tiêu đã ngừng sử dụng (retired indicators): %(c)s") % {"c": ", ".join(retired)}
        raise ServiceError(message, {"fields": {"indicators": [message]}})
    version = ReportFormVersion.objects.create(
        form=form, number=number, narrative_sections=sections, created_by=_user_or_none(actor)
    )
    FormIndicator.objects.bulk_create(
        FormIndicator(version=version, indicator=ind, position=i) for i, ind in enumerate(indicators, 1)
    )
    return version


@transaction.atomic
def reportform_create(
    *,
    code: str,
    name: str,
    period_type: str,
    scheme: str,
    deadline_working_days: int,
    unit_kinds: list[str],
    active_from: date,
    indicators: list[Indicator],
    narrative_sections: list[dict[str, str]] | None = None,
    owner: OrgUnit | None = None,
    actor=None,
) -> ReportForm:
    owner = owner or default_owner(actor)
    _require_owner(actor, owner)
    if ReportForm.objects.filter(code=code).exists():
        raise ServiceError(_("Mã biểu mẫu '%s' đã có (form code already exists)") % code, {"fields": {"code": code}})
    form = ReportForm(
        code=code,
        name=name,
        period_type=period_type,
        scheme=scheme,
        deadline_working_days=deadline_working_days,
        unit_kinds=unit_kinds,
        active_from=active_from,
        owner=owner,
    )
    full_clean_or_raise(form)
    form.save()
    sections = _check_sections(DEFAULT_NARRATIVE_SECTIONS if narrative_sections is None else narrative_sections)
    _new_version(form, 1, indicators, sections, actor)
    return form


def current_version(form: ReportForm) -> ReportFormVersion:
    return form.versions.order_by("-number").first()


@transaction.atomic
def reportform_update(
    *,
    form: ReportForm,
    indicators: list[Indicator] | None = None,
    narrative_sections: list[dict[str, str]] | None = None,
    actor=None,
    **fields: Any,
) -> ReportForm:
    """Change a form. Adding or retiring an indicator, or changing the sections, makes a new version;
    submissions already made keep theirs. Only the owner unit's admins (or above) may (may_change_catalog)."""
    _require_owner(actor, form.owner)
    allowed = {"name", "deadline_working_days", "unit_kinds", "active_from", "period_type", "scheme"}
    if set(fields) - allowed:
        raise ServiceError(_("Trường không hợp lệ (unknown fields): %s") % ", ".join(sorted(set(fields) - allowed)))
    if {"period_type", "scheme"} & set(fields) and form.submissions.exists():
        if (
            fields.get("period_type", form.period_type) != form.period_type
            or fields.get("scheme", form.scheme) != form.scheme
        ):
            raise ServiceError(
                _(
                    "Biểu mẫu đã có báo cáo, không đổi được loại kỳ hoặc chế độ kỳ "
                    "(the form has submissions; its period type and scheme are fixed)."
                )
            )
    for name, value in fields.items():
        setattr(form, name, value)
    full_clean_or_raise(form)
    if fields:
        form.save(update_fields=list(fields))
    latest = current_version(form)
    old_ids = list(latest.items.values_list("indicator_id", flat=True))
    new_inds = indicators if indicators is not None else None
    sections = _check_sections(narrative_sections) if narrative_sections is not None else latest.narrative_sections
    if (new_inds is not None and [i.pk for i in new_inds] != old_ids) or sections != latest.narrative_sections:
        if new_inds is None:
            new_inds = list(Indicator.objects.filter(pk__in=old_ids))
            new_inds.sort(key=lambda i: old_ids.index(i.pk))
        _new_version(form, latest.number + 1, new_inds, sections, actor)
    return form


def version_indicators(version: ReportFormVersion) -> list[Indicator]:
    """The version's indicators in order (a version's list never changes once made, so the instance keeps it)."""
    cached = getattr(version, "_indicators", None)
    if cached is None:
        cached = [item.indicator for item in version.items.select_related("indicator").order_by("position")]
        version._indicators = cached
    return cached


@transaction.atomic
def indicator_retire(*, indicator: Indicator, actor=None) -> Indicator:
    """Stop offering an indicator for new forms. Refused while a form in use still asks for it, or an indicator
    in use is computed from it: take it out of those first. Its figures and history stay as they are."""
    _require_owner(actor, indicator.owner)
    if indicator.retired_at is not None:
        raise ServiceError(_("Chỉ tiêu đã ngừng sử dụng (the indicator is already retired)."))
    forms = [
        f.code
        for f in ReportForm.objects.active().filter(versions__items__indicator=indicator).distinct()
        if current_version(f).items.filter(indicator=indicator).exists()
    ]
    if forms:
        raise ServiceError(
            _(
                "Chỉ tiêu còn trong biểu mẫu đang dùng: %(f)s; hãy bỏ nó khỏi các biểu đó trước "
                "(the indicator is still in forms in use: %(f)s; take it out of them first)."
            )
            % {"f": ", ".join(sorted(forms))},
            {"forms": sorted(forms)},
        )
    ratios = list(
        Indicator.objects.active()
        .filter(models.Q(numerator=indicator) | models.Q(denominator=indicator))
        .values_list("code", flat=True)
    )
    if ratios:
        raise ServiceError(
            _("Chỉ tiêu là tử số hoặc mẫu số của %(r)s đang dùng (the indicator is part of the ratios %(r)s in use).")
            % {"r": ", ".join(ratios)},
            {"indicators": ratios},
        )
    indicator.retired_at = timezone.now()
    indicator.save(update_fields=["retired_at"])
    return indicator


@transaction.atomic
def indicator_reactivate(*, indicator: Indicator, actor=None) -> Indicator:
    _require_owner(actor, indicator.owner)
    if indicator.retired_at is None:
        raise ServiceError(_("Chỉ tiêu đang được sử dụng (the indicator is not retired)."))
    _require_active_parts({"numerator": indicator.numerator, "denominator": indicator.denominator})
    indicator.retired_at = None
    indicator.save(update_fields=["retired_at"])
    return indicator


@transaction.atomic
def reportform_retire(*, form: ReportForm, actor=None) -> ReportForm:
    """Stop opening new reports on a form; the reports already made (drafts included) stay and stay readable."""
    _require_owner(actor, form.owner)
    if form.retired_at is not None:
        raise ServiceError(_("Biểu mẫu đã ngừng sử dụng (the form is already retired)."))
    form.retired_at = timezone.now()
    form.save(update_fields=["retired_at"])
    return form


@transaction.atomic
def reportform_reactivate(*, form: ReportForm, actor=None) -> ReportForm:
    _require_owner(actor, form.owner)
    if form.retired_at is None:
        raise ServiceError(_("Biểu mẫu đang được sử dụng (the form is not retired)."))
    retired = [i.code for i in version_indicators(current_version(form)) if i.retired_at is not None]
    if retired:
        raise ServiceError(
            _(
                "Biểu mẫu có chỉ tiêu đã ngừng sử dụng: %(c)s; hãy sửa biểu hoặc dùng lại các chỉ tiêu đó trước "
                "(the form has retired indicators: %(c)s; edit the form or reactivate them first)."
            )
            % {"c": ", ".join(retired)}
        )
    form.retired_at = None
    form.save(update_fields=["retired_at"])
    return form
