"""API for Excel: the entry template (GET /api/v1/templates/), a filled workbook's upload
(POST /api/v1/templates/upload/) and a roll-up table as .xlsx (GET /api/v1/rollup.xlsx)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from giaoban.core.access import Action
from giaoban.core.api.errors import ERROR_RESPONSES, ErrorSerializer
from giaoban.core.errors import ServiceError
from giaoban.orgs.models import OrgUnit

from .. import imports, xlsx
from ..models import ReportForm
from ..views.xlsx import rollup_xlsx_bytes, xlsx_response
from .imports import ImportJobSerializer, job_response

XLSX_RESPONSE = OpenApiResponse(OpenApiTypes.BINARY, description="An .xlsx workbook.")
ERRORS = {
    **ERROR_RESPONSES,
    409: OpenApiResponse(
        ErrorSerializer, description="A report was changed after the template was downloaded; nothing saved."
    ),
    413: OpenApiResponse(ErrorSerializer, description="File, unpacked size or number of sheets over the limit."),
}


def _required(params, *names) -> None:
    missing = [k for k in names if not params.get(k)]
    if missing:
        raise ServiceError(
            _("Thiếu tham số (missing parameters): %(p)s") % {"p": ", ".join(missing)},
            {"fields": {k: "required" for k in missing}},
        )


class XlsxTemplateView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("unit", str, required=True, description="Unit code."),
            OpenApiParameter("form", str, required=True, description="Form code."),
            OpenApiParameter("period", str, required=True, description="e.g. 2026W10, 2026-03"),
            OpenApiParameter("below", bool, description="1: one sheet per unit below `unit` that still has to report."),
        ],
        responses={(200, xlsx.XLSX_CONTENT_TYPE): XLSX_RESPONSE, **ERRORS},
    )
    def get(self, request):
        """The entry template (.xlsx) of a unit's report, or an officer's workbook with one sheet per unit
        below; requires the right to enter figures there (otherwise 404)."""
        params = request.query_params
        _required(params, "unit", "form", "period")
        unit = get_object_or_404(OrgUnit.objects.visible_to(request.user, Action.ENTER), code=params["unit"])
        form = get_object_or_404(ReportForm, code=params["form"])
        data, name, _units = xlsx.template_workbook(
            request.user, unit, form, params["period"], below=params.get("below", "").lower() in ("1", "true")
        )
        return xlsx_response(data, name)


class XlsxSheetResultSerializer(serializers.Serializer):
    sheet = serializers.CharField()
    unit = serializers.CharField()
    submission = serializers.IntegerField()
    status = serializers.CharField()
    version = serializers.IntegerField()
    values = serializers.IntegerField(help_text="Figures filled in on the sheet.")


class XlsxUploadResultSerializer(serializers.Serializer):
    submitted = serializers.BooleanField()
    values = serializers.IntegerField()
    sheets = XlsxSheetResultSerializer(many=True)


class XlsxUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=".xlsx template filled in (or a flat table of figures).")
    submit = serializers.BooleanField(required=False, help_text="true: submit (Nộp luôn); default: save drafts.")
    confirm = serializers.BooleanField(
        required=False,
        help_text="true: submit figures far outside their unit's history anyway. Without it such figures answer 400 "
        "with code unusual_figures and extra.errors = [{sheet, cell, message, indicator, value, median}].",
    )


class XlsxUploadView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": XlsxUploadSerializer},
        responses={200: XlsxUploadResultSerializer, 202: ImportJobSerializer, **ERRORS},
    )
    def post(self, request):
        """Save every sheet of a filled template in one transaction (drafts, or submitted with submit=true),
        or nothing: a rejected file answers 400 with extra.errors = [{sheet, cell, message}]. A flat table of
        GIAOBAN_IMPORT_ASYNC_ROWS rows or more is imported in the background: 202 with the job."""
        f = request.FILES.get("file")
        if f is None:
            raise ServiceError(_("Chưa gửi tệp (no file): trường 'file' (multipart field 'file')"))
        xlsx.check_upload(f.name, f.content_type, f.size)
        submit = str(request.data.get("submit", request.query_params.get("submit", ""))).lower() in ("1", "true", "on")
        data = f.read()
        rows = xlsx.table_row_count(data)
        if rows is not None and rows >= imports.async_threshold():
            imports.check_row_count(rows)
            job = imports.importjob_create(
                actor=request.user, data=data, fmt="xlsx", file_name=f.name, draft=not submit
            )
            return job_response(job, status.HTTP_202_ACCEPTED)
        confirm = str(request.data.get("confirm", request.query_params.get("confirm", ""))).lower() in (
            "1",
            "true",
            "on",
        )
        result = xlsx.workbook_import(data, actor=request.user, submit=submit, confirm=confirm)
        return Response(
            {
                "submitted": result.submitted,
                "values": result.values,
                "sheets": [
                    {
                        "sheet": s.sheet,
                        "unit": s.unit.code,
                        "submission": s.submission.pk,
                        "status": s.submission.status,
                        "version": s.submission.version,
                        "values": s.values,
                    }
                    for s in result.sheets
                ],
            }
        )


class RollupXlsxView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("indicator", str, required=True),
            OpenApiParameter("unit", str, required=True),
            OpenApiParameter("period", str, required=True, description="e.g. 2023N9, 2026-03, 2026W10"),
            OpenApiParameter("restated", bool),
            OpenApiParameter("approved", bool),
        ],
        responses={(200, xlsx.XLSX_CONTENT_TYPE): XLSX_RESPONSE, **ERRORS},
    )
    def get(self, request):
        """GET /api/v1/rollup/?by=child as an .xlsx table: one row per child unit and the unit's total, with
        the value, expected, reported, on-time, late and missing reports."""
        _required(request.query_params, "indicator", "unit", "period")
        data, name = rollup_xlsx_bytes(request.user, request.query_params)
        return xlsx_response(data, name)
