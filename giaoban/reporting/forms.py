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
