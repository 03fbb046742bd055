from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from giaoban.orgs.models import OrgUnit

from .. import periods
from ..figures import figure
from ..models import Indicator, ReportForm, Submission, SubmissionEvent, ValueChange


class IndicatorSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="name_vi")
    unit = serializers.CharField(source="unit_of_measure", required=False, allow_blank=True)
    numerator = serializers.SlugRelatedField(
        slug_field="code", queryset=Indicator.objects.all(), required=False, allow_null=True
    )
    denominator = serializers.SlugRelatedField(
        slug_field="code", queryset=Indicator.objects.all(), required=False, allow_null=True
    )
    aggregation = serializers.ChoiceField(
        choices=["sum", "max", "min", "mean", "ratio"], required=False, help_text="Across units."
    )
    time_aggregation = serializers.ChoiceField(
        choices=["sum", "last", "max", "min", "mean"], required=False, help_text="Across the periods of a window."
    )
    owner = serializers.SlugRelatedField(
        slug_field="code",
        queryset=OrgUnit.objects.all(),
        required=False,
        help_text="Code of the unit whose admins may change it (default: national for system admins, else the "
        "highest unit you administer). Fixed once created.",
    )

    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "name_en",
            "unit",
            "value_type",
            "aggregation",
            "time_aggregation",
            "numerator",
            "denominator",
            "min_value",
            "max_value",
            "required",
            "owner",
        ]


class NarrativeSectionSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()


class ReportFormSerializer(serializers.ModelSerializer):
    period_type = serializers.ChoiceField(choices=periods.PERIOD_TYPES)
    scheme = serializers.ChoiceField(choices=periods.SCHEMES)
    unit_kinds = serializers.ListField(child=serializers.ChoiceField(choices=OrgUnit.Kind.values))
    indicators = serializers.ListField(child=serializers.CharField(), help_text="Indicator codes, in order.")
    narrative_sections = NarrativeSectionSerializer(many=True, required=False)
    version = serializers.IntegerField(read_only=True)
    owner = serializers.SlugRelatedField(
        slug_field="code",
        queryset=OrgUnit.objects.all(),
        required=False,
        help_text="Code of the unit whose admins may change it (default as for indicators). Fixed once created.",
    )

    class Meta:
        model = ReportForm
        fields = [
            "code",
            "name",
            "period_type",
            "scheme",
            "deadline_working_days",
            "unit_kinds",
            "active_from",
            "indicators",
            "narrative_sections",
            "version",
            "owner",
        ]
        # The model's default, so a form created without it gets it (the service requires a value).
        extra_kwargs = {"deadline_working_days": {"default": 3}}

    def to_representation(self, form):
        version = form.current
        return {
            "code": form.code,
            "name": form.name,
            "period_type": form.period_type,
            "scheme": form.scheme,
            "deadline_working_days": form.deadline_working_days,
            "unit_kinds": form.unit_kinds,
            "active_from": form.active_from.isoformat(),
            "indicators": [item.indicator.code for item in version.items.all()],
            "narrative_sections": version.narrative_sections,
            "version": version.number,
            "owner": form.owner.code if form.owner_id else None,
        }


class PeriodSerializer(serializers.Serializer):
    id = serializers.CharField()
    type = serializers.CharField()
    scheme = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    composed_of = serializers.ListField(child=serializers.CharField())


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = SubmissionEvent
        fields = ["transition", "actor", "at", "reason"]


class SubmissionSerializer(serializers.ModelSerializer):
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    form = serializers.SlugRelatedField(slug_field="code", read_only=True)
    form_version = serializers.IntegerField(source="form_version.number", read_only=True)
    on_time = serializers.BooleanField(read_only=True, allow_null=True)
    submitted_by = serializers.StringRelatedField(allow_null=True)
    approved_by = serializers.StringRelatedField(allow_null=True)
    period_label = serializers.SerializerMethodField(
        help_text="The period as people say it: 'Tuần 49/2026 (30/11–06/12)'."
    )

    class Meta:
        model = Submission
        fields = [
            "id",
            "unit",
            "form",
            "form_version",
            "period",
            "period_label",
            "status",
            "version",
            "deadline",
            "on_time",
            "submitted_at",
            "submitted_by",
            "approved_at",
            "approved_by",
            "return_reason",
        ]

    def get_period_label(self, obj) -> str:
        return periods.period_label_or_id(obj.period, obj.form.scheme)


class SubmissionDetailSerializer(SubmissionSerializer):
    values = serializers.DictField(child=serializers.CharField(), read_only=True, source="current_values")
    narrative = serializers.DictField(child=serializers.CharField(allow_blank=True), read_only=True)
    events = EventSerializer(many=True, read_only=True)

    class Meta(SubmissionSerializer.Meta):
        fields = [*SubmissionSerializer.Meta.fields, "values", "narrative", "events"]


class SubmissionOpenSerializer(serializers.Serializer):
    unit = serializers.CharField()
    form = serializers.CharField()
    period = serializers.CharField()
    values = serializers.DictField(required=False, help_text="{indicator code: value}; Vietnamese formats accepted.")
    narrative = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False)
    version = serializers.IntegerField(
        required=False,
        min_value=0,
        help_text="With values or narrative: the version you edited, 0 (the default) for a report not saved yet; "
        "409 with the saved state if it changed.",
    )


class SubmitSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        required=False, help_text="The version you edited (required with values or narrative); 409 if it changed."
    )
    values = serializers.DictField(required=False)
    narrative = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False)
    confirm = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Submit figures far outside the unit's history anyway. Without it such figures are answered 400 "
        "with code unusual_figures and `extra.fields` naming them; nothing is written.",
    )


class ApproveItemSerializer(serializers.Serializer):
    id = serializers.IntegerField(min_value=1)
    version = serializers.IntegerField(
        required=False, help_text="The version you saw (as in the list); 409 stale_version if it changed."
    )


class ApproveManySerializer(serializers.Serializer):
    items = serializers.ListField(
        child=ApproveItemSerializer(),
        required=False,
        allow_empty=False,
        max_length=200,
        help_text="[{id, version}]: the reports and the versions you saw. If any changed since, nothing is approved "
        "(409 stale_version, `extra.stale` = their ids).",
    )
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        allow_empty=False,
        max_length=200,
        help_text="Plain ids, without a version check (as the single approval's version is optional); prefer items.",
    )

    def validate(self, attrs):
        if ("items" in attrs) == ("ids" in attrs):
            raise serializers.ValidationError({"items": _("Gửi items hoặc ids (send either items or ids).")})
        return attrs


class ApproveManyResultSerializer(serializers.Serializer):
    approved = serializers.ListField(child=serializers.IntegerField())
    count = serializers.IntegerField()


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)
    version = serializers.IntegerField(required=False)


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False)


class DataValueRowSerializer(serializers.Serializer):
    unit = serializers.CharField()
    form = serializers.CharField()
    period = serializers.CharField()
    indicator = serializers.CharField()
    value = serializers.CharField(allow_blank=True, allow_null=True)


class ImportResultSerializer(serializers.Serializer):
    submissions = serializers.IntegerField()
    values = serializers.IntegerField()


class RollupSerializer(serializers.Serializer):
    indicator = serializers.CharField()
    unit = serializers.CharField(source="unit.code")
    unit_name = serializers.CharField(source="unit.name")
    period = serializers.CharField()
    value = serializers.SerializerMethodField()
    expected = serializers.IntegerField()
    reported = serializers.IntegerField()
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    missing = serializers.IntegerField()
    approved_only = serializers.BooleanField()
    restated = serializers.BooleanField()
    estimated = serializers.BooleanField(
        help_text="Restated with a predecessor's figures at a split share: an estimate (a count is rounded)."
    )

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_value(self, obj):
        indicator = self.context.get("indicator")
        if indicator is None:
            return as_number(obj.value)
        return as_number(figure(indicator, obj.value, estimated=obj.estimated).value)


def as_number(value):
    """JSON number: an int when whole (279, 56000), else a float."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


class ValueChangeSerializer(serializers.ModelSerializer):
    """One figure changed: where, which, from what to what ("" for no figure; numbers as plain decimals), who."""

    unit = serializers.CharField(source="submission.unit.code")
    unit_name = serializers.CharField(source="submission.unit.name")
    form = serializers.CharField(source="submission.form.code")
    period = serializers.CharField(source="submission.period")
    indicator = serializers.CharField(source="indicator.code")
    actor = serializers.SerializerMethodField()

    class Meta:
        model = ValueChange
        fields = ["id", "at", "actor", "submission", "unit", "unit_name", "form", "period", "indicator", "old", "new"]

    def get_actor(self, obj) -> str | None:
        return obj.actor.get_username() if obj.actor_id else None


class NarrativeChangeSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    actor = serializers.SerializerMethodField()
    section = serializers.CharField()
    title = serializers.CharField()
    old = serializers.CharField()
    new = serializers.CharField()

    def get_actor(self, obj) -> str | None:
        return obj.actor.get_username() if obj.actor is not None else None
