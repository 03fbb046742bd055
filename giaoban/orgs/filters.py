"""Filters shared by the unit browser page and the API list."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from giaoban.core.access import Role, subtree_q
from giaoban.core.text import fold

from .models import Committee, Membership, OrgUnit, UserProfile, UserRole


class OrgUnitFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Tìm kiếm (tên hoặc mã, không cần dấu)"))
    valid_on = django_filters.DateFilter(method="filter_valid_on", label=_("Hiệu lực vào ngày"))
    kind = django_filters.ChoiceFilter(choices=OrgUnit.Kind.choices, label=_("Cấp"))
    parent = django_filters.CharFilter(field_name="parent__code", label=_("Mã đơn vị cấp trên"))

    class Meta:
        model = OrgUnit
        fields = ["q", "valid_on", "kind", "parent"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name_folded__contains=fold(value)) | Q(code=value))

    def filter_valid_on(self, queryset, name, value):
        return queryset.valid_on(value)


class CommitteeFilter(django_filters.FilterSet):
    unit = django_filters.CharFilter(field_name="org_unit__code", label=_("Mã đơn vị"))

    class Meta:
        model = Committee
        fields = ["unit"]


class MembershipFilter(django_filters.FilterSet):
    committee = django_filters.NumberFilter(field_name="committee_id")
    current = django_filters.BooleanFilter(method="filter_current", label=_("Đang là thành viên"))
    role = django_filters.ChoiceFilter(choices=Membership._meta.get_field("role").choices)

    class Meta:
        model = Membership
        fields = ["committee", "current", "role"]

    def filter_current(self, queryset, name, value):
        current = queryset.current()
        return current if value else queryset.exclude(pk__in=current.values("pk"))


class UserFilter(django_filters.FilterSet):
    """The user list's filters, on /users/ and /api/v1/users/: search without diacritics by name, e-mail or
    unit (name or code), a unit and everything below it, a role, active or not."""

    q = django_filters.CharFilter(method="filter_q", label=_("Tìm kiếm (tên, thư điện tử, đơn vị; không cần dấu)"))
    unit = django_filters.CharFilter(method="filter_unit", label=_("Mã đơn vị"))
    role = django_filters.ChoiceFilter(choices=Role.choices, method="filter_role", label=_("Vai trò"))
    is_active = django_filters.BooleanFilter(field_name="is_active", label=_("Đang hoạt động"))

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        needle = fold(value)
        units = OrgUnit.objects.filter(Q(name_folded__contains=needle) | Q(code=value))
        return queryset.filter(
            Q(pk__in=UserProfile.objects.filter(name_folded__contains=needle).values("user_id"))
            | Q(email__icontains=value)
            | Q(username__icontains=value)
            | Q(first_name__icontains=value)
            | Q(last_name__icontains=value)
            | Q(pk__in=UserRole.objects.filter(org_unit__in=units).values("user_id"))
            | Q(pk__in=UserProfile.objects.filter(org_unit__in=units).values("user_id"))
        )

    def filter_unit(self, queryset, name, value):
        unit = OrgUnit.objects.filter(code=value.strip()).first()
        if unit is None:
            return queryset.none()
        below = subtree_q("org_unit__path", unit.path)
        return queryset.filter(
            Q(pk__in=UserRole.objects.filter(below).values("user_id"))
            | Q(pk__in=UserProfile.objects.filter(below).values("user_id"))
        )

    def filter_role(self, queryset, name, value):
        return queryset.filter(pk__in=UserRole.objects.filter(role=value).values("user_id"))
