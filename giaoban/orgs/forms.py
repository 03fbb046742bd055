"""Forms of the committee and user pages: a kiện toàn decision with the members it ends and starts; a login,
its roles and its link to a committee membership; a CSV of users."""

from django import forms
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


class UnitChoiceField(forms.ModelChoiceField):
    """A unit of the admin's subtree, chosen by its code (what people type and what a CSV holds)."""

    def __init__(self, **kwargs):
        super().__init__(queryset=OrgUnit.objects.none(), to_field_name="code", **kwargs)
        self.widget = forms.TextInput(attrs={"list": "unit-codes", "autocomplete": "off"})
        self.error_messages["invalid_choice"] = _("Không có đơn vị mã này trong phạm vi quản trị của bạn.")

    def label_from_instance(self, obj):
        return f"{obj.code} — {obj.name}"

    def prepare_value(self, value):
        if isinstance(value, OrgUnit):
            return value.code
        return super().prepare_value(value)


class UserForm(forms.Form):
    name = forms.CharField(label=_("Họ và tên"), max_length=150)
    email = forms.EmailField(label=_("Thư điện tử"))
    phone = forms.CharField(label=_("Số điện thoại"), max_length=20, required=False)
    org_unit = UnitChoiceField(label=_("Đơn vị (mã)"))

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
    org_unit = UnitChoiceField(label=_("Tại đơn vị (mã)"), required=False)
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
