"""/api/v1/: one router for every app's ViewSets."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from giaoban.core.api.views import ObtainTokenView
from giaoban.orgs.api import views as orgs_api
from giaoban.outreach.api import views as outreach_api
from giaoban.reporting.api import urls as reporting_api

router = DefaultRouter()
router.register("orgunits", orgs_api.OrgUnitViewSet, basename="orgunit")
router.register("committees", orgs_api.CommitteeViewSet, basename="committee")
router.register("memberships", orgs_api.MembershipViewSet, basename="membership")
for prefix, viewset, basename in [*reporting_api.ROUTES, *outreach_api.ROUTES]:
    router.register(prefix, viewset, basename=basename)

urlpatterns = [path("auth/token/", ObtainTokenView.as_view(), name="api-token"), *router.urls]
urlpatterns += reporting_api.urlpatterns
