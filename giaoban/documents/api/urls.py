"""Register routes, registered on the /api/v1/ router by giaoban/api_urls.py."""

from . import views

ROUTES = [
    ("documents", views.DocumentViewSet, "document"),
    ("incoming", views.IncomingEntryViewSet, "incoming"),
]

urlpatterns: list = []
