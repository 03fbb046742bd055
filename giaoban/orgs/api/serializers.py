from rest_framework import serializers

from ..models import Committee, Membership, OrgUnit


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
