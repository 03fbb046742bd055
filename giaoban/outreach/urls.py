from django.urls import path

from . import views

app_name = "outreach"
urlpatterns = [
    path("", views.index, name="index"),
    path("channels/new/", views.channel_new, name="channel_new"),
    path("channels/import/", views.metrics_import, name="metrics_import"),
    path("channels/<int:pk>/", views.channel_detail, name="channel"),
    path("contests/new/", views.contest_new, name="contest_new"),
    path("contests/<int:pk>/", views.contest_detail, name="contest"),
    path("contests/<int:pk>/winners.<str:fmt>", views.contest_winners, name="contest_winners"),
    path("trainings/new/", views.training_new, name="training_new"),
    path("trainings/<int:pk>/", views.training_detail, name="training"),
]
