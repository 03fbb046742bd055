"""National-scale synthetic data for the benchmark: every reporting commune's weekly form of 20 indicators
for ~3 years plus the provinces' own weekly form, bulk-loaded with the maintained aggregates, then checked.

    python -m bench.generate --db sqlite|pg --scale small|full|FRACTION [--keep-verify]

Submissions and values are written with executemany (SQLite) or COPY (PostgreSQL); the aggregate rows
with INSERT ... SELECT ... GROUP BY, one statement per ancestor level. Two checks follow: a sample of
aggregate rows recomputed from the raw values, and (in a side database, tiny data) the whole aggregate
table compared with what the real services (submission_submit / submission_approve) write.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from bench import common

# code, name, value_type, aggregation across units, across time, (base, spread)
INDICATORS = [
    ("B01", "Số buổi sinh hoạt, giao ban chuyên đề", "integer", "sum", "sum", (2, 3)),
    ("B02", "Số tin, bài đăng trên kênh thông tin của xã", "integer", "sum", "sum", (12, 20)),
    ("B03", "Số tin, bài tự sản xuất", "integer", "sum", "sum", (5, 8)),
    ("B04", "Số lớp tập huấn, bồi dưỡng", "integer", "sum", "sum", (0, 2)),
    ("B05", "Số lượt người được tập huấn", "integer", "sum", "sum", (20, 60)),
    ("B06", "Số bài viết phản bác quan điểm sai trái", "integer", "sum", "sum", (1, 4)),
    ("B07", "Số bình luận định hướng", "integer", "sum", "sum", (10, 40)),
    ("B08", "Lượt tiếp cận bài đăng", "integer", "sum", "sum", (500, 3000)),
    ("B09", "Số buổi tuyên truyền miệng", "integer", "sum", "sum", (1, 3)),
    ("B10", "Số lượt người nghe tuyên truyền", "integer", "sum", "sum", (50, 200)),
    ("B11", "Số thành viên nhóm Zalo thông tin của xã", "integer", "sum", "last", (800, 400)),
    ("B12", "Số người theo dõi fanpage của xã", "integer", "sum", "last", (1500, 1000)),
    ("B13", "Số cộng tác viên dư luận xã hội", "integer", "sum", "last", (10, 10)),
    ("B14", "Tỷ lệ đảng viên dự sinh hoạt chuyên đề", "percent", "mean", "mean", (70, 30)),
    ("B15", "Tỷ lệ hộ được phổ biến thông tin", "percent", "mean", "mean", (60, 40)),
    ("B16", "Điểm đánh giá hiệu quả tuyên truyền", "decimal", "mean", "mean", (6, 4)),
    ("B17", "Lượt tiếp cận cao nhất của một bài", "integer", "max", "max", (300, 3000)),
    ("B18", "Số người tham gia buổi đông nhất", "integer", "max", "max", (40, 150)),
    ("B19", "Số tin xấu độc phát hiện", "integer", "sum", "sum", (1, 6)),
    ("B20", "Số tin xấu độc đã xử lý", "integer", "sum", "sum", (0, 0)),  # drawn as a share of B19
]
RATIO = ("R01", "Tỷ lệ tin xấu độc đã xử lý", "B20", "B19")
PROVINCE_INDICATORS = [
    ("P01", "Số hội nghị chuyên đề cấp tỉnh", "integer", "sum", "sum", (1, 3)),
    ("P02", "Số cơ quan báo chí tham gia", "integer", "sum", "last", (10, 20)),
    ("P03", "Tỷ lệ ý kiến được giải đáp", "percent", "mean", "mean", (70, 30)),
    ("P04", "Lượt xem cao nhất của một bài", "integer", "max", "max", (5000, 50000)),
]
# B01 is on both forms: a province's own meetings add to its communes' in its roll-up.
PROVINCE_FORM_SHARED = ["B01"]
COMMUNE_FORM = "BENCH_XA_TUAN"
PROVINCE_FORM = "BENCH_TINH_TUAN"
FIRST_WEEK = (2024, 1)
MAX_WEEKS = 156
HOLDOUT = 40  # reporting communes left without their last week's report, for bench/run.py case (c)
UNITS_FROM = date(2023, 1, 2)
IMPORT_WEEKS = ("2023W51", "2023W52")  # free periods for case (d)


def week_ids(today: date, limit: int | None) -> list[str]:
    from giaoban.reporting import periods

    ids, p = [], periods.parse_period(f"{FIRST_WEEK[0]:04d}W{FIRST_WEEK[1]:02d}")
    # The last complete week: the weeks a commune could have reported by today.
    last = periods.previous_period(periods.period_of(today, "week", "week_mon"))
    while len(ids) < MAX_WEEKS and (p.year, p.index) <= (last.year, last.index):
        ids.append(p.id)
        p = periods.next_period(p)
    return ids[-limit:] if limit else ids


def setup_catalog():
    """Indicators and the two forms through the real services, and the current units made valid from
    2023 (the synthetic history pretends today's hierarchy already existed)."""
    from giaoban.orgs.models import OrgUnit
    from giaoban.orgs.services import orgunits_load_vn
    from giaoban.reporting import services
    from giaoban.reporting.models import Indicator

    orgunits_load_vn()
    OrgUnit.objects.exclude(depth=1).update(valid_from=UNITS_FROM)
    made = {}
    for code, name, vtype, agg, tagg, _gen in INDICATORS + PROVINCE_INDICATORS:
        made[code] = services.indicator_create(
            code=code, name_vi=name, value_type=vtype, aggregation=agg, time_aggregation=tagg
        )
    code, name, num, den = RATIO
    made[code] = services.indicator_create(
        code=code,
        name_vi=name,
        value_type=Indicator.ValueType.PERCENT,
        aggregation="ratio",
        numerator=made[num],
        denominator=made[den],
    )
    common_args = {"period_type": "week", "scheme": "week_mon", "deadline_working_days": 2, "active_from": UNITS_FROM}
    services.reportform_create(
        code=COMMUNE_FORM,
        name="Báo cáo tuần của Ban Chỉ đạo cấp xã",
        unit_kinds=["commune"],
        indicators=[made[c[0]] for c in INDICATORS],
        **common_args,
    )
    services.reportform_create(
        code=PROVINCE_FORM,
        name="Báo cáo tuần của Ban Chỉ đạo cấp tỉnh",
        unit_kinds=["province"],
        indicators=[made[c] for c in [p[0] for p in PROVINCE_INDICATORS] + PROVINCE_FORM_SHARED],
        **common_args,
    )


def reporting_communes(fraction: float):
    """Every current commune when fraction=1, else an even spread over all provinces (at least one each)."""
    from giaoban.orgs.models import OrgUnit

    communes = list(OrgUnit.objects.filter(kind="commune", valid_to__isnull=True).order_by("code"))
    if fraction >= 1:
        return communes
    chosen, seen_parent = [], set()
    for i, c in enumerate(communes):
        if int((i + 1) * fraction) > int(i * fraction) or (c.parent_id not in seen_parent and fraction > 0.01):
            chosen.append(c)
            seen_parent.add(c.parent_id)
    return chosen


class Values:
    """Deterministic figures: a per-unit size, weekly noise, stocks that grow, B20 a share of B19."""

    def __init__(self, specs, seed: int) -> None:
        self.specs = specs
        self.rng = random.Random(seed)

    def row(self, unit_index: int, week_index: int, size: float) -> list[str]:
        r = self.rng.random
        out: list[str] = []
        b19 = 0
        for code, _n, vtype, _agg, tagg, (base, spread) in self.specs:
            if code == "B20":
                out.append(str(int(b19 * (0.5 + 0.5 * r()))))
                continue
            if vtype == "percent":
                out.append(f"{min(100.0, base + spread * r()):.1f}")
            elif vtype == "decimal":
                out.append(f"{base + spread * r():.2f}")
            elif tagg == "last":
                out.append(str(int(size * (base + spread * week_index / 52) + 20 * r())))
            else:
                v = int(size * (base + spread * r()))
                if code == "B19":
                    b19 = v
                out.append(str(v))
        return out


def _deadlines(weeks: list[str], form) -> dict[str, date]:
    from giaoban.reporting.services import deadline_for

    return {w: deadline_for(form, w) for w in weeks}


class Writer:
    """Bulk rows into a table: executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self, connection) -> None:
        self.connection = connection
        self.pg = connection.vendor == "postgresql"
        self.raw = connection.connection

    def write(self, table: str, columns: list[str], rows: list[list[str | None]]) -> None:
        if not rows:
            return
        if self.pg:
            buf = io.StringIO()
            for row in rows:
                buf.write("\t".join("\\N" if v is None else v for v in row))
                buf.write("\n")
            with self.raw.cursor() as cur, cur.copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy:
                copy.write(buf.getvalue())
        else:
            marks = ", ".join("?" * len(columns))
            self.raw.executemany(f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({marks})', rows)


def bulk_load(fraction: float, weeks: list[str], holdout: int, timings: dict, unapproved_weeks: int = 6) -> dict:
    """Load the submissions and values, then the aggregates; about 30% of reports are approved, none of
    the latest `unapproved_weeks`."""
    from django.db import connection, transaction

    from giaoban.orgs.models import OrgUnit
    from giaoban.reporting import periods
    from giaoban.reporting.models import Aggregate, DataValue, Indicator, ReportCount, ReportForm, Submission

    pg = connection.vendor == "postgresql"
    forms = {f.code: f for f in ReportForm.objects.all()}
    versions = {code: f.versions.get(number=1).pk for code, f in forms.items()}
    ind_ids = dict(Indicator.objects.values_list("code", "pk"))
    communes = reporting_communes(fraction)
    provinces = list(OrgUnit.objects.filter(kind="province").order_by("code"))
    held = {c.pk for c in communes[:holdout]}
    week_index = {w: i for i, w in enumerate(weeks)}
    deadlines = {code: _deadlines(weeks, f) for code, f in forms.items()}

    sub_cols = [
        "id", "unit_id", "form_id", "form_version_id", "period", "status", "version", "deadline", "narrative",
        "submitted_at", "approved_at", "return_reason", "created_at",
    ]  # fmt: skip
    dv_cols = ["submission_id", "indicator_id", "value", "text"]
    rc_cols = ["unit_id", "form_id", "period", "approved", "reported", "on_time"]
    false, true = ("f", "t") if pg else ("0", "1")

    def stamp(d: date, hour: int) -> str:
        t = datetime(d.year, d.month, d.day, hour, tzinfo=UTC)
        return t.strftime("%Y-%m-%d %H:%M:%S+00:00") if pg else t.strftime("%Y-%m-%d %H:%M:%S")

    writer = Writer(connection)
    rng = random.Random(7)
    unit_specs = [
        (COMMUNE_FORM, [(c, 0.5 + 1.5 * rng.random()) for c in communes], INDICATORS),
        (PROVINCE_FORM, [(p, 1.0) for p in provinces], [*PROVINCE_INDICATORS, INDICATORS[0]]),
    ]
    counts = {"submissions": 0, "values": 0, "approved": 0}
    next_id = 1
    last_week = weeks[-1]
    with connection.cursor() as cur:
        # Bulk-load settings for this session only. Foreign keys hold by construction (every id written
        # comes from rows just read); PostgreSQL would otherwise queue one deferred trigger per row.
        if pg:
            cur.execute("SET session_replication_role = replica")
            cur.execute("SET synchronous_commit = off")
            cur.execute("SET maintenance_work_mem = '1GB'")
        else:
            cur.execute("PRAGMA cache_size = -1000000")
            cur.execute("PRAGMA foreign_keys = OFF")
    with common.step("submissions and values", timings):
        for form_code, units, specs in unit_specs:
            form = forms[form_code]
            codes = [s[0] for s in specs]
            ids = [str(ind_ids[c]) for c in codes]
            gen = Values(specs, seed=11 if form_code == COMMUNE_FORM else 13)
            for week in weeks:
                wi = week_index[week]
                sub_rows: list[list[str | None]] = []
                dv_rows: list[list[str | None]] = []
                rc_rows: list[list[str | None]] = []
                end = periods.cutoff(week, "week_mon")
                for n, (unit, size) in enumerate(units):
                    if week == last_week and unit.pk in held:
                        continue
                    sid = str(next_id)
                    next_id += 1
                    late = rng.random() < 0.1
                    sent = end + timedelta(days=5 if late else 1)
                    approved = wi < len(weeks) - unapproved_weeks and rng.random() < 0.3
                    counts["approved"] += approved
                    sub_rows.append(
                        [
                            sid, str(unit.pk), str(form.pk), str(versions[form_code]), week,
                            "approved" if approved else "submitted", "3" if approved else "2",
                            deadlines[form_code][week].isoformat(), "{}", stamp(sent, 2),
                            stamp(sent + timedelta(days=1), 3) if approved else None, "", stamp(end, 1),
                        ]
                    )  # fmt: skip
                    # The report's own count row(s); ancestors' come from these by GROUP BY below.
                    on_time = "1" if sent <= deadlines[form_code][week] else "0"
                    rc_rows.append([str(unit.pk), str(form.pk), week, false, "1", on_time])
                    if approved:
                        rc_rows.append([str(unit.pk), str(form.pk), week, true, "1", on_time])
                    for ind_id, value in zip(ids, gen.row(n, wi, size), strict=True):
                        dv_rows.append([sid, ind_id, value, ""])
                with transaction.atomic():
                    writer.write(Submission._meta.db_table, sub_cols, sub_rows)
                    writer.write(DataValue._meta.db_table, dv_cols, dv_rows)
                    writer.write(ReportCount._meta.db_table, rc_cols, rc_rows)
                counts["submissions"] += len(sub_rows)
                counts["values"] += len(dv_rows)
            print(f"    {form_code}: {counts['submissions']} submissions, {counts['values']} values", flush=True)
        if pg:
            with connection.cursor() as cur:
                cur.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT max(id) FROM "
                    f'"{Submission._meta.db_table}"))',
                    [Submission._meta.db_table],
                )

    with common.step("aggregates", timings), transaction.atomic():
        write_aggregates(connection, Aggregate, DataValue, Submission, Indicator, OrgUnit)
        write_report_counts(connection, ReportCount, OrgUnit)
        counts["aggregates"] = Aggregate.objects.count()
        counts["report_counts"] = ReportCount.objects.count()
    with common.step("analyze", timings), connection.cursor() as cur:
        cur.execute("ANALYZE")
        if pg:
            cur.execute("SET session_replication_role = DEFAULT")
        else:
            cur.execute("PRAGMA foreign_keys = ON")
            cur.execute("PRAGMA foreign_key_check")
            assert not cur.fetchall(), "foreign key violations"
    return counts


def _drop_indexes(cur, pg: bool, table: str) -> list[str]:
    """Drop the table's secondary indexes and unique constraints; returns the statements recreating them as
    they were (a b-tree built once from sorted rows is much cheaper than millions of random inserts).
    SQLite's UNIQUE is part of its CREATE TABLE and stays."""
    if pg:
        cur.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
            "AND contype = 'u'",
            [table],
        )
        constraints = cur.fetchall()
        cur.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
            [table, table],
        )
        indexes = cur.fetchall()
        for name, _d in constraints:
            cur.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        for name, _d in indexes:
            cur.execute(f'DROP INDEX "{name}"')
        return [d for _n, d in indexes] + [f'ALTER TABLE "{table}" ADD CONSTRAINT "{n}" {d}' for n, d in constraints]
    cur.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL", [table]
    )
    indexes = cur.fetchall()
    for name, _d in indexes:
        cur.execute(f'DROP INDEX "{name}"')
    return [d for _n, d in indexes]


def write_aggregates(connection, Aggregate, DataValue, Submission, Indicator, OrgUnit) -> None:
    """Aggregate rows in SQL: each submission's own unit from the values, then each ancestor level from
    the level below (sum of sums and counts, min of mins, max of maxes)."""
    q = connection.ops.quote_name
    ag, dv, sub, ind, ou = (q(m._meta.db_table) for m in (Aggregate, DataValue, Submission, Indicator, OrgUnit))
    cols = "indicator_id, unit_id, form_id, period, approved, value_sum, value_count, value_min, value_max"
    with connection.cursor() as cur:
        recreate = _drop_indexes(cur, connection.vendor == "postgresql", Aggregate._meta.db_table)
        for approved, statuses in ((False, ("submitted", "approved")), (True, ("approved",))):
            cur.execute(
                f"INSERT INTO {ag} ({cols}) "
                f"SELECT dv.indicator_id, s.unit_id, s.form_id, s.period, %s, dv.value, 1, "
                f"CASE WHEN i.aggregation IN ('min', 'max') THEN dv.value END, "
                f"CASE WHEN i.aggregation IN ('min', 'max') THEN dv.value END "
                f"FROM {dv} dv JOIN {sub} s ON s.id = dv.submission_id JOIN {ind} i ON i.id = dv.indicator_id "
                f"WHERE dv.value IS NOT NULL AND s.status IN ({', '.join(['%s'] * len(statuses))})",
                [approved, *statuses],
            )
        for depth in (3, 2):
            cur.execute(
                f"INSERT INTO {ag} ({cols}) "
                f"SELECT a.indicator_id, u.parent_id, a.form_id, a.period, a.approved, SUM(a.value_sum), "
                f"SUM(a.value_count), MIN(a.value_min), MAX(a.value_max) "
                f"FROM {ag} a JOIN {ou} u ON u.id = a.unit_id WHERE u.depth = %s "
                f"GROUP BY a.indicator_id, u.parent_id, a.form_id, a.period, a.approved",
                [depth],
            )
        for statement in recreate:
            cur.execute(statement)


def write_report_counts(connection, ReportCount, OrgUnit) -> None:
    """ReportCount rows of every ancestor level from the reports' own rows written with them."""
    q = connection.ops.quote_name
    rc, ou = q(ReportCount._meta.db_table), q(OrgUnit._meta.db_table)
    with connection.cursor() as cur:
        for depth in (3, 2):
            cur.execute(
                f"INSERT INTO {rc} (unit_id, form_id, period, approved, reported, on_time) "
                f"SELECT u.parent_id, r.form_id, r.period, r.approved, SUM(r.reported), SUM(r.on_time) "
                f"FROM {rc} r JOIN {ou} u ON u.id = r.unit_id WHERE u.depth = %s "
                f"GROUP BY u.parent_id, r.form_id, r.period, r.approved",
                [depth],
            )


# --- Checks -----------------------------------------------------------------------------------------


def _norm(v) -> str | None:
    if v is None:
        return None
    return format(Decimal(v).quantize(Decimal("0.0001")).normalize(), "f")


def snapshot(**filters) -> dict:
    from giaoban.reporting.models import Aggregate

    rows = Aggregate.objects.filter(**filters).values_list(
        "indicator__code", "unit__code", "form__code", "period", "approved",
        "value_sum", "value_count", "value_min", "value_max",
    )  # fmt: skip
    return {
        r[:5]: (_norm(r[5]), r[6], _norm(r[7]), _norm(r[8]))
        for r in rows
        if r[6]  # rows a removal left at zero say nothing
    }


def snapshot_counts(**filters) -> dict:
    from giaoban.reporting.models import ReportCount

    rows = ReportCount.objects.filter(**filters).values_list(
        "unit__code", "form__code", "period", "approved", "reported", "on_time"
    )
    return {r[:4]: (r[4], r[5]) for r in rows if r[4] or r[5]}


def verify_sample(weeks: list[str]) -> int:
    """Recompute some ancestors' aggregates straight from the values and compare. Returns rows compared."""
    from django.db.models import Count, Max, Min, Sum

    from giaoban.core.access import subtree_q
    from giaoban.orgs.models import OrgUnit
    from giaoban.reporting.models import DataValue, Indicator, Submission

    provinces = list(OrgUnit.objects.filter(kind="province").order_by("code"))
    units = [OrgUnit.objects.get(depth=1), provinces[0], provinces[len(provinces) // 2], provinces[-1]]
    some_commune = Submission.objects.filter(unit__kind="commune").order_by("id").first()
    if some_commune:
        units.append(some_commune.unit)
    minmax = set(Indicator.objects.filter(aggregation__in=["min", "max"]).values_list("code", flat=True))
    compared = 0
    for week in {weeks[0], weeks[len(weeks) // 2], weeks[-1]}:
        for unit in units:
            for approved in (False, True):
                statuses = ["approved"] if approved else ["submitted", "approved"]
                expected = {}
                for r in (
                    DataValue.objects.filter(
                        subtree_q("submission__unit__path", unit.path),
                        submission__period=week,
                        submission__status__in=statuses,
                        value__isnull=False,
                    )
                    .values("indicator__code", "submission__form__code")
                    .annotate(s=Sum("value"), n=Count("value"), lo=Min("value"), hi=Max("value"))
                ):
                    keep = r["indicator__code"] in minmax
                    key = (r["indicator__code"], unit.code, r["submission__form__code"], week, approved)
                    expected[key] = (
                        _norm(r["s"]),
                        r["n"],
                        _norm(r["lo"]) if keep else None,
                        _norm(r["hi"]) if keep else None,
                    )
                got = snapshot(unit=unit, period=week, approved=approved)
                if got != expected:
                    diff = {
                        k: (expected.get(k), got.get(k))
                        for k in set(got) | set(expected)
                        if got.get(k) != expected.get(k)
                    }
                    raise SystemExit(
                        f"aggregate sample mismatch for {unit.code} {week} approved={approved}: {list(diff.items())[:5]}"
                    )
                compared += len(got)
                # The report counts, from the submissions themselves.
                subs = Submission.objects.filter(
                    subtree_q("unit__path", unit.path), period=week, status__in=statuses
                ).select_related("form")
                want_counts: dict = {}
                for sub in subs:
                    key = (unit.code, sub.form.code, week, approved)
                    r, o = want_counts.get(key, (0, 0))
                    want_counts[key] = (r + 1, o + int(sub.on_time))
                got_counts = snapshot_counts(unit=unit, period=week, approved=approved)
                if got_counts != want_counts:
                    raise SystemExit(f"report count mismatch for {unit.code} {week}: {got_counts} != {want_counts}")
                compared += len(got_counts)
    return compared


def verify_service(url: str) -> int:
    """In the side database at `url`: bulk-load tiny data, then replay the same submissions through the real
    services in an emptied copy and compare the whole aggregate table. Returns the rows compared."""
    from django.db import connection, transaction

    from giaoban.orgs.models import OrgUnit
    from giaoban.reporting import services
    from giaoban.reporting.models import Aggregate, DataValue, ReportCount, ReportForm, Submission

    with transaction.atomic():
        setup_catalog()
    weeks = week_ids(timezone.localdate(), None)
    # Three weeks, one of them straddling a month end, and a province with a couple of communes.
    weeks = weeks[60:63]
    bulk_load(0.003, weeks, 0, {}, unapproved_weeks=1)
    bulk = snapshot() | {("count", *k): v for k, v in snapshot_counts().items()}
    reports = []
    for s in Submission.objects.order_by("id").select_related("unit", "form"):
        values = {code: v for code, v in DataValue.objects.filter(submission=s).values_list("indicator__code", "value")}
        reports.append((s.unit, s.form, s.period, s.status, s.submitted_at, values))
    with connection.cursor() as cur:
        for model in (Aggregate, ReportCount, DataValue, Submission):
            cur.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
    forms = {f.pk: f for f in ReportForm.objects.all()}
    for unit, form, period, status, at, values in reports:
        s = services.submission_open(unit=unit, form=forms[form.pk], period=period)
        s = services.submission_submit(submission=s, values=values, at=at)
        if status == "approved":
            services.submission_approve(submission=s, at=at)
    replayed = snapshot() | {("count", *k): v for k, v in snapshot_counts().items()}
    if bulk != replayed:
        diff = {k: (bulk.get(k), replayed.get(k)) for k in set(bulk) | set(replayed) if bulk.get(k) != replayed.get(k)}
        raise SystemExit(f"bulk aggregates differ from the service's: {list(diff.items())[:5]}")
    n_units = OrgUnit.objects.filter(pk__in=[r[0].pk for r in reports]).count()
    n_approved = sum(r[3] == "approved" for r in reports)
    print(f"    {len(reports)} submissions ({n_approved} approved) of {n_units} units replayed through the services")
    return len(bulk)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "pg"], default="sqlite")
    parser.add_argument("--scale", default="small", help="tiny | small (10%% of communes) | full | a fraction")
    parser.add_argument("--weeks", type=int, default=None, help="only the latest N weeks")
    parser.add_argument("--verify-service-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    vendor = "sqlite" if args.db == "sqlite" else "postgresql"

    if args.verify_service_only:
        common.setup_django(args.url)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        print(json.dumps({"service_rows": verify_service(args.url)}))
        return

    url = common.db_url(vendor, args.scale)
    fraction = common.scale_fraction(args.scale)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    print(f"== generate {args.scale} on {vendor}: {url}", flush=True)

    # The real service path, on tiny data in a side database (its own process: one Django DB per process).
    side = common.db_url(vendor, "verify")
    common.recreate(side)
    with common.step("check: bulk aggregates == service aggregates (side database)", timings):
        out = subprocess.run(
            [sys.executable, "-m", "bench.generate", "--verify-service-only", "--url", side],
            cwd=common.ROOT, capture_output=True, text=True, check=False,
        )  # fmt: skip
        print(out.stdout.strip().replace("\n", "\n    "))
        if out.returncode:
            print(out.stderr[-3000:])
            raise SystemExit("service check failed")
        service_rows = json.loads(out.stdout.strip().splitlines()[-1])["service_rows"]
    common.drop(side)

    common.recreate(url)
    common.setup_django(url)
    from django.core.management import call_command
    from django.db import transaction

    with common.step("migrate", timings):
        call_command("migrate", verbosity=0)
    with common.step("hierarchy and catalog", timings), transaction.atomic():
        setup_catalog()
    weeks = week_ids(timezone.localdate(), args.weeks)
    counts = bulk_load(fraction, weeks, HOLDOUT, timings)
    with common.step("check: sample of aggregates == recomputed from values", timings):
        sample_rows = verify_sample(weeks)
    total = time.perf_counter() - t0
    info = {
        "scale": args.scale,
        "fraction": fraction,
        "vendor": vendor,
        "url": url,
        "weeks": [weeks[0], weeks[-1], len(weeks)],
        **counts,
        "checked_sample_rows": sample_rows,
        "checked_service_rows": service_rows,
        "timings": timings,
        "total_seconds": round(total, 1),
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    common.OUT.mkdir(parents=True, exist_ok=True)
    (common.OUT / f"generate-{vendor}-{args.scale}.json").write_text(json.dumps(info, indent=2))
    print(f"== {counts['values']:,} values, {counts['aggregates']:,} aggregate rows in {total:.0f} s", flush=True)


if __name__ == "__main__":
    main()
