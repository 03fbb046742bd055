"""Page forms of plans: the plan's title and year, its items as a formset (each with an optional target), issuing
and generating the year's meetings. They only parse; the rules live in services.plans."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from giaoban.orgs.models import Agency
from giaoban.reporting import periods
from giaoban.reporting.models import Indicator

from .forms import DATE_FORMATS, DateInput
from .models import Target

__all__ = ["MeetingsForm", "PlanForm", "PlanIssueForm", "PlanItemForm", "make_item_formset", "period_choices"]


def _ctl(widget, cls="form-control"):
    widget.attrs.setdefault("class", cls)
    return widget


def period_choices(year: int) -> list[tuple[str, str]]:
    """The windows of a year a target may measure: the year, its halves, nine months, quarters and months."""
    ids = [f"{year}", f"{year}S1", f"{year}S2", f"{year}N9", *(f"{year}Q{i}" for i in range(1, 5))]
    ids += [f"{year}-{m:02d}" for m in range(1, 13)]
    return [(pid, periods.period_label(pid)) for pid in ids]


class PlanForm(forms.Form):
    title = forms.CharField(label=_("Tên kế hoạch"), max_length=300, widget=_ctl(forms.TextInput()))
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100, widget=_ctl(forms.NumberInput()))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class IndicatorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Indicator) -> str:
        return f"{obj.code} — {obj.name_vi}"


class PlanItemForm(forms.Form):
    content = forms.CharField(label=_("Nội dung"), required=False, widget=_ctl(forms.Textarea(attrs={"rows": 2})))
    lead_agency = forms.ModelChoiceField(
        label=_("Cơ quan chủ trì"),
        queryset=Agency.objects.none(),
        required=False,
        widget=_ctl(forms.Select(), "form-select"),
    )
    supporting = forms.ModelMultipleChoiceField(
        label=_("Cơ quan phối hợp"),
        queryset=Agency.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    starts_on = forms.DateField(label=_("Từ ngày"), input_formats=DATE_FORMATS, required=False, widget=DateInput())
    due_on = forms.DateField(label=_("Thời hạn"), input_formats=DATE_FORMATS, required=False, widget=DateInput())
    output = forms.CharField(label=_("Sản phẩm"), max_length=300, required=False, widget=_ctl(forms.TextInput()))
    target_indicator = IndicatorChoiceField(
        label=_("Chỉ tiêu"),
        queryset=Indicator.objects.none(),
        required=False,
        widget=_ctl(forms.Select(), "form-select"),
    )
    target_unit = forms.CharField(label=_("Đơn vị"), max_length=20, required=False, widget=forms.HiddenInput)
    target_period = forms.ChoiceField(label=_("Kỳ"), required=False, widget=_ctl(forms.Select(), "form-select"))
    target_kind = forms.ChoiceField(
        label=_("Loại"), choices=Target.Kind.choices, required=False, widget=_ctl(forms.Select(), "form-select")
    )
    target_value = forms.DecimalField(
        label=_("Mục tiêu"),
        max_digits=18,
        decimal_places=4,
        required=False,
        widget=_ctl(forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"})),
    )

    def __init__(self, *args, agencies=None, year: int = 2026, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_agency"].queryset = agencies
        self.fields["supporting"].queryset = agencies
        self.fields["target_indicator"].queryset = Indicator.objects.exclude(
            value_type=Indicator.ValueType.TEXT
        ).order_by("code")
        # The plan's year first, then the years around it (a plan drafted in December for the next year may still
        # change its year before it is saved).
        choices = [c for y in (year, year - 1, year + 1) for c in period_choices(y)]
        current = (self.initial.get("target_period") or "").strip()
        if current and current not in dict(choices):
            choices.insert(0, (current, current))
        self.fields["target_period"].choices = [("", "—"), *choices]

    @property
    def is_blank(self) -> bool:
        d = getattr(self, "cleaned_data", {})
        return not (d.get("content") or "").strip() and d.get("lead_agency") is None and not d.get("target_indicator")


def make_item_formset(extra: int):
    return forms.formset_factory(PlanItemForm, extra=extra, max_num=200, validate_max=True)


class PlanIssueForm(forms.Form):
    number = forms.IntegerField(
        label=_("Số (để trống: số tiếp theo)"), min_value=1, required=False, widget=_ctl(forms.NumberInput())
    )
    issued_on = forms.DateField(
        label=_("Ngày ban hành"), input_formats=DATE_FORMATS, required=False, widget=DateInput()
    )


class MeetingsForm(forms.Form):
    cadence = forms.ChoiceField(
        label=_("Họp giao ban"),
        choices=[("monthly", _("Hằng tháng")), ("weekly", _("Hằng tuần"))],
        widget=_ctl(forms.Select(), "form-select"),
    )
