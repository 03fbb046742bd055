from rest_framework import serializers

from giaoban.orgs.models import OrgUnit

from ..models import METRICS, Channel, ChannelMetric, Contest, Entry, Training


class UnitCodeField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=OrgUnit.objects.all(), **kwargs)


class ChannelSerializer(serializers.ModelSerializer):
    unit = UnitCodeField(source="org_unit")

    class Meta:
        model = Channel
        fields = ["id", "unit", "committee", "name", "platform", "url", "since", "status"]
        read_only_fields = ["id", "status"]


class MetricSerializer(serializers.ModelSerializer):
    period = serializers.CharField(help_text="A calendar month (2023-03) or ISO week (2023W10).")
    posts = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    reach = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    followers = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    interactions = serializers.IntegerField(required=False, allow_null=True, min_value=0)

    class Meta:
        model = ChannelMetric
        fields = ["period", *METRICS]


class PrizeSerializer(serializers.Serializer):
    name = serializers.CharField()
    count = serializers.IntegerField(min_value=1)


class ContestSerializer(serializers.ModelSerializer):
    unit = UnitCodeField(source="org_unit")
    categories = serializers.ListField(child=serializers.CharField(), required=False)
    rounds = serializers.ListField(child=serializers.CharField(), required=False)
    prizes = PrizeSerializer(many=True, required=False)
    entries = serializers.IntegerField(read_only=True, source="entry_count")

    class Meta:
        model = Contest
        fields = [
            "id",
            "unit",
            "committee",
            "name",
            "organiser",
            "rules",
            "starts_on",
            "ends_on",
            "categories",
            "rounds",
            "prizes",
            "entries",
        ]
        read_only_fields = ["id", "entries"]


class EntrySerializer(serializers.ModelSerializer):
    unit = UnitCodeField(source="org_unit")
    score = serializers.DecimalField(max_digits=6, decimal_places=2, read_only=True, source="mean", allow_null=True)

    class Meta:
        model = Entry
        fields = ["id", "title", "authors", "unit", "agency", "category", "submitted_on", "prize", "rank", "score"]
        read_only_fields = ["id", "prize", "rank", "score"]


class ScoreInputSerializer(serializers.Serializer):
    entry = serializers.IntegerField()
    judge = serializers.CharField()
    round = serializers.CharField(required=False, allow_blank=True, default="")
    score = serializers.DecimalField(max_digits=6, decimal_places=2)


class GroupsField(serializers.DictField):
    """Participants by group: written as a dict, read from the training's groups."""

    def to_representation(self, value):
        return {g.group: g.count for g in value.all()}


class TrainingSerializer(serializers.ModelSerializer):
    unit = UnitCodeField(source="org_unit")
    groups = GroupsField(
        child=serializers.IntegerField(min_value=0),
        required=False,
        help_text='Participants by group, e.g. {"cán bộ": 40, "đoàn viên": 25}.',
    )
    participants = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Training
        fields = [
            "id",
            "unit",
            "committee",
            "title",
            "organiser",
            "starts_on",
            "ends_on",
            "place",
            "online",
            "sessions",
            "trainers",
            "materials",
            "groups",
            "participants",
        ]
        read_only_fields = ["id", "participants"]
