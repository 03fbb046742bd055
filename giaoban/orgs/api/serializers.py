from rest_framework import serializers

from giaoban.core.access import Role

from ..models import Committee, Membership, OrgUnit, UserRole


class OrgUnitSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = OrgUnit
        fields = ["code", "name", "kind", "subtype", "parent", "valid_from", "valid_to"]


class LineageSerializer(serializers.Serializer):
    code = serializers.CharField(source="unit.code")
    name = serializers.CharField(source="unit.name")
    kind = serializers.CharField(source="succession.kind")
    date = serializers.DateField(source="succession.date")
    share = serializers.DecimalField(source="weight", max_digits=9, decimal_places=6)
    generation = serializers.IntegerField()


class OrgUnitDetailSerializer(OrgUnitSerializer):
    predecessors = LineageSerializer(many=True, read_only=True)
    successors = LineageSerializer(many=True, read_only=True)

    class Meta(OrgUnitSerializer.Meta):
        fields = [*OrgUnitSerializer.Meta.fields, "predecessors", "successors"]


class MembershipSerializer(serializers.ModelSerializer):
    agency = serializers.StringRelatedField(allow_null=True)
    decision = serializers.CharField(source="appointed_by.number")
    decision_date = serializers.DateField(source="appointed_by.date")
    ended_by = serializers.CharField(source="ended_by.number", default=None, allow_null=True)

    class Meta:
        model = Membership
        fields = [
            "id",
            "committee",
            "person_name",
            "position",
            "agency",
            "role",
            "start_date",
            "end_date",
            "decision",
            "decision_date",
            "ended_by",
        ]


class CommitteeSerializer(serializers.ModelSerializer):
    unit = serializers.SlugRelatedField(source="org_unit", slug_field="code", read_only=True)
    standing_agency = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = Committee
        fields = [
            "id",
            "name",
            "short_name",
            "unit",
            "standing_agency",
            "is_state_body",
            "established_on",
            "dissolved_on",
        ]


class CommitteeDetailSerializer(CommitteeSerializer):
    members = MembershipSerializer(many=True, read_only=True, source="current_members")

    class Meta(CommitteeSerializer.Meta):
        fields = [*CommitteeSerializer.Meta.fields, "members"]


class UserRoleSerializer(serializers.ModelSerializer):
    unit = serializers.SlugRelatedField(source="org_unit", slug_field="code", read_only=True)
    agency = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = UserRole
        fields = ["id", "role", "unit", "agency"]


class UserSerializer(serializers.Serializer):
    """A login of the admin's subtree; `name` is the full name in Vietnamese order."""

    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    name = serializers.SerializerMethodField()
    email = serializers.CharField(read_only=True, help_text="May be empty for accounts made outside the site.")
    phone = serializers.SerializerMethodField()
    unit = serializers.SerializerMethodField(help_text="Code of the unit the account belongs to, if set.")
    is_active = serializers.BooleanField(read_only=True)
    last_login = serializers.DateTimeField(read_only=True, allow_null=True)
    roles = UserRoleSerializer(source="giaoban_roles", many=True, read_only=True)

    def get_name(self, user) -> str:
        return f"{user.last_name} {user.first_name}".strip()

    def get_phone(self, user) -> str:
        profile = getattr(user, "giaoban_profile", None)
        return profile.phone if profile else ""

    def get_unit(self, user) -> str | None:
        profile = getattr(user, "giaoban_profile", None)
        return profile.org_unit.code if profile else None


class UserInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=150)
    email = serializers.EmailField()
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    unit = serializers.CharField(max_length=12, help_text="Code of a unit you administer.")
    role = serializers.ChoiceField(choices=Role.choices, required=False, allow_blank=True, default="")
    agency = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="Agency id (agency_officer)."
    )


class UserUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=150, required=False)
    email = serializers.EmailField(required=False)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    unit = serializers.CharField(max_length=12, required=False)


class RoleInputSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)
    unit = serializers.CharField(max_length=12, required=False, allow_blank=True, default="")
    agency = serializers.IntegerField(required=False, allow_null=True, default=None)


class MembershipLinkSerializer(serializers.Serializer):
    membership = serializers.IntegerField()


class UserImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    users = serializers.ListField(child=serializers.IntegerField())
