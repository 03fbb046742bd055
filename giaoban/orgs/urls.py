from django.urls import path

from . import views
from .views import imports, pickers, users

urlpatterns = [
    path("units/", views.unit_list, name="unit_list"),
    path("units/import/", imports.unit_import, name="unit_import"),
    path("units/import/<str:what>.csv", imports.unit_import_template, name="unit_import_template"),
    path("units/picker/", pickers.unit_picker, name="unit_picker"),
    path("units/<str:code>/", views.unit_detail, name="unit_detail"),
    path("committees/", views.committee_list, name="committee_list"),
    path("committees/<int:pk>/", views.committee_detail, name="committee_detail"),
    path("committees/<int:pk>/reconstitute/", views.committee_reconstitute, name="committee_reconstitute"),
    path("users/", users.user_list, name="user_list"),
    path("users/new/", users.user_new, name="user_new"),
    path("users/import/", users.user_import, name="user_import"),
    path("users/<int:pk>/", users.user_detail, name="user_detail"),
    path("users/<int:pk>/roles/", users.user_role_add, name="user_role_add"),
    path("users/<int:pk>/roles/<int:role_pk>/remove/", users.user_role_remove, name="user_role_remove"),
    path("users/<int:pk>/active/", users.user_active, name="user_active"),
    path("users/<int:pk>/password-reset/", users.user_password_reset, name="user_password_reset"),
    path("users/<int:pk>/memberships/", users.user_membership_link, name="user_membership_link"),
    path(
        "users/<int:pk>/memberships/<int:membership_pk>/unlink/",
        users.user_membership_unlink,
        name="user_membership_unlink",
    ),
]
