"""API of the register: documents (CRUD, files, relations) and the incoming register (Decree 30/2020 Phụ lục IV)
with the handling instruction that gives a task.

Reads are scoped by `.visible_to` (out of scope is 404). Writes need the register keeper's right
(`register.may_register`: Action.MEET at the committee's unit; the reference shelf: system administrators), and a
handling instruction the assigner's (`work.services.tasks.may_assign`); an object you can see but may not act on
answers 403.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from giaoban.core.access import is_system_admin
from giaoban.core.api.errors import ERROR_RESPONSES, ErrorSerializer
from giaoban.core.errors import ServiceError
from giaoban.orgs.models import Committee, OrgUnit

from .. import selectors
from ..downloads import document_file_response
from ..filters import DocumentFilter, IncomingEntryFilter
from ..models import Document
from ..services import register
from .serializers import (
    DocumentInSerializer,
    DocumentSerializer,
    DocumentUpdateSerializer,
    FileSerializer,
    FileUploadSerializer,
    HandleSerializer,
    IncomingCreateSerializer,
    IncomingEntrySerializer,
    IncomingUpdateSerializer,
    NewDocumentSerializer,
    RelationInSerializer,
    RelationSerializer,
)

__all__ = ["DocumentViewSet", "IncomingEntryViewSet"]

ERRORS = {
    **ERROR_RESPONSES,
    403: OpenApiResponse(ErrorSerializer, description="You can see it, but your role does not allow this."),
    409: OpenApiResponse(
        ErrorSerializer,
        description="Changed by someone else meanwhile (`extra.version`), already registered, or in use.",
    ),
    413: OpenApiResponse(ErrorSerializer, description="A file over DOCUMENTS_MAX_FILE_SIZE."),
}


def _check(serializer_class, data, **kwargs) -> dict:
    s = serializer_class(data=data, **kwargs)
    s.is_valid(raise_exception=True)
    return s.validated_data


def _denied() -> PermissionDenied:
    return PermissionDenied(_("Vai trò của bạn không cho phép thao tác này (your role does not allow this)."))


def _committee(user, pk: int | None) -> Committee | None:
    """The committee of a write (404 outside the user's units), or None for the reference shelf."""
    if pk is None:
        return None
    return get_object_or_404(Committee.objects.visible_to(user).select_related("org_unit"), pk=pk)


def _require_register(user, committee: Committee | None) -> None:
    if not register.may_register(user, committee):
        raise _denied()


@extend_schema_view(
    list=extend_schema(
        responses={200: DocumentSerializer(many=True), **ERROR_RESPONSES},
        description="Documents you can see: your committees' registers, what was sent to them, and the shared "
        "reference shelf. `q` searches number and symbol, type, issuer, subject and signer without diacritics "
        '("nghi quyet 35", "35-nq/tw", "NQ 35"); number matches first, then newest.',
    ),
    retrieve=extend_schema(responses={200: DocumentSerializer, **ERROR_RESPONSES}),
    create=extend_schema(request=DocumentInSerializer, responses={201: DocumentSerializer, **ERRORS}),
    update=extend_schema(request=DocumentUpdateSerializer, responses={200: DocumentSerializer, **ERRORS}),
    partial_update=extend_schema(request=DocumentUpdateSerializer, responses={200: DocumentSerializer, **ERRORS}),
    destroy=extend_schema(
        responses={204: None, **ERRORS},
        description="Only a document nothing refers to (no incoming entry, relation to it, cascade; not numbered "
        "by giaoban): 409 `in_use` otherwise.",
    ),
)
class DocumentViewSet(viewsets.ModelViewSet):
    serializer_class = DocumentSerializer
    filterset_class = DocumentFilter
    lookup_value_regex = r"\d+"
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        user = self.request.user
        return selectors.with_details(selectors.documents_for(user), user).order_by("-date", "-id")

    def _writable(self, pk) -> Document:
        document = get_object_or_404(selectors.documents_for(self.request.user), pk=pk)
        _require_register(self.request.user, document.committee)
        return document

    def _out(self, pk, code=status.HTTP_200_OK) -> Response:
        document = get_object_or_404(self.get_queryset(), pk=pk)
        return Response(DocumentSerializer(document).data, status=code)

    def create(self, request, *args, **kwargs):
        data = _check(DocumentInSerializer, request.data)
        committee = _committee(request.user, data.pop("committee"))
        if committee is None and not is_system_admin(request.user):
            raise _denied()
        _require_register(request.user, committee)
        document = register.document_create(committee=committee, actor=request.user, **data)
        return self._out(document.pk, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        document = self._writable(kwargs["pk"])
        data = dict(_check(DocumentUpdateSerializer, request.data))
        version = data.pop("version", None)
        register.document_update(document=document, actor=request.user, expected_version=version, **data)
        return self._out(document.pk)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)

    def destroy(self, request, *args, **kwargs):
        register.document_delete(document=self._writable(kwargs["pk"]), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        methods=["post"],
        request={"multipart/form-data": FileUploadSerializer},
        responses={201: FileSerializer, **ERRORS},
        description="Attach a file (multipart `file`). Its type is read from its content (PDF, Word, Excel, "
        "PowerPoint, ODF, PNG, JPEG, TIFF) and must agree with its name; at most DOCUMENTS_MAX_FILE_SIZE bytes.",
    )
    @action(detail=True, methods=["post"], url_path="files")
    def files(self, request, pk=None):
        document = self._writable(pk)
        upload = request.FILES.get("file")
        if upload is None:
            raise ServiceError(
                _("Chọn tệp để tải lên (choose a file)."), {"fields": {"file": [_("Bắt buộc (required)")]}}
            )
        stored = register.document_file_add(document=document, upload=upload, actor=request.user)
        return Response(FileSerializer(stored).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["get"],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, **ERROR_RESPONSES},
        description="Download the file (only a document you can see; otherwise 404).",
    )
    @extend_schema(methods=["delete"], responses={204: None, **ERRORS})
    @action(detail=True, methods=["get", "delete"], url_path=r"files/(?P<file_id>\d+)", url_name="file")
    def file(self, request, pk=None, file_id=None):
        if request.method == "DELETE":
            document = self._writable(pk)
            register.document_file_remove(file=get_object_or_404(document.files, pk=file_id), actor=request.user)
            return Response(status=status.HTTP_204_NO_CONTENT)
        document = get_object_or_404(selectors.documents_for(request.user), pk=pk)
        return document_file_response(get_object_or_404(document.files, pk=file_id))

    @extend_schema(
        request=RelationInSerializer,
        responses={201: RelationSerializer, **ERRORS},
        description="This document implements / replaces / amends / guides `target` (a document you can see).",
    )
    @action(detail=True, methods=["post"])
    def relations(self, request, pk=None):
        document = self._writable(pk)
        data = _check(RelationInSerializer, request.data)
        target = selectors.documents_for(request.user).filter(pk=data["target"]).first()
        if target is None:
            raise ServiceError(
                _("Không có văn bản này (no such document)."), {"fields": {"target": [_("Không có (unknown)")]}}
            )
        relation = register.relation_add(source=document, target=target, kind=data["kind"], actor=request.user)
        return Response(
            RelationSerializer(relation, context={"document_id": document.pk}).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(responses={204: None, **ERRORS})
    @action(detail=True, methods=["delete"], url_path=r"relations/(?P<relation_id>\d+)", url_name="relation")
    def relation(self, request, pk=None, relation_id=None):
        document = self._writable(pk)
        relation = get_object_or_404(document.relations.select_related("source__committee"), pk=relation_id)
        register.relation_remove(relation=relation, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _entries(user):
    return (
        selectors.entries_for(user)
        .select_related("document")
        .prefetch_related("tasks")
        .order_by("committee_id", "-year", "-serial")
    )


@extend_schema_view(
    list=extend_schema(
        responses={200: IncomingEntrySerializer(many=True), **ERROR_RESPONSES},
        description="The incoming registers of your committees (Decree 30/2020 Phụ lục IV): `serial` is the running "
        "number of `year` in the committee's register. Filters: committee, year, type, q (the document's words).",
    ),
    retrieve=extend_schema(responses={200: IncomingEntrySerializer, **ERROR_RESPONSES}),
    create=extend_schema(
        request=IncomingCreateSerializer,
        responses={201: IncomingEntrySerializer, **ERRORS},
        description="Enter a document received: an existing one you can see (`document`), or one typed in "
        "(`new_document`), which is created with its line in one step (both or neither). The running number is "
        "drawn for the year of `received_on`.",
    ),
    partial_update=extend_schema(request=IncomingUpdateSerializer, responses={200: IncomingEntrySerializer, **ERRORS}),
    update=extend_schema(request=IncomingUpdateSerializer, responses={200: IncomingEntrySerializer, **ERRORS}),
)
class IncomingEntryViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = IncomingEntrySerializer
    filterset_class = IncomingEntryFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return _entries(self.request.user)

    def _out(self, pk, code=status.HTTP_200_OK) -> Response:
        return Response(IncomingEntrySerializer(get_object_or_404(self.get_queryset(), pk=pk)).data, status=code)

    def create(self, request, *args, **kwargs):
        data = dict(_check(IncomingCreateSerializer, request.data))
        committee = _committee(request.user, data.pop("committee"))
        _require_register(request.user, committee)
        document_id, new = data.pop("document"), data.pop("new_document")
        if new is not None:
            entry = register.incoming_document_register(
                committee=committee, **_check(NewDocumentSerializer, new), **data, actor=request.user
            )
        else:
            document = selectors.documents_for(request.user).filter(pk=document_id).first()
            if document is None:
                raise ServiceError(
                    _("Không có văn bản này (no such document)."), {"fields": {"document": [_("Không có (unknown)")]}}
                )
            entry = register.incoming_entry_create(committee=committee, document=document, **data, actor=request.user)
        return self._out(entry.pk, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        entry = get_object_or_404(self.get_queryset().select_related("committee__org_unit"), pk=kwargs["pk"])
        _require_register(request.user, entry.committee)
        data = _check(IncomingUpdateSerializer, request.data)
        register.incoming_entry_update(entry=entry, actor=request.user, **data)
        return self._out(entry.pk)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)

    @extend_schema(
        request=HandleSerializer,
        responses={
            201: inline_serializer("HandledTask", {"id": serializers.IntegerField(), "url": serializers.CharField()}),
            **ERRORS,
        },
        description="A handling instruction: a task of the committee (source `incoming`) for a lead member `agency` "
        "or the committee of a `unit` below (code), with supporting agencies and a deadline, followed up at "
        "/api/v1/tasks/{id}/. Needs the assigner's right at the committee's unit.",
    )
    @action(detail=True, methods=["post"])
    def handle(self, request, pk=None):
        from giaoban.work.services.tasks import may_assign

        entry = get_object_or_404(self.get_queryset().select_related("committee__org_unit"), pk=pk)
        if not may_assign(request.user, entry.committee):
            raise _denied()
        data = _check(HandleSerializer, request.data)
        unit = None
        if data["unit"]:
            unit = OrgUnit.objects.filter(code=data["unit"]).first()
            if unit is None:
                raise ServiceError(
                    _("Không có đơn vị (unknown unit): %(u)s") % {"u": data["unit"]},
                    {"fields": {"unit": [_("Không có đơn vị này (unknown unit)")]}},
                )
        task = register.incoming_handle(
            entry=entry,
            title=data["title"],
            description=data["description"],
            agency=data["agency"],
            unit=unit,
            supporting=data.get("supporting", ()),
            due_on=data["due_on"],
            actor=request.user,
        )
        return Response({"id": task.pk, "url": f"/api/v1/tasks/{task.pk}/"}, status=status.HTTP_201_CREATED)
