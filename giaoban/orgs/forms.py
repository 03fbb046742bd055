"""Forms of the committee and user pages: a kiện toàn decision with the members it ends and starts; a login,
its roles and its link to a committee membership; a CSV of users."""

from django import forms
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from giaoban.core.access import Role

from .models import Agency, CommitteeRole, Membership, OrgUnit


class DecisionForm(forms.Form):
    number = forms.CharField(label=_("Số, ký hiệu quyết định"), max_length=60)
    date = forms.DateField(label=_("Ngày ký"), widget=forms.DateInput(attrs={"type": "date"}))
    issuer = forms.CharField(label=_("Cơ quan ban hành"), max_length=200, required=False)
    subject = forms.CharField(label=_("Trích yếu"), max_length=400, required=False)
    end = forms.ModelMultipleChoiceField(
        label=_("Thôi tham gia"),
        queryset=Membership.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, current: list[Membership], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["end"].queryset = Membership.objects.filter(pk__in=[m.pk for m in current])
        self.fields["end"].label_from_instance = lambda m: f"{m.person_name} — {m.get_role_display()}"


class NewMemberForm(forms.Form):
    """One person a decision adds. A row left blank is no person: the role starts empty, so an untouched
    row has not changed and the formset skips it."""

    person_name = forms.CharField(label=_("Họ và tên"), max_length=120)
    role = forms.ChoiceField(label=_("Vai trò trong Ban"), choices=[("", "—"), *CommitteeRole.choices])
    position = forms.CharField(label=_("Chức vụ"), max_length=250, required=False)
    agency = forms.ModelChoiceField(label=_("Cơ quan"), queryset=Agency.objects.none(), required=False)

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        if agencies is not None:
            self.fields["agency"].queryset = agencies
        _bootstrap(self)


def _bootstrap(form: forms.Form) -> None:
    for field in form.fields.values():
        if isinstance(field.widget, forms.Select):
            field.widget.attrs.setdefault("class", "form-select")
        elif isinstance(field.widget, forms.CheckboxInput):
            field.widget.attrs.setdefault("class", "form-check-input")
        elif not isinstance(field.widget, forms.CheckboxSelectMultiple):
            field.widget.attrs.setdefault("class", "form-control")


NewMemberFormSet = forms.formset_factory(NewMemberForm, extra=1, max_num=200, absolute_max=200)


class UnitPickerWidget(forms.Widget):
    """The one unit picker (orgs/includes/unit_picker.html) as a form widget: a hidden code and the text typed."""

    def __init__(self, scope: str = "view", attrs=None):
        super().__init__(attrs)
        self.scope = scope
        self.units = OrgUnit.objects.none()

    def value_from_datadict(self, data, files, name):
        return (data.get(name), data.get(f"{name}_q"))

    def value_omitted_from_data(self, data, files, name):
        return name not in data and f"{name}_q" not in data

    def id_for_label(self, id_):
        return f"id_{id_.removeprefix('id_')}_q" if id_ else id_

    def render(self, name, value, attrs=None, renderer=None):
        from .selectors import UnitPick, unit_pick

        if isinstance(value, tuple):
            pick = unit_pick(self.units, *value)
        elif isinstance(value, OrgUnit):
            pick = UnitPick(value)
        else:
            pick = unit_pick(self.units, value, None)
        context = {
            "name": name,
            "uid": (attrs or {}).get("id", "").removeprefix("id_") or name,
            "scope": self.scope,
            "unit": pick.unit,
            "text": pick.text,
            "candidates": pick.candidates,
            "more": pick.more,
            "no_label": True,
        }
        return mark_safe(render_to_string("orgs/includes/unit_picker.html#picker", context))  # noqa: S308


class UnitPickerField(forms.Field):
    """A unit of `queryset`, chosen with the unit picker: typed by name without diacritics (closed units too),
    submitted as its code. What a CSV or an old URL sends, a bare code, still works."""

    default_error_messages = {
        "not_found": _("Không tìm thấy đơn vị “%(q)s” trong phạm vi của bạn."),
        "ambiguous": _("Có nhiều đơn vị khớp “%(q)s”: chọn một trong danh sách."),
    }

    def __init__(self, *, queryset=None, scope: str = "view", **kwargs):
        super().__init__(widget=UnitPickerWidget(scope=scope), **kwargs)
        self.queryset = queryset if queryset is not None else OrgUnit.objects.none()

    @property
    def queryset(self):
        return self._queryset

    @queryset.setter
    def queryset(self, value):
        self._queryset = value
        self.widget.units = value

    def to_python(self, value):
        from .selectors import unit_pick

        if isinstance(value, OrgUnit) or value in self.empty_values:
            return value or None
        code, text = value if isinstance(value, tuple) else (value, None)
        pick = unit_pick(self.queryset, code, text)
        if pick.unit is not None:
            return pick.unit
        if pick.ambiguous:
            raise ValidationError(self.error_messages["ambiguous"], code="ambiguous", params={"q": pick.text})
        if pick.not_found or (code and text is None):
            raise ValidationError(self.error_messages["not_found"], code="not_found", params={"q": pick.text or code})
        return None

    def validate(self, value):
        if value is None and self.required:
            raise ValidationError(self.error_messages["required"], code="required")

    def prepare_value(self, value):
        return value


class UserForm(forms.Form):
    name = forms.CharField(label=_("Họ và tên"), max_length=150)
    email = forms.EmailField(label=_("Thư điện tử"))
    phone = forms.CharField(label=_("Số điện thoại"), max_length=20, required=False)
    org_unit = UnitPickerField(label=_("Đơn vị"), scope="manage")

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = units
        _bootstrap(self)


class UserCreateForm(UserForm):
    role = forms.ChoiceField(label=_("Vai trò"), required=False)
    agency = forms.ModelChoiceField(
        label=_("Cơ quan (cán bộ cơ quan thành viên)"), queryset=Agency.objects.none(), required=False
    )
    send_link = forms.BooleanField(label=_("Gửi thư để người dùng tự đặt mật khẩu"), required=False, initial=True)

    def __init__(self, *args, units, agencies, roles, **kwargs):
        super().__init__(*args, units=units, **kwargs)
        self.fields["role"].choices = [("", "—"), *roles]
        self.fields["agency"].queryset = agencies
        _bootstrap(self)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Vai trò"))
    org_unit = UnitPickerField(label=_("Tại đơn vị"), scope="manage", required=False)
    agency = forms.ModelChoiceField(
        label=_("Cơ quan (cán bộ cơ quan thành viên)"), queryset=Agency.objects.none(), required=False
    )

    def __init__(self, *args, units, agencies, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = roles
        self.fields["org_unit"].queryset = units
        self.fields["agency"].queryset = agencies
        _bootstrap(self)


class MembershipLinkForm(forms.Form):
    membership = forms.ModelChoiceField(label=_("Thành viên Ban Chỉ đạo"), queryset=Membership.objects.none())

    def __init__(self, *args, memberships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membership"].queryset = memberships
        self.fields["membership"].label_from_instance = lambda m: (
            f"{m.person_name} — {m.get_role_display()}, {m.committee.name}"
        )
        _bootstrap(self)


class UserCsvForm(forms.Form):
    file = forms.FileField(label=_("Tệp CSV (UTF-8)"))
    send_links = forms.BooleanField(label=_("Gửi thư để người dùng tự đặt mật khẩu"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)


def grantable_roles(actor) -> list[tuple[str, str]]:
    """The roles the actor may grant: every role but system administrator, unless they are one."""
    from giaoban.core.access import is_system_admin

    return [(v, label) for v, label in Role.choices if v != Role.SYSTEM_ADMIN or is_system_admin(actor)]


class UnitImportForm(forms.Form):
    """The system admin's CSV import of units or successions (the rules of `giaoban orgunits import-*`)."""

    UNITS = "units"
    SUCCESSIONS = "successions"

    what = forms.ChoiceField(
        label=_("Nội dung tệp"),
        choices=[(UNITS, _("Đơn vị")), (SUCCESSIONS, _("Kế thừa (sáp nhập, chia tách, đổi tên)"))],
        initial=UNITS,
    )
    file = forms.FileField(label=_("Tệp CSV (UTF-8)"))
    dry_run = forms.BooleanField(label=_("Chỉ kiểm tra, chưa ghi"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)
