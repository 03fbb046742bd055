"""Demo data for the giao ban cycle: the old Ngọc Lặc district's nine-month giao ban of 13/10/2023 with its
attendance, minutes and conclusion notice, whose tasks ended done on time, done late and overdue; a BCĐ 35
committee for every current commune of Thanh Hóa; a recent provincial giao ban whose tasks (for member agencies
and for the communes' committees) are open around today; agency-officer logins. Runs after giaoban.orgs.demo."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from giaoban.core.access import Role
from giaoban.core.workdays import add_working_days, is_working_day
from giaoban.orgs.models import Agency, Committee, CommitteeRole, Membership, OrgUnit, UserRole

from . import services
from .models import Attendance, Meeting, Task
from .services import AgendaInput, PlannedTaskInput, PointInput

__all__ = ["DEMO_USERS", "NGOC_LAC_MEETING_DAY", "DemoSummary", "load"]

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PROVINCE_CODE = "38"
DISTRICT_CODE = "389"
NGOC_LAC_MEETING_DAY = date(2023, 10, 13)
COMMUNES_SINCE = date(2025, 7, 1)

# Agency officers (users who follow up their agency's tasks); each is also the agency's member on the
# provincial committee, so the membership is linked to the login.
DEMO_USERS: list[dict[str, Any]] = [
    {
        "username": "congan.thanhhoa",
        "role": Role.AGENCY_OFFICER,
        "unit": PROVINCE_CODE,
        "unit_name": "Công an tỉnh Thanh Hóa, Tỉnh Thanh Hóa",
        "agency": "Công an tỉnh Thanh Hóa",
        "last_name": "Hoàng Văn",
        "first_name": "Sáng",
    },
    {
        "username": "tinhdoan.thanhhoa",
        "role": Role.AGENCY_OFFICER,
        "unit": PROVINCE_CODE,
        "unit_name": "Tỉnh đoàn Thanh Hóa, Tỉnh Thanh Hóa",
        "agency": "Tỉnh đoàn Thanh Hóa",
        "last_name": "Vũ Tiến",
        "first_name": "Dũng",
    },
]

NGOC_LAC_PROCEEDINGS = """\
Đồng chí Phạm Văn Nghĩa, Trưởng Ban Tuyên giáo Huyện ủy, Phó Trưởng Ban Thường trực Ban Chỉ đạo trình bày dự thảo \
Báo cáo kết quả công tác 9 tháng đầu năm 2023, phương hướng nhiệm vụ 3 tháng cuối năm.
Trang thông tin của Ban Chỉ đạo đăng tải 279 tin, bài, bình quân 56.000 lượt truy cập mỗi tháng; fanpage có 11.008 \
người theo dõi, 388 bài viết; các xã, thị trấn duy trì báo cáo tuần.
Các đồng chí thành viên Ban Chỉ đạo thảo luận: một số xã gửi báo cáo tuần chưa đúng hạn; việc cụ thể hóa văn bản \
hướng dẫn của cấp trên còn chậm; sự phối hợp giữa các cơ quan thành viên có lúc chưa chặt chẽ.
Đồng chí Trưởng Ban Chỉ đạo phát biểu kết luận hội nghị."""

# Ngọc Lặc's notice: (point, [(task, agency key, supporting keys, due, reported done on or None)]).
NGOC_LAC_POINTS: list[tuple[str, list[tuple[str, str, list[str], date, date | None]]]] = [
    (
        "Duy trì nghiêm chế độ báo cáo định kỳ hằng tuần; các xã, thị trấn gửi báo cáo đúng thời hạn, "
        "nội dung bám sát nhiệm vụ được giao.",
        [
            (
                "Ban hành văn bản đôn đốc các xã, thị trấn thực hiện chế độ báo cáo tuần",
                "tg",
                [],
                date(2023, 10, 31),
                date(2023, 10, 25),
            )
        ],
    ),
    (
        "Chuẩn bị chu đáo Hội nghị tổng kết công tác năm 2023 và xây dựng Kế hoạch công tác năm 2024 của Ban Chỉ đạo.",
        [
            (
                "Xây dựng dự thảo Báo cáo tổng kết công tác năm 2023",
                "tg",
                ["vh"],
                date(2023, 11, 30),
                date(2023, 11, 28),
            ),
            ("Xây dựng dự thảo Kế hoạch công tác năm 2024", "tg", [], date(2023, 12, 15), date(2023, 12, 22)),
        ],
    ),
    (
        "Kịp thời cụ thể hóa các văn bản chỉ đạo, hướng dẫn của Ban Chỉ đạo 35 Tỉnh ủy thành văn bản của huyện.",
        [
            (
                "Tham mưu kế hoạch thực hiện Hướng dẫn của Ban Chỉ đạo 35 Tỉnh ủy trên địa bàn huyện",
                "tg",
                [],
                date(2023, 11, 15),
                date(2023, 11, 10),
            )
        ],
    ),
    (
        "Tăng cường phối hợp giữa các cơ quan thành viên trong nắm bắt tình hình tư tưởng và cung cấp thông tin "
        "chính thống.",
        [
            (
                "Xây dựng Quy chế phối hợp giữa các cơ quan thành viên Ban Chỉ đạo",
                "ca",
                ["qs", "mttq", "doan"],
                date(2023, 12, 20),
                None,
            ),
            (
                "Tập huấn kỹ năng cung cấp thông tin trên mạng cho cán bộ, đoàn viên",
                "doan",
                ["vh"],
                date(2023, 12, 29),
                date(2023, 12, 20),
            ),
        ],
    ),
]

DISTRICT_AGENCY_KEYS = {
    "tg": "Ban Tuyên giáo Huyện ủy Ngọc Lặc",
    "ca": "Công an huyện Ngọc Lặc",
    "qs": "Ban Chỉ huy Quân sự huyện Ngọc Lặc",
    "mttq": "Ủy ban MTTQ Việt Nam huyện Ngọc Lặc",
    "doan": "Huyện đoàn Ngọc Lặc",
    "vh": "Trung tâm Văn hóa, Thông tin và Thể thao huyện Ngọc Lặc",
}
PROVINCE_AGENCY_KEYS = {
    "tgdv": "Ban Tuyên giáo và Dân vận Tỉnh ủy Thanh Hóa",
    "ca": "Công an tỉnh Thanh Hóa",
    "qs": "Bộ Chỉ huy Quân sự tỉnh Thanh Hóa",
    "mttq": "Ủy ban MTTQ Việt Nam tỉnh Thanh Hóa",
    "doan": "Tỉnh đoàn Thanh Hóa",
    "vh": "Sở Văn hóa, Thể thao và Du lịch tỉnh Thanh Hóa",
    "bao": "Báo và Phát thanh, Truyền hình Thanh Hóa",
}


@dataclass
class DemoSummary:
    meetings: int
    commune_committees: int
    tasks: int
    users: int

    def __str__(self) -> str:
        return _(
            "%(meetings)d cuộc họp, %(commune_committees)d Ban Chỉ đạo cấp xã, %(tasks)d nhiệm vụ, "
            "%(users)d cán bộ cơ quan thành viên (%(meetings)d meetings, %(commune_committees)d commune committees, "
            "%(tasks)d tasks, %(users)d agency officers)"
        ) % vars(self)


def _at(day: date, hour: int = 8, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TZ)


def _user(username: str):
    return get_user_model().objects.filter(username=username).first()


def _agencies(unit: OrgUnit, names: dict[str, str]) -> dict[str, Agency]:
    by_name = {a.name: a for a in Agency.objects.filter(org_unit=unit, name__in=names.values())}
    return {key: by_name[name] for key, name in names.items()}


def _members(committee: Committee, on: date) -> list[Membership]:
    order = {role: i for i, role in enumerate(CommitteeRole.values)}
    members = list(Membership.objects.filter(committee=committee).current(on).select_related("agency"))
    return sorted(members, key=lambda m: (order[m.role], m.pk))


def _by_role(members: list[Membership], role: str) -> Membership:
    return next(m for m in members if m.role == role)


def _ngoc_lac(district_committee: Committee) -> tuple[Meeting, int]:
    """The district's nine-month giao ban of 13/10/2023, its minutes and notice; tasks followed up to the end."""
    day = NGOC_LAC_MEETING_DAY
    members = _members(district_committee, day)
    agencies = _agencies(district_committee.org_unit, DISTRICT_AGENCY_KEYS)
    clerk = _user("thuky.huyenngoclac")
    approver = _user("duyet.thanhhoa")
    head = _by_role(members, CommitteeRole.HEAD)
    meeting = services.meeting_create(
        committee=district_committee,
        kind=Meeting.Kind.SO_KET_9_THANG,
        title="Hội nghị giao ban công tác 9 tháng đầu năm 2023",
        period="2023N9",
        starts_at=_at(day, 8),
        ends_at=_at(day, 11),
        place="Hội trường Huyện ủy Ngọc Lặc",
        chair=head,
        secretary=_by_role(members, CommitteeRole.SECRETARY),
        invited_members=members,
        invited_agencies=[agencies["vh"]],
        agenda=[
            AgendaInput("Báo cáo kết quả công tác 9 tháng đầu năm 2023", "Phạm Văn Nghĩa", 30),
            AgendaInput("Thảo luận", "Các thành viên Ban Chỉ đạo", 90),
            AgendaInput("Kết luận hội nghị", "Bùi Văn Tuấn", 20),
        ],
        actor=clerk,
    )
    services.meeting_invite(meeting=meeting, number="28", invited_on=date(2023, 10, 9), actor=clerk)
    rows = []
    for m in members:
        if m.person_name == "Trương Văn Hậu":
            rows.append({"membership": m, "status": "absent", "reason": "Dự diễn tập khu vực phòng thủ tỉnh"})
        elif m.person_name == "Hà Thị Liên":
            rows.append(
                {
                    "membership": m,
                    "status": "delegated",
                    "delegate": "Bùi Thị Hằng, Ủy viên Thường trực Ủy ban MTTQ Việt Nam huyện",
                }
            )
        else:
            rows.append({"membership": m, "status": Attendance.Status.PRESENT})
    services.attendance_record(meeting=meeting, rows=rows, actor=clerk)
    services.minutes_save(meeting=meeting, proceedings=NGOC_LAC_PROCEEDINGS, closed_at=_at(day, 11, 15), actor=clerk)
    services.conclusion_save(
        meeting=meeting,
        points=[
            PointInput(
                text,
                [
                    PlannedTaskInput(
                        title, agency=agencies[key], supporting=[agencies[s] for s in supporting], due_on=due
                    )
                    for title, key, supporting, due, _done in tasks
                ],
            )
            for text, tasks in NGOC_LAC_POINTS
        ],
        actor=clerk,
    )
    services.conclusion_issue(meeting=meeting, number="45-TB/BCĐ", issued_on=date(2023, 10, 17), actor=approver)
    done_on = {title: done for _text, tasks in NGOC_LAC_POINTS for title, _k, _s, _d, done in tasks}
    tasks = list(Task.objects.filter(point__conclusion__meeting=meeting).order_by("id"))
    # 2023's follow-up came on paper from the agencies, who had no logins then: recorded by the system.
    for task in tasks:
        reported = done_on[task.title]
        if reported is None:
            services.task_progress(task=task, actor=None, note="Đang lấy ý kiến các cơ quan thành viên.", percent=40)
            continue
        task = services.task_report_done(
            task=task,
            actor=None,
            result_document=f"{reported.day:02d}-{reported.month:02d}/BCĐ",
            note="Đã hoàn thành.",
            reported_on=reported,
        )
        services.task_confirm(task=task, actor=approver)
    return meeting, len(tasks)


def _commune_committees(province: OrgUnit, today: date) -> list[Committee]:
    """A BCĐ 35 for every current commune of the province, in one bulk insert (with its history rows)."""
    communes = OrgUnit.objects.filter(parent=province, kind=OrgUnit.Kind.COMMUNE).valid_on(today).order_by("code")
    have = set(Committee.objects.filter(org_unit__in=communes).values_list("org_unit_id", flat=True))
    made = [
        Committee(
            name=f"Ban Chỉ đạo 35 Đảng ủy {c.name[:1].lower()}{c.name[1:]}",
            short_name="BCĐ 35",
            org_unit=c,
            established_on=max(COMMUNES_SINCE, c.valid_from),
        )
        for c in communes
        if c.pk not in have
    ]
    return bulk_create_with_history(made, Committee, batch_size=500)


def _recent_working_day(day: date) -> date:
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def _current_meeting(committee: Committee, today: date) -> tuple[Meeting, int]:
    """A provincial monthly giao ban about four weeks before `today`, its notice issued three working days
    later: tasks for member agencies and for every commune's committee, due around today."""
    day = _recent_working_day(today - timedelta(days=28))
    issued = add_working_days(day, 3)
    previous = (day.replace(day=1) - timedelta(days=1)).replace(day=1)
    members = _members(committee, day)
    agencies = _agencies(committee.org_unit, PROVINCE_AGENCY_KEYS)
    approver = _user("duyet.thanhhoa")
    meeting = services.meeting_create(
        committee=committee,
        kind=Meeting.Kind.GIAO_BAN_THANG,
        title=f"Hội nghị giao ban tháng {previous.month}/{previous.year}",
        period=f"{previous.year}-{previous.month:02d}",
        starts_at=_at(day, 14),
        ends_at=_at(day, 16, 30),
        place="Phòng họp số 1, Tỉnh ủy Thanh Hóa",
        online_url="https://hop.thanhhoa.example.invalid/bcd35",
        chair=_by_role(members, CommitteeRole.STANDING_DEPUTY),
        secretary=_by_role(members, CommitteeRole.SECRETARY),
        invited_members=members,
        agenda=[
            AgendaInput(f"Báo cáo kết quả công tác tháng {previous.month}/{previous.year}", "Đỗ Mạnh Cường", 20),
            AgendaInput("Tình hình thực hiện kết luận giao ban tháng trước", "Phạm Thu Trang", 15),
            AgendaInput("Thảo luận và kết luận", "Nguyễn Thị Thanh Hương", 60),
        ],
        actor=approver,
    )
    services.meeting_invite(meeting=meeting, number="112", invited_on=add_working_days(day - timedelta(days=7), 0))
    services.attendance_record(
        meeting=meeting,
        rows=[
            {"membership": m, "status": "absent", "reason": "Đi công tác"}
            if m.role == CommitteeRole.HEAD
            else {"membership": m, "status": "present"}
            for m in members
        ],
    )
    services.minutes_save(
        meeting=meeting,
        proceedings="Hội nghị nghe báo cáo kết quả công tác tháng và tình hình thực hiện kết luận tháng trước.\n"
        "Các đồng chí thành viên Ban Chỉ đạo thảo luận, đề xuất giải pháp.",
        closed_at=_at(day, 16, 20),
    )
    soon = add_working_days(today, 2)
    overdue = max(issued, today - timedelta(days=4))
    points = [
        PointInput(
            "Các xã, phường duy trì nghiêm chế độ báo cáo tuần; Ban Chỉ đạo 35 các xã, phường rà soát, kiện toàn "
            "tổ giúp việc.",
            [
                PlannedTaskInput("Rà soát, kiện toàn tổ giúp việc Ban Chỉ đạo 35 cấp xã", below=True, due_on=overdue),
                PlannedTaskInput("Gửi báo cáo tháng đúng hạn về Ban Chỉ đạo 35 Tỉnh ủy", below=True, due_on=soon),
            ],
        ),
        PointInput(
            f"Chuẩn bị Hội nghị tổng kết công tác năm {today.year} và xây dựng Kế hoạch năm {today.year + 1}.",
            [
                PlannedTaskInput(
                    f"Dự thảo Báo cáo tổng kết công tác năm {today.year}",
                    agency=agencies["tgdv"],
                    supporting=[agencies["vh"]],
                    due_on=today + timedelta(days=20),
                ),
                PlannedTaskInput(
                    "Tổng hợp số liệu kênh thông tin chính thống của các cơ quan thành viên",
                    agency=agencies["bao"],
                    due_on=soon,
                ),
            ],
        ),
        PointInput(
            "Cụ thể hóa kịp thời các văn bản chỉ đạo, hướng dẫn của Trung ương thành văn bản của tỉnh.",
            [
                PlannedTaskInput(
                    "Tham mưu kế hoạch thực hiện hướng dẫn mới của Ban Chỉ đạo 35 Trung ương",
                    agency=agencies["tgdv"],
                    due_on=overdue,
                ),
            ],
        ),
        PointInput(
            "Tăng cường phối hợp giữa các cơ quan thành viên trong cung cấp thông tin chính thống.",
            [
                PlannedTaskInput(
                    "Rà soát Quy chế phối hợp cung cấp thông tin giữa các cơ quan thành viên",
                    agency=agencies["ca"],
                    supporting=[agencies["qs"], agencies["doan"]],
                    due_on=overdue,
                ),
                PlannedTaskInput(
                    "Tập huấn kỹ năng thông tin trên mạng cho cán bộ công an cơ sở",
                    agency=agencies["ca"],
                    due_on=today + timedelta(days=10),
                ),
                PlannedTaskInput(
                    "Tổ chức diễn đàn thanh niên với công tác thông tin chính thống",
                    agency=agencies["doan"],
                    supporting=[agencies["ca"]],
                    due_on=soon,
                ),
                PlannedTaskInput("Duy trì chuyên mục thông tin chính thống hằng tuần", agency=agencies["bao"]),
            ],
        ),
    ]
    services.conclusion_save(meeting=meeting, points=points, actor=approver)
    services.conclusion_issue(meeting=meeting, number="87-TB/BCĐ", issued_on=issued, actor=approver)
    tasks = list(Task.objects.filter(point__conclusion__meeting=meeting).select_related("unit").order_by("id"))
    # One commune in eight has already reported the overdue task done (before its deadline); the province
    # confirmed it. One agency task is done, one reported and waiting for confirmation.
    reported_on = min(today, overdue - timedelta(days=1)) if overdue > issued else issued
    below = [t for t in tasks if t.unit_id and t.due_on == overdue]
    for i, task in enumerate(below):
        if i % 8 == 0:
            task = services.task_report_done(task=task, actor=None, result_document="BC", reported_on=reported_on)
            services.task_confirm(task=task, actor=approver)
    officer = _user("congan.thanhhoa")
    for task in tasks:
        if task.agency_id == agencies["ca"].pk and task.due_on and task.due_on > today:
            services.task_progress(task=task, actor=officer, note="Đã xây dựng kế hoạch tập huấn.", percent=50)
        if task.agency_id == agencies["tgdv"].pk and task.due_on == overdue:
            task = services.task_report_done(
                task=task, actor=None, result_document="215-KH/BCĐ", reported_on=reported_on
            )
            services.task_confirm(task=task, actor=approver)
        if task.agency_id == agencies["bao"].pk and task.due_on == soon:
            services.task_report_done(task=task, actor=None, result_document="Báo cáo số liệu", reported_on=today)
    return meeting, len(tasks)


def _officers(province: OrgUnit, committee: Committee) -> list[Any]:
    """The agency-officer logins, each linked to their agency's member on the provincial committee."""
    password = get_user_model().objects.filter(username="admin").values_list("password", flat=True).first()
    made = []
    for spec in DEMO_USERS:
        agency = Agency.objects.get(org_unit=province, name=spec["agency"])
        user = get_user_model()(
            username=spec["username"],
            first_name=spec["first_name"],
            last_name=spec["last_name"],
            email=f"{spec['username']}@example.invalid",
            password=password or "!",
        )
        user.save()
        UserRole.objects.create(user=user, role=Role.AGENCY_OFFICER, org_unit=province, agency=agency)
        name = f"{spec['last_name']} {spec['first_name']}"
        Membership.objects.filter(committee=committee, person_name=name, agency=agency).update(
            user=user, email=user.email
        )
        made.append(user)
    return made


@transaction.atomic
def load(today: date | None = None) -> DemoSummary:
    today = today or timezone.localdate()
    province = OrgUnit.objects.get(code=PROVINCE_CODE)
    provincial = Committee.objects.get(org_unit=province, dissolved_on__isnull=True)
    officers = _officers(province, provincial)
    meetings, tasks = 0, 0
    district_committee = Committee.objects.filter(org_unit__code=DISTRICT_CODE).first()
    if district_committee is not None:
        _meeting, n = _ngoc_lac(district_committee)
        meetings, tasks = meetings + 1, tasks + n
    communes = _commune_committees(province, today)
    _meeting, n = _current_meeting(provincial, today)
    return DemoSummary(meetings=meetings + 1, commune_committees=len(communes), tasks=tasks + n, users=len(officers))
