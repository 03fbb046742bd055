"""/api/v1/: one router for every app's ViewSets."""

from django.urls import path

from giaoban.accounts.api.views import ApiTokenViewSet, ObtainTokenView
from giaoban.core.api.routers import Router
from giaoban.documents.api import urls as documents_api
from giaoban.orgs.api import users as users_api
from giaoban.orgs.api import views as orgs_api
from giaoban.outreach.api import views as outreach_api
from giaoban.reporting.api import urls as reporting_api
from giaoban.work.api import document_urls as work_document_urls
from giaoban.work.api import urls as work_api

router = Router()
router.register("orgunits", orgs_api.OrgUnitViewSet, basename="orgunit")
router.register("committees", orgs_api.CommitteeViewSet, basename="committee")
router.register("memberships", orgs_api.MembershipViewSet, basename="membership")
router.register("users", users_api.UserViewSet, basename="user")
router.register("tokens", ApiTokenViewSet, basename="apitoken")
for prefix, viewset, basename in [*reporting_api.ROUTES, *work_api.ROUTES, *outreach_api.ROUTES, *documents_api.ROUTES]:
    router.register(prefix, viewset, basename=basename)

# The work paths go before the router's (which would read tasks/scorecard.xlsx as a format suffix).
urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    *work_api.urlpatterns,
    *documents_api.urlpatterns,
    *router.urls,
]
urlpatterns += reporting_api.urlpatterns
urlpatterns += work_document_urls.urlpatterns
