"""Read endpoints for units, committees and memberships, scoped like the pages."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.response import Response

from giaoban.core.api.errors import ERROR_RESPONSES

from .. import selectors
from ..filters import CommitteeFilter, MembershipFilter, OrgUnitFilter
from ..models import Membership
from .serializers import (
    CommitteeDetailSerializer,
    CommitteeSerializer,
    MembershipSerializer,
    OrgUnitDetailSerializer,
    OrgUnitSerializer,
)


@extend_schema_view(
    list=extend_schema(responses={200: OrgUnitSerializer(many=True), **ERROR_RESPONSES}),
    retrieve=extend_schema(responses={200: OrgUnitDetailSerializer, **ERROR_RESPONSES}),
)
class OrgUnitViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_field = "code"
    lookup_value_regex = "[^/]+"
    filterset_class = OrgUnitFilter
    serializer_class = OrgUnitSerializer

    def get_queryset(self):
        return selectors.units_for(self.request.user).select_related("parent").vn_sorted()

    def retrieve(self, request, *args, **kwargs):
        unit = get_object_or_404(self.get_queryset(), code=kwargs["code"])
        unit.predecessors = selectors.visible_lineage(request.user, selectors.unit_predecessors(unit))
        unit.successors = selectors.visible_lineage(request.user, selectors.unit_successors(unit))
        return Response(OrgUnitDetailSerializer(unit).data)


@extend_schema_view(
    list=extend_schema(responses={200: CommitteeSerializer(many=True), **ERROR_RESPONSES}),
    retrieve=extend_schema(responses={200: CommitteeDetailSerializer, **ERROR_RESPONSES}),
)
class CommitteeViewSet(viewsets.ReadOnlyModelViewSet):
    filterset_class = CommitteeFilter
    serializer_class = CommitteeSerializer

    def get_queryset(self):
        return selectors.committees_for(self.request.user)

    def retrieve(self, request, *args, **kwargs):
        committee = selectors.committee_detail(request.user, kwargs["pk"])
        committee.current_members = selectors.current_members(committee, timezone.localdate())
        return Response(CommitteeDetailSerializer(committee).data)


@extend_schema_view(list=extend_schema(responses={200: MembershipSerializer(many=True), **ERROR_RESPONSES}))
class MembershipViewSet(viewsets.ReadOnlyModelViewSet):
    filterset_class = MembershipFilter
    serializer_class = MembershipSerializer

    def get_queryset(self):
        return (
            Membership.objects.visible_to(self.request.user)
            .select_related("agency", "appointed_by", "ended_by")
            .order_by("committee_id", "start_date", "id")
        )
