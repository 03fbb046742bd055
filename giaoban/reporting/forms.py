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
