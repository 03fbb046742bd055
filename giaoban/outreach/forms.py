"""Forms of the outreach pages. They parse input; the services validate and write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from giaoban.orgs.models import OrgUnit

from .models import Channel


class BootstrapForm(forms.Form):
    """Bootstrap's classes on every widget, so the pages need no per-field markup."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            elif not isinstance(widget, forms.HiddenInput):
                widget.attrs.setdefault("class", "form-control")


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.code})"


class ChannelForm(BootstrapForm):
    org_unit = UnitChoiceField(label=_("Đơn vị quản lý"), queryset=OrgUnit.objects.none())
    name = forms.CharField(label=_("Tên kênh"), max_length=200)
    platform = forms.ChoiceField(label=_("Nền tảng"), choices=Channel.Platform.choices)
    url = forms.URLField(label=_("Địa chỉ"), required=False, assume_scheme="https")
    since = forms.DateField(label=_("Hoạt động từ"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = units


class MetricForm(BootstrapForm):
    period = forms.CharField(label=_("Tháng hoặc tuần"), max_length=8, help_text=_("Ví dụ: 2023-03 hoặc 2023W10"))
    posts = forms.CharField(label=_("Số bài đăng"), required=False)
    reach = forms.CharField(label=_("Lượt tiếp cận / truy cập"), required=False)
    followers = forms.CharField(label=_("Người theo dõi (cuối kỳ)"), required=False)
    interactions = forms.CharField(label=_("Lượt tương tác"), required=False)


class CsvForm(BootstrapForm):
    file = forms.FileField(label=_("Tệp CSV (UTF-8)"))


class ContestForm(BootstrapForm):
    org_unit = UnitChoiceField(label=_("Đơn vị tổ chức"), queryset=OrgUnit.objects.none())
    name = forms.CharField(label=_("Tên cuộc thi"), max_length=300)
    organiser = forms.CharField(label=_("Cơ quan tổ chức"), max_length=300, required=False)
    starts_on = forms.DateField(label=_("Từ ngày"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Đến ngày"), widget=forms.DateInput(attrs={"type": "date"}))
    categories = forms.CharField(
        label=_("Thể loại (mỗi dòng một thể loại)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    prizes = forms.CharField(
        label=_("Cơ cấu giải (mỗi dòng: tên giải; số lượng)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Ví dụ: Giải Nhất; 1"),
    )
    rules = forms.CharField(label=_("Thể lệ"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = units

    def clean_prizes(self):
        prizes = []
        for line in self.cleaned_data["prizes"].splitlines():
            if not line.strip():
                continue
            name, _sep, count = line.partition(";")
            try:
                n = int(count.strip() or "1")
            except ValueError:
                raise forms.ValidationError(_("Số lượng giải phải là số: %(l)s") % {"l": line}) from None
            prizes.append({"name": name.strip(), "count": n})
        return prizes


class EntryForm(BootstrapForm):
    title = forms.CharField(label=_("Tên tác phẩm"), max_length=400)
    authors = forms.CharField(label=_("Tác giả"), max_length=400)
    org_unit = UnitChoiceField(label=_("Đơn vị"), queryset=OrgUnit.objects.none())
    category = forms.CharField(label=_("Thể loại"), max_length=100, required=False)
    submitted_on = forms.DateField(label=_("Ngày nhận"), widget=forms.DateInput(attrs={"type": "date"}))
    file = forms.FileField(label=_("Tệp tác phẩm"), required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = units


class ScoreForm(BootstrapForm):
    entry = forms.IntegerField(widget=forms.HiddenInput)
    judge = forms.CharField(label=_("Giám khảo"), max_length=200)
    score = forms.CharField(label=_("Điểm (0–100)"))


class TrainingForm(BootstrapForm):
    org_unit = UnitChoiceField(label=_("Đơn vị tổ chức"), queryset=OrgUnit.objects.none())
    title = forms.CharField(label=_("Tên lớp / hội nghị"), max_length=300)
    organiser = forms.CharField(label=_("Cơ quan tổ chức"), max_length=300, required=False)
    starts_on = forms.DateField(label=_("Từ ngày"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Đến ngày"), widget=forms.DateInput(attrs={"type": "date"}))
    sessions = forms.IntegerField(label=_("Số buổi"), min_value=1, initial=1)
    place = forms.CharField(label=_("Địa điểm"), max_length=300, required=False)
    online = forms.BooleanField(label=_("Trực tuyến"), required=False)
    trainers = forms.CharField(label=_("Báo cáo viên"), max_length=400, required=False)
    groups = forms.CharField(
        label=_("Học viên theo đối tượng (mỗi dòng: đối tượng; số người)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Ví dụ: cán bộ; 40"),
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = units

    def clean_groups(self):
        groups = {}
        for line in self.cleaned_data["groups"].splitlines():
            if not line.strip():
                continue
            name, _sep, count = line.partition(";")
            try:
                groups[name.strip()] = int(count.strip())
            except ValueError:
                raise forms.ValidationError(_("Số người phải là số: %(l)s") % {"l": line}) from None
        return groups
