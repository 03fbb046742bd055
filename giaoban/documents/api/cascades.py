"""API of cascades: send a directive down (`POST /api/v1/documents/{id}/cascade/`), its coverage
(`GET /api/v1/documents/{id}/coverage/?unit=CODE`, and as .xlsx), the receiving committees' directives
(`GET /api/v1/cascades/`) and their implementation record (`POST /api/v1/cascades/{id}/implement/`, `.../done/`).

Reads go through `visible_to` (out of scope is 404). Sending needs Action.MEET at the sender's unit; implementing
and reporting done, Action.MEET at the receiver's; a document or cascade you can see but may not act on is 403.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from giaoban.core.access import Action
from giaoban.core.api.errors import ERROR_RESPONSES, ErrorSerializer
from giaoban.core.errors import ServiceError
from giaoban.orgs.models import Committee, OrgUnit

from .. import coverage as cov
from ..filters_cascades import CascadeFilter
from ..models import Cascade, Document, DocumentType
from ..services import cascades as services

__all__ = ["CascadeViewSet", "CoverageView", "CoverageXlsxView", "SendView"]

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ERRORS = {
    **ERROR_RESPONSES,
    403: OpenApiResponse(ErrorSerializer, description="You can see it, but your role does not allow this."),
    409: OpenApiResponse(
        ErrorSerializer,
        description="Changed meanwhile (`code` stale_version; `extra.version` is the current one) or already done.",
    ),
}
COVERAGE_PARAMS = [
    OpenApiParameter("unit", str, description="Unit code; its whole subtree counts. Default: the sender's unit."),
    OpenApiParameter("as_of", OpenApiTypes.DATE, description="Overdue as of this day; default today."),
    OpenApiParameter(
        "rows", str, enum=[*cov.ROW_FILTERS, "none"], description="Which receivers to list (default all)."
    ),
]


def check_input(serializer_class, data) -> dict:
    s = serializer_class(data=data)
    s.is_valid(raise_exception=True)
    return s.validated_data


def denied() -> PermissionDenied:
    return PermissionDenied(_("Vai trò của bạn không cho phép thao tác này (your role does not allow this)."))


# --- serializers --------------------------------------------------------------------------------------------


class CascadeUnitSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class CascadeCommitteeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CascadeDocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number_symbol = serializers.CharField()
    type = serializers.CharField()
    date = serializers.DateField()
    subject = serializers.CharField()


def _unit(unit: OrgUnit) -> dict:
    return {"code": unit.code, "name": unit.name}


def _committee(c: Committee) -> dict:
    return {"id": c.pk, "name": c.name}


def _document(d: Document | None) -> dict | None:
    if d is None:
        return None
    return {"id": d.pk, "number_symbol": d.number_symbol, "type": d.type, "date": d.date, "subject": d.subject}


class CascadeSendSerializer(serializers.Serializer):
    committees = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        max_length=20000,
        help_text="Ids of committees below; or `below: true` for every standing committee below.",
    )
    below = serializers.BooleanField(default=False, help_text="Send to every standing committee below, all levels.")
    due_on = serializers.DateField(required=False, allow_null=True, help_text="Deadline of the implementation.")
    sent_on = serializers.DateField(required=False, allow_null=True, help_text="Default: today.")
    sender = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text="The sending committee, when the document is in several registers you act for.",
    )

    def validate(self, attrs):
        if attrs.get("below") == ("committees" in attrs):
            raise serializers.ValidationError(
                {"committees": [_("Gửi tất cả cấp dưới (below) hoặc chọn Ban Chỉ đạo (committees), một trong hai.")]}
            )
        return attrs


class CascadeSendResultSerializer(serializers.Serializer):
    document = serializers.IntegerField()
    sender = CascadeCommitteeSerializer()
    sent = serializers.IntegerField(help_text="Committees that received it now.")
    skipped = serializers.IntegerField(help_text="Committees that had it already (not sent again).")
    committees = serializers.ListField(child=serializers.IntegerField(), help_text="Ids of those sent now.")
    skipped_committees = serializers.ListField(child=serializers.IntegerField())
    cascades = serializers.ListField(child=serializers.IntegerField())
    due_on = serializers.DateField(allow_null=True)
    sent_on = serializers.DateField()


class CoverageGroupSerializer(serializers.Serializer):
    unit = CascadeUnitSerializer()
    own = serializers.BooleanField(help_text="The committees at the unit itself (not below a child).")
    expected = serializers.IntegerField()
    implemented = serializers.IntegerField()
    done = serializers.IntegerField()
    pending = serializers.IntegerField()
    overdue = serializers.IntegerField()
    percent = serializers.FloatField(allow_null=True)


class CoverageRowSerializer(serializers.Serializer):
    cascade = serializers.IntegerField()
    unit = CascadeUnitSerializer()
    committee = CascadeCommitteeSerializer()
    status = serializers.ChoiceField(choices=Cascade.Status.choices)
    document = CascadeDocumentSerializer(allow_null=True, help_text="The receiver's implementing document.")
    due_on = serializers.DateField(allow_null=True)
    implemented_on = serializers.DateField(allow_null=True)
    done_on = serializers.DateField(allow_null=True)
    overdue = serializers.BooleanField(help_text="Past the deadline without an implementing document.")


class CoverageSerializer(serializers.Serializer):
    document = CascadeDocumentSerializer()
    unit = CascadeUnitSerializer()
    as_of = serializers.DateField()
    expected = serializers.IntegerField()
    implemented = serializers.IntegerField()
    done = serializers.IntegerField()
    pending = serializers.IntegerField()
    overdue = serializers.IntegerField()
    percent = serializers.FloatField(allow_null=True)
    by_unit = CoverageGroupSerializer(many=True, help_text="Roll-up by child unit (own committees first).")
    rows = CoverageRowSerializer(many=True)


def _group(g: cov.CoverageGroup) -> dict:
    return {
        "unit": _unit(g.unit),
        "own": g.own,
        "expected": g.expected,
        "implemented": g.implemented,
        "done": g.done,
        "pending": g.pending,
        "overdue": g.overdue,
        "percent": g.percent,
    }


def coverage_data(c: cov.Coverage) -> dict:
    total = _group(c.total)
    del total["unit"], total["own"]
    return {
        "document": _document(c.document),
        "unit": _unit(c.unit),
        "as_of": c.as_of,
        **total,
        "by_unit": [_group(g) for g in c.by_unit],
        "rows": [
            {
                "cascade": r.pk,
                "unit": _unit(r.committee.org_unit),
                "committee": _committee(r.committee),
                "status": r.status,
                "document": _document(r.implementing_document),
                "due_on": r.due_on,
                "implemented_on": r.implemented_on,
                "done_on": r.done_on,
                "overdue": r.overdue,
            }
            for r in c.rows
        ],
    }


class CascadeEntrySerializer(serializers.Serializer):
    serial = serializers.IntegerField(help_text="Số đến: the receiver's running incoming number of the year.")
    year = serializers.IntegerField()
    received_on = serializers.DateField()


class CascadeSerializer(serializers.ModelSerializer):
    document = serializers.SerializerMethodField()
    sender = serializers.SerializerMethodField()
    committee = serializers.SerializerMethodField()
    unit = serializers.SerializerMethodField()
    entry = serializers.SerializerMethodField()
    implementing_document = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Cascade
        fields = [
            "id",
            "document",
            "sender",
            "committee",
            "unit",
            "entry",
            "status",
            "implementing_document",
            "due_on",
            "sent_on",
            "implemented_on",
            "done_on",
            "overdue",
            "version",
        ]

    @extend_schema_field(CascadeDocumentSerializer)
    def get_document(self, obj):
        return _document(obj.document)

    @extend_schema_field(CascadeCommitteeSerializer)
    def get_sender(self, obj):
        return _committee(obj.sender)

    @extend_schema_field(CascadeCommitteeSerializer)
    def get_committee(self, obj):
        return _committee(obj.committee)

    @extend_schema_field(CascadeUnitSerializer)
    def get_unit(self, obj):
        return _unit(obj.committee.org_unit)

    @extend_schema_field(CascadeEntrySerializer(allow_null=True))
    def get_entry(self, obj):
        e = obj.entry
        return None if e is None else {"serial": e.serial, "year": e.year, "received_on": e.received_on}

    @extend_schema_field(CascadeDocumentSerializer(allow_null=True))
    def get_implementing_document(self, obj):
        return _document(obj.implementing_document)

    def get_overdue(self, obj) -> bool:
        return cov.is_overdue(obj, timezone.localdate())


class CascadeImplementSerializer(serializers.Serializer):
    document = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text="Id of the receiving committee's own outgoing document; or give the fields of a new one.",
    )
    type = serializers.ChoiceField(choices=DocumentType.choices, required=False, default=DocumentType.KE_HOACH)
    date = serializers.DateField(required=False, help_text="The new document's date.")
    subject = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    number = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=999999, help_text="Default: the next of the series."
    )
    signer = serializers.CharField(required=False, allow_blank=True, max_length=120)
    version = serializers.IntegerField(required=False, min_value=0, max_value=2**31 - 1)


class CascadeDoneSerializer(serializers.Serializer):
    done_on = serializers.DateField(required=False, help_text="Default: today.")
    version = serializers.IntegerField(required=False, min_value=0, max_value=2**31 - 1)


# --- views ----------------------------------------------------------------------------------------------------


def _document_for(request, pk) -> Document:
    return get_object_or_404(Document.objects.visible_to(request.user).select_related("committee__org_unit"), pk=pk)


class SendView(APIView):
    @extend_schema(
        request=CascadeSendSerializer,
        responses={201: CascadeSendResultSerializer, 200: CascadeSendResultSerializer, **ERRORS},
        description="Send the document down: to the chosen committees below (`committees`: ids) or to every "
        "standing committee below, all levels (`below: true`), with a deadline. Each receiver gets it in its "
        "incoming register; committees that have it already are skipped (counted in `skipped`). 201 when any "
        "was sent, 200 when all were skipped. Needs Action.MEET at the sender's unit.",
    )
    def post(self, request, pk):
        document = _document_for(request, pk)
        data = check_input(CascadeSendSerializer, request.data)
        if data.get("sender"):
            sender = get_object_or_404(
                Committee.objects.visible_to(request.user).select_related("org_unit"), pk=data["sender"]
            )
            if not services.may_send(request.user, sender):
                raise denied()
        else:
            sender = services.sender_for(request.user, document)
            if sender is None:
                raise denied()
        summary = services.cascade_send(
            document=document,
            sender=sender,
            committees=None if data.get("below") else data.get("committees", []),
            below=bool(data.get("below")),
            due_on=data.get("due_on"),
            sent_on=data.get("sent_on"),
            actor=request.user,
        )
        body = {
            "document": document.pk,
            "sender": _committee(sender),
            "sent": len(summary.sent),
            "skipped": len(summary.skipped),
            "committees": [c.committee_id for c in summary.sent],
            "skipped_committees": summary.skipped,
            "cascades": [c.pk for c in summary.sent],
            "due_on": summary.due_on,
            "sent_on": summary.sent_on,
        }
        return Response(CascadeSendResultSerializer(body).data, status=status.HTTP_201_CREATED if summary.sent else 200)


def coverage_for(request, pk, default_rows: str = "all") -> cov.Coverage:
    """The coverage asked for by ?unit=&as_of=&rows=; the document and the unit must be visible (else 404)."""
    document = _document_for(request, pk)
    params = request.query_params if hasattr(request, "query_params") else request.GET
    code = (params.get("unit") or "").strip()
    if code:
        unit = get_object_or_404(OrgUnit.objects.visible_to(request.user), code=code)
    else:
        unit = cov.coverage_default_unit(request.user, document)
        if unit is None:
            raise ServiceError(_("Thiếu tham số (missing parameters): %(p)s") % {"p": "unit"}, code="invalid")
    rows = params.get("rows") or default_rows
    if rows not in (*cov.ROW_FILTERS, "none"):
        raise ServiceError(
            _("Tham số rows không hợp lệ (invalid rows): %(v)s") % {"v": rows}, {"fields": {"rows": [rows]}}
        )
    as_of = None
    if params.get("as_of"):
        try:
            as_of = serializers.DateField().to_internal_value(params["as_of"])
        except serializers.ValidationError as exc:
            raise ServiceError(
                _("Ngày không hợp lệ (invalid date): %(n)s=%(v)s") % {"n": "as_of", "v": params["as_of"]},
                {"fields": {"as_of": exc.detail}},
            ) from None
    return cov.coverage(request.user, document, unit, as_of=as_of, rows=None if rows == "none" else rows)


class CoverageView(APIView):
    @extend_schema(
        parameters=COVERAGE_PARAMS,
        responses={200: CoverageSerializer, **ERROR_RESPONSES},
        description="How many of the committees the document was sent to below the unit have issued their "
        "implementing document (`implemented`), which have not (`pending`; `overdue` past the deadline), rolled "
        "up by child unit (`by_unit`: drill down with `unit` = a child's code), live.",
    )
    def get(self, request, pk):
        return Response(CoverageSerializer(coverage_data(coverage_for(request, pk))).data)


class CoverageXlsxView(APIView):
    @extend_schema(
        parameters=COVERAGE_PARAMS,
        responses={
            (200, XLSX_CONTENT_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="An .xlsx workbook."),
            **ERROR_RESPONSES,
        },
    )
    def get(self, request, pk):
        """The coverage as .xlsx: counts by child unit, then the receivers one by one."""
        c = coverage_for(request, pk)
        response = HttpResponse(cov.coverage_xlsx(c), content_type=XLSX_CONTENT_TYPE)
        name = f"trien-khai-{c.document.pk}-{c.unit.code}-{c.as_of:%Y%m%d}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


@extend_schema_view(
    list=extend_schema(
        responses={200: CascadeSerializer(many=True), **ERROR_RESPONSES},
        description="Directives sent to the committees in your units (and those your committees sent), deadline "
        "first. Filters: `status`, `committee` (receiver id), `sender`, `document`, `overdue`.",
    ),
    retrieve=extend_schema(responses={200: CascadeSerializer, **ERROR_RESPONSES}),
)
class CascadeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = CascadeSerializer
    filterset_class = CascadeFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return cov.cascades_for(self.request.user).order_by("due_on", "-sent_on", "id")

    def _get(self, pk) -> Cascade:
        cascade = get_object_or_404(self.get_queryset(), pk=pk)
        if not services.may_implement(self.request.user, cascade):
            raise denied()
        return cascade

    def _detail(self, pk) -> Response:
        return Response(CascadeSerializer(get_object_or_404(self.get_queryset(), pk=pk)).data)

    @extend_schema(
        request=CascadeImplementSerializer,
        responses={200: CascadeSerializer, **ERRORS},
        description="The receiving committee registers its implementing document: `document` = the id of one of "
        "its outgoing documents, or `type`, `date`, `subject` (and `number`, `signer`) to register a new one "
        "numbered from its series. Needs Action.MEET at the receiver's unit.",
    )
    @action(detail=True, methods=["post"])
    def implement(self, request, pk=None):
        cascade = self._get(pk)
        data = check_input(CascadeImplementSerializer, request.data)
        document, new = None, None
        if data.get("document"):
            document = Document.objects.visible_to(request.user, Action.MEET).filter(pk=data["document"]).first()
            if document is None:
                raise ServiceError(
                    _("Không có văn bản này trong sổ của Ban (no such document in the register)."),
                    {"fields": {"document": [data["document"]]}},
                    code="not_in_register",
                )
        else:
            new = services.ImplementingInput(
                type=data.get("type") or DocumentType.KE_HOACH,
                date=data.get("date"),
                subject=data.get("subject", ""),
                number=data.get("number"),
                signer=data.get("signer", ""),
            )
        services.cascade_implement(
            cascade=cascade, document=document, new=new, actor=request.user, expected_version=data.get("version")
        )
        return self._detail(cascade.pk)

    @extend_schema(
        request=CascadeDoneSerializer,
        responses={200: CascadeSerializer, **ERRORS},
        description="The receiving committee reports the directive done (its implementing document registered).",
    )
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        cascade = self._get(pk)
        data = check_input(CascadeDoneSerializer, request.data)
        services.cascade_report_done(
            cascade=cascade, actor=request.user, done_on=data.get("done_on"), expected_version=data.get("version")
        )
        return self._detail(cascade.pk)
