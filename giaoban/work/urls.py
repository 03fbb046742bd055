from django.urls import path

from .views import calendar, meetings, notifications, plans, tasks

app_name = "work"

urlpatterns = [
    path("calendar/", calendar.calendar_page, name="calendar"),
    path("calendar/feed/", calendar.calendar_feed_new, name="calendar_feed"),
    path("meetings/", meetings.meeting_list, name="meetings"),
    path("meetings/new/", meetings.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", meetings.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/edit/", meetings.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/invite/", meetings.meeting_invite, name="meeting_invite"),
    path("meetings/<int:pk>/attendance/", meetings.meeting_attendance, name="meeting_attendance"),
    path("meetings/<int:pk>/minutes/", meetings.meeting_minutes, name="meeting_minutes"),
    path("meetings/<int:pk>/conclusion/", meetings.conclusion_edit, name="conclusion"),
    path("meetings/<int:pk>/files/<int:file_pk>/", meetings.meeting_file, name="meeting_file"),
    path("tasks/", tasks.task_list, name="tasks"),
    path("tasks/mine/", tasks.tasks_mine, name="tasks_mine"),
    path("tasks/scorecard/", tasks.scorecard_page, name="scorecard"),
    path("tasks/scorecard.xlsx", tasks.scorecard_download, name="scorecard_xlsx"),
    path("tasks/<int:pk>/", tasks.task_detail, name="task"),
    path("tasks/<int:pk>/files/<int:file_pk>/", tasks.task_file, name="task_file"),
    path("tasks/<int:pk>/<str:name>/", tasks.task_action, name="task_action"),
    path("plans/", plans.plan_list, name="plans"),
    path("plans/new/", plans.plan_new, name="plan_new"),
    path("plans/units/", plans.unit_search, name="plan_unit_search"),
    path("plans/units/pick/", plans.unit_pick, name="plan_unit_pick"),
    path("plans/<int:pk>/", plans.plan_detail, name="plan"),
    path("plans/<int:pk>/edit/", plans.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/issue/", plans.plan_issue, name="plan_issue"),
    path("plans/<int:pk>/meetings/", plans.plan_meetings, name="plan_meetings"),
    path("plans/<int:pk>/document.<str:fmt>", plans.plan_document, name="plan_document"),
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/read/", notifications.notification_read_all, name="notifications_read"),
    path("notifications/<int:pk>/read/", notifications.notification_read, name="notification_read"),
]
