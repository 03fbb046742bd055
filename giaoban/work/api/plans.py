"""API of plans: `/api/v1/plans/` CRUD (drafts), `issue/`, `progress/` (targets read from the live roll-up),
`meetings/` (the year's meetings as drafts) and the plan as a file (`?format=docx|pdf`).

Reads go through `Plan.objects.visible_to` (out of scope: 404). Drafting, deleting a draft and generating meetings
need Action.MEET at the committee's unit; issuing needs the assigner's right (`services.may_assign`); a plan you
can see but may not act on answers 403.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from giaoban.core.api.errors import error_response
from giaoban.core.errors import ServiceError
from giaoban.orgs.models import Agency, Committee, OrgUnit
from giaoban.reporting.models import Indicator

from .. import plan_documents, services
from ..filters import PlanFilter
from ..models import Meeting, Plan
from ..plans import plan_items, plan_progress, plans_for
from .documents import FileFormatNegotiation
from .views import DOCUMENT_MEDIA_TYPES, ERRORS, FORMAT_PARAM, READ_ERRORS, check_input, denied

__all__ = ["PlanViewSet"]


def as_number(value):
    """JSON number: an int when whole (40000), else a float (43.75); null for no figure."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


class PlanTargetSerializer(serializers.Serializer):
    indicator = serializers.SlugRelatedField(
        slug_field="code", queryset=Indicator.objects.all(), help_text="Indicator code, e.g. COMMUNE_POSTS."
    )
    unit = serializers.SlugRelatedField(
        slug_field="code", queryset=OrgUnit.objects.all(), help_text="Code of the unit whose subtree is measured."
    )
    period = serializers.CharField(max_length=10, help_text="The window, a period id: 2027, 2027S1, 2027Q3 …")
    kind = serializers.ChoiceField(choices=["min", "max"], help_text="At least (min) or at most (max) `value`.")
    value = serializers.DecimalField(max_digits=18, decimal_places=4, coerce_to_string=False)


class PlanItemSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    content = serializers.CharField()
    lead_agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all(), help_text="Member agency id.")
    supporting = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Agency.objects.all(), required=False, default=list, help_text="Member agency ids."
    )
    starts_on = serializers.DateField(required=False, allow_null=True, default=None)
    due_on = serializers.DateField(required=False, allow_null=True, default=None)
    output = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    target = PlanTargetSerializer(required=False, allow_null=True, default=None)


class PlanItemOutSerializer(PlanItemSerializer):
    target = PlanTargetSerializer(allow_null=True)
    task = serializers.IntegerField(allow_null=True, help_text="The task the item became when the plan was issued.")


class PlanWriteSerializer(serializers.Serializer):
    committee = serializers.IntegerField(required=False, help_text="Committee id (on create).")
    title = serializers.CharField(max_length=300)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    items = PlanItemSerializer(many=True, required=False)
    version = serializers.IntegerField(required=False, help_text="The version you read (409 if it changed).")


class PlanSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    committee = serializers.IntegerField(source="committee_id")
    title = serializers.CharField()
    year = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Plan.Status.choices)
    number = serializers.CharField(help_text='"12-KH/BCĐ" (Party) or "12/KH-BCĐ" (state) once issued.')
    issued_on = serializers.DateField(allow_null=True)
    document = serializers.IntegerField(source="document_id", allow_null=True, help_text="The outgoing register entry.")
    version = serializers.IntegerField()
    items = serializers.SerializerMethodField()

    @extend_schema_field(PlanItemOutSerializer(many=True))
    def get_items(self, plan) -> list:
        out = []
        for item in getattr(plan, "loaded_items", None) or plan_items(plan):
            target = getattr(item, "target", None)
            out.append(
                {
                    "id": item.pk,
                    "content": item.content,
                    "lead_agency": item.lead_agency_id,
                    "supporting": sorted(a.pk for a in item.supporting.all()),
                    "starts_on": item.starts_on,
                    "due_on": item.due_on,
                    "output": item.output,
                    "target": {
                        "indicator": target.indicator.code,
                        "unit": target.unit.code,
                        "period": target.period,
                        "kind": target.kind,
                        "value": as_number(target.value),
                    }
                    if target is not None
                    else None,
                    "task": next((t.pk for t in item.tasks.all()), None),
                }
            )
        return out


class PlanIssueSerializer(serializers.Serializer):
    number = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, help_text="Empty: the next of the series."
    )
    issued_on = serializers.DateField(required=False, allow_null=True, default=None, help_text="Default: today.")
    version = serializers.IntegerField(required=False)


class PlanTargetProgressSerializer(serializers.Serializer):
    item = serializers.IntegerField(help_text="The plan item id.")
    indicator = serializers.CharField(help_text="Indicator code.")
    unit = serializers.CharField(help_text="Unit code.")
    period = serializers.CharField()
    kind = serializers.CharField()
    value = serializers.FloatField(allow_null=True, help_text="The live roll-up over the unit's subtree and window.")
    target = serializers.FloatField()
    percent = serializers.FloatField(allow_null=True, help_text="Achieved; for max, 100 while within the target.")
    on_track = serializers.BooleanField(help_text="For the elapsed part of the window (see work/plans.py).")
    reached = serializers.BooleanField()


class PlanProgressSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    targets = PlanTargetProgressSerializer(many=True)


class PlanMeetingsSerializer(serializers.Serializer):
    cadence = serializers.ChoiceField(choices=list(services.CADENCES), default="monthly")


class PlanMeetingsResultSerializer(serializers.Serializer):
    created = serializers.ListField(child=serializers.IntegerField(), help_text="Ids of the meetings made now.")
    meetings = serializers.ListField(child=serializers.IntegerField(), help_text="Every meeting of the plan.")


def _items(rows) -> list[services.ItemInput]:
    out = []
    for r in rows:
        t = r.get("target")
        out.append(
            services.ItemInput(
                content=r["content"],
                lead_agency=r["lead_agency"],
                supporting=r.get("supporting") or (),
                starts_on=r.get("starts_on"),
                due_on=r.get("due_on"),
                output=r.get("output") or "",
                target=services.TargetInput(t["indicator"], t["unit"], t["period"], t["kind"], t["value"])
                if t
                else None,
            )
        )
    return out


@extend_schema_view(
    list=extend_schema(responses={200: PlanSerializer(many=True), **READ_ERRORS}),
    retrieve=extend_schema(
        parameters=[FORMAT_PARAM],
        responses={
            (200, "application/json"): PlanSerializer,
            **{(200, media): OpenApiTypes.BINARY for media in DOCUMENT_MEDIA_TYPES},
            **READ_ERRORS,
        },
        description="The plan; with `?format=docx|pdf` the plan as an official document in the committee's layout.",
    ),
    create=extend_schema(request=PlanWriteSerializer, responses={201: PlanSerializer, **ERRORS}),
    update=extend_schema(request=PlanWriteSerializer, responses={200: PlanSerializer, **ERRORS}),
    partial_update=extend_schema(request=PlanWriteSerializer, responses={200: PlanSerializer, **ERRORS}),
    destroy=extend_schema(
        responses={204: OpenApiResponse(description="The draft is deleted."), **ERRORS},
        description="Deletes a draft; an issued plan is a registered document and stays.",
    ),
)
class PlanViewSet(
    FileFormatNegotiation,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """A committee's plans: items with a lead member agency, supporting agencies, timeframe, output and maybe a
    target (indicator, unit, period, min|max value) whose progress is read live."""

    serializer_class = PlanSerializer
    filterset_class = PlanFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return plans_for(self.request.user).order_by("-year", "committee_id", "pk")

    def _get(self, pk, *, act: bool = False, issue: bool = False) -> Plan:
        plan = get_object_or_404(self.get_queryset(), pk=pk)
        if issue and not services.may_assign(self.request.user, plan.committee):
            raise denied()
        if act and not services.may_draft_plan(self.request.user, plan.committee):
            raise denied()
        return plan

    def _out(self, plan: Plan, code=status.HTTP_200_OK) -> Response:
        plan = self.get_queryset().get(pk=plan.pk)
        return Response(PlanSerializer(plan).data, status=code)

    def retrieve(self, request, *args, **kwargs):
        plan = self._get(kwargs["pk"])
        fmt = request.query_params.get("format")
        if fmt not in (None, "", "json", "api"):
            if fmt not in plan_documents.FORMATS:
                return error_response(
                    400,
                    "invalid",
                    _("Định dạng không hỗ trợ: %(f)s (unsupported format; use docx or pdf)") % {"f": fmt},
                    {"format": fmt, "allowed": list(plan_documents.FORMATS)},
                )
            return plan_documents.file_response(plan, fmt)
        return Response(PlanSerializer(plan).data)

    def create(self, request, *args, **kwargs):
        data = check_input(PlanWriteSerializer, request.data)
        if data.get("committee") is None:
            raise ServiceError(
                _("Chọn Ban Chỉ đạo (the committee is required)."),
                {"fields": {"committee": [_("Bắt buộc (required)")]}},
            )
        committee = get_object_or_404(
            Committee.objects.visible_to(request.user).select_related("org_unit"), pk=data["committee"]
        )
        if not services.may_draft_plan(request.user, committee):
            raise denied()
        plan = services.plan_create(
            committee=committee,
            title=data["title"],
            year=data["year"],
            items=_items(data.get("items", ())),
            actor=request.user,
        )
        return self._out(plan, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        plan = self._get(kwargs["pk"], act=True)
        data = check_input(PlanWriteSerializer, request.data, partial=partial)
        if data.get("committee") not in (None, plan.committee_id):
            raise ServiceError(
                _("Không đổi được Ban Chỉ đạo của kế hoạch (a plan's committee cannot change)."),
                {"fields": {"committee": [_("Không sửa được (cannot change)")]}},
            )
        plan = services.plan_update(
            plan=plan,
            actor=request.user,
            expected_version=data.get("version"),
            title=data.get("title"),
            year=data.get("year"),
            items=_items(data["items"]) if "items" in data else None,
        )
        return self._out(plan)

    def destroy(self, request, *args, **kwargs):
        plan = self._get(kwargs["pk"], act=True)
        services.plan_delete(plan=plan, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=PlanIssueSerializer,
        responses={200: PlanSerializer, **ERRORS},
        description="Issue the plan: locked, numbered from the committee's running series (a typed `number` "
        "already used that year: 409 `number_taken`), registered as outgoing; every item becomes a task of its "
        "lead agency. Needs the assigner's right (approver of the committee's unit).",
    )
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        plan = self._get(pk, issue=True)
        data = check_input(PlanIssueSerializer, request.data)
        plan = services.plan_issue(
            plan=plan,
            number=data.get("number"),
            issued_on=data.get("issued_on"),
            actor=request.user,
            expected_version=data.get("version"),
        )
        return self._out(plan)

    @extend_schema(
        responses={200: PlanProgressSerializer, **READ_ERRORS},
        description="Every target's value (the live roll-up of its indicator over the unit's subtree and window, "
        "submitted figures included), the target, percent achieved and whether it is on track today.",
    )
    @action(detail=True, methods=["get"])
    def progress(self, request, pk=None):
        from django.utils import timezone

        plan = self._get(pk)
        today = timezone.localdate()
        rows = [
            {
                "item": p.item.pk,
                "indicator": p.target.indicator.code,
                "unit": p.target.unit.code,
                "period": p.target.period,
                "kind": p.target.kind,
                "value": as_number(p.value),
                "target": as_number(p.target.value),
                "percent": as_number(p.percent),
                "on_track": p.on_track,
                "reached": p.reached,
            }
            for p in plan_progress(plan, today)
        ]
        return Response(PlanProgressSerializer({"as_of": today, "targets": rows}).data)

    @extend_schema(
        request=PlanMeetingsSerializer,
        responses={200: PlanMeetingsResultSerializer, **ERRORS},
        description="Generate the plan year's meetings as drafts from today on: a giao ban each month (or week, "
        "`cadence`), sơ kết 6 tháng, sơ kết 9 tháng and tổng kết năm, on working days. Running it again makes "
        "only what is missing.",
    )
    @action(detail=True, methods=["post"])
    def meetings(self, request, pk=None):
        plan = self._get(pk, act=True)
        data = check_input(PlanMeetingsSerializer, request.data)
        made = services.plan_meetings_generate(plan=plan, cadence=data["cadence"], actor=request.user)
        every = list(Meeting.objects.filter(plan=plan).order_by("starts_at", "pk").values_list("pk", flat=True))
        return Response({"created": [m.pk for m in made], "meetings": every})
