"""API of agencies and meetings: scheduling, invitation, attendance, minutes, the conclusion notice.

Reads are scoped by `.visible_to` (out of scope is 404). Writes need Action.MEET at the committee's unit
(issuing the notice, which gives tasks, needs the assigner's right: `services.may_assign`); a meeting you
can see but may not act on answers 403, as the submission actions do.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from giaoban.core.access import Action, can
from giaoban.core.api.errors import ERROR_RESPONSES, ErrorSerializer
from giaoban.core.errors import ServiceError
from giaoban.orgs.models import Agency, Committee

from .. import selectors, services
from ..filters import AgencyFilter, MeetingFilter
from ..models import AgendaItem, Attendance, Conclusion, ConclusionPoint, Meeting, PointTask
from . import documents
from .serializers import (
    AgencySerializer,
    AttendanceSerializer,
    CancelSerializer,
    ConclusionIssueSerializer,
    ConclusionSaveSerializer,
    ConclusionSerializer,
    InviteSerializer,
    MeetingSerializer,
    MeetingWriteSerializer,
    MinutesSerializer,
)

__all__ = ["ERRORS", "AgencyViewSet", "MeetingViewSet", "check_input", "denied"]

ERRORS = {
    **ERROR_RESPONSES,
    403: OpenApiResponse(ErrorSerializer, description="You can see it, but your role does not allow this."),
    409: OpenApiResponse(
        ErrorSerializer, description="Changed by someone else meanwhile; `extra.version` is the current one."
    ),
}
READ_ERRORS = ERROR_RESPONSES
FILE_FORMATS = ("docx", "pdf")
DOCUMENT_MEDIA_TYPES = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/pdf",
)
# The meeting's own fields a PUT/PATCH may change (invitees and agenda go separately).
UPDATABLE = ("kind", "title", "period", "starts_at", "ends_at", "place", "online_url", "chair", "secretary")
FORMAT_PARAM = OpenApiParameter(
    "format", str, enum=list(FILE_FORMATS), description="The document instead of JSON (giaoban.work.api.documents)."
)


def check_input(serializer_class, data, **kwargs) -> dict:
    s = serializer_class(data=data, **kwargs)
    s.is_valid(raise_exception=True)
    return s.validated_data


def denied() -> PermissionDenied:
    return PermissionDenied(_("Vai trò của bạn không cho phép thao tác này (your role does not allow this)."))


@extend_schema_view(
    list=extend_schema(responses={200: AgencySerializer(many=True), **READ_ERRORS}),
    retrieve=extend_schema(responses={200: AgencySerializer, **READ_ERRORS}),
)
class AgencyViewSet(viewsets.ReadOnlyModelViewSet):
    """Agencies in your units; `committee` gives a committee's member agencies (those of its unit and those
    its current members come from)."""

    serializer_class = AgencySerializer
    filterset_class = AgencyFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return Agency.objects.visible_to(self.request.user).select_related("org_unit").order_by("name", "id")


def _meeting_queryset(user):
    return selectors.meetings_for(user).prefetch_related(
        "invitees", Prefetch("agenda", queryset=AgendaItem.objects.prefetch_related("files"))
    )


def _agenda(rows) -> list[services.AgendaInput]:
    return [services.AgendaInput(r["title"], r.get("presenter") or "", r.get("minutes")) for r in rows]


def _conclusion_data(meeting: Meeting, conclusion: Conclusion | None) -> dict:
    due_on = services.conclusion_due_on(meeting)
    issued_on = conclusion.issued_on if conclusion else None
    points = []
    if conclusion is not None:
        for p in conclusion.points.all():
            points.append(
                {
                    "text": p.text,
                    "tasks": [
                        {
                            "title": t.title,
                            "agency": t.agency_id,
                            "below": t.below,
                            "supporting": sorted(a.pk for a in t.supporting.all()),
                            "due_on": t.due_on,
                        }
                        for t in p.planned_tasks.all()
                    ],
                }
            )
    return {
        "meeting": meeting.pk,
        "points": points,
        "version": conclusion.version if conclusion else 0,
        "status": conclusion.status if conclusion else Conclusion.Status.DRAFT,
        "number": conclusion.number if conclusion else "",
        "issued_on": issued_on,
        "due_on": due_on,
        "late": (issued_on or timezone.localdate()) > due_on,
    }


@extend_schema_view(
    list=extend_schema(responses={200: MeetingSerializer(many=True), **READ_ERRORS}),
    retrieve=extend_schema(responses={200: MeetingSerializer, **READ_ERRORS}),
    create=extend_schema(request=MeetingWriteSerializer, responses={201: MeetingSerializer, **ERRORS}),
    update=extend_schema(request=MeetingWriteSerializer, responses={200: MeetingSerializer, **ERRORS}),
    partial_update=extend_schema(request=MeetingWriteSerializer, responses={200: MeetingSerializer, **ERRORS}),
    destroy=extend_schema(
        request=CancelSerializer,
        responses={204: OpenApiResponse(description="Cancelled; it stays readable."), **ERRORS},
        description="Cancels the meeting (status `cancelled`, optional `reason`) rather than deleting it: an "
        "invitation may have gone out and the record is kept. A held or concluded meeting cannot be cancelled.",
    ),
)
class MeetingViewSet(
    documents.FileFormatNegotiation,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return _meeting_queryset(self.request.user).order_by("-starts_at", "-id")

    def _get(self, pk, *, act: bool = False, issue: bool = False) -> Meeting:
        meeting = get_object_or_404(self.get_queryset(), pk=pk)
        path = meeting.committee.org_unit.path
        if issue and not services.may_assign(self.request.user, meeting.committee):
            raise denied()
        if act and not can(self.request.user, Action.MEET, path):
            raise denied()
        return meeting

    def _out(self, meeting: Meeting, code=status.HTTP_200_OK) -> Response:
        meeting = _meeting_queryset(self.request.user).get(pk=meeting.pk)
        return Response(MeetingSerializer(meeting).data, status=code)

    def retrieve(self, request, *args, **kwargs):
        return Response(MeetingSerializer(self._get(kwargs["pk"])).data)

    def create(self, request, *args, **kwargs):
        data = check_input(MeetingWriteSerializer, request.data)
        if data.get("committee") is None:
            raise ServiceError(
                _("Chọn Ban Chỉ đạo (the committee is required)."),
                {"fields": {"committee": [_("Bắt buộc (required)")]}},
            )
        committee = get_object_or_404(
            Committee.objects.visible_to(request.user).select_related("org_unit"), pk=data["committee"]
        )
        if not can(request.user, Action.MEET, committee.org_unit.path):
            raise denied()
        invitees = data.get("invitees") or {}
        meeting = services.meeting_create(
            committee=committee,
            kind=data["kind"],
            title=data["title"],
            starts_at=data["starts_at"],
            ends_at=data.get("ends_at"),
            period=data.get("period", ""),
            place=data.get("place", ""),
            online_url=data.get("online_url", ""),
            chair=data.get("chair"),
            secretary=data.get("secretary"),
            invited_members=invitees.get("members", ()),
            invited_agencies=invitees.get("agencies", ()),
            agenda=_agenda(data.get("agenda", ())),
            actor=request.user,
        )
        return self._out(meeting, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        meeting = self._get(kwargs["pk"], act=True)
        data = check_input(MeetingWriteSerializer, request.data, partial=partial)
        if data.get("committee") not in (None, meeting.committee_id):
            raise ServiceError(
                _("Không đổi được Ban Chỉ đạo của cuộc họp (a meeting's committee cannot change)."),
                {"fields": {"committee": [_("Không sửa được (cannot change)")]}},
            )
        changes = {k: data[k] for k in UPDATABLE if k in data}
        invitees = data.get("invitees")
        meeting = services.meeting_update(
            meeting=meeting,
            actor=request.user,
            expected_version=data.get("version"),
            invited_members=invitees.get("members") if invitees is not None else None,
            invited_agencies=invitees.get("agencies") if invitees is not None else None,
            agenda=_agenda(data["agenda"]) if "agenda" in data else None,
            **changes,
        )
        return self._out(meeting)

    def destroy(self, request, *args, **kwargs):
        meeting = self._get(kwargs["pk"], act=True)
        data = check_input(CancelSerializer, request.data or request.query_params)
        services.meeting_cancel(meeting=meeting, reason=data["reason"], actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=InviteSerializer, responses={200: MeetingSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def invite(self, request, pk=None):
        """Send the invitation: its number and day; `invitation_late` flags fewer than 3 working days ahead
        (QĐ 45/2018/QĐ-TTg)."""
        meeting = self._get(pk, act=True)
        data = check_input(InviteSerializer, request.data)
        meeting = services.meeting_invite(
            meeting=meeting,
            actor=request.user,
            number=data["number"],
            invited_on=data["invited_on"],
            expected_version=data.get("version"),
        )
        return self._out(meeting)

    @extend_schema(methods=["GET"], responses={200: AttendanceSerializer(many=True), **READ_ERRORS})
    @extend_schema(
        methods=["POST"],
        request=AttendanceSerializer(many=True),
        responses={200: AttendanceSerializer(many=True), **ERRORS},
        description="Rows replace what was recorded for those members. `status`: present; absent (with a "
        "`reason`); delegated (with the `delegate`'s name). Every bad row is reported in `extra.errors`; "
        "nothing is written then.",
    )
    @action(detail=True, methods=["get", "post"])
    def attendance(self, request, pk=None):
        meeting = self._get(pk, act=request.method == "POST")
        if request.method == "POST":
            if not isinstance(request.data, list):
                raise ServiceError(_("Cần một danh sách (a JSON list is required)."))
            rows = check_input(AttendanceSerializer, request.data, many=True)
            services.attendance_record(meeting=meeting, rows=rows, actor=request.user)
        rows = Attendance.objects.filter(meeting=meeting).select_related("membership").order_by("id")
        return Response(AttendanceSerializer(rows, many=True).data)

    @extend_schema(
        methods=["GET"],
        parameters=[FORMAT_PARAM],
        responses={
            (200, "application/json"): MinutesSerializer,
            **{(200, media): OpenApiTypes.BINARY for media in DOCUMENT_MEDIA_TYPES},
            **READ_ERRORS,
        },
    )
    @extend_schema(
        methods=["POST"],
        request=MinutesSerializer,
        responses={200: MinutesSerializer, **ERRORS},
        description="Write the minutes (biên bản): the proceedings and the closing time; the meeting is held.",
    )
    @action(detail=True, methods=["get", "post"])
    def minutes(self, request, pk=None):
        meeting = self._get(pk, act=request.method == "POST")
        if request.method == "GET" and request.query_params.get("format") not in (None, "", "json"):
            return documents.minutes_file(request, meeting)
        if request.method == "POST":
            data = check_input(MinutesSerializer, request.data)
            meeting = services.minutes_save(
                meeting=meeting,
                proceedings=data["proceedings"],
                closed_at=data["closed_at"],
                actor=request.user,
                expected_version=data.get("version"),
            )
        return Response(MinutesSerializer(meeting).data)

    def _conclusion(self, meeting: Meeting) -> Conclusion | None:
        tasks = PointTask.objects.prefetch_related("supporting")
        points = ConclusionPoint.objects.prefetch_related(Prefetch("planned_tasks", queryset=tasks))
        return (
            selectors.conclusions_for(self.request.user)
            .filter(meeting=meeting)
            .prefetch_related(Prefetch("points", queryset=points))
            .first()
        )

    @extend_schema(
        methods=["GET"],
        parameters=[FORMAT_PARAM],
        responses={
            (200, "application/json"): ConclusionSerializer,
            **{(200, media): OpenApiTypes.BINARY for media in DOCUMENT_MEDIA_TYPES},
            **READ_ERRORS,
        },
        description="The conclusion notice (a draft with no points before it is first saved).",
    )
    @extend_schema(
        methods=["PUT"],
        request=ConclusionSaveSerializer,
        responses={200: ConclusionSerializer, **ERRORS},
        description="Save the draft: its numbered points and the tasks each will give (to an `agency`, or "
        "`below`: the committee of every unit below). Replaces the draft; a notice issued is locked.",
    )
    @action(detail=True, methods=["get", "put"])
    def conclusion(self, request, pk=None):
        meeting = self._get(pk, act=request.method == "PUT")
        if request.method == "GET" and request.query_params.get("format") not in (None, "", "json"):
            return documents.conclusion_file(request, meeting)
        if request.method == "PUT":
            data = check_input(ConclusionSaveSerializer, request.data)
            points = [
                services.PointInput(
                    p["text"],
                    [
                        services.PlannedTaskInput(
                            title=t["title"],
                            agency=t["agency"],
                            below=t["below"],
                            supporting=t.get("supporting", ()),
                            due_on=t["due_on"],
                        )
                        for t in p.get("tasks", ())
                    ],
                )
                for p in data["points"]
            ]
            services.conclusion_save(
                meeting=meeting, points=points, actor=request.user, expected_version=data.get("version")
            )
        return Response(_conclusion_data(meeting, self._conclusion(meeting)))

    @extend_schema(
        request=ConclusionIssueSerializer,
        responses={200: ConclusionSerializer, **ERRORS},
        description="Issue the notice: numbered, locked, its tasks given. Needs the assigner's right "
        "(approver of the committee's unit).",
    )
    @action(detail=True, methods=["post"], url_path="conclusion/issue")
    def conclusion_issue(self, request, pk=None):
        meeting = self._get(pk, issue=True)
        data = check_input(ConclusionIssueSerializer, request.data)
        services.conclusion_issue(
            meeting=meeting,
            number=data["number"],
            issued_on=data["issued_on"],
            actor=request.user,
            expected_version=data.get("version"),
        )
        meeting.refresh_from_db()
        return Response(_conclusion_data(meeting, self._conclusion(meeting)))
