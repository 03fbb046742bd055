"""API: indicators, forms, periods, submissions and their workflow, figure imports and roll-ups."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from giaoban.core.access import Action, can
from giaoban.core.api.errors import ERROR_RESPONSES, ErrorSerializer
from giaoban.core.errors import ServiceError
from giaoban.orgs.models import OrgUnit

from .. import periods, selectors, services
from ..filters import SubmissionFilter, ValueChangeFilter
from ..models import FormIndicator, Indicator, ReportForm, ReportFormVersion, Submission
from .serializers import (
    ApproveManyResultSerializer,
    ApproveManySerializer,
    IndicatorSerializer,
    NarrativeChangeSerializer,
    PeriodSerializer,
    ReasonSerializer,
    ReportFormSerializer,
    RollupSerializer,
    SubmissionDetailSerializer,
    SubmissionOpenSerializer,
    SubmissionSerializer,
    SubmitSerializer,
    ValueChangeSerializer,
    VersionSerializer,
)

ERRORS = {
    **ERROR_RESPONSES,
    403: OpenApiResponse(ErrorSerializer, description="Your role at this unit does not allow it."),
    409: OpenApiResponse(
        ErrorSerializer, description="Changed by someone else meanwhile; `extra` holds the saved state."
    ),
}


# Indicators and forms are shared by all units: system admins and unit admins edit them (the pages ask the same).
may_manage_catalog = services.may_manage_catalog


class CatalogPermission(permissions.BasePermission):
    def has_permission(self, request, view):
        if not request.user.is_authenticated:
            return False
        return request.method in permissions.SAFE_METHODS or may_manage_catalog(request.user)


def _check(serializer_class, data):
    s = serializer_class(data=data)
    s.is_valid(raise_exception=True)
    return s.validated_data


@extend_schema_view(
    list=extend_schema(responses={200: IndicatorSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: IndicatorSerializer, **ERRORS}),
    create=extend_schema(responses={201: IndicatorSerializer, **ERRORS}),
    partial_update=extend_schema(responses={200: IndicatorSerializer, **ERRORS}),
    update=extend_schema(responses={200: IndicatorSerializer, **ERRORS}),
)
class IndicatorViewSet(viewsets.ModelViewSet):
    serializer_class = IndicatorSerializer
    permission_classes = [CatalogPermission]
    lookup_field = "code"
    lookup_value_regex = "[^/]+"
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return (
            Indicator.objects.visible_to(self.request.user)
            .select_related("numerator", "denominator", "owner")
            .order_by("code")
        )

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.indicator_create(
            code=data.pop("code"), name_vi=data.pop("name_vi"), actor=self.request.user, **data
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("code", None)
        _same_owner(serializer.instance, data.pop("owner", serializer.instance.owner))
        serializer.instance = services.indicator_update(indicator=serializer.instance, actor=self.request.user, **data)


def _same_owner(item, owner) -> None:
    if owner != item.owner:
        raise ServiceError(
            _("Không đổi được đơn vị sở hữu (the owner unit cannot be changed)."), {"fields": {"owner": "fixed"}}
        )


@extend_schema_view(
    list=extend_schema(responses={200: ReportFormSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: ReportFormSerializer, **ERRORS}),
    create=extend_schema(responses={201: ReportFormSerializer, **ERRORS}),
    partial_update=extend_schema(responses={200: ReportFormSerializer, **ERRORS}),
    update=extend_schema(responses={200: ReportFormSerializer, **ERRORS}),
)
class ReportFormViewSet(viewsets.ModelViewSet):
    serializer_class = ReportFormSerializer
    permission_classes = [CatalogPermission]
    lookup_field = "code"
    lookup_value_regex = "[^/]+"
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        items = FormIndicator.objects.select_related("indicator").order_by("position")
        versions = ReportFormVersion.objects.prefetch_related(Prefetch("items", queryset=items))
        return (
            ReportForm.objects.visible_to(self.request.user)
            .select_related("owner")
            .prefetch_related(Prefetch("versions", queryset=versions))
            .order_by("code")
        )

    @staticmethod
    def _indicators(codes):
        found = {i.code: i for i in Indicator.objects.filter(code__in=codes)}
        missing = [c for c in codes if c not in found]
        if missing:
            raise ServiceError(
                _("Không có chỉ tiêu (unknown indicators): %(c)s") % {"c": ", ".join(missing)},
                {"fields": {"indicators": missing}},
            )
        return [found[c] for c in codes]

    def _reload(self, code):
        return self.get_queryset().get(code=code)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data["indicators"] = self._indicators(data["indicators"])
        if "narrative_sections" in data:
            data["narrative_sections"] = [dict(s) for s in data["narrative_sections"]]
        form = services.reportform_create(actor=self.request.user, **data)
        serializer.instance = self._reload(form.code)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("code", None)
        if "indicators" in data:
            data["indicators"] = self._indicators(data["indicators"])
        if "narrative_sections" in data:
            data["narrative_sections"] = [dict(s) for s in data["narrative_sections"]]
        _same_owner(serializer.instance, data.pop("owner", serializer.instance.owner))
        services.reportform_update(form=serializer.instance, actor=self.request.user, **data)
        serializer.instance = self._reload(serializer.instance.code)


class PeriodView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("scheme", str, enum=list(periods.SCHEMES), description="Default: calendar."),
            OpenApiParameter(
                "of",
                str,
                enum=list(periods.PERIOD_TYPES),
                description="Reporting period type composing it (default: month for longer windows, week for a month).",
            ),
        ],
        responses={200: PeriodSerializer, **ERRORS},
    )
    def get(self, request, pid):
        scheme = request.query_params.get("scheme", periods.CALENDAR)
        try:
            p = periods.parse_period(pid)
            start, end = periods.period_range(p, scheme)
            default_of = {periods.WEEK: periods.WEEK, periods.MONTH: periods.WEEK}.get(p.type, periods.MONTH)
            if scheme in periods.WEEK_SCHEMES:
                default_of = periods.WEEK
            parts = periods.composed_of(p, request.query_params.get("of", default_of), scheme)
        except periods.PeriodError as exc:
            raise ServiceError(str(exc), {"period": pid}) from None
        return Response(
            PeriodSerializer(
                {
                    "id": p.id,
                    "type": p.type,
                    "scheme": scheme,
                    "start": start,
                    "end": end,
                    "composed_of": [x.id for x in parts],
                }
            ).data
        )


@extend_schema_view(
    list=extend_schema(responses={200: SubmissionSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: SubmissionDetailSerializer, **ERRORS}),
)
class SubmissionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = SubmissionSerializer
    filterset_class = SubmissionFilter

    def get_queryset(self):
        return (
            selectors.submissions_for(self.request.user)
            .select_related("form_version", "submitted_by", "approved_by")
            .order_by("-period", "unit__path", "form__code")
        )

    def _get(self, pk, action_needed: str) -> Submission:
        submission = get_object_or_404(self.get_queryset(), pk=pk)
        if not can(self.request.user, action_needed, submission.unit.path):
            raise PermissionDenied(_("Vai trò của bạn không cho phép thao tác này (your role does not allow this)."))
        return submission

    def _detail(self, submission, code=status.HTTP_200_OK):
        submission = self.get_queryset().prefetch_related("events__actor").get(pk=submission.pk)
        submission.current_values = services.current_values(submission)
        return Response(SubmissionDetailSerializer(submission).data, status=code)

    def retrieve(self, request, *args, **kwargs):
        return self._detail(get_object_or_404(self.get_queryset(), pk=kwargs["pk"]))

    @extend_schema(request=SubmissionOpenSerializer, responses={201: SubmissionDetailSerializer, **ERRORS})
    def create(self, request):
        """Open (or find) the report of a unit for a form and period, saving `values` as a draft if given."""
        data = _check(SubmissionOpenSerializer, request.data)
        unit = get_object_or_404(OrgUnit.objects.visible_to(request.user), code=data["unit"])
        if not can(request.user, Action.ENTER, unit.path):
            raise PermissionDenied(_("Vai trò của bạn không cho phép nhập báo cáo (your role cannot enter reports)."))
        form = get_object_or_404(ReportForm, code=data["form"])
        # One transaction: a save that fails leaves no empty report behind, and of two first saves at once the
        # second waits for the first and then gets the conflict.
        with transaction.atomic():
            submission = services.submission_open(unit=unit, form=form, period=data["period"], actor=request.user)
            if "values" in data or "narrative" in data:
                submission = services.submission_save_draft(
                    submission=submission,
                    values=data.get("values", {}),
                    narrative=data.get("narrative"),
                    expected_version=data.get("version", 0),
                    actor=request.user,
                )
        return self._detail(submission, status.HTTP_201_CREATED)

    @extend_schema(
        filters=False,
        responses={200: ValueChangeSerializer(many=True), **ERRORS},
        description="Every change of the report's figures, oldest first: who, when, old and new value. For "
        "approvers and unit admins of the unit (404 for others).",
    )
    @action(detail=True, methods=["get"], filterset_class=None)
    def changes(self, request, pk=None):
        submission = get_object_or_404(selectors.submissions_for(request.user, Action.AUDIT), pk=pk)
        changes = selectors.value_changes_for(request.user).filter(submission=submission).order_by("at", "id")
        page = self.paginate_queryset(changes)
        return self.get_paginated_response(ValueChangeSerializer(page, many=True).data)

    @extend_schema(
        filters=False,
        responses={200: NarrativeChangeSerializer(many=True), **ERRORS},
        description="Every change of the report's narrative sections, oldest first: who, when, the section's old "
        "and new text. For approvers and unit admins of the unit (404 for others).",
    )
    @action(detail=True, methods=["get"], url_path="narrative-changes", filterset_class=None, pagination_class=None)
    def narrative_changes(self, request, pk=None):
        submission = get_object_or_404(
            selectors.submissions_for(request.user, Action.AUDIT).select_related("form_version"), pk=pk
        )
        return Response(NarrativeChangeSerializer(selectors.narrative_changes(submission), many=True).data)

    @extend_schema(request=SubmitSerializer, responses={200: SubmissionDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        data = _check(SubmitSerializer, request.data)
        if ("values" in data or "narrative" in data) and "version" not in data:
            # Figures sent without the version they were edited from could overwrite someone else's save.
            raise ServiceError(
                _("Cần gửi kèm version của báo cáo khi gửi số liệu (version is required with values or narrative)."),
                {"fields": {"version": _("Bắt buộc (required)")}},
            )
        submission = services.submission_submit(
            submission=self._get(pk, Action.ENTER),
            actor=request.user,
            expected_version=data.get("version"),
            values=data.get("values"),
            narrative=data.get("narrative"),
            confirm=data.get("confirm", False),
        )
        return self._detail(submission)

    @extend_schema(
        operation_id="v1_submissions_approve_many",
        filters=False,
        request=ApproveManySerializer,
        responses={200: ApproveManyResultSerializer, **ERRORS},
        description="Approve several submitted reports at once, all or nothing. Send `items` = [{id, version}] with "
        "the versions you saw: if any report changed since, nothing is approved and the answer is 409 with code "
        "stale_version, `extra.stale` = the changed ids and `extra.errors` = [{id, unit, message, code, version, "
        "expected}]. If any one is refused otherwise (not found among the reports you approve, not submitted, "
        "submitted by yourself, …) nothing is approved and the answer is 400 with code bulk_rejected and "
        "`extra.errors` = [{id, unit, message, code}], one per refused report. Plain `ids` (no version check) are "
        "still taken, as the single approval's version is optional.",
    )
    @action(detail=False, methods=["post"], url_path="approve", url_name="approve-many", filterset_class=None)
    def approve_many(self, request):
        data = _check(ApproveManySerializer, request.data)
        items = data.get("items") or [{"id": i} for i in data["ids"]]
        done = services.submissions_approve(
            queryset=selectors.submissions_for(request.user, Action.APPROVE),
            ids=[i["id"] for i in items],
            versions={i["id"]: i["version"] for i in items if "version" in i},
            actor=request.user,
        )
        return Response({"approved": [s.pk for s in done], "count": len(done)})

    @extend_schema(request=VersionSerializer, responses={200: SubmissionDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        data = _check(VersionSerializer, request.data)
        submission = services.submission_approve(
            submission=self._get(pk, Action.APPROVE), actor=request.user, expected_version=data.get("version")
        )
        return self._detail(submission)

    @extend_schema(request=ReasonSerializer, responses={200: SubmissionDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        data = _check(ReasonSerializer, request.data)
        submission = services.submission_return(
            submission=self._get(pk, Action.APPROVE),
            actor=request.user,
            reason=data["reason"],
            expected_version=data.get("version"),
        )
        return self._detail(submission)

    @extend_schema(request=ReasonSerializer, responses={200: SubmissionDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        data = _check(ReasonSerializer, request.data)
        submission = services.submission_reopen(
            submission=self._get(pk, Action.APPROVE),
            actor=request.user,
            reason=data["reason"],
            expected_version=data.get("version"),
        )
        return self._detail(submission)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, description="Changes on or after this date."),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Changes on or before this date."),
        ],
        responses={200: ValueChangeSerializer(many=True), **ERRORS},
        description="The audit log of figures: who changed what when, with the old and new value, newest first, "
        "in the units where you approve or administer. unit= takes everything below the unit too.",
    )
)
class AuditViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = ValueChangeSerializer
    filterset_class = ValueChangeFilter

    def get_queryset(self):
        return selectors.value_changes_for(self.request.user)


def _flag(request, name: str) -> bool:
    return request.query_params.get(name, "").lower() in ("1", "true", "yes")


class RollupView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("indicator", str, required=True),
            OpenApiParameter("unit", str, required=True),
            OpenApiParameter("period", str, required=True, description="e.g. 2023N9, 2026-03, 2026W10"),
            OpenApiParameter("by", str, enum=["child"]),
            OpenApiParameter("restated", bool),
            OpenApiParameter("approved", bool),
        ],
        responses={200: RollupSerializer, **ERRORS},
        description="With by=child, a list with one such object per child unit.",
    )
    def get(self, request):
        params = request.query_params
        missing = [k for k in ("indicator", "unit", "period") if not params.get(k)]
        if missing:
            raise ServiceError(
                _("Thiếu tham số (missing parameters): %(p)s") % {"p": ", ".join(missing)},
                {"fields": {k: "required" for k in missing}},
            )
        indicator = get_object_or_404(Indicator, code=params["indicator"])
        unit = get_object_or_404(OrgUnit.objects.visible_to(request.user), code=params["unit"])
        by_child = params.get("by") == "child"
        approved, restated = _flag(request, "approved"), _flag(request, "restated")
        result = selectors.rollup(
            request.user,
            indicator,
            unit,
            params["period"],
            by_child=by_child,
            approved_only=approved,
            restated=restated,
        )
        period = periods.parse_period(params["period"]).id

        def dump(r):
            r.indicator, r.period, r.approved_only, r.restated = indicator.code, period, approved, restated
            return RollupSerializer(r, context={"indicator": indicator}).data

        if by_child:
            return Response([dump(c) for c in result.children])
        return Response(dump(result))
