"""API: the committee's own channels and their metrics, contests with entries and scores, trainings.

Reads are scoped through visible_to (outside your units: 404); writes need a secretary's or unit admin's
role at the object's unit (a unit you cannot write to reads as unknown, like one that does not exist).
"""

from __future__ import annotations

from django.db.models import Avg, Count
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from giaoban.core.api.errors import ERROR_RESPONSES
from giaoban.core.api.parsers import CSVParser, JSONParser

from .. import selectors, services
from ..filters import ChannelFilter, ContestFilter, TrainingFilter
from ..models import Entry
from .serializers import (
    ChannelSerializer,
    ContestSerializer,
    EntrySerializer,
    MetricSerializer,
    ScoreInputSerializer,
    TrainingSerializer,
)


def _writable(request, unit):
    if not services.may_edit(request.user, unit):
        raise NotFound
    return unit


@extend_schema_view(
    list=extend_schema(responses={200: ChannelSerializer(many=True), **ERROR_RESPONSES}),
    retrieve=extend_schema(responses={200: ChannelSerializer, **ERROR_RESPONSES}),
    create=extend_schema(responses={201: ChannelSerializer, **ERROR_RESPONSES}),
)
class ChannelViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ChannelSerializer
    filterset_class = ChannelFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return selectors.channels_for(self.request.user)

    def create(self, request, *args, **kwargs):
        s = ChannelSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        data = dict(s.validated_data)
        unit = _writable(request, data.pop("org_unit"))
        channel = services.channel_create(org_unit=unit, actor=request.user, **data)
        return Response(ChannelSerializer(channel).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        parameters=[OpenApiParameter("period", str, description="Only this month or week.")],
        responses={200: MetricSerializer(many=True), **ERROR_RESPONSES},
    )
    @extend_schema(methods=["POST"], request=MetricSerializer, responses={201: MetricSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["get", "post"])
    def metrics(self, request, pk=None):
        channel = self.get_object()
        if request.method == "GET":
            rows = channel.metrics.order_by("period")
            if period := request.query_params.get("period"):
                rows = rows.filter(period=period)
            return Response(MetricSerializer(rows, many=True).data)
        _writable(request, channel.org_unit)
        s = MetricSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        values = {k: v for k, v in s.validated_data.items() if k != "period"}
        metric = services.metric_record(
            channel=channel, period=s.validated_data["period"], values=values, actor=request.user
        )
        return Response(MetricSerializer(metric).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request={"text/csv": OpenApiTypes.STR},
        responses={200: OpenApiTypes.OBJECT, **ERROR_RESPONSES},
        description="CSV with columns unit,channel,period,posts,reach,followers,interactions; all or nothing.",
    )
    @action(detail=False, methods=["post"], url_path="import-metrics", parser_classes=[CSVParser])
    def import_metrics(self, request):
        raw = request.data if isinstance(request.data, bytes | str) else b""
        made = services.metrics_import_csv(raw, actor=request.user)
        return Response({"imported": len(made)})


@extend_schema_view(
    list=extend_schema(responses={200: ContestSerializer(many=True), **ERROR_RESPONSES}),
    retrieve=extend_schema(responses={200: ContestSerializer, **ERROR_RESPONSES}),
    create=extend_schema(responses={201: ContestSerializer, **ERROR_RESPONSES}),
)
class ContestViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ContestSerializer
    filterset_class = ContestFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return selectors.contests_for(self.request.user).annotate(entry_count=Count("entries"))

    def create(self, request, *args, **kwargs):
        s = ContestSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        data = dict(s.validated_data)
        unit = _writable(request, data.pop("org_unit"))
        contest = services.contest_create(org_unit=unit, actor=request.user, **data)
        contest.entry_count = 0
        return Response(ContestSerializer(contest).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses={200: EntrySerializer(many=True), **ERROR_RESPONSES})
    @extend_schema(
        methods=["POST"],
        request={
            "application/json": EntrySerializer,
            "text/csv": OpenApiTypes.STR,
            "multipart/form-data": EntrySerializer,
        },
        responses={201: EntrySerializer, **ERROR_RESPONSES},
        description="One entry (JSON or multipart with `file`), or many as CSV: title,authors,unit,category,submitted_on.",
    )
    @action(detail=True, methods=["get", "post"], parser_classes=[JSONParser, MultiPartParser, CSVParser])
    def entries(self, request, pk=None):
        contest = self.get_object()
        if request.method == "GET":
            rows = Entry.objects.filter(contest=contest).annotate(mean=Avg("scores__score")).order_by("rank", "id")
            return Response(EntrySerializer(rows.select_related("org_unit"), many=True).data)
        _writable(request, contest.org_unit)
        if isinstance(request.data, bytes | str):
            made = services.entries_import_csv(request.data, contest=contest, actor=request.user)
            return Response({"imported": len(made)}, status=status.HTTP_201_CREATED)
        s = EntrySerializer(data=request.data)
        s.is_valid(raise_exception=True)
        data = dict(s.validated_data)
        entry = services.entry_create(contest=contest, actor=request.user, file=request.FILES.get("file"), **data)
        entry.mean = None
        return Response(EntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ScoreInputSerializer, responses={201: EntrySerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def scores(self, request, pk=None):
        contest = self.get_object()
        _writable(request, contest.org_unit)
        s = ScoreInputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        entry = get_object_or_404(Entry, contest=contest, pk=s.validated_data["entry"])
        services.score_record(
            entry=entry,
            judge=s.validated_data["judge"],
            round=s.validated_data["round"],
            score=s.validated_data["score"],
            actor=request.user,
        )
        entry = Entry.objects.annotate(mean=Avg("scores__score")).get(pk=entry.pk)
        return Response(EntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: EntrySerializer(many=True), **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def rank(self, request, pk=None):
        contest = self.get_object()
        _writable(request, contest.org_unit)
        return Response(EntrySerializer(services.contest_rank(contest=contest, actor=request.user), many=True).data)


@extend_schema_view(
    list=extend_schema(responses={200: TrainingSerializer(many=True), **ERROR_RESPONSES}),
    retrieve=extend_schema(responses={200: TrainingSerializer, **ERROR_RESPONSES}),
    create=extend_schema(responses={201: TrainingSerializer, **ERROR_RESPONSES}),
)
class TrainingViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = TrainingSerializer
    filterset_class = TrainingFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return selectors.trainings_for(self.request.user).prefetch_related("groups")

    def create(self, request, *args, **kwargs):
        s = TrainingSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        data = dict(s.validated_data)
        unit = _writable(request, data.pop("org_unit"))
        training = services.training_create(org_unit=unit, actor=request.user, **data)
        training = self.get_queryset().get(pk=training.pk)
        return Response(TrainingSerializer(training).data, status=status.HTTP_201_CREATED)


ROUTES = [
    ("channels", ChannelViewSet, "channel"),
    ("contests", ContestViewSet, "contest"),
    ("trainings", TrainingViewSet, "training"),
]
