"""Shapes of the register's API: what comes in (parsed, never judged: the services decide) and what goes out."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from giaoban.orgs.models import Agency

from ..models import Document, DocumentFile, DocumentType, IncomingEntry, Relation

__all__ = [
    "DocumentInSerializer",
    "DocumentSerializer",
    "FileSerializer",
    "FileUploadSerializer",
    "HandleSerializer",
    "IncomingCreateSerializer",
    "IncomingEntrySerializer",
    "IncomingUpdateSerializer",
    "RelationInSerializer",
    "RelationSerializer",
]


class FileSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="Download (only within your scope).")

    class Meta:
        model = DocumentFile
        fields = ["id", "name", "size", "content_type", "uploaded_at", "url"]

    def get_url(self, obj) -> str:
        return reverse("document-file", args=[obj.document_id, obj.pk])


class RelationSerializer(serializers.ModelSerializer):
    number_symbol = serializers.SerializerMethodField(help_text="Number and symbol of the other document.")
    other = serializers.SerializerMethodField(help_text="Id of the other document.")
    way = serializers.SerializerMethodField(
        help_text="`out`: this document implements/replaces/amends/guides the other; `in`: the other does it to "
        "this one."
    )

    class Meta:
        model = Relation
        fields = ["id", "kind", "source", "target", "way", "other", "number_symbol"]

    def _other(self, obj) -> Document:
        return obj.target if obj.source_id == self.context.get("document_id") else obj.source

    def get_way(self, obj) -> str:
        return "out" if obj.source_id == self.context.get("document_id") else "in"

    def get_other(self, obj) -> int:
        return self._other(obj).pk

    def get_number_symbol(self, obj) -> str:
        return self._other(obj).number_symbol


class DocumentSerializer(serializers.ModelSerializer):
    committee = serializers.IntegerField(
        source="committee_id", allow_null=True, help_text="Whose register; null: the shared reference shelf."
    )
    files = FileSerializer(many=True, read_only=True)
    relations = serializers.SerializerMethodField(help_text="Relations both ways (`way`: out | in).")

    class Meta:
        model = Document
        fields = [
            "id",
            "committee",
            "direction",
            "number",
            "symbol",
            "number_symbol",
            "type",
            "date",
            "issuer",
            "subject",
            "signer",
            "files",
            "relations",
            "version",
        ]
        read_only_fields = fields

    @extend_schema_field(RelationSerializer(many=True))
    def get_relations(self, obj) -> list[dict]:
        rows = [*getattr(obj, "visible_relations", []), *getattr(obj, "visible_related_from", [])]
        return RelationSerializer(rows, many=True, context={"document_id": obj.pk}).data


class DocumentInSerializer(serializers.Serializer):
    committee = serializers.IntegerField(
        allow_null=True, required=False, default=None, min_value=1, help_text="Null: the reference shelf (admins)."
    )
    direction = serializers.ChoiceField(choices=Document.Direction.choices)
    number = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    symbol = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    type = serializers.ChoiceField(choices=DocumentType.choices)
    date = serializers.DateField()
    issuer = serializers.CharField(max_length=250)
    subject = serializers.CharField(max_length=5000)
    signer = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")


class DocumentUpdateSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=20, required=False, allow_blank=True)
    symbol = serializers.CharField(max_length=60, required=False, allow_blank=True)
    type = serializers.ChoiceField(choices=DocumentType.choices, required=False)
    date = serializers.DateField(required=False)
    issuer = serializers.CharField(max_length=250, required=False)
    subject = serializers.CharField(max_length=5000, required=False)
    signer = serializers.CharField(max_length=120, required=False, allow_blank=True)
    version = serializers.IntegerField(required=False, help_text="The version you read; 409 if it changed.")


class RelationInSerializer(serializers.Serializer):
    target = serializers.IntegerField(min_value=1, help_text="Id of the document this one relates to.")
    kind = serializers.ChoiceField(choices=Relation.Kind.choices)


class FileUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="multipart/form-data; PDF, Word, Excel, PowerPoint, ODF or image.")


class EntryDocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Document
        fields = ["id", "number_symbol", "type", "date", "issuer", "subject", "signer"]
        read_only_fields = fields


class IncomingEntrySerializer(serializers.ModelSerializer):
    """One line of the incoming register (Decree 30/2020 Phụ lục IV)."""

    committee = serializers.IntegerField(source="committee_id")
    document = EntryDocumentSerializer(help_text="Author (issuer), number and symbol, date, type and subject.")
    tasks = serializers.SerializerMethodField(help_text="Ids of the tasks its handling instruction gave.")

    class Meta:
        model = IncomingEntry
        fields = [
            "id",
            "committee",
            "year",
            "serial",
            "received_on",
            "document",
            "recipient",
            "passed_on",
            "notes",
            "deadline",
            "progress",
            "tasks",
        ]
        read_only_fields = fields

    def get_tasks(self, obj) -> list[int]:
        return [t.pk for t in obj.tasks.all()]


class _EntryFields(serializers.Serializer):
    recipient = serializers.CharField(max_length=250, required=False, allow_blank=True)
    passed_on = serializers.DateField(required=False, allow_null=True)
    notes = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    deadline = serializers.DateField(required=False, allow_null=True)
    progress = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class NewDocumentSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    symbol = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    type = serializers.ChoiceField(choices=DocumentType.choices)
    date = serializers.DateField()
    issuer = serializers.CharField(max_length=250)
    subject = serializers.CharField(max_length=5000)
    signer = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")


class IncomingCreateSerializer(_EntryFields):
    committee = serializers.IntegerField(min_value=1)
    received_on = serializers.DateField()
    document = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, default=None, help_text="An existing document you can see…"
    )
    new_document = NewDocumentSerializer(
        required=False,
        allow_null=True,
        default=None,
        help_text="…or the document received, typed in (both or neither).",
    )

    def validate(self, attrs):
        if (attrs.get("document") is None) == (attrs.get("new_document") is None):
            raise serializers.ValidationError({"document": ["Give either document or new_document."]})
        return attrs


class IncomingUpdateSerializer(_EntryFields):
    received_on = serializers.DateField(required=False)


class HandleSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    description = serializers.CharField(required=False, allow_blank=True, default="")
    agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(), required=False, allow_null=True, default=None, help_text="Lead agency id."
    )
    unit = serializers.CharField(
        required=False, allow_null=True, default=None, help_text="Or: code of the unit below whose committee leads."
    )
    supporting = serializers.PrimaryKeyRelatedField(many=True, queryset=Agency.objects.all(), required=False)
    due_on = serializers.DateField(required=False, allow_null=True, default=None)
