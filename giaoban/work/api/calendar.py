"""GET /api/v1/calendar.ics?token=…: a user's private calendar feed. The secret token in the link is the only
credential (calendar applications send no other); what it holds is that user's calendar page, scoped the same
way. A bad or revoked token answers 404 with the JSON error, like an object that does not exist."""

from __future__ import annotations

from datetime import timedelta

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer
from rest_framework.views import APIView

from giaoban.core.api.errors import ERROR_RESPONSES

from .. import calendar as cal
from ..ics import calendar_ics
from ..models import CalendarFeed

ICS_CONTENT_TYPE = "text/calendar"
# What a feed holds: the recent past (for the meetings just held) and the year ahead.
FEED_PAST_DAYS = 92
FEED_FUTURE_DAYS = 400


class ICalendarRenderer(BaseRenderer):
    media_type = ICS_CONTENT_TYPE
    format = "ics"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class CalendarFeedView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    # Errors are JSON whatever was negotiated (core.api.errors.exception_handler).
    renderer_classes = [ICalendarRenderer]

    @extend_schema(
        operation_id="calendar_feed",
        parameters=[
            OpenApiParameter("token", str, required=True, description="The secret of the user's private link."),
            OpenApiParameter("committee", int, description="Only this committee's (404 outside the user's units)."),
            OpenApiParameter(
                "kind", str, many=True, enum=list(cal.KINDS), description="Only these kinds (repeatable)."
            ),
        ],
        responses={
            (200, ICS_CONTENT_TYPE): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="iCalendar (RFC 5545): meetings as timed events (TZID Asia/Ho_Chi_Minh) with place "
                "and online link, report and task deadlines as all-day events; stable UIDs.",
            ),
            # Errors are JSON (the feed's only renderer is text/calendar, which the schema would assume).
            (404, "application/json"): ERROR_RESPONSES[404],
            (406, "application/json"): ERROR_RESPONSES[406],
        },
        auth=[],
    )
    def get(self, request):
        """The user's calendar (meetings, report deadlines, task deadlines) from three months back to a year
        ahead, as on their calendar page."""
        token = (request.query_params.get("token") or "").strip()
        feed = (
            CalendarFeed.objects.select_related("user").filter(token=token).first()
            if token and len(token) <= 64
            else None
        )
        if feed is None or not feed.user.is_active:
            raise Http404
        user = feed.user
        today = timezone.localdate()
        query = cal.calendar_query(user, request.query_params, today)
        entries = cal.calendar_entries(
            user,
            today - timedelta(days=FEED_PAST_DAYS),
            today + timedelta(days=FEED_FUTURE_DAYS),
            committee=query.committee,
            kinds=query.kinds,
            today=today,
        )
        name = _("Lịch công tác giaoban") + (f" · {query.committee.name}" if query.committee else "")
        body = calendar_ics(entries, name=name, absolute=request.build_absolute_uri)
        response = HttpResponse(body, content_type=f"{ICS_CONTENT_TYPE}; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="giaoban.ics"'
        response["Cache-Control"] = "private, max-age=300"
        return response
