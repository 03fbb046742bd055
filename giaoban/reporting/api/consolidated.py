"""API of the consolidated report: GET the table, the gathered texts and the draft (or a .docx/.pdf/.xlsx
file), PUT/PATCH to save the draft, POST .../issue/ to issue it."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from giaoban.core.access import Action, can
from giaoban.core.api.errors import ERROR_RESPONSES, ErrorSerializer
from giaoban.core.errors import ServiceError
from giaoban.orgs.models import Committee

from .. import consolidated, periods
from ..models import ConsolidatedReport

ERRORS = {
    **ERROR_RESPONSES,
    403: OpenApiResponse(ErrorSerializer, description="Your role at this unit does not allow it."),
    409: OpenApiResponse(
        ErrorSerializer, description="Saved by someone else meanwhile; `extra` holds the saved draft."
    ),
}


class DraftSerializer(serializers.ModelSerializer):
    committee = serializers.IntegerField(source="committee_id")
    form = serializers.CharField(source="form.code")
    updated_by = serializers.SerializerMethodField()

    class Meta:
        model = ConsolidatedReport
        fields = [
            "id",
            "committee",
            "form",
            "period",
            "status",
            "version",
            "number",
            "issued_on",
            "place",
            "subject",
            "narrative",
            "signer_name",
            "signer_title",
            "signer_capacity",
            "recipients",
            "updated_by",
            "updated_at",
        ]

    def get_updated_by(self, obj) -> str | None:
        return obj.updated_by.get_username() if obj.updated_by_id else None


class SaveSerializer(serializers.Serializer):
    committee = serializers.IntegerField()
    period = serializers.CharField()
    form = serializers.CharField(required=False)
    version = serializers.IntegerField(help_text="The version you started from; 0 for a report not saved yet.")
    narrative = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False)
    recipients = serializers.ListField(child=serializers.CharField(allow_blank=True), required=False)
    subject = serializers.CharField(required=False, allow_blank=True)
    place = serializers.CharField(required=False, allow_blank=True)
    signer_name = serializers.CharField(required=False, allow_blank=True)
    signer_title = serializers.CharField(required=False, allow_blank=True)
    signer_capacity = serializers.CharField(required=False, allow_blank=True)


class IssueSerializer(serializers.Serializer):
    committee = serializers.IntegerField()
    period = serializers.CharField()
    form = serializers.CharField(required=False)
    version = serializers.IntegerField()
    number = serializers.CharField(
        max_length=20, required=False, allow_blank=True, default="", help_text="Empty: the next of the series."
    )
    issued_on = serializers.DateField()


def _resolve(user, committee_pk, period: str, form_code: str | None):
    committee = get_object_or_404(
        Committee.objects.visible_to(user).select_related("org_unit", "standing_agency"), pk=committee_pk
    )
    try:
        period = periods.parse_period(period).id
    except periods.PeriodError as exc:
        raise ServiceError(str(exc), {"period": period}) from None
    form = consolidated.default_form(committee, form_code, period)
    consolidated.form_window(form, period)
    return committee, form, period


def _required(params, *names):
    missing = [k for k in names if not params.get(k)]
    if missing:
        raise ServiceError(
            _("Thiếu tham số (missing parameters): %(p)s") % {"p": ", ".join(missing)},
            {"fields": {k: "required" for k in missing}},
        )


def _committee_id(raw) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise ServiceError(_("committee phải là số (committee must be an id)"), {"committee": raw}) from None


def _flag(request, name: str) -> bool:
    return request.query_params.get(name, "").lower() in ("1", "true", "yes")


def _check_edit(user, committee, issue: bool = False) -> None:
    path = committee.org_unit.path
    allowed = (
        can(user, Action.APPROVE, path) if issue else (can(user, Action.ENTER, path) or can(user, Action.APPROVE, path))
    )
    if not allowed:
        raise PermissionDenied(_("Vai trò của bạn không cho phép thao tác này (your role does not allow this)."))


def _payload(user, committee, form, period, approved_only: bool) -> dict:
    unit = committee.org_unit
    report = consolidated.report_find_or_build(committee=committee, form=form, period=period)
    table = consolidated.consolidated_table(user, unit, form, period, approved_only)
    gathered = consolidated.gather_narratives(unit, form, period, approved_only)
    draft = DraftSerializer(report).data
    draft["narrative"] = consolidated.effective_narrative(report, gathered)
    return {
        "committee": committee.pk,
        "period": period,
        "period_label": periods.period_label(period, form.scheme, sentence=True),
        "form": form.code,
        "table": table.as_dict(),
        "summary": consolidated.summary_paragraph(table),
        "narratives": [
            {
                "key": s.key,
                "title": s.title,
                "items": [
                    {"unit": i.unit.code, "unit_name": i.unit.name, "text": i.text, "periods": i.periods}
                    for i in s.items
                ],
            }
            for s in gathered
        ],
        "draft": draft,
        "history": [
            {
                "at": h.history_date,
                "user": h.history_user.get_username() if h.history_user_id else None,
                "type": h.history_type,
                "status": h.status,
            }
            for h in (report.history.select_related("history_user").order_by("-history_date") if report.pk else [])
        ],
    }


class ConsolidatedReportView(APIView):
    def perform_content_negotiation(self, request, force=False):
        # ?format=docx|pdf|xlsx asks for a file, not for one of DRF's renderers.
        if request.query_params.get("format") in consolidated.FORMATS:
            return (JSONRenderer(), JSONRenderer.media_type)
        return super().perform_content_negotiation(request, force)

    @extend_schema(
        parameters=[
            OpenApiParameter("committee", int, required=True),
            OpenApiParameter("period", str, required=True, description="e.g. 2023N9"),
            OpenApiParameter(
                "form", str, description="Form code (default: the unit's own form, else the first below)."
            ),
            OpenApiParameter("approved", bool, description="Approved figures only."),
            OpenApiParameter("format", str, enum=list(consolidated.FORMATS), description="A file instead of JSON."),
        ],
        responses={
            (200, "application/json"): OpenApiTypes.OBJECT,
            **{(200, mime): OpenApiTypes.BINARY for mime in consolidated.FORMATS.values()},
            **ERRORS,
        },
        description="The figures table (units x indicators), the units' texts by section and the draft.",
    )
    def get(self, request):
        params = request.query_params
        _required(params, "committee", "period")
        committee, form, period = _resolve(
            request.user, _committee_id(params["committee"]), params["period"], params.get("form")
        )
        approved = _flag(request, "approved")
        fmt = params.get("format")
        if fmt and fmt != "json":
            report = consolidated.report_find_or_build(committee=committee, form=form, period=period)
            data = consolidated.export(report, fmt, approved, user=request.user)
            response = HttpResponse(data, content_type=consolidated.FORMATS[fmt])
            response["Content-Disposition"] = f'attachment; filename="{consolidated.filename(report, fmt)}"'
            return response
        return Response(_payload(request.user, committee, form, period, approved))

    def _save(self, request):
        s = SaveSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        data = dict(s.validated_data)
        committee, form, period = _resolve(
            request.user, data.pop("committee"), data.pop("period"), data.pop("form", None)
        )
        _check_edit(request.user, committee)
        report = consolidated.report_find_or_build(committee=committee, form=form, period=period)
        report = consolidated.report_save(
            report=report,
            expected_version=data.pop("version"),
            actor=request.user,
            narrative=data.pop("narrative", None),
            recipients=data.pop("recipients", None),
            **data,
        )
        return Response(DraftSerializer(report).data)

    @extend_schema(request=SaveSerializer, responses={200: DraftSerializer, **ERRORS})
    def put(self, request):
        """Save the draft (fields left out are kept)."""
        return self._save(request)

    @extend_schema(request=SaveSerializer, responses={200: DraftSerializer, **ERRORS})
    def patch(self, request):
        """Save the draft (fields left out are kept)."""
        return self._save(request)


class ConsolidatedIssueView(APIView):
    @extend_schema(request=IssueSerializer, responses={200: DraftSerializer, **ERRORS})
    def post(self, request):
        """Issue the saved draft with its number and date; it is locked from then on."""
        s = IssueSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        data = s.validated_data
        committee, form, period = _resolve(request.user, data["committee"], data["period"], data.get("form"))
        _check_edit(request.user, committee, issue=True)
        report = consolidated.report_find_or_build(committee=committee, form=form, period=period)
        report = consolidated.report_issue(
            report=report,
            number=data["number"],
            issued_on=data["issued_on"],
            actor=request.user,
            expected_version=data["version"],
        )
        return Response(DraftSerializer(report).data)
