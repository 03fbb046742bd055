"""Page forms of the work app: they only parse what the pages send; the rules live in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from giaoban.orgs.models import Membership

from .models import Attendance, Meeting, TaskEvent

__all__ = [
    "AttendanceRowForm",
    "ConfirmForm",
    "DoneForm",
    "ExtensionForm",
    "InviteForm",
    "IssueForm",
    "MeetingForm",
    "MinutesForm",
    "ProgressForm",
    "ReasonForm",
    "UrgeForm",
]

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


def _ctl(widget, cls="form-control"):
    widget.attrs.setdefault("class", cls)
    return widget


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"class": "form-control"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", attrs={"class": "form-control"}, **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", attrs={"class": "form-control"}, **kwargs)


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        return f"{obj.person_name} — {obj.get_role_display()}"


class MemberMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        return f"{obj.person_name} — {obj.get_role_display()}"


class MeetingForm(forms.Form):
    """The meeting's own fields and its invitees; the agenda comes as repeated `agenda_*` fields."""

    kind = forms.ChoiceField(
        label=_("Loại cuộc họp"), choices=Meeting.Kind.choices, widget=_ctl(forms.Select(), "form-select")
    )
    title = forms.CharField(label=_("Tên cuộc họp"), max_length=300, widget=_ctl(forms.TextInput()))
    period = forms.CharField(
        label=_("Kỳ báo cáo (ví dụ 2026N9, 2026-10)"), max_length=10, required=False, widget=_ctl(forms.TextInput())
    )
    starts_at = forms.DateTimeField(label=_("Bắt đầu"), input_formats=DATETIME_FORMATS, widget=DateTimeInput())
    ends_at = forms.DateTimeField(
        label=_("Kết thúc"), input_formats=DATETIME_FORMATS, required=False, widget=DateTimeInput()
    )
    place = forms.CharField(label=_("Địa điểm"), max_length=300, required=False, widget=_ctl(forms.TextInput()))
    online_url = forms.URLField(
        label=_("Đường dẫn họp trực tuyến"), required=False, widget=_ctl(forms.URLInput()), assume_scheme="https"
    )
    chair = MemberChoiceField(
        label=_("Chủ trì"),
        queryset=Membership.objects.none(),
        required=False,
        widget=_ctl(forms.Select(), "form-select"),
    )
    secretary = MemberChoiceField(
        label=_("Thư ký"),
        queryset=Membership.objects.none(),
        required=False,
        widget=_ctl(forms.Select(), "form-select"),
    )
    invited_members = MemberMultipleChoiceField(
        label=_("Thành viên được mời"),
        queryset=Membership.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    invited_agencies = forms.ModelMultipleChoiceField(
        label=_("Cơ quan thành viên được mời"),
        queryset=Membership.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, members=None, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("chair", "secretary", "invited_members"):
            self.fields[name].queryset = members
        self.fields["invited_agencies"].queryset = agencies


class InviteForm(forms.Form):
    number = forms.CharField(
        label=_("Số giấy mời"),
        max_length=30,
        required=False,
        widget=_ctl(forms.TextInput(attrs={"placeholder": _("để trống: lấy số tiếp theo")})),
    )
    invited_on = forms.DateField(label=_("Ngày gửi"), input_formats=DATE_FORMATS, required=False, widget=DateInput())


class AttendanceRowForm(forms.Form):
    status = forms.ChoiceField(choices=[("", "—"), *Attendance.Status.choices], required=False)
    reason = forms.CharField(max_length=300, required=False)
    delegate = forms.CharField(max_length=200, required=False)


class MinutesForm(forms.Form):
    proceedings = forms.CharField(
        label=_("Diễn biến cuộc họp"), required=False, widget=_ctl(forms.Textarea(attrs={"rows": 8}))
    )
    closed_at = forms.DateTimeField(
        label=_("Kết thúc lúc"), input_formats=DATETIME_FORMATS, required=False, widget=DateTimeInput()
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class IssueForm(forms.Form):
    number = forms.CharField(
        label=_("Số thông báo"),
        max_length=30,
        required=False,
        widget=_ctl(forms.TextInput(attrs={"placeholder": _("để trống: lấy số tiếp theo")})),
    )
    issued_on = forms.DateField(
        label=_("Ngày ban hành"), input_formats=DATE_FORMATS, required=False, widget=DateInput()
    )


class ProgressForm(forms.Form):
    note = forms.CharField(label=_("Nội dung tiến độ"), required=False, widget=_ctl(forms.Textarea(attrs={"rows": 3})))
    percent = forms.IntegerField(
        label=_("Tiến độ (%)"), min_value=0, max_value=100, required=False, widget=_ctl(forms.NumberInput())
    )
    files = MultipleFileField(label=_("Tệp đính kèm"))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class DoneForm(forms.Form):
    note = forms.CharField(label=_("Kết quả"), required=False, widget=_ctl(forms.Textarea(attrs={"rows": 3})))
    result_document = forms.CharField(
        label=_("Số văn bản kết quả"), max_length=120, required=False, widget=_ctl(forms.TextInput())
    )
    files = MultipleFileField(label=_("Tệp đính kèm"))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ConfirmForm(forms.Form):
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Lý do"), required=False, widget=_ctl(forms.Textarea(attrs={"rows": 2})))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ExtensionForm(forms.Form):
    due_on = forms.DateField(label=_("Thời hạn đề nghị"), input_formats=DATE_FORMATS, widget=DateInput())
    reason = forms.CharField(label=_("Lý do"), required=False, widget=_ctl(forms.Textarea(attrs={"rows": 2})))


class UrgeForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Hình thức"), choices=TaskEvent.UrgeKind.choices, widget=_ctl(forms.Select(), "form-select")
    )
    note = forms.CharField(label=_("Nội dung"), required=False, widget=_ctl(forms.Textarea(attrs={"rows": 2})))
