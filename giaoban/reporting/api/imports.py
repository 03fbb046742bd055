"""API of figure imports: POST /api/v1/datavalues/ (JSON list or CSV; large ones become background jobs) and
GET /api/v1/imports/{id}/, a job's state and progress."""

from __future__ import annotations

import json

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from giaoban.core.api.errors import ERROR_RESPONSES, ErrorSerializer
from giaoban.core.api.parsers import CSVParser, JSONParser

from .. import imports
from ..models import ImportJob
from .serializers import DataValueRowSerializer, ImportResultSerializer

ERRORS = {
    **ERROR_RESPONSES,
    413: OpenApiResponse(ErrorSerializer, description="More rows than GIAOBAN_IMPORT_MAX_ROWS."),
}


class ImportJobSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="job.pk")
    state = serializers.ChoiceField(choices=ImportJob.State.choices, source="job.state")
    phase = serializers.CharField(help_text="queued, checking, writing, done or finished (rejected/failed).")
    rows_done = serializers.IntegerField()
    rows_total = serializers.IntegerField()
    percent = serializers.IntegerField()
    draft = serializers.BooleanField(source="job.draft")
    file_name = serializers.CharField(source="job.file_name")
    submissions = serializers.IntegerField(source="job.submissions")
    values = serializers.IntegerField(source="job.values")
    message = serializers.CharField(source="job.message")
    errors = serializers.ListField(
        child=serializers.DictField(), source="job.errors", help_text="[{row, column, message}] when rejected."
    )
    errors_total = serializers.IntegerField(source="job.errors_total")
    created_at = serializers.DateTimeField(source="job.created_at")
    started_at = serializers.DateTimeField(source="job.started_at", allow_null=True)
    finished_at = serializers.DateTimeField(source="job.finished_at", allow_null=True)
    status_url = serializers.SerializerMethodField()

    def get_status_url(self, obj) -> str:
        return reverse("api-import-job", args=[obj.job.pk])


def job_response(job: ImportJob, code: int = status.HTTP_200_OK) -> Response:
    return Response(ImportJobSerializer(imports.importjob_status(job)).data, status=code)


class DataValueImportView(APIView):
    parser_classes = [JSONParser, CSVParser]

    @extend_schema(
        request={"application/json": DataValueRowSerializer(many=True), "text/csv": OpenApiTypes.STR},
        parameters=[
            OpenApiParameter("draft", bool, description="1: save as drafts instead of submitting."),
            OpenApiParameter(
                "confirm",
                bool,
                description="true: import figures far outside their unit's history anyway (also `confirm` in a "
                "JSON body {rows, confirm}).",
            ),
        ],
        responses={201: ImportResultSerializer, 202: ImportJobSerializer, **ERRORS},
    )
    def post(self, request):
        """Figures as a JSON list of {unit, form, period, indicator, value} (or {"rows": that list, "confirm":
        true}) or a CSV with those columns. All or nothing: a rejected import answers 400 with every bad row in
        extra.errors. Submitted figures far outside their unit's history (more than 10 times its median of the
        last 8 periods, or a weekly count of 10,000 or more) answer 400 with code unusual_figures and
        extra.figures = [{row, unit, form, period, indicator, value, median, message}] unless confirm is true;
        nothing is written. From GIAOBAN_IMPORT_ASYNC_ROWS rows on (default 20,000) the import runs in the
        background: 202 with the job, whose state and progress GET /api/v1/imports/{id}/ gives."""
        params = request.query_params
        draft = params.get("draft", "").lower() in ("1", "true", "yes")
        confirm = params.get("confirm", "").lower() in ("1", "true", "yes")
        data = request.data
        if isinstance(data, dict) and "rows" in data:
            confirm = confirm or data.get("confirm") in (True, "true", "1", 1)
            data = data["rows"]
        if isinstance(data, bytes):
            outcome = imports.run_or_queue(
                actor=request.user, data=data, fmt="csv", rows=None, draft=draft, confirm=confirm
            )
        else:
            rows = imports.rows_from_json(data)
            imports.check_row_count(len(rows))
            body = json.dumps(data).encode() if len(rows) >= imports.async_threshold() else b""
            outcome = imports.run_or_queue(
                actor=request.user, data=body, fmt="json", rows=rows, draft=draft, confirm=confirm
            )
        if isinstance(outcome, ImportJob):
            return job_response(outcome, status.HTTP_202_ACCEPTED)
        return Response(ImportResultSerializer(outcome).data, status=status.HTTP_201_CREATED)


class ImportJobView(APIView):
    @extend_schema(responses={200: ImportJobSerializer, **ERRORS})
    def get(self, request, pk: int):
        """A background import's state (queued, running, done, rejected, failed), rows done of the total and,
        when rejected, its errors. Only within your scope for entering figures (else 404)."""
        job = get_object_or_404(ImportJob.objects.visible_to(request.user), pk=pk)
        return job_response(job)
