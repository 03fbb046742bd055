"""Benchmark cases (a)-(e) on a database made by bench/generate.py, each against a baseline timed in the same run.

    python -m bench.run --db sqlite|pg --scale small|full [--cases a,b,c,d,e] [--reps 7]

Prints medians with min-max and ratios, and writes var/bench/run-<vendor>-<scale>.json for bench/report.py.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import statistics
import time
from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal

from bench import common
from bench.generate import COMMUNE_FORM, IMPORT_WEEKS, INDICATORS, Values

WINDOW = "2025N9"
IMPORT_VALUES = 100_000
D_BUDGET = 240
C_PAIRS = 41  # case (c) runs in milliseconds on a noisy machine: at least this many alternating pairs


def timed(fn, reps: int, *, prepare=None, warmup: int = 1) -> dict:
    """Median and min-max of `fn(arg)` over `reps` runs, `prepare()` (untimed) giving each run its argument."""
    for _ in range(warmup):
        fn(prepare() if prepare else None)
    times = []
    for _ in range(reps):
        arg = prepare() if prepare else None
        t0 = time.perf_counter()
        fn(arg)
        times.append(time.perf_counter() - t0)
    return {"median": statistics.median(times), "min": min(times), "max": max(times), "n": reps}


def _summary(queries: list[tuple[float, str]]) -> dict:
    slowest = max(queries, default=(0.0, ""))
    return {
        "queries": len(queries),
        "query_seconds": round(sum(t for t, _s in queries), 4),
        "slowest_query_s": slowest[0],
        "slowest_query": slowest[1][:300],
        "slowest_sql": slowest[1],
        "all": [f"{t * 1000:.1f} ms  {sql[:110]}" for t, sql in queries[:40]],
    }


def count_queries(fn, arg=None) -> dict:
    """Queries of one run of fn, with Django's CaptureQueriesContext (used as the warm-up run)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn(arg)
    return _summary([(float(q["time"]), q["sql"]) for q in ctx.captured_queries])


class QueryCounter:
    """Counts queries through an execute wrapper (no 9,000-query cap, negligible cost), for long runs."""

    def __init__(self) -> None:
        self.log: list[tuple[float, str]] = []

    def __call__(self, execute, sql, params, many, context):
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.log.append((time.perf_counter() - t0, sql))


def fmt(r: dict) -> str:
    def ms(x: float) -> str:
        return f"{x * 1000:.1f}" if x < 10 else f"{x * 1000:.0f}"

    return f"{ms(r['median'])} ms ({ms(r['min'])}-{ms(r['max'])}, n={r['n']})"


class Bench:
    def __init__(self, vendor: str, scale: str, reps: int) -> None:
        from django.contrib.auth import get_user_model
        from django.db import connection

        from giaoban.orgs.models import OrgUnit
        from giaoban.reporting import periods
        from giaoban.reporting.models import Indicator, ReportForm

        self.vendor, self.scale, self.reps = vendor, scale, reps
        self.connection = connection
        self.user, _ = get_user_model().objects.get_or_create(
            username="bench", defaults={"is_superuser": True, "is_staff": True}
        )
        self.national = OrgUnit.objects.get(depth=1)
        self.provinces = list(OrgUnit.objects.filter(parent=self.national).vn_sorted())
        self.indicators = {i.code: i for i in Indicator.objects.all()}
        self.table_codes = [c[0] for c in INDICATORS]  # the commune form's 20 (a ratio is not on a form)
        self.forms = {f.code: f for f in ReportForm.objects.all()}
        self.weeks = [p.id for p in periods.composed_of(WINDOW, "week", "week_mon")]
        self.results: dict = {}

    def q(self, model) -> str:
        return self.connection.ops.quote_name(model._meta.db_table)

    def sql(self, sql: str, params) -> list[tuple]:
        with self.connection.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()

    def record(self, case: str, label: str, subject: dict, baseline: dict, extra: dict | None = None) -> None:
        ratio = subject["median"] / baseline["median"]
        self.results[case] = {"label": label, "subject": subject, "baseline": baseline, "ratio": ratio, **(extra or {})}
        print(f"({case}) {label}\n    subject  {fmt(subject)}\n    baseline {fmt(baseline)}\n    ratio    {ratio:.2f}")

    def _raw_join(self) -> str:
        from giaoban.orgs.models import OrgUnit
        from giaoban.reporting.models import DataValue, Submission

        return (
            f"FROM {self.q(DataValue)} dv JOIN {self.q(Submission)} s ON s.id = dv.submission_id "
            f"JOIN {self.q(OrgUnit)} u ON u.id = s.unit_id "
        )

    def _window_filter(self) -> tuple[str, list]:
        marks = ", ".join(["%s"] * len(self.weeks))
        path = self.national.path
        sql = f"s.period IN ({marks}) AND s.status IN ('submitted', 'approved') AND u.path >= %s AND u.path < %s"
        return sql, [*self.weeks, path, path + "~"]

    # --- (a) -------------------------------------------------------------------------------------------

    def case_a(self) -> None:
        from giaoban.reporting import selectors

        ind = self.indicators["B01"]

        def subject(_):
            return selectors.rollup(self.user, ind, self.national, WINDOW).value

        where, params = self._window_filter()
        base_sql = f"SELECT SUM(dv.value) {self._raw_join()} WHERE dv.indicator_id = %s AND {where}"

        def baseline(_):
            return self.sql(base_sql, [ind.pk, *params])[0][0]

        got, want = subject(None), baseline(None)
        assert Decimal(str(got)) == Decimal(str(want)), (got, want)
        extra = {
            "value": str(got),
            "subject_queries": count_queries(subject),
            "baseline_queries": count_queries(baseline),
            "plan": self.explain(base_sql, [ind.pk, *params]),
        }
        extra["subject_slowest_plan"] = self.explain(extra["subject_queries"].pop("slowest_sql"), None)
        self.record(
            "a",
            f"national total of B01 over {WINDOW}: selectors.rollup vs SQL SUM over raw values",
            timed(subject, self.reps, warmup=0),
            timed(baseline, self.reps, warmup=0),
            extra,
        )

    # --- (b) -------------------------------------------------------------------------------------------

    def table_by_consolidated(self) -> dict[tuple[str, str], Decimal | None]:
        """What the consolidated report shows: reporting.consolidated.consolidated_table for the national
        unit, the commune form and the window (values, completeness per row, labels)."""
        from giaoban.reporting.consolidated import consolidated_table

        t = consolidated_table(self.user, self.national, self.forms[COMMUNE_FORM], WINDOW)
        codes = [i.code for i in t.indicators]
        return {(r.unit.code, c): v for r in t.rows for c, v in zip(codes, r.values, strict=True)}

    def table_sql(self) -> tuple[str, list]:
        where, params = self._window_filter()
        base = [self.indicators[c].pk for c in self.table_codes]
        n = len(self.national.path) + 4
        sql = (
            f"SELECT substr(u.path, 1, {n}), dv.indicator_id, s.period, SUM(dv.value), COUNT(dv.value), "
            f"MAX(dv.value) {self._raw_join()} "
            f"WHERE s.form_id = %s AND dv.indicator_id IN ({', '.join(['%s'] * len(base))}) AND {where} "
            f"GROUP BY substr(u.path, 1, {n}), dv.indicator_id, s.period"
        )
        return sql, [self.forms[COMMUNE_FORM].pk, *sorted(base), *params]

    def table_by_sql(self) -> dict[tuple[str, str], Decimal | None]:
        """The best hand-written version: one GROUP BY over the raw values (province x indicator x week),
        then the across-time step (sum / last / mean of weekly means / max) in Python."""
        from giaoban.reporting.selectors import round_value

        sql, params = self.table_sql()
        by_id = {i.pk: i for i in self.indicators.values()}
        prov_code = {p.path: p.code for p in self.provinces}
        cells: dict[tuple[str, int], list] = defaultdict(list)
        for prefix, ind_id, period, s, n, hi in self.sql(sql, params):
            cells[(prefix, ind_id)].append((period, Decimal(str(s)), n, Decimal(str(hi))))
        raw: dict[tuple[str, int], Decimal | None] = {}
        for (prefix, ind_id), weeks in cells.items():
            ind = by_id[ind_id]
            weeks.sort()
            if ind.time_aggregation == "last":
                v = weeks[-1][1]
            elif ind.time_aggregation == "mean":
                v = sum(s / n for _p, s, n, _h in weeks) / len(weeks)
            elif ind.time_aggregation == "max":
                v = max(h for *_x, h in weeks)
            else:
                v = sum(s for _p, s, _n, _h in weeks)
            raw[(prefix, ind_id)] = v
        return {
            (prov_code[prov.path], code): round_value(raw.get((prov.path, self.indicators[code].pk)))
            for prov in self.provinces
            for code in self.table_codes
        }

    def case_b(self) -> None:
        a, b = self.table_by_consolidated(), self.table_by_sql()
        bad = [
            (k, a.get(k), b[k])
            for k in b
            if not (
                a.get(k) == b[k] or (a.get(k) is not None and b[k] is not None and abs(a[k] - b[k]) <= Decimal("0.001"))
            )
        ]
        assert len(a) == len(b) == len(self.provinces) * len(self.table_codes) and not bad, bad[:5]
        sql, params = self.table_sql()
        extra = {
            "cells": len(a),
            "subject_queries": count_queries(lambda _: self.table_by_consolidated()),
            "baseline_queries": count_queries(lambda _: self.table_by_sql()),
            "plan": self.explain(sql, params),
        }
        extra["subject_slowest_plan"] = self.explain(extra["subject_queries"].pop("slowest_sql"), None)
        self.record(
            "b",
            f"{len(self.provinces)} provinces x {len(self.table_codes)} indicators for {WINDOW}: "
            "consolidated.consolidated_table (with completeness) vs one SQL GROUP BY over raw values",
            timed(lambda _: self.table_by_consolidated(), self.reps),
            timed(lambda _: self.table_by_sql(), self.reps),
            extra,
        )

    def explain(self, sql: str, params) -> str:
        prefix = "EXPLAIN QUERY PLAN " if self.vendor == "sqlite" else "EXPLAIN "
        if params is None:  # a captured statement, parameters already inlined
            with self.connection.cursor() as cur:
                cur.cursor.execute(prefix + sql)
                rows = cur.fetchall()
        else:
            rows = self.sql(prefix + sql, params)
        return "\n".join(str(r[-1]) for r in rows)

    # --- (c) -------------------------------------------------------------------------------------------

    def case_c(self) -> None:
        """Subject and baseline alternate (AB, BA, ...) on the same few communes without a report for the
        last week, so both see the same machine; each run is undone, untimed, before the next."""
        from django.db import transaction

        from giaoban.orgs.models import OrgUnit
        from giaoban.reporting import services
        from giaoban.reporting.models import Aggregate, DataValue, ReportCount, Submission

        form = self.forms[COMMUNE_FORM]
        last = Submission.objects.filter(form=form).order_by("-period").values_list("period", flat=True).first()
        reported = Submission.objects.filter(form=form, period=last).values("unit_id")
        free = list(
            OrgUnit.objects.filter(kind="commune", submissions__form=form)
            .exclude(pk__in=reported)
            .distinct()
            .order_by("code")[:10]
        )
        assert len(free) >= 2, f"only {len(free)} communes without a {last} report"
        gen = Values(INDICATORS, seed=99)
        codes = [c[0] for c in INDICATORS]
        version = services.current_version(form)
        ind_ids = [self.indicators[c].pk for c in codes]
        runs = iter(range(10**9))

        def prepare():
            unit = free[next(runs) % len(free)]
            s = services.submission_open(unit=unit, form=form, period=last)
            s.form_version = version  # as the page would have it loaded
            return s, {c: Decimal(v) for c, v in zip(codes, gen.row(0, 150, 1.0), strict=True)}

        def undo(arg):
            s, _values = arg
            with transaction.atomic():
                s.refresh_from_db()
                if s.status == "submitted":
                    services.submission_return(submission=s, reason="bench cleanup")
                Aggregate.objects.filter(period=last, unit=s.unit, value_count=0).delete()
                ReportCount.objects.filter(period=last, unit=s.unit, reported=0).delete()
                s.delete()

        def subject(arg):
            s, values = arg
            services.submission_submit(submission=s, values=values, actor=self.user)

        def baseline(arg):
            s, values = arg
            with transaction.atomic():
                DataValue.objects.bulk_create(
                    DataValue(submission=s, indicator_id=i, value=values[c])
                    for c, i in zip(codes, ind_ids, strict=True)
                )

        def counted(fn):
            arg = prepare()
            try:
                return count_queries(fn, arg)
            finally:
                undo(arg)

        extra = {"subject_queries": counted(subject), "baseline_queries": counted(baseline)}
        times: dict[str, list[float]] = {"subject": [], "baseline": []}
        for rep in range(max(self.reps, C_PAIRS)):
            pair = [("subject", subject), ("baseline", baseline)]
            for name, fn in pair if rep % 2 == 0 else reversed(pair):
                arg = prepare()
                t0 = time.perf_counter()
                fn(arg)
                times[name].append(time.perf_counter() - t0)
                undo(arg)
        stats = {
            name: {"median": statistics.median(t), "min": min(t), "max": max(t), "n": len(t)}
            for name, t in times.items()
        }
        self.record(
            "c",
            "one commune's weekly report (20 values): services.submission_submit incl. aggregates "
            "vs bulk_create of the 20 DataValue rows (alternating runs)",
            stats["subject"],
            stats["baseline"],
            extra,
        )

    # --- (d) -------------------------------------------------------------------------------------------

    def import_files(self) -> tuple[bytes, str]:
        from openpyxl import Workbook

        from giaoban.orgs.models import OrgUnit

        communes = list(OrgUnit.objects.filter(kind="commune").order_by("code").values_list("code", flat=True))
        per = IMPORT_VALUES // (len(IMPORT_WEEKS) * len(INDICATORS))
        gen = Values(INDICATORS, seed=5)
        rows = [
            (unit, COMMUNE_FORM, week, code, value.replace(".", ","))  # typed the Vietnamese way
            for week in IMPORT_WEEKS
            for unit in communes[:per]
            for code, value in zip([c[0] for c in INDICATORS], gen.row(0, 0, 1.0), strict=True)
        ]
        assert len(rows) == IMPORT_VALUES, len(rows)
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(["unit", "form", "period", "indicator", "value"])
        w.writerows(rows)
        data = buf.getvalue().encode()
        common.OUT.mkdir(parents=True, exist_ok=True)
        (common.OUT / "import-100k.csv").write_bytes(data)
        xlsx = common.OUT / "import-100k.xlsx"
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("data")
        ws.append(["unit", "form", "period", "indicator", "value"])
        for r in rows:
            ws.append([r[0], r[1], r[2], r[3], float(r[4].replace(",", "."))])
        wb.save(xlsx)
        return data, str(xlsx)

    def clean_import(self) -> None:
        from giaoban.reporting.models import (
            Aggregate,
            DataValue,
            ReportCount,
            Submission,
            SubmissionEvent,
            ValueChange,
        )

        for model in (DataValue, ValueChange, SubmissionEvent):
            model.objects.filter(submission__period__in=IMPORT_WEEKS).delete()
        Aggregate.objects.filter(period__in=IMPORT_WEEKS).delete()
        ReportCount.objects.filter(period__in=IMPORT_WEEKS).delete()
        Submission.history.filter(period__in=IMPORT_WEEKS).delete()
        qs = Submission.objects.filter(period__in=IMPORT_WEEKS)
        qs._raw_delete(qs.db)

    def case_d(self) -> None:
        """100.000 values as one CSV request (POST /api/v1/datavalues/) and as one .xlsx upload
        (POST /api/v1/templates/upload/?submit=1, a flat table), each against reading the file alone."""
        from django.db import transaction
        from django.test import Client
        from django.test.utils import override_settings
        from python_calamine import CalamineWorkbook

        # The work of the import itself, in the request: the API queues files this large as background jobs
        # (GIAOBAN_IMPORT_ASYNC_ROWS), whose worker runs the same all-or-nothing import.
        sync = override_settings(GIAOBAN_IMPORT_ASYNC_ROWS=10**9)
        sync.enable()
        data, xlsx = self.import_files()
        xlsx_bytes = open(xlsx, "rb").read()
        client = Client(HTTP_HOST="localhost")
        client.force_login(self.user)

        def prepare():
            with transaction.atomic():
                self.clean_import()

        def post_csv(_):
            r = client.post("/api/v1/datavalues/", data=data, content_type="text/csv")
            assert r.status_code == 201, r.content[:2000]
            assert r.json()["values"] == IMPORT_VALUES, r.json()

        def post_xlsx(_):
            f = io.BytesIO(xlsx_bytes)
            f.name = "import-100k.xlsx"
            r = client.post("/api/v1/templates/upload/?submit=1", data={"file": f})
            assert r.status_code == 200, r.content[:2000]
            assert r.json()["values"] == IMPORT_VALUES, r.json()

        def read_csv(_):
            return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))

        def read_xlsx(_):
            return CalamineWorkbook.from_path(xlsx).get_sheet_by_index(0).to_python()

        reps = min(self.reps, 3)
        cases = [
            ("d", "CSV via POST /api/v1/datavalues/ vs csv.DictReader alone", post_csv, read_csv),
            (
                "dx",
                ".xlsx via POST /api/v1/templates/upload/ vs python-calamine reading it alone",
                post_xlsx,
                read_xlsx,
            ),
        ]
        try:
            for key, what, subject, baseline in cases:
                counter = QueryCounter()
                times = []
                # At most `reps` runs, and no new run once D_BUDGET seconds are spent.
                while len(times) < reps and sum(times) < D_BUDGET:
                    prepare()
                    with self.connection.execute_wrapper(counter):
                        t0 = time.perf_counter()
                        subject(None)
                        times.append(time.perf_counter() - t0)
                sub = {"median": statistics.median(times), "min": min(times), "max": max(times), "n": len(times)}
                per_run = _summary(counter.log)
                per_run["queries"] //= len(times)
                per_run["query_seconds"] /= len(times)
                label = f"import 100.000 values (5.000 reports) as {what}"
                self.record(key, label, sub, timed(baseline, 3), {"subject_queries": per_run})
        finally:
            prepare()
            sync.disable()

    # --- (e) -------------------------------------------------------------------------------------------

    def document(self, rows: list[list[str]]):
        from giaoban.core.officialdoc import OfficialDocument, Section, Table

        headers = ["STT", "Đơn vị", *self.table_codes]
        return OfficialDocument(
            layout="party",
            parent_body="ĐẢNG CỘNG SẢN VIỆT NAM",
            issuer="BAN CHỈ ĐẠO 35 TRUNG ƯƠNG",
            number="",
            symbol="BC/BCĐ",
            place="Hà Nội",
            date=date(2025, 10, 5),
            doc_type="BÁO CÁO",
            subject="Kết quả công tác bảo vệ nền tảng tư tưởng của Đảng 9 tháng năm 2025",
            sections=[Section("Kết quả đạt được", ["Các địa phương đã triển khai đầy đủ nhiệm vụ."])],
            table=Table("Số liệu tổng hợp 9 tháng năm 2025", headers, rows),
            signer_capacity="T/M BAN CHỈ ĐẠO",
            signer_title="TRƯỞNG BAN",
            signer_name="Nguyễn Văn A",
            recipients=["Ban Bí thư (để báo cáo)", "Lưu VP."],
        )

    def case_e(self) -> None:
        from giaoban.core.formats import format_number
        from giaoban.core.officialdoc import render_docx

        def subject(_):
            table = self.table_by_consolidated()
            rows = [
                [str(i), p.name, *(format_number(table[(p.code, c)]) for c in self.table_codes)]
                for i, p in enumerate(self.provinces, 1)
            ]
            return render_docx(self.document(rows))

        const_rows = [[str(i), p.name, *("12.345" for _c in self.table_codes)] for i, p in enumerate(self.provinces, 1)]

        def baseline(_):
            return render_docx(self.document(const_rows))

        size = len(subject(None))
        self.record(
            "e",
            f"national {WINDOW} .docx (34 x {len(self.table_codes)} table): from the roll-ups vs the same table of constants",
            timed(subject, self.reps),
            timed(baseline, self.reps),
            {"docx_bytes": size},
        )


def engine_fingerprint() -> str:
    """Which engine code was measured (it changes under active development). Results up to 2026-11-22
    hashed the first four files only."""
    import hashlib

    h = hashlib.sha1()
    for name in ("models.py", "aggregates.py", "selectors.py", "services.py", "consolidated.py", "../core/db.py"):
        h.update((common.ROOT / "giaoban" / "reporting" / name).read_bytes())
    return h.hexdigest()[:10]


def machine() -> dict:
    import platform
    import sqlite3

    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    mem = next((line.split(":", 1)[1].strip() for line in open("/proc/meminfo") if line.startswith("MemTotal")), "?")
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory": mem,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "pg"], default="sqlite")
    parser.add_argument("--scale", default="small")
    parser.add_argument("--cases", default="a,b,c,d,e")
    parser.add_argument("--reps", type=int, default=7)
    args = parser.parse_args()
    vendor = "sqlite" if args.db == "sqlite" else "postgresql"
    url = common.db_url(vendor, args.scale)
    common.setup_django(url)
    from django.db import connection

    bench = Bench(vendor, args.scale, args.reps)
    with connection.cursor() as cur:
        cur.execute("SELECT sqlite_version()" if vendor == "sqlite" else "SHOW server_version")
        db_version = cur.fetchone()[0]
    print(f"== bench {args.scale} on {vendor} {db_version} ({url})", flush=True)
    from giaoban.reporting.models import DataValue

    n_values = DataValue.objects.count()
    load_before = os.getloadavg()
    for case in args.cases.split(","):
        getattr(bench, f"case_{case}")()
    out = {
        "vendor": vendor,
        "db_version": db_version,
        "scale": args.scale,
        "values": n_values,
        "machine": machine(),
        "engine": engine_fingerprint(),
        "load": " / ".join(f"{a:.1f}-{b:.1f}" for a, b in zip(load_before, os.getloadavg(), strict=True)),
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "cases": bench.results,
    }
    path = common.OUT / f"run-{vendor}-{args.scale}.json"
    if path.exists():  # a partial run (--cases) keeps the other cases' last results
        out["cases"] = {**json.loads(path.read_text()).get("cases", {}), **out["cases"]}
    path.write_text(json.dumps(out, indent=2, default=str))
    print(f"== written {path}")


if __name__ == "__main__":
    main()
