"""API of tasks: the list (status as of a day, by the one rule), ad hoc tasks, the follow-up actions, the
scorecard as JSON and as .xlsx.

Assignee actions (progress, done, extend) need `services.may_follow_up`; assigner actions (confirm, return,
decide an extension, urge) need `services.may_assign`. A task you can see but may not act on answers 403,
as the submission actions do; one you cannot see is 404.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Count, F, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from giaoban.core.api.errors import ERROR_RESPONSES
from giaoban.core.errors import ServiceError
from giaoban.orgs.models import Agency, Committee, OrgUnit

from .. import selectors, services
from ..exports import scorecard_xlsx
from ..filters import TaskFilter
from ..models import ExtensionRequest, Task, TaskEvent
from .serializers import (
    DoneSerializer,
    ExtendSerializer,
    ProgressSerializer,
    ScorecardSerializer,
    TaskCreateSerializer,
    TaskDetailSerializer,
    TaskReasonSerializer,
    TaskSerializer,
    TaskVersionSerializer,
    UrgeSerializer,
    scorecard_data,
)
from .views import ERRORS, check_input, denied

__all__ = ["ScorecardXlsxView", "TaskViewSet", "parse_day", "scorecard_for"]

ASSIGNEE, ASSIGNER = "assignee", "assigner"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SCORECARD_PARAMS = [
    OpenApiParameter("unit", str, required=True, description="Unit code; its whole subtree counts."),
    OpenApiParameter("as_of", OpenApiTypes.DATE, description="Default: today."),
    OpenApiParameter("by", str, enum=["agency", "child"], description="Rows by lead agency or by child unit."),
]


def parse_day(params, name: str) -> date:
    """A date query parameter (YYYY-MM-DD), today when absent; 400 naming it when malformed."""
    raw = params.get(name)
    if not raw:
        return timezone.localdate()
    try:
        return serializers.DateField().to_internal_value(raw)
    except serializers.ValidationError as exc:
        raise ServiceError(
            _("Ngày không hợp lệ (invalid date): %(n)s=%(v)s") % {"n": name, "v": raw}, {"fields": {name: exc.detail}}
        ) from None


def scorecard_for(request) -> selectors.Scorecard:
    """The scorecard asked for by ?unit=&as_of=&by=; the unit must be in the user's units (else 404)."""
    params = request.query_params
    if not params.get("unit"):
        raise ServiceError(
            _("Thiếu tham số (missing parameters): %(p)s") % {"p": "unit"}, {"fields": {"unit": "required"}}
        )
    by = params.get("by") or None
    if by not in (None, "agency", "child"):
        raise ServiceError(
            _("Tham số by phải là agency hoặc child (by must be agency or child)."), {"fields": {"by": [by]}}
        )
    as_of = parse_day(params, "as_of")
    unit = get_object_or_404(OrgUnit.objects.visible_to(request.user), code=params["unit"])
    return selectors.scorecard(unit, as_of, by)


def _task_queryset(user):
    urged = (
        TaskEvent.objects.filter(task=OuterRef("pk"), kind=TaskEvent.Kind.URGED)
        .order_by()
        .values("task")
        .annotate(n=Count("id"))
        .values("n")
    )
    return (
        selectors.tasks_for(user)
        .prefetch_related(Prefetch("supporting", queryset=Agency.objects.only("id")))
        .annotate(urge_count=Coalesce(Subquery(urged), 0))
        .order_by(F("due_on").asc(nulls_last=True), "id")
    )


@extend_schema_view(
    list=extend_schema(
        responses={200: TaskSerializer(many=True), **ERROR_RESPONSES},
        description="Tasks in your reach, soonest deadline first. `status` is computed as of `as_of` (today by "
        "default) by the one rule; with `as_of`, tasks given after that day are left out. `due_before`: "
        "deadline strictly before the day. `agency`: the lead agency.",
    ),
    retrieve=extend_schema(responses={200: TaskDetailSerializer, **ERROR_RESPONSES}),
)
class TaskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = TaskSerializer
    filterset_class = TaskFilter
    lookup_value_regex = r"\d+"
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return _task_queryset(self.request.user)

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        as_of = parse_day(request.query_params, "as_of")
        page = self.paginate_queryset(queryset)
        tasks = selectors.tasks_with_status(page if page is not None else queryset, as_of)
        data = TaskSerializer(tasks, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def _detail(self, pk, code=status.HTTP_200_OK) -> Response:
        task = get_object_or_404(self.get_queryset(), pk=pk)
        selectors.tasks_with_status([task])
        task.history = list(selectors.task_timeline(task))
        task.pending_extension = task.extensions.filter(status=ExtensionRequest.Status.PENDING).first()
        return Response(TaskDetailSerializer(task).data, status=code)

    def retrieve(self, request, *args, **kwargs):
        return self._detail(kwargs["pk"])

    def _get(self, pk, side: str) -> Task:
        task = get_object_or_404(self.get_queryset(), pk=pk)
        user = self.request.user
        allowed = services.may_follow_up(user, task) if side == ASSIGNEE else services.may_assign(user, task.committee)
        if not allowed:
            raise denied()
        return task

    @extend_schema(
        request=TaskCreateSerializer,
        responses={201: TaskDetailSerializer, **ERRORS},
        description="An ad hoc task (not from a conclusion notice): to a member `agency` or to the committee of "
        "a `unit` below (code). Needs the assigner's right at the committee's unit.",
    )
    def create(self, request, *args, **kwargs):
        data = check_input(TaskCreateSerializer, request.data)
        committee = get_object_or_404(
            Committee.objects.visible_to(request.user).select_related("org_unit"), pk=data["committee"]
        )
        if not services.may_assign(request.user, committee):
            raise denied()
        unit = None
        if data["unit"]:
            unit = OrgUnit.objects.filter(code=data["unit"]).first()
            if unit is None:
                raise ServiceError(
                    _("Không có đơn vị (unknown unit): %(u)s") % {"u": data["unit"]},
                    {"fields": {"unit": [_("Không có đơn vị này (unknown unit)")]}},
                )
        task = services.task_create(
            committee=committee,
            title=data["title"],
            description=data["description"],
            agency=data["agency"],
            unit=unit,
            supporting=data.get("supporting", ()),
            due_on=data["due_on"],
            reference=data["reference"],
            actor=request.user,
        )
        return self._detail(task.pk, status.HTTP_201_CREATED)

    @extend_schema(
        request={"application/json": ProgressSerializer, "multipart/form-data": ProgressSerializer},
        responses={200: TaskDetailSerializer, **ERRORS},
        description="The assignee reports progress: a note, a percent, files (multipart `files`).",
    )
    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        task = self._get(pk, ASSIGNEE)
        data = check_input(ProgressSerializer, request.data)
        services.task_progress(
            task=task,
            actor=request.user,
            note=data["note"],
            percent=data["percent"],
            files=request.FILES.getlist("files"),
            expected_version=data.get("version"),
        )
        return self._detail(task.pk)

    @extend_schema(
        request={"application/json": DoneSerializer, "multipart/form-data": DoneSerializer},
        responses={200: TaskDetailSerializer, **ERRORS},
        description="The assignee reports it done, with the result document's number; done once confirmed.",
    )
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        task = self._get(pk, ASSIGNEE)
        data = check_input(DoneSerializer, request.data)
        services.task_report_done(
            task=task,
            actor=request.user,
            note=data["note"],
            result_document=data["result_document"],
            files=request.FILES.getlist("files"),
            expected_version=data.get("version"),
        )
        return self._detail(task.pk)

    @extend_schema(request=TaskVersionSerializer, responses={200: TaskDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """The assigner confirms a task reported done: done as of the day it was reported."""
        task = self._get(pk, ASSIGNER)
        data = check_input(TaskVersionSerializer, request.data)
        services.task_confirm(task=task, actor=request.user, expected_version=data.get("version"))
        return self._detail(task.pk)

    @extend_schema(request=TaskReasonSerializer, responses={200: TaskDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        """The assigner returns a task reported (or confirmed) done, with a reason: open again."""
        task = self._get(pk, ASSIGNER)
        data = check_input(TaskReasonSerializer, request.data)
        services.task_return(task=task, actor=request.user, reason=data["reason"], expected_version=data.get("version"))
        return self._detail(task.pk)

    @extend_schema(request=ExtendSerializer, responses={200: TaskDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def extend(self, request, pk=None):
        """The assignee asks for a later deadline; the assigner approves or refuses it."""
        task = self._get(pk, ASSIGNEE)
        data = check_input(ExtendSerializer, request.data)
        services.task_extension_request(
            task=task,
            actor=request.user,
            due_on=data["due_on"],
            reason=data["reason"],
            expected_version=data.get("version"),
        )
        return self._detail(task.pk)

    @extend_schema(request=TaskVersionSerializer, responses={200: TaskDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="extension/approve")
    def extension_approve(self, request, pk=None):
        """Approve the pending extension: the deadline moves, and with it the status."""
        task = self._get(pk, ASSIGNER)
        data = check_input(TaskVersionSerializer, request.data)
        services.task_extension_approve(task=task, actor=request.user, expected_version=data.get("version"))
        return self._detail(task.pk)

    @extend_schema(request=TaskReasonSerializer, responses={200: TaskDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="extension/refuse")
    def extension_refuse(self, request, pk=None):
        task = self._get(pk, ASSIGNER)
        data = check_input(TaskReasonSerializer, request.data)
        services.task_extension_refuse(
            task=task, actor=request.user, reason=data["reason"], expected_version=data.get("version")
        )
        return self._detail(task.pk)

    @extend_schema(request=UrgeSerializer, responses={200: TaskDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def urge(self, request, pk=None):
        """A manual urging (đôn đốc): `nhac_nho` or `phe_binh`, counted in `urge_count`."""
        task = self._get(pk, ASSIGNER)
        data = check_input(UrgeSerializer, request.data)
        services.task_urge(
            task=task, actor=request.user, kind=data["kind"], note=data["note"], expected_version=data.get("version")
        )
        return self._detail(task.pk)

    @extend_schema(
        parameters=SCORECARD_PARAMS,
        responses={200: ScorecardSerializer, **ERROR_RESPONSES},
        description="Counts of the tasks that count at the unit or below, as of the day (live, from the "
        "maintained counts); completion_rate = done / fallen_due.",
    )
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def scorecard(self, request):
        return Response(scorecard_data(scorecard_for(request)))


class ScorecardXlsxView(APIView):
    @extend_schema(
        parameters=SCORECARD_PARAMS,
        responses={
            (200, XLSX_CONTENT_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="An .xlsx workbook."),
            **ERROR_RESPONSES,
        },
    )
    def get(self, request):
        """GET /api/v1/tasks/scorecard/ as an .xlsx table: one row per child unit or agency, then the total."""
        card = scorecard_for(request)
        response = HttpResponse(scorecard_xlsx(card), content_type=XLSX_CONTENT_TYPE)
        name = f"ket-qua-nhiem-vu-{card.unit.code}-{card.as_of.isoformat()}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
