"""Work routes (agencies, meetings, tasks), registered on the /api/v1/ router by giaoban/api_urls.py.

`urlpatterns` must come before the router's: the router would read "scorecard.xlsx" as a format suffix.
"""

from django.urls import path

from . import calendar, plans, tasks, views

ROUTES = [
    ("agencies", views.AgencyViewSet, "agency"),
    ("meetings", views.MeetingViewSet, "meeting"),
    ("tasks", tasks.TaskViewSet, "task"),
    ("plans", plans.PlanViewSet, "plan"),
]

urlpatterns = [
    path("calendar.ics", calendar.CalendarFeedView.as_view(), name="api-calendar-ics"),
    path("tasks/scorecard.xlsx", tasks.ScorecardXlsxView.as_view(), name="api-task-scorecard-xlsx"),
]
