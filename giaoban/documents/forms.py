"""Page forms of the register: they only parse what the pages send; the rules live in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from giaoban.orgs.models import Agency, OrgUnit

from .models import DocumentType, Relation

__all__ = [
    "DocumentForm",
    "EntryForm",
    "FileForm",
    "HandleForm",
    "IncomingForm",
    "RelationForm",
]

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", attrs={"class": "form-control"}, **kwargs)


def _date(label, required=True) -> forms.DateField:
    return forms.DateField(label=label, required=required, input_formats=DATE_FORMATS, widget=DateInput())


def _text(label, max_length, required=True, area=False) -> forms.CharField:
    widget = (
        forms.Textarea(attrs={"class": "form-control", "rows": 3})
        if area
        else forms.TextInput(attrs={"class": "form-control"})
    )
    return forms.CharField(label=label, max_length=max_length, required=required, widget=widget)


class DocumentForm(forms.Form):
    """The typed fields of a document (number, symbol, type, date, issuer, subject, signer)."""

    number = _text(_("Số"), 20, required=False)
    symbol = _text(_("Ký hiệu"), 60, required=False)
    type = forms.ChoiceField(
        label=_("Loại văn bản"), choices=DocumentType.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    date = _date(_("Ngày ban hành"))
    issuer = _text(_("Cơ quan ban hành (tác giả)"), 250)
    subject = _text(_("Trích yếu nội dung"), 5000, area=True)
    signer = _text(_("Người ký"), 120, required=False)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def document_data(self) -> dict:
        return {k: self.cleaned_data[k] for k in ("number", "symbol", "type", "date", "issuer", "subject", "signer")}


class EntryForm(forms.Form):
    """A line of the incoming register, less its running number (drawn by the service)."""

    received_on = _date(_("Ngày đến"))
    recipient = _text(_("Đơn vị hoặc người nhận"), 250, required=False)
    passed_on = _date(_("Ngày chuyển"), required=False)
    deadline = _date(_("Hạn giải quyết"), required=False)
    progress = _text(_("Tiến độ giải quyết"), 5000, required=False, area=True)
    notes = _text(_("Ghi chú"), 5000, required=False, area=True)

    def entry_data(self) -> dict:
        return {
            k: self.cleaned_data[k] for k in ("received_on", "recipient", "passed_on", "notes", "deadline", "progress")
        }


class IncomingForm(DocumentForm, EntryForm):
    """A document received and its line of the incoming register, in one step."""


class RelationForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Quan hệ"), choices=Relation.Kind.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    target = _text(_("Văn bản (số, ký hiệu, ví dụ 35-NQ/TW)"), 90)


class FileForm(forms.Form):
    file = forms.FileField(label=_("Tệp"), widget=forms.ClearableFileInput(attrs={"class": "form-control"}))


class AgencyChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Agency) -> str:
        return obj.name


class HandleForm(forms.Form):
    """A handling instruction: a task for a member agency (with supporting agencies) or a committee below."""

    title = _text(_("Nội dung chỉ đạo (nhiệm vụ)"), 500, required=False)
    agency = AgencyChoice(
        label=_("Cơ quan chủ trì"),
        queryset=Agency.objects.none(),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    unit = forms.ModelChoiceField(
        label=_("Hoặc Ban Chỉ đạo cấp dưới chủ trì"),
        queryset=OrgUnit.objects.none(),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    supporting = forms.ModelMultipleChoiceField(
        label=_("Cơ quan phối hợp"),
        queryset=Agency.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"class": "form-select", "size": 4}),
    )
    due_on = _date(_("Hạn giải quyết"), required=False)
    description = _text(_("Ghi chú chỉ đạo"), 5000, required=False, area=True)

    def __init__(self, *args, agencies=None, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if agencies is not None:
            self.fields["agency"].queryset = agencies
            self.fields["supporting"].queryset = agencies
        if units is not None:
            self.fields["unit"].queryset = units
