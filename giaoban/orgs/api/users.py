"""/api/v1/users/: the logins of a unit admin's subtree, as on /users/. Out of scope (or without the manage
action) is 404; writes go through giaoban.orgs.services.users, errors as {"message", "code", "extra"}."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from giaoban.core.access import Action, scope_paths
from giaoban.core.api.errors import ERROR_RESPONSES
from giaoban.core.api.parsers import CSVParser, JSONParser
from giaoban.core.errors import ServiceError

from .. import selectors
from ..filters import UserFilter
from ..models import UserRole
from ..services import users as services
from .serializers import (
    MembershipLinkSerializer,
    RoleInputSerializer,
    UserImportResultSerializer,
    UserInputSerializer,
    UserSerializer,
    UserUpdateSerializer,
)

# The service names the unit field as the model does; the API as its input does.
_FIELD_NAMES = {"org_unit": "unit"}


def _require_manager(request) -> None:
    paths = scope_paths(request.user, Action.MANAGE)
    if paths is not None and not paths:
        raise NotFound


def _unit(request, code: str):
    """A unit the user administers, or a field error that does not say whether the code exists."""
    if not code:
        return None
    unit = selectors.units_for(request.user, Action.MANAGE).filter(code=code).first()
    if unit is None:
        message = services.out_of_scope_unit_message(code)
        raise ServiceError(message, {"fields": {"unit": [message]}})
    return unit


def _agency(request, pk: int | None):
    if pk is None:
        return None
    agency = selectors.agencies_for(request.user, Action.MANAGE).select_related("org_unit").filter(pk=pk).first()
    if agency is None:
        message = services.out_of_scope_agency_message()
        raise ServiceError(message, {"fields": {"agency": [message]}})
    return agency


def _renamed(exc: ServiceError) -> ServiceError:
    fields = (exc.extra or {}).get("fields")
    if fields:
        exc.extra = {**exc.extra, "fields": {_FIELD_NAMES.get(k, k): v for k, v in fields.items()}}
    return exc


def _site(request) -> dict:
    return {"domain": request.get_host(), "use_https": request.is_secure()}


@extend_schema_view(
    list=extend_schema(responses={200: UserSerializer(many=True), **ERROR_RESPONSES}),
    retrieve=extend_schema(responses={200: UserSerializer, **ERROR_RESPONSES}),
    create=extend_schema(
        request=UserInputSerializer,
        responses={201: UserSerializer, **ERROR_RESPONSES},
        parameters=[OpenApiParameter("send_link", bool, description="E-mail the user a link to set a password.")],
        description="A login for a person of your units (username = e-mail), optionally with one role.",
    ),
    partial_update=extend_schema(request=UserUpdateSerializer, responses={200: UserSerializer, **ERROR_RESPONSES}),
)
class UserViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = UserSerializer
    filterset_class = UserFilter
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.user_list(self.request.user)

    def _reload(self, user):
        return self.get_queryset().get(pk=user.pk)

    def create(self, request, *args, **kwargs):
        _require_manager(request)
        s = UserInputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        data = s.validated_data
        try:
            user = services.user_create(
                name=data["name"],
                email=data["email"],
                phone=data["phone"],
                org_unit=_unit(request, data["unit"]),
                role=data["role"],
                agency=_agency(request, data["agency"]),
                actor=request.user,
            )
        except ServiceError as exc:
            raise _renamed(exc) from None
        if request.query_params.get("send_link") in ("1", "true"):
            services.send_links_after_commit([user], actor=request.user, **_site(request))
        return Response(UserSerializer(self._reload(user)).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        if not kwargs.get("partial"):
            raise NotFound  # PATCH only: PUT is not offered
        user = self.get_object()
        s = UserUpdateSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        data = s.validated_data
        profile = getattr(user, "giaoban_profile", None)
        try:
            services.user_update(
                user=user,
                actor=request.user,
                name=data.get("name", f"{user.last_name} {user.first_name}"),
                email=data.get("email", user.email),
                phone=data.get("phone", profile.phone if profile else ""),
                org_unit=_unit(request, data["unit"]) if "unit" in data else (profile.org_unit if profile else None),
            )
        except ServiceError as exc:
            raise _renamed(exc) from None
        return Response(UserSerializer(self._reload(user)).data)

    @extend_schema(
        request={"text/csv": OpenApiTypes.STR, "multipart/form-data": OpenApiTypes.BINARY},
        parameters=[OpenApiParameter("send_links", bool, description="E-mail each new user a password link.")],
        responses={201: UserImportResultSerializer, **ERROR_RESPONSES},
        description=(
            "Many users from a CSV (UTF-8, BOM or not) with columns name,email,phone,unit,role,agency "
            "(phone, role, agency may be empty; role as code or name; agency by name or id). All or nothing: "
            "a bad file answers 400 `import_rejected` with `extra.errors` = [{row, column, message}]."
        ),
    )
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[CSVParser, MultiPartParser])
    def import_csv(self, request):
        _require_manager(request)
        raw = request.data
        if not isinstance(raw, bytes | str):
            upload = request.FILES.get("file")
            raw = upload.read() if upload else b""
        made = services.users_import_csv(raw, actor=request.user)
        if request.query_params.get("send_links") in ("1", "true"):
            services.send_links_after_commit(made, actor=request.user, **_site(request))
        return Response({"created": len(made), "users": [u.pk for u in made]}, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: UserSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        user = services.user_deactivate(user=self.get_object(), actor=request.user)
        return Response(UserSerializer(self._reload(user)).data)

    @extend_schema(request=None, responses={200: UserSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def reactivate(self, request, pk=None):
        user = services.user_reactivate(user=self.get_object(), actor=request.user)
        return Response(UserSerializer(self._reload(user)).data)

    @extend_schema(request=None, responses={202: None, **ERROR_RESPONSES}, description="E-mail a password-reset link.")
    @action(detail=True, methods=["post"], url_path="password-reset")
    def password_reset(self, request, pk=None):
        services.user_send_password_reset(user=self.get_object(), actor=request.user, **_site(request))
        return Response(status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=RoleInputSerializer, responses={201: UserSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"], parser_classes=[JSONParser])
    def roles(self, request, pk=None):
        user = self.get_object()
        s = RoleInputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        data = s.validated_data
        try:
            services.userrole_grant(
                user=user,
                role=data["role"],
                org_unit=_unit(request, data["unit"]),
                agency=_agency(request, data["agency"]),
                actor=request.user,
            )
        except ServiceError as exc:
            raise _renamed(exc) from None
        return Response(UserSerializer(self._reload(user)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: UserSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["delete"], url_path=r"roles/(?P<role_id>\d+)")
    def remove_role(self, request, pk=None, role_id=None):
        user = self.get_object()
        user_role = get_object_or_404(
            UserRole.objects.visible_to(request.user, Action.MANAGE).select_related("org_unit", "user"),
            pk=role_id,
            user=user,
        )
        services.userrole_remove(user_role=user_role, actor=request.user)
        return Response(UserSerializer(self._reload(user)).data)

    @extend_schema(request=MembershipLinkSerializer, responses={200: UserSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"], url_path="memberships", parser_classes=[JSONParser])
    def link_membership(self, request, pk=None):
        user = self.get_object()
        s = MembershipLinkSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        membership = get_object_or_404(selectors.memberships_to_link(request.user), pk=s.validated_data["membership"])
        services.membership_link_user(membership=membership, user=user, actor=request.user)
        return Response(UserSerializer(self._reload(user)).data)
