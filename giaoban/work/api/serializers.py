"""Shapes of the work API: what comes in (parsed, never judged: the services decide) and what goes out."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from giaoban.orgs.models import Agency, Membership

from .. import status as task_status
from ..models import AgendaItem, Attendance, Conclusion, Meeting, Task, TaskEvent

# --- Agencies --------------------------------------------------------------------------------------------


class AgencySerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="org_unit.code", read_only=True, help_text="Code of the agency's unit.")

    class Meta:
        model = Agency
        fields = ["id", "name", "short_name", "unit"]


# --- Meetings --------------------------------------------------------------------------------------------


class InviteesSerializer(serializers.Serializer):
    members = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Membership.objects.all(), required=False, help_text="Membership ids."
    )
    agencies = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Agency.objects.all(), required=False, help_text="Member agency ids."
    )


class AgendaItemSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=400)
    presenter = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    minutes = serializers.IntegerField(
        min_value=0, max_value=32767, required=False, allow_null=True, default=None, help_text="Minutes allotted."
    )


class AgendaItemOutSerializer(serializers.ModelSerializer):
    files = serializers.SerializerMethodField()

    class Meta:
        model = AgendaItem
        fields = ["title", "presenter", "minutes", "files"]

    def get_files(self, obj) -> list[str]:
        return [f.name for f in obj.files.all()]


class MeetingSerializer(serializers.ModelSerializer):
    committee = serializers.IntegerField(source="committee_id")
    chair = serializers.IntegerField(source="chair_id", allow_null=True, help_text="Membership id.")
    secretary = serializers.IntegerField(source="secretary_id", allow_null=True, help_text="Membership id.")
    invitees = serializers.SerializerMethodField()
    agenda = AgendaItemOutSerializer(many=True)
    invitation_late = serializers.SerializerMethodField(
        help_text="The invitation went (or, unsent, would go today) fewer than 3 working days ahead."
    )
    conclusion_due_on = serializers.SerializerMethodField(
        help_text="Last day for the conclusion notice: 5 working days after the meeting."
    )

    class Meta:
        model = Meeting
        fields = [
            "id",
            "committee",
            "kind",
            "title",
            "period",
            "starts_at",
            "ends_at",
            "place",
            "online_url",
            "chair",
            "secretary",
            "invitees",
            "agenda",
            "status",
            "version",
            "invitation_number",
            "invited_on",
            "invitation_late",
            "conclusion_due_on",
            "closed_at",
            "cancel_reason",
        ]

    @extend_schema_field(InviteesSerializer)
    def get_invitees(self, obj) -> dict:
        rows = list(obj.invitees.all())
        return {
            "members": [i.membership_id for i in rows if i.membership_id],
            "agencies": [i.agency_id for i in rows if i.agency_id],
        }

    def get_invitation_late(self, obj) -> bool:
        from ..services import invitation_is_late

        return invitation_is_late(obj)

    @extend_schema_field(serializers.DateField())
    def get_conclusion_due_on(self, obj):
        from ..services import conclusion_due_on

        return conclusion_due_on(obj).isoformat()


class MeetingWriteSerializer(serializers.Serializer):
    committee = serializers.IntegerField(required=False, help_text="Required to create; cannot change.")
    kind = serializers.ChoiceField(choices=Meeting.Kind.choices)
    title = serializers.CharField(max_length=300)
    period = serializers.CharField(max_length=10, required=False, allow_blank=True)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(required=False, allow_null=True)
    place = serializers.CharField(max_length=300, required=False, allow_blank=True)
    online_url = serializers.URLField(required=False, allow_blank=True)
    chair = serializers.PrimaryKeyRelatedField(queryset=Membership.objects.all(), required=False, allow_null=True)
    secretary = serializers.PrimaryKeyRelatedField(queryset=Membership.objects.all(), required=False, allow_null=True)
    invitees = InviteesSerializer(required=False)
    agenda = AgendaItemSerializer(many=True, required=False)
    version = serializers.IntegerField(required=False, help_text="The version you edited; 409 if it changed.")


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class InviteSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    invited_on = serializers.DateField(required=False, allow_null=True, default=None, help_text="Default: today.")
    version = serializers.IntegerField(required=False)


class AttendanceSerializer(serializers.ModelSerializer):
    membership = serializers.PrimaryKeyRelatedField(queryset=Membership.objects.all())
    person_name = serializers.CharField(source="membership.person_name", read_only=True)
    status = serializers.ChoiceField(choices=Attendance.Status.choices)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    delegate = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    class Meta:
        model = Attendance
        fields = ["membership", "person_name", "status", "reason", "delegate"]
        validators: list = []  # the service checks every row and reports them all


class MinutesSerializer(serializers.Serializer):
    proceedings = serializers.CharField(allow_blank=True)
    closed_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    status = serializers.CharField(read_only=True)
    version = serializers.IntegerField(required=False, help_text="The meeting's version; 409 if it changed.")


# --- Conclusion notice -----------------------------------------------------------------------------------


class PlannedTaskSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=500, allow_blank=True)
    agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(), required=False, allow_null=True, default=None, help_text="Lead agency id."
    )
    below = serializers.BooleanField(
        required=False, default=False, help_text="Give it to the committee of every unit below (one task each)."
    )
    supporting = serializers.PrimaryKeyRelatedField(many=True, queryset=Agency.objects.all(), required=False)
    due_on = serializers.DateField(required=False, allow_null=True, default=None)


class PointSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True)
    tasks = PlannedTaskSerializer(many=True, required=False)


class ConclusionSerializer(serializers.Serializer):
    meeting = serializers.IntegerField()
    points = PointSerializer(many=True)
    version = serializers.IntegerField(help_text="0 for a notice not saved yet.")
    status = serializers.ChoiceField(choices=Conclusion.Status.choices)
    number = serializers.CharField(allow_blank=True)
    issued_on = serializers.DateField(allow_null=True)
    due_on = serializers.DateField(help_text="5 working days after the meeting.")
    late = serializers.BooleanField(help_text="Not issued by its due day.")


class ConclusionSaveSerializer(serializers.Serializer):
    points = PointSerializer(many=True)
    version = serializers.IntegerField(required=False, help_text="The version you edited (0: new); 409 if it changed.")


class ConclusionIssueSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=30, allow_blank=True)
    issued_on = serializers.DateField(required=False, allow_null=True, default=None, help_text="Default: today.")
    version = serializers.IntegerField(required=False, help_text="The draft's version; 409 if it changed.")


# --- Tasks -----------------------------------------------------------------------------------------------


class SourceSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Task.Source.choices)
    document = serializers.CharField(required=False, help_text="The notice's number, or the reference text.")
    point = serializers.IntegerField(required=False, help_text="The point of the notice.")


class TaskSerializer(serializers.ModelSerializer):
    committee = serializers.IntegerField(source="committee_id")
    agency = serializers.IntegerField(source="agency_id", allow_null=True, help_text="Lead agency id.")
    unit = serializers.SerializerMethodField(help_text="Code of the lower unit whose committee leads.")
    supporting = serializers.SerializerMethodField()
    status = serializers.ChoiceField(
        choices=task_status.Status.choices, allow_null=True, help_text="As of `as_of` (today by default)."
    )
    due_soon = serializers.BooleanField()
    source = serializers.SerializerMethodField()
    urge_count = serializers.IntegerField(help_text="Manual urgings (nhắc nhở, phê bình).")

    class Meta:
        model = Task
        fields = [
            "id",
            "committee",
            "title",
            "description",
            "agency",
            "unit",
            "supporting",
            "assigned_on",
            "due_on",
            "reported_on",
            "done_on",
            "status",
            "due_soon",
            "percent",
            "state",
            "result_document",
            "source",
            "version",
            "urge_count",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_unit(self, obj):
        return obj.unit.code if obj.unit_id else None

    def get_supporting(self, obj) -> list[int]:
        return sorted(a.pk for a in obj.supporting.all())

    @extend_schema_field(SourceSerializer)
    def get_source(self, obj) -> dict:
        if obj.source == Task.Source.CONCLUSION_POINT and obj.point_id:
            return {"kind": obj.source, "document": obj.point.conclusion.number, "point": obj.point.number}
        if obj.source == Task.Source.REFERENCE:
            return {"kind": obj.source, "document": obj.reference}
        return {"kind": Task.Source.NONE}


class TaskEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()
    files = serializers.SerializerMethodField()

    class Meta:
        model = TaskEvent
        fields = ["kind", "actor", "at", "note", "percent", "due_on", "urge_kind", "result_document", "files"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_actor(self, obj):
        return obj.actor.get_username() if obj.actor_id else None

    def get_files(self, obj) -> list[str]:
        return [f.name for f in obj.files.all()]


class ExtensionSerializer(serializers.Serializer):
    due_on = serializers.DateField()
    old_due_on = serializers.DateField(allow_null=True)
    reason = serializers.CharField()
    requested_at = serializers.DateTimeField()


class TaskDetailSerializer(TaskSerializer):
    events = TaskEventSerializer(many=True, source="history", help_text="The task's history, oldest first.")
    pending_extension = ExtensionSerializer(allow_null=True)

    class Meta(TaskSerializer.Meta):
        fields = [*TaskSerializer.Meta.fields, "reference", "events", "pending_extension"]


class TaskCreateSerializer(serializers.Serializer):
    committee = serializers.IntegerField(help_text="The committee giving the task.")
    title = serializers.CharField(max_length=500)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(), required=False, allow_null=True, default=None, help_text="Lead agency id."
    )
    unit = serializers.CharField(
        required=False, allow_null=True, default=None, help_text="Or: code of the unit below whose committee leads."
    )
    supporting = serializers.PrimaryKeyRelatedField(many=True, queryset=Agency.objects.all(), required=False)
    due_on = serializers.DateField(required=False, allow_null=True, default=None)
    reference = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="", help_text="e.g. the number of the document."
    )


class TaskVersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False, help_text="The version you read; 409 if it changed.")


class ProgressSerializer(TaskVersionSerializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")
    percent = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0, max_value=100)
    files = serializers.ListField(child=serializers.FileField(), required=False, help_text="multipart only")


class DoneSerializer(TaskVersionSerializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")
    result_document = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    files = serializers.ListField(child=serializers.FileField(), required=False, help_text="multipart only")


class TaskReasonSerializer(TaskVersionSerializer):
    reason = serializers.CharField(allow_blank=True)


class ExtendSerializer(TaskVersionSerializer):
    due_on = serializers.DateField()
    reason = serializers.CharField(allow_blank=True)


class UrgeSerializer(TaskVersionSerializer):
    kind = serializers.ChoiceField(choices=TaskEvent.UrgeKind.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


# --- Scorecard -------------------------------------------------------------------------------------------


class ScoreRowSerializer(serializers.Serializer):
    label = serializers.CharField()
    unit = serializers.CharField(allow_null=True, help_text="Unit code (rows by child).")
    agency = serializers.IntegerField(allow_null=True, help_text="Agency id (rows by agency).")
    assigned = serializers.IntegerField()
    done_on_time = serializers.IntegerField()
    done_late = serializers.IntegerField()
    in_time = serializers.IntegerField()
    overdue = serializers.IntegerField()
    no_deadline = serializers.IntegerField()
    fallen_due = serializers.IntegerField()
    completion_rate = serializers.FloatField(allow_null=True, help_text="done / fallen_due; null when none fell due.")


class ScorecardSerializer(ScoreRowSerializer):
    as_of = serializers.DateField()
    by = serializers.CharField(allow_null=True)
    rows = ScoreRowSerializer(many=True)


def score_row(row) -> dict:
    return {
        "label": row.label,
        "unit": row.unit.code if row.unit is not None else None,
        "agency": row.agency.pk if row.agency is not None else None,
        **row.counts,
        "completion_rate": row.completion_rate,
    }


def scorecard_data(card) -> dict:
    return {
        **score_row(card.total),
        "as_of": card.as_of,
        "by": card.by,
        "rows": [score_row(r) for r in card.rows],
    }
