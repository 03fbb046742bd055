"""Meeting pages: the month's meetings, scheduling and editing, the meeting page with its live pack,
the invitation, attendance, minutes, and the conclusion editor."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from giaoban.core.access import Action, can
from giaoban.core.errors import Conflict, ServiceError
from giaoban.orgs.models import Agency, Committee, Membership

from .. import selectors, services
from ..filters import MeetingFilter, month_bounds
from ..forms import InviteForm, IssueForm, MeetingForm, MinutesForm
from ..models import Attendance, Conclusion, Meeting, MeetingFile
from .common import error_text, file_response

DOCUMENTS = ("invitation", "minutes", "conclusion")


def _meeting(user, pk: int, action: str = Action.VIEW) -> Meeting:
    return get_object_or_404(selectors.meetings_for(user, action), pk=pk)


def conclusion_state(meeting: Meeting, today: date) -> dict:
    """The notice's due day (5 working days after the meeting) and whether it is late."""
    conclusion = _conclusion_of(meeting)
    due = services.conclusion_due_on(meeting)
    issued = conclusion is not None and conclusion.status == Conclusion.Status.ISSUED
    held_day = timezone.localtime(meeting.starts_at).date()
    if meeting.status == Meeting.Status.CANCELLED:
        late = False
    elif issued:
        late = conclusion.issued_on > due
    else:
        late = today > due and held_day <= today
    return {"due": due, "issued": issued, "late": late, "conclusion": conclusion}


def _conclusion_of(meeting: Meeting) -> Conclusion | None:
    try:
        return meeting.conclusion
    except Conclusion.DoesNotExist:
        return None


@dataclass
class MeetingRow:
    meeting: Meeting
    invitation_late: bool
    conclusion_due: date
    conclusion_late: bool
    conclusion: Conclusion | None


@login_required
def meeting_list(request):
    """Meetings by month (`?month=2026-10`), with the committee filter."""
    today = timezone.localdate()
    month = request.GET.get("month") or f"{today:%Y-%m}"
    bounds = month_bounds(month)
    if bounds is None:
        messages.error(request, _("Tháng không hợp lệ, ví dụ 2026-10 (invalid month)."))
        month = f"{today:%Y-%m}"
        bounds = month_bounds(month)
    data = request.GET.copy()
    data["month"] = month
    base = selectors.meetings_for(request.user).select_related("conclusion")
    qs = MeetingFilter(data, queryset=base).qs.order_by("starts_at", "pk")
    rows, now = [], timezone.now()
    for m in qs:
        c = _conclusion_of(m)
        due = services.conclusion_due_on(m)
        issued = c is not None and c.status == Conclusion.Status.ISSUED
        late_notice = (c.issued_on > due) if issued else (m.status != Meeting.Status.CANCELLED and today > due)
        # Sent late, or still a draft that would be late if sent today (a past draft is not flagged).
        invitation_late = (
            m.status != Meeting.Status.CANCELLED
            and (m.invited_on is not None or (m.status == Meeting.Status.DRAFT and m.starts_at >= now))
            and services.invitation_is_late(m)
        )
        rows.append(MeetingRow(m, invitation_late, due, late_notice, c))
    first = bounds[0].date()
    previous = (first.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    following = (bounds[1].date() + timedelta(days=1)).strftime("%Y-%m")
    committees = list(Committee.objects.visible_to(request.user).select_related("org_unit"))
    schedulable = list(Committee.objects.visible_to(request.user, Action.MEET).values_list("pk", flat=True))
    context = {
        "rows": rows,
        "month": month,
        "month_start": first,
        "previous": previous,
        "next": following,
        "committees": committees,
        "committee": data.get("committee", ""),
        "can_schedule": bool(schedulable),
        "today": today,
    }
    template = "work/meeting_list.html#rows" if request.htmx else "work/meeting_list.html"
    return render(request, template, context)


# --- Scheduling -----------------------------------------------------------------------------------------


def _members(committee: Committee):
    return Membership.objects.filter(committee=committee).current().order_by("start_date", "pk")


def _agenda_rows(request, meeting: Meeting | None) -> tuple[list[dict], list[services.AgendaInput], list[str]]:
    """The agenda as typed (to show again) and as the service takes it; errors for bad minutes."""
    try:
        count = min(int(request.POST.get("agenda_count", "0")), 50)
    except ValueError:
        count = 0
    shown, items, errors = [], [], []
    for i in range(count):
        title = request.POST.get(f"agenda_title_{i}", "").strip()
        presenter = request.POST.get(f"agenda_presenter_{i}", "").strip()
        minutes_text = request.POST.get(f"agenda_minutes_{i}", "").strip()
        files = request.FILES.getlist(f"agenda_files_{i}")
        shown.append({"title": title, "presenter": presenter, "minutes": minutes_text, "files": []})
        if not (title or presenter or minutes_text or files):
            continue
        minutes = None
        if minutes_text:
            try:
                minutes = int(minutes_text)
                if not 0 < minutes <= 1440:
                    raise ValueError
            except ValueError:
                errors.append(
                    _("Mục %(n)s: thời lượng phải là số phút (minutes must be a whole number).") % {"n": i + 1}
                )
        items.append(services.AgendaInput(title, presenter, minutes, files))
    return shown, items, errors


def _agenda_initial(meeting: Meeting | None) -> list[dict]:
    if meeting is None:
        return []
    return [
        {"title": a.title, "presenter": a.presenter, "minutes": a.minutes or "", "files": list(a.files.all())}
        for a in meeting.agenda.prefetch_related("files")
    ]


def _form_context(request, committee, form, agenda, meeting=None, error=""):
    rows = list(agenda) + [{"title": "", "presenter": "", "minutes": "", "files": []} for _i in range(2)]
    return {
        "committee": committee,
        "form": form,
        "agenda": rows,
        "agenda_count": len(rows),
        "meeting": meeting,
        "error": error,
    }


def _committee_to_schedule(request) -> Committee | None:
    choices = Committee.objects.visible_to(request.user, Action.MEET).select_related("org_unit")
    pk = request.POST.get("committee") or request.GET.get("committee")
    if pk:
        try:
            return get_object_or_404(choices, pk=int(pk))
        except ValueError:
            raise Http404 from None
    if choices.count() == 1:
        return choices.first()
    return None


@login_required
def meeting_new(request):
    """Schedule a meeting of a committee the user may meet for."""
    committee = _committee_to_schedule(request)
    if committee is None:
        choices = list(Committee.objects.visible_to(request.user, Action.MEET).select_related("org_unit")[:200])
        if not choices:
            raise Http404
        return render(request, "work/meeting_pick.html", {"committees": choices})
    members, agencies = _members(committee), selectors.committee_agencies(committee)
    if request.method == "GET":
        start = timezone.localtime().replace(hour=8, minute=0, second=0, microsecond=0) + timedelta(days=7)
        form = MeetingForm(
            members=members,
            agencies=agencies,
            initial={"kind": Meeting.Kind.GIAO_BAN_THANG, "starts_at": start, "version": 0},
        )
        return render(request, "work/meeting_form.html", _form_context(request, committee, form, []))
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"])
    form = MeetingForm(request.POST, members=members, agencies=agencies)
    shown, agenda, agenda_errors = _agenda_rows(request, None)
    if not form.is_valid() or agenda_errors:
        error = " ".join(agenda_errors) or _("Kiểm tra lại các trường được đánh dấu (check the marked fields).")
        ctx = _form_context(request, committee, form, shown, error=error)
        return render(request, "work/meeting_form.html", ctx, status=400)
    d = form.cleaned_data
    try:
        meeting = services.meeting_create(
            committee=committee,
            kind=d["kind"],
            title=d["title"],
            period=d["period"].strip().upper(),
            starts_at=d["starts_at"],
            ends_at=d["ends_at"],
            place=d["place"],
            online_url=d["online_url"],
            chair=d["chair"],
            secretary=d["secretary"],
            invited_members=list(d["invited_members"]),
            invited_agencies=list(d["invited_agencies"]),
            agenda=agenda,
            actor=request.user,
        )
    except ServiceError as exc:
        ctx = _form_context(request, committee, form, shown, error=error_text(exc))
        return render(request, "work/meeting_form.html", ctx, status=400)
    messages.success(request, _("Đã lên lịch cuộc họp."))
    return redirect("work:meeting", pk=meeting.pk)


@login_required
def meeting_edit(request, pk: int):
    meeting = _meeting(request.user, pk, Action.MEET)
    committee = meeting.committee
    members, agencies = _members(committee), selectors.committee_agencies(committee)
    if request.method == "GET":
        invitees = list(meeting.invitees.all())
        form = MeetingForm(
            members=members,
            agencies=agencies,
            initial={
                "kind": meeting.kind,
                "title": meeting.title,
                "period": meeting.period,
                "starts_at": timezone.localtime(meeting.starts_at),
                "ends_at": timezone.localtime(meeting.ends_at) if meeting.ends_at else None,
                "place": meeting.place,
                "online_url": meeting.online_url,
                "chair": meeting.chair_id,
                "secretary": meeting.secretary_id,
                "invited_members": [i.membership_id for i in invitees if i.membership_id],
                "invited_agencies": [i.agency_id for i in invitees if i.agency_id],
                "version": meeting.version,
            },
        )
        ctx = _form_context(request, committee, form, _agenda_initial(meeting), meeting)
        return render(request, "work/meeting_form.html", ctx)
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"])
    form = MeetingForm(request.POST, members=members, agencies=agencies)
    shown, agenda, agenda_errors = _agenda_rows(request, meeting)
    if not form.is_valid() or agenda_errors:
        error = " ".join(agenda_errors) or _("Kiểm tra lại các trường được đánh dấu (check the marked fields).")
        return render(
            request,
            "work/meeting_form.html",
            _form_context(request, committee, form, shown, meeting, error),
            status=400,
        )
    d = form.cleaned_data
    try:
        services.meeting_update(
            meeting=meeting,
            actor=request.user,
            expected_version=d.get("version"),
            invited_members=list(d["invited_members"]),
            invited_agencies=list(d["invited_agencies"]),
            agenda=agenda,
            kind=d["kind"],
            title=d["title"].strip(),
            period=d["period"].strip().upper(),
            starts_at=d["starts_at"],
            ends_at=d["ends_at"],
            place=d["place"],
            online_url=d["online_url"],
            chair=d["chair"],
            secretary=d["secretary"],
        )
    except ServiceError as exc:
        ctx = _form_context(request, committee, form, shown, meeting, error_text(exc))
        return render(request, "work/meeting_form.html", ctx, status=409 if isinstance(exc, Conflict) else 400)
    messages.success(request, _("Đã lưu cuộc họp."))
    return redirect("work:meeting", pk=meeting.pk)


# --- The meeting page -----------------------------------------------------------------------------------


@dataclass
class AttendanceLine:
    membership: Membership
    status: str = ""
    reason: str = ""
    delegate: str = ""
    error: str = ""


@dataclass
class DocumentLink:
    which: str
    label: str
    formats: list[tuple[str, str]] = field(default_factory=list)


def _attendance_lines(meeting: Meeting, typed: dict | None = None) -> list[AttendanceLine]:
    recorded = {a.membership_id: a for a in meeting.attendance.all()}
    members = {m.pk: m for m in _members(meeting.committee).select_related("agency")}
    for a in recorded.values():
        members.setdefault(a.membership_id, a.membership)
    lines = []
    for m in members.values():
        a = recorded.get(m.pk)
        line = AttendanceLine(m, a.status if a else "", a.reason if a else "", a.delegate if a else "")
        if typed and m.pk in typed:
            line.status, line.reason, line.delegate = typed[m.pk]
        lines.append(line)
    return lines


def _documents(meeting: Meeting, conclusion: Conclusion | None) -> list[DocumentLink]:
    """Links to the documents w-docs serves at /meetings/<id>/documents/<which>.<fmt>."""
    out = []
    labels = {"invitation": _("Giấy mời"), "minutes": _("Biên bản"), "conclusion": _("Thông báo kết luận")}
    for which in DOCUMENTS:
        if which == "minutes" and meeting.status not in (Meeting.Status.HELD, Meeting.Status.CONCLUDED):
            continue
        if which == "conclusion" and conclusion is None:
            continue
        base = f"/meetings/{meeting.pk}/documents/{which}"
        out.append(DocumentLink(which, labels[which], [(f"{base}.{fmt}", fmt) for fmt in ("docx", "pdf")]))
    return out


def _detail_context(request, meeting: Meeting, **extra) -> dict:
    today = timezone.localdate()
    user = request.user
    path = meeting.committee.org_unit.path
    may_meet = can(user, Action.MEET, path)
    conclusion = _conclusion_of(meeting)
    state = conclusion_state(meeting, today)
    open_meeting = meeting.status not in (Meeting.Status.CANCELLED, Meeting.Status.CONCLUDED)
    invite = extra.pop("invite_form", None) or InviteForm(
        initial={"number": meeting.invitation_number, "invited_on": meeting.invited_on or today}
    )
    minutes = extra.pop("minutes_form", None) or MinutesForm(
        initial={
            "proceedings": meeting.proceedings,
            "closed_at": timezone.localtime(meeting.closed_at) if meeting.closed_at else None,
            "version": meeting.version,
        }
    )
    invitees = list(meeting.invitees.select_related("membership", "agency"))
    pack = selectors.meeting_pack(meeting, user, today)
    context = {
        "meeting": meeting,
        "committee": meeting.committee,
        "agenda": list(meeting.agenda.prefetch_related("files")),
        "invited_members": [i.membership for i in invitees if i.membership_id],
        "invited_agencies": [i.agency for i in invitees if i.agency_id],
        "pack": pack,
        "pack_figures": list(zip(pack.table.headers, pack.table.total.display(), strict=True)) if pack.table else [],
        "may_meet": may_meet and open_meeting,
        "may_meet_any": may_meet,
        "invitation_late": services.invitation_is_late(meeting)
        if meeting.status in (Meeting.Status.DRAFT, Meeting.Status.INVITED) or meeting.invited_on
        else False,
        "would_be_late": services.invitation_is_late(Meeting(starts_at=meeting.starts_at, invited_on=today)),
        "invite_form": invite,
        "minutes_form": minutes,
        "attendance": extra.pop("attendance", None) or _attendance_lines(meeting),
        "attendance_statuses": Attendance.Status.choices,
        "conclusion": conclusion,
        "conclusion_state": state,
        "documents": _documents(meeting, conclusion),
        "today": today,
    }
    context.update(extra)
    return context


@login_required
def meeting_detail(request, pk: int):
    meeting = _meeting(request.user, pk)
    return render(request, "work/meeting_detail.html", _detail_context(request, meeting))


def _detail_error(request, meeting, exc_or_text, **extra):
    text = error_text(exc_or_text) if isinstance(exc_or_text, ServiceError) else exc_or_text
    meeting.refresh_from_db()
    status = 409 if isinstance(exc_or_text, Conflict) else 400
    return render(
        request, "work/meeting_detail.html", _detail_context(request, meeting, error=text, **extra), status=status
    )


@login_required
@require_POST
def meeting_invite(request, pk: int):
    meeting = _meeting(request.user, pk, Action.MEET)
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _detail_error(request, meeting, _("Ngày gửi không hợp lệ (invalid date)."), invite_form=form)
    try:
        meeting = services.meeting_invite(
            meeting=meeting,
            actor=request.user,
            number=form.cleaned_data["number"],
            invited_on=form.cleaned_data["invited_on"],
        )
    except ServiceError as exc:
        return _detail_error(request, meeting, exc, invite_form=form)
    if services.invitation_is_late(meeting):
        messages.warning(
            request,
            _(
                "Đã gửi giấy mời, nhưng chưa đủ 3 ngày làm việc trước cuộc họp (QĐ 45/2018/QĐ-TTg) "
                "(sent fewer than 3 working days ahead)."
            ),
        )
    else:
        messages.success(request, _("Đã gửi giấy mời."))
    return redirect("work:meeting", pk=meeting.pk)


@login_required
@require_POST
def meeting_attendance(request, pk: int):
    meeting = _meeting(request.user, pk, Action.MEET)
    members = {m.pk: m for m in Membership.objects.filter(committee=meeting.committee)}
    rows, typed = [], {}
    for key in request.POST:
        if not key.startswith("status_"):
            continue
        try:
            mpk = int(key.removeprefix("status_"))
        except ValueError:
            continue
        status = request.POST.get(key, "")
        reason = request.POST.get(f"reason_{mpk}", "")
        delegate = request.POST.get(f"delegate_{mpk}", "")
        typed[mpk] = (status, reason, delegate)
        if not status or mpk not in members:
            continue
        rows.append({"membership": members[mpk], "status": status, "reason": reason, "delegate": delegate})
    if not rows:
        return _detail_error(
            request,
            meeting,
            _("Chọn tình trạng của ít nhất một thành viên (choose a status for at least one member)."),
            attendance=_attendance_lines(meeting, typed),
        )
    try:
        services.attendance_record(meeting=meeting, rows=rows, actor=request.user)
    except ServiceError as exc:
        lines = _attendance_lines(meeting, typed)
        by_row = {i: r["membership"].pk for i, r in enumerate(rows, start=1)}
        for e in exc.extra.get("errors", []):
            for line in lines:
                if line.membership.pk == by_row.get(e.get("row")):
                    line.error = e.get("message", "")
        return _detail_error(request, meeting, exc, attendance=lines)
    messages.success(request, _("Đã ghi điểm danh."))
    return redirect(reverse("work:meeting", args=[meeting.pk]) + "#attendance")


@login_required
@require_POST
def meeting_minutes(request, pk: int):
    meeting = _meeting(request.user, pk, Action.MEET)
    form = MinutesForm(request.POST)
    if not form.is_valid():
        return _detail_error(
            request, meeting, _("Giờ kết thúc không hợp lệ (invalid closing time)."), minutes_form=form
        )
    try:
        services.minutes_save(
            meeting=meeting,
            proceedings=form.cleaned_data["proceedings"],
            closed_at=form.cleaned_data["closed_at"],
            actor=request.user,
            expected_version=form.cleaned_data.get("version"),
        )
    except ServiceError as exc:
        return _detail_error(request, meeting, exc, minutes_form=form)
    messages.success(request, _("Đã lưu biên bản."))
    return redirect(reverse("work:meeting", args=[meeting.pk]) + "#minutes")


@login_required
def meeting_file(request, pk: int, file_pk: int):
    meeting = _meeting(request.user, pk)
    f = get_object_or_404(MeetingFile, pk=file_pk, agenda_item__meeting=meeting)
    return file_response(f.file, f.name)


# --- The conclusion editor --------------------------------------------------------------------------------


@dataclass
class TaskLine:
    title: str = ""
    target: str = ""  # agency pk, "below", or ""
    supporting: list[int] = field(default_factory=list)
    due: str = ""


@dataclass
class PointLine:
    text: str = ""
    tasks: list[TaskLine] = field(default_factory=list)


def _lines_from(conclusion: Conclusion | None) -> list[PointLine]:
    if conclusion is None:
        return []
    out = []
    for p in conclusion.points.prefetch_related("planned_tasks__supporting"):
        out.append(
            PointLine(
                p.text,
                [
                    TaskLine(
                        t.title,
                        "below" if t.below else str(t.agency_id),
                        [a.pk for a in t.supporting.all()],
                        t.due_on.isoformat() if t.due_on else "",
                    )
                    for t in p.planned_tasks.all()
                ],
            )
        )
    return out


def _lines_typed(request) -> list[PointLine]:
    def count(name: str, cap: int) -> int:
        try:
            return max(0, min(int(request.POST.get(name, "0")), cap))
        except ValueError:
            return 0

    out = []
    for i in range(count("point_count", 100)):
        point = PointLine(request.POST.get(f"point_{i}_text", ""))
        for j in range(count(f"point_{i}_task_count", 50)):
            p = f"point_{i}_task_{j}_"
            supporting = [int(x) for x in request.POST.getlist(p + "supporting") if x.isdigit()]
            point.tasks.append(
                TaskLine(
                    request.POST.get(p + "title", "").strip(),
                    request.POST.get(p + "target", ""),
                    supporting,
                    request.POST.get(p + "due", "").strip(),
                )
            )
        out.append(point)
    return out


def _with_blanks(lines: list[PointLine], extra_point: bool, extra_task_in: int | None) -> list[PointLine]:
    lines = [PointLine(p.text, list(p.tasks)) for p in lines]
    for i, p in enumerate(lines):
        if i == extra_task_in or not p.tasks:
            p.tasks.append(TaskLine())
    if extra_point or not lines:
        lines.append(PointLine("", [TaskLine()]))
    return lines


def _to_inputs(lines: list[PointLine], agencies: dict[int, Agency]) -> tuple[list[services.PointInput], list[str]]:
    points, errors = [], []
    for n, p in enumerate(lines, start=1):
        tasks = []
        for t in p.tasks:
            if not (t.title or t.target or t.due):
                continue
            due = None
            if t.due:
                try:
                    due = date.fromisoformat(t.due)
                except ValueError:
                    errors.append(_("Điểm %(n)s: thời hạn không hợp lệ (invalid deadline).") % {"n": n})
            agency = None
            if t.target and t.target != "below":
                agency = agencies.get(int(t.target)) if t.target.isdigit() else None
                if agency is None:
                    errors.append(_("Điểm %(n)s: cơ quan không hợp lệ (unknown agency).") % {"n": n})
            supporting = [agencies[a] for a in t.supporting if a in agencies]
            tasks.append(services.PlannedTaskInput(t.title, agency, t.target == "below", supporting, due))
        if not p.text.strip() and not tasks:
            continue
        points.append(services.PointInput(p.text, tasks))
    return points, errors


def _conclusion_context(request, meeting, conclusion, lines, version, error="", issue_form=None):
    today = timezone.localdate()
    issued = conclusion is not None and conclusion.status == Conclusion.Status.ISSUED
    return {
        "meeting": meeting,
        "committee": meeting.committee,
        "conclusion": conclusion,
        "issued": issued,
        "points": lines,
        "point_count": len(lines),
        "agencies": list(selectors.committee_agencies(meeting.committee)),
        "version": version,
        "error": error,
        "state": conclusion_state(meeting, today),
        "issue_form": issue_form or IssueForm(initial={"issued_on": today}),
        "may_issue": services.may_assign(request.user, meeting.committee) and conclusion is not None and not issued,
        "today": today,
        "tasks": tasks_given(request.user, conclusion) if issued else [],
    }


def tasks_given(user, conclusion: Conclusion) -> list:
    qs = selectors.tasks_for(user).filter(point__conclusion=conclusion).order_by("point__number", "pk")
    return selectors.tasks_with_status(qs)


@login_required
def conclusion_edit(request, pk: int):
    """Numbered points, each with the tasks it will give; save the draft (versioned) or issue it."""
    meeting = _meeting(request.user, pk)
    may_meet = can(request.user, Action.MEET, meeting.committee.org_unit.path)
    conclusion = _conclusion_of(meeting)
    issued = conclusion is not None and conclusion.status == Conclusion.Status.ISSUED
    if request.method == "GET":
        if not may_meet and not issued:
            raise Http404  # a draft is the committee's own business until issued
        lines = _lines_from(conclusion)
        if not issued:
            lines = _with_blanks(lines, False, None)
        ctx = _conclusion_context(request, meeting, conclusion, lines, conclusion.version if conclusion else 0)
        return render(request, "work/conclusion_form.html", ctx)
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"])
    if not may_meet:
        raise Http404
    action = request.POST.get("action", "save")
    if action == "issue":
        return _conclusion_issue(request, meeting, conclusion)
    lines = _lines_typed(request)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    if action == "add_point" or action.startswith("add_task_"):
        into = int(action.removeprefix("add_task_")) if action.startswith("add_task_") else None
        ctx = _conclusion_context(request, meeting, conclusion, _with_blanks(lines, into is None, into), version)
        return render(request, "work/conclusion_form.html", ctx)
    agencies = {a.pk: a for a in selectors.committee_agencies(meeting.committee)}
    points, errors = _to_inputs(lines, agencies)
    if errors:
        ctx = _conclusion_context(
            request, meeting, conclusion, _with_blanks(lines, False, None), version, " ".join(errors)
        )
        return render(request, "work/conclusion_form.html", ctx, status=400)
    try:
        conclusion = services.conclusion_save(
            meeting=meeting, points=points, actor=request.user, expected_version=version
        )
    except ServiceError as exc:
        conclusion = _conclusion_of(Meeting.objects.get(pk=meeting.pk))
        current = exc.extra.get("version", version) if isinstance(exc, Conflict) else version
        ctx = _conclusion_context(
            request, meeting, conclusion, _with_blanks(lines, False, None), current, error_text(exc)
        )
        return render(request, "work/conclusion_form.html", ctx, status=409 if isinstance(exc, Conflict) else 400)
    messages.success(request, _("Đã lưu dự thảo kết luận (phiên bản %(v)s).") % {"v": conclusion.version})
    return redirect("work:conclusion", pk=meeting.pk)


def _conclusion_issue(request, meeting, conclusion):
    if not services.may_assign(request.user, meeting.committee):
        raise Http404
    form = IssueForm(request.POST)
    lines = _lines_from(conclusion)
    version = conclusion.version if conclusion else 0
    if not form.is_valid():
        ctx = _conclusion_context(
            request, meeting, conclusion, lines, version, _("Nhập số và ngày ban hành (number and date).")
        )
        ctx["issue_form"] = form
        return render(request, "work/conclusion_form.html", ctx, status=400)
    try:
        with transaction.atomic():
            services.conclusion_issue(
                meeting=meeting,
                number=form.cleaned_data["number"],
                issued_on=form.cleaned_data["issued_on"],
                actor=request.user,
            )
    except ServiceError as exc:
        ctx = _conclusion_context(request, meeting, conclusion, lines, version, error_text(exc), form)
        return render(request, "work/conclusion_form.html", ctx, status=409 if isinstance(exc, Conflict) else 400)
    meeting.refresh_from_db()
    state = conclusion_state(Meeting.objects.select_related("conclusion").get(pk=meeting.pk), timezone.localdate())
    if state["late"]:
        messages.warning(
            request,
            _("Đã ban hành thông báo, muộn hơn hạn %(d)s (quá 5 ngày làm việc sau cuộc họp).")
            % {"d": state["due"].strftime("%d/%m/%Y")},
        )
    else:
        messages.success(request, _("Đã ban hành thông báo kết luận và giao nhiệm vụ."))
    return redirect("work:conclusion", pk=meeting.pk)
