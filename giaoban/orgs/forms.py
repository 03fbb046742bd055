"""Forms of the committee pages: a kiện toàn decision with the members it ends and starts."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Agency, CommitteeRole, Membership


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
    person_name = forms.CharField(label=_("Họ và tên"), max_length=120)
    role = forms.ChoiceField(label=_("Vai trò trong Ban"), choices=CommitteeRole.choices)
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
        elif not isinstance(field.widget, forms.CheckboxSelectMultiple):
            field.widget.attrs.setdefault("class", "form-control")


NewMemberFormSet = forms.formset_factory(NewMemberForm, extra=3)
