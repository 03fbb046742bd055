"""Page forms: only parse what the pages send; the rules live in services."""

from django import forms
from django.utils.translation import gettext_lazy as _


class RollupForm(forms.Form):
    indicator = forms.ChoiceField(label=_("Chỉ tiêu"), widget=forms.Select(attrs={"class": "form-select"}))
    unit = forms.CharField(label=_("Mã đơn vị"), max_length=12, widget=forms.TextInput(attrs={"class": "form-control"}))
    period = forms.CharField(
        label=_("Kỳ (ví dụ 2023N9, 2026-03)"), max_length=10, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    approved = forms.BooleanField(
        label=_("Chỉ số liệu đã duyệt"), required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
    )
    restated = forms.BooleanField(
        label=_("Tính cả đơn vị tiền thân"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [(i.code, f"{i.name_vi} ({i.code})") for i in indicators]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Lý do"), required=False, max_length=2000)
    version = forms.IntegerField(required=False)


def _select(**attrs):
    return forms.Select(attrs={"class": "form-select", **attrs})


def _text(**attrs):
    return forms.TextInput(attrs={"class": "form-control", **attrs})


class IndicatorForm(forms.Form):
    """An indicator's fields as the catalog pages send them; the rules (ratios, types fixed once there are
    figures, retired parts) are the catalog service's."""

    code = forms.CharField(label=_("Mã"), max_length=40, widget=_text(autocapitalize="characters"))
    name_vi = forms.CharField(label=_("Tên"), max_length=250, widget=_text())
    name_en = forms.CharField(label=_("Tên tiếng Anh"), max_length=250, required=False, widget=_text())
    unit_of_measure = forms.CharField(label=_("Đơn vị tính"), max_length=40, required=False, widget=_text())
    value_type = forms.ChoiceField(label=_("Kiểu giá trị"), widget=_select())
    aggregation = forms.ChoiceField(label=_("Tổng hợp theo đơn vị"), widget=_select())
    time_aggregation = forms.ChoiceField(label=_("Tổng hợp theo thời gian"), widget=_select())
    numerator = forms.ChoiceField(label=_("Tử số (chỉ tiêu tỷ số)"), required=False, widget=_select())
    denominator = forms.ChoiceField(label=_("Mẫu số (chỉ tiêu tỷ số)"), required=False, widget=_select())
    min_value = forms.DecimalField(
        label=_("Giá trị nhỏ nhất"), required=False, max_digits=20, decimal_places=4, widget=_text(inputmode="decimal")
    )
    max_value = forms.DecimalField(
        label=_("Giá trị lớn nhất"), required=False, max_digits=20, decimal_places=4, widget=_text(inputmode="decimal")
    )
    required = forms.BooleanField(
        label=_("Bắt buộc nhập"), required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
    )

    def __init__(self, *args, parts=(), editing=False, **kwargs):
        from .models import Indicator

        super().__init__(*args, **kwargs)
        if editing:  # the code names the indicator in files and the API: fixed once made
            del self.fields["code"]
        agg = dict(Indicator.Aggregation.choices)
        self.fields["value_type"].choices = Indicator.ValueType.choices
        self.fields["aggregation"].choices = [(k, agg[k]) for k in ("sum", "max", "min", "mean", "ratio")]
        self.fields["time_aggregation"].choices = [(k, agg[k]) for k in ("sum", "last", "max", "min", "mean")]
        offered = [("", "—")] + [(i.code, f"{i.code} — {i.name_vi}") for i in parts]
        self.fields["numerator"].choices = offered
        self.fields["denominator"].choices = offered


class ReportFormForm(forms.Form):
    """A form's details; its indicator list is edited beside it (codes in order, see views.catalog)."""

    code = forms.CharField(label=_("Mã"), max_length=40, widget=_text(autocapitalize="characters"))
    name = forms.CharField(label=_("Tên biểu mẫu"), max_length=250, widget=_text())
    period_type = forms.ChoiceField(label=_("Loại kỳ"), widget=_select())
    scheme = forms.ChoiceField(label=_("Chế độ kỳ"), widget=_select())
    deadline_working_days = forms.IntegerField(
        label=_("Hạn nộp (ngày làm việc sau kỳ)"), min_value=0, max_value=60, widget=_text(inputmode="numeric")
    )
    unit_kinds = forms.MultipleChoiceField(
        label=_("Cấp báo cáo"), widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})
    )
    active_from = forms.DateField(
        label=_("Áp dụng từ"), widget=forms.DateInput(attrs={"class": "form-control", "type": "date"})
    )

    def __init__(self, *args, editing=False, **kwargs):
        from giaoban.orgs.models import OrgUnit

        from . import periods

        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["code"]
        self.fields["period_type"].choices = [(t, t) for t in periods.PERIOD_TYPES]
        self.fields["scheme"].choices = [(s, s) for s in periods.SCHEMES]
        self.fields["unit_kinds"].choices = OrgUnit.Kind.choices
class AuditFilterForm(forms.Form):
    """The audit page's filters (GET): a unit and everything below it (?unit=<code>, what the shared unit picker
    sets), who (username), which kind of change, a date range (inclusive), one report; ?from=&to=&user= too."""

    unit = forms.CharField(label=_("Mã đơn vị (cả cấp dưới)"), max_length=12, required=False)
    actor = forms.CharField(label=_("Người sửa (tên đăng nhập)"), max_length=150, required=False)
    kind = forms.ChoiceField(label=_("Loại thay đổi"), required=False)
    start = forms.DateField(
        label=_("Từ ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label=_("Đến ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    submission = forms.IntegerField(required=False, widget=forms.HiddenInput)
    cursor = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, data=None, *args, kinds=(), **kwargs):
        if data is not None:
            data = data.copy()
            for alias, name in (("from", "start"), ("to", "end"), ("user", "actor")):
                if data.get(alias) and not data.get(name):
                    data[name] = data[alias]
        super().__init__(data, *args, **kwargs)
        self.fields["kind"].choices = [("", _("Tất cả"))] + [(k, label) for k, label in kinds]
        for f in self.fields.values():
            f.widget.attrs.setdefault("class", "form-select" if isinstance(f.widget, forms.Select) else "form-control")
