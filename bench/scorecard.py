"""Bench case (g), issue 9 part 7: the national task scorecard by province, through the maintained counts,
against the best hand-written GROUP BY over the task table, in the same run.

    python -m bench.scorecard generate --db sqlite|pg --tasks 100000
    python -m bench.scorecard run --db sqlite|pg --tasks 100000 [--reps 11]
    python -m bench.scorecard drop --db sqlite|pg --tasks 100000
    python -m bench.scorecard report          # the (g) section of bench/RESULTS.md from var/bench/g-*.json

Data: the real hierarchy (34 provinces, 3,321 communes), a BCĐ 35 committee in every commune with three
member agencies (bulk-inserted), and N tasks spread evenly over the communes' committees, each led by one
of its agencies: given over two years (01/12/2024–30/11/2026), 90% with a deadline 5–90 days later; of
those given long enough ago, most done (on time or late, the done date at or after the day given), the
rest open (overdue or in time); 10% without a deadline. Tasks are bulk-loaded (executemany / COPY), then
`counts.rebuild()` (timed, reported) makes the maintained counts the live path keeps.

Subject: `selectors.scorecard(national, as_of, by="child")`. Baseline: one SQL statement computing the same
seven counts per province as of the date with CASE expressions over the task table joined to the provinces
by path prefix, helped by a covering index on (unit_path, assigned_on, due_on, done_on) made for it here.
The two give the same numbers (asserted every run), and alternate (AB, BA, …) as case (c) does.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench import common

AS_OF = date(2026, 11, 30)
FIRST = date(2024, 12, 1)
AGENCIES = ("Công an xã", "Đoàn Thanh niên xã", "Văn phòng Đảng ủy xã")
COVER_INDEX = "bench_task_scorecard_cover"
COUNTED = ("assigned", "done_on_time", "done_late", "in_time", "overdue", "no_deadline", "fallen_due")
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
BEGIN, END = "<!-- case g: begin -->", "<!-- case g: end -->"


def label(n: int) -> str:
    return f"{n // 1_000_000}m" if n % 1_000_000 == 0 else f"{n // 1000}k"


def url_for(vendor: str, n: int) -> str:
    return common.db_url(vendor, f"tasks_{label(n)}")


def task_dates(rng: random.Random) -> tuple[date, date | None, date | None, str]:
    """(assigned_on, due_on, done_on, state): realistic spread, done date never before the day given."""
    span = (AS_OF - FIRST).days
    assigned = FIRST + timedelta(days=rng.randrange(span + 1))
    due = assigned + timedelta(days=rng.randint(5, 90)) if rng.random() < 0.9 else None
    age = (AS_OF - assigned).days
    r = rng.random()
    done = None
    if due is not None:
        length = (due - assigned).days
        if r < 0.62 and age > 3:  # done on time
            done = assigned + timedelta(days=rng.randint(1, length))
        elif r < 0.82 and age > length + 1:  # done late
            done = due + timedelta(days=rng.randint(1, 60))
    elif r < 0.5 and age > 3:
        done = assigned + timedelta(days=rng.randint(1, 120))
    if done is not None and done > AS_OF:
        done = None  # not done yet as of the end of the data
    return assigned, due, done, ("done" if done else "open")


def generate(vendor: str, n: int) -> None:
    url = url_for(vendor, n)
    common.recreate(url)
    common.setup_django(url)
    from django.core.management import call_command
    from django.db import connection, transaction

    from bench.generate import Writer
    from giaoban.orgs.models import Agency, Committee, OrgUnit
    from giaoban.orgs.services import orgunits_load_vn
    from giaoban.work import counts
    from giaoban.work.models import Task, TaskCount

    timings: dict[str, float] = {}
    started = time.perf_counter()
    print(f"== generate case (g): {n:,} tasks on {vendor} ({url})", flush=True)
    with common.step("migrate", timings):
        call_command("migrate", verbosity=0)
    with common.step("hierarchy", timings):
        orgunits_load_vn()
        OrgUnit.objects.exclude(depth=1).update(valid_from=date(2023, 1, 2))
    communes = list(OrgUnit.objects.filter(kind="commune", valid_to__isnull=True).order_by("path"))
    with common.step("committees and agencies", timings), transaction.atomic():
        Agency.objects.bulk_create(
            [Agency(name=f"{a} {c.name}", short_name=a, org_unit=c) for c in communes for a in AGENCIES],
            batch_size=2000,
        )
        agencies: dict[int, list[int]] = {}
        for pk, unit_id in Agency.objects.order_by("pk").values_list("pk", "org_unit_id"):
            agencies.setdefault(unit_id, []).append(pk)
        Committee.objects.bulk_create(
            [
                Committee(
                    name=f"Ban Chỉ đạo 35 {c.name}",
                    short_name="BCĐ 35",
                    org_unit=c,
                    standing_agency_id=agencies[c.pk][2],
                )
                for c in communes
            ],
            batch_size=2000,
        )
        committee_of = dict(Committee.objects.values_list("org_unit_id", "pk"))
    rng = random.Random(9)
    columns = [
        "committee_id", "title", "description", "agency_id", "unit_id", "unit_path", "assigned_on", "due_on",
        "reported_on", "done_on", "state", "percent", "result_document", "source", "point_id", "reference",
        "version", "created_by_id", "created_at",
    ]  # fmt: skip
    stamp = datetime(2026, 11, 30, tzinfo=UTC).isoformat()
    with common.step("tasks", timings):
        writer = Writer(connection)
        chunk = 50_000
        with transaction.atomic():
            for start in range(0, n, chunk):
                rows = []
                for i in range(start, min(n, start + chunk)):
                    c = communes[i % len(communes)]
                    assigned, due, done, state = task_dates(rng)
                    rows.append(
                        [
                            str(committee_of[c.pk]), f"Nhiệm vụ {i + 1}", "", str(agencies[c.pk][i % 3]), None,
                            c.path, assigned.isoformat(), due.isoformat() if due else None,
                            done.isoformat() if done else None, done.isoformat() if done else None, state,
                            "100" if done else str(rng.choice((0, 20, 50, 80))), "", "none", None, "", "0", None,
                            stamp,
                        ]
                    )  # fmt: skip
                writer.write(Task._meta.db_table, columns, rows)
    with common.step("counts.rebuild()", timings):
        read = counts.rebuild()
    assert read == n, (read, n)
    with common.step(f"covering index for the baseline ({COVER_INDEX})", timings):
        with connection.cursor() as cur:
            cur.execute(
                f"CREATE INDEX {COVER_INDEX} ON {Task._meta.db_table} (unit_path, assigned_on, due_on, done_on)"
            )
    with common.step("vacuum/analyze", timings):
        if connection.vendor == "postgresql":
            # What autovacuum does to a freshly loaded table: the visibility map that index-only scans need.
            with connection.cursor() as cur:
                cur.execute("VACUUM ANALYZE")
        else:
            with connection.cursor() as cur:
                cur.execute("ANALYZE")
    out = {
        "vendor": vendor,
        "tasks": n,
        "communes": len(communes),
        "taskcount_rows": TaskCount.objects.count(),
        "timings": timings,
        "total_seconds": round(time.perf_counter() - started, 1),
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    (common.OUT / f"g-generate-{vendor}-{label(n)}.json").write_text(json.dumps(out, indent=2))
    print(json.dumps(out, indent=2))


def baseline_sql(connection, form: str = "range") -> tuple[str, list]:
    """The hand-written statement, in two forms: `range` joins each province to its tasks by a path range
    (an index range per province); `prefix` groups the tasks by their path's province prefix in one scan,
    then joins the 34 groups to the provinces. The bench times both and takes the faster as the baseline."""
    from giaoban.orgs.models import OrgUnit
    from giaoban.work.models import Task

    qn = connection.ops.quote_name
    t, u = qn(Task._meta.db_table), qn(OrgUnit._meta.db_table)
    not_done = "(t.done_on IS NULL OR t.done_on > %(d)s)"
    done = "(t.done_on <= %(d)s)"

    def n(cond: str) -> str:
        return f"SUM(CASE WHEN {cond} THEN 1 ELSE 0 END)"

    counts = (
        "COUNT(*), "
        f"{n(f'{done} AND (t.due_on IS NULL OR t.done_on <= t.due_on)')}, "
        f"{n(f'{done} AND t.done_on > t.due_on')}, "
        f"{n(f'{not_done} AND t.due_on >= %(d)s')}, "
        f"{n(f'{not_done} AND t.due_on < %(d)s')}, "
        f"{n(f'{not_done} AND t.due_on IS NULL')}, "
        f"{n(f't.due_on <= %(d)s OR {done}')}"
    )
    if form == "range":
        sql = (
            f"SELECT u.code, {counts} "
            f"FROM {u} u JOIN {t} t ON t.unit_path >= u.path AND t.unit_path < u.path || '~' "
            "WHERE u.depth = 2 AND t.assigned_on <= %(d)s "
            "GROUP BY u.code"
        )
    else:
        step = OrgUnit.steplen * 2
        sql = (
            f"SELECT u.code, c.* FROM (SELECT SUBSTR(t.unit_path, 1, {step}) AS p, {counts} FROM {t} t "
            "WHERE t.assigned_on <= %(d)s GROUP BY SUBSTR(t.unit_path, 1, " + str(step) + ")) c "
            f"JOIN {u} u ON u.path = c.p WHERE u.depth = 2"
        )
    # Positional parameters for both backends.
    names = re.findall(r"%\(d\)s", sql)
    return sql.replace("%(d)s", "%s"), [AS_OF] * len(names)


def run(vendor: str, n: int, reps: int) -> None:
    url = url_for(vendor, n)
    common.setup_django(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from giaoban.orgs.models import OrgUnit
    from giaoban.work import selectors
    from giaoban.work.models import Task, TaskCount

    national = OrgUnit.objects.get(depth=1)
    forms = {form: baseline_sql(connection, form) for form in ("range", "prefix")}

    def subject() -> dict[str, tuple[int, ...]]:
        card = selectors.scorecard(national, AS_OF, by="child")
        return {r.key: tuple(r.counts[c] for c in COUNTED) for r in card.rows if r.counts["assigned"]}

    def by_sql(form: str):
        sql, params = forms[form]

        def baseline() -> dict[str, tuple[int, ...]]:
            with connection.cursor() as cur:
                cur.execute(sql, params)
                return {code: tuple(int(v or 0) for v in rest[-7:]) for code, *rest in cur.fetchall()}

        return baseline

    with connection.cursor() as cur:
        cur.execute("SELECT sqlite_version()" if vendor == "sqlite" else "SHOW server_version")
        db_version = cur.fetchone()[0]
    print(f"== case (g) on {vendor} {db_version}: {n:,} tasks", flush=True)
    got = subject()
    for form in forms:
        want = by_sql(form)()
        assert got == want, f"scorecard != GROUP BY ({form})\n{got}\n{want}"
    assert sum(v[0] for v in got.values()) == Task.objects.count() == n
    with CaptureQueriesContext(connection) as ctx:
        subject()
    subject_queries = [(float(q["time"]), q["sql"]) for q in ctx.captured_queries]
    load_before = os.getloadavg()
    runs = [("subject", subject), *((form, by_sql(form)) for form in forms)]
    times: dict[str, list[float]] = {name: [] for name, _fn in runs}
    for rep in range(reps):
        for name, fn in runs if rep % 2 == 0 else reversed(runs):
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    stats = {k: {"median": statistics.median(v), "min": min(v), "max": max(v), "n": len(v)} for k, v in times.items()}
    best = min(forms, key=lambda f: stats[f]["median"])
    stats["baseline"] = stats[best]
    sql, params = forms[best]
    explain = "EXPLAIN QUERY PLAN " if vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cur:
        cur.execute(explain + sql, params)
        plan = "\n".join(str(r[-1]) for r in cur.fetchall())
    from bench.run import machine

    out = {
        "vendor": vendor,
        "db_version": db_version,
        "tasks": n,
        "taskcount_rows": TaskCount.objects.count(),
        "provinces": len(got),
        "as_of": AS_OF.isoformat(),
        "subject": stats["subject"],
        "baseline": stats["baseline"],
        "ratio": stats["subject"]["median"] / stats["baseline"]["median"],
        "subject_queries": len(subject_queries),
        "subject_query_ms": round(sum(t for t, _ in subject_queries) * 1000, 1),
        "baseline_form": best,
        "baseline_forms": {f: stats[f] for f in forms},
        "baseline_plan": plan,
        "machine": machine(),
        "load": " / ".join(f"{a:.1f}-{b:.1f}" for a, b in zip(load_before, os.getloadavg(), strict=True)),
        "commit": os.popen(f"git -C {common.ROOT} rev-parse --short HEAD").read().strip(),
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    (common.OUT / f"g-run-{vendor}-{label(n)}.json").write_text(json.dumps(out, indent=2))
    print(
        f"  subject  {stats['subject']['median'] * 1000:.1f} ms ({len(subject_queries)} queries)\n"
        f"  baseline {stats['baseline']['median'] * 1000:.1f} ms\n  ratio    {out['ratio']:.3f}"
    )


def _ms(x: float) -> str:
    return f"{x * 1000:,.1f}" if x < 10 else f"{x * 1000:,.0f}"


def _span(r: dict) -> str:
    return f"{_ms(r['median'])} ({_ms(r['min'])}–{_ms(r['max'])}, n={r['n']})"


def report() -> None:
    lines = [BEGIN, ""]
    for vendor, title in (("sqlite", "SQLite"), ("postgresql", "PostgreSQL")):
        runs = sorted(
            (json.loads(p.read_text()) for p in common.OUT.glob(f"g-run-{vendor}-*.json")), key=lambda r: r["tasks"]
        )
        if not runs:
            lines += [f"#### {title}: not run", ""]
            continue
        first = runs[0]
        lines += [
            f"#### {title} {first['db_version']} (commit {first['commit']}, {first['machine']['nproc']} CPUs "
            f"{first['machine']['cpu']}, {first['machine']['memory']})",
            "",
            "| tasks | TaskCount rows | subject: scorecard(national, by=child) median ms (min–max, n) | queries | "
            "baseline: GROUP BY over tasks median ms (min–max, n) | ratio | 10x faster | load (1/5/15 min) | run at |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for r in runs:
            ok = ("met" if r["ratio"] <= 0.1 else "NOT met") if r["tasks"] >= 1_000_000 else "(target at 1M)"
            lines.append(
                f"| {r['tasks']:,} | {r['taskcount_rows']:,} | {_span(r['subject'])} | {r['subject_queries']} | "
                f"{_span(r['baseline'])} | {r['ratio']:.3f} | {ok} | {r['load']} | {r['at']} |"
            )
        for r in runs:
            if r.get("baseline_forms"):
                forms = ", ".join(f"{f} {_span(v)}" for f, v in r["baseline_forms"].items())
                lines += ["", f"Baseline forms at {r['tasks']:,} tasks (the faster is the baseline): {forms}."]
        if len(runs) > 1:
            small, big = runs[0], runs[-1]
            growth = big["subject"]["median"] / small["subject"]["median"]
            base_growth = big["baseline"]["median"] / small["baseline"]["median"]
            ok = big["subject"]["median"] <= small["subject"]["max"] * 1.1
            lines += [
                "",
                f"From {small['tasks']:,} to {big['tasks']:,} tasks the subject's median changes x{growth:.2f} "
                f"(baseline x{base_growth:.2f}): no slower at {big['tasks']:,} — "
                f"{'met' if ok else 'NOT met'} (criterion: the larger median within the smaller run's slowest "
                "repetition + 10%).",
            ]
        for r in runs:
            gen_path = common.OUT / f"g-generate-{vendor}-{label(r['tasks'])}.json"
            if gen_path.exists():
                gen = json.loads(gen_path.read_text())
                steps = ", ".join(f"{k} {v:.1f} s" for k, v in gen["timings"].items())
                lines += [
                    "",
                    f"Generation of {gen['tasks']:,} tasks over {gen['communes']:,} communes' committees "
                    f"({gen['generated_at']}): {steps}; {gen['taskcount_rows']:,} TaskCount rows.",
                ]
        big = runs[-1]
        lines += ["", f"Plan of the baseline at {big['tasks']:,} tasks:", "", "```", big["baseline_plan"], "```", ""]
    lines.append(END)
    block = "\n".join(lines)
    text = RESULTS.read_text()
    if BEGIN in text:
        text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _m: block, text, flags=re.S)
    else:
        text = (
            text.rstrip("\n") + "\n\n## Case (g): the national task scorecard by province (issue 9)\n\n" + block + "\n"
        )
    RESULTS.write_text(text)
    print(f"written {RESULTS}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("action", choices=["generate", "run", "drop", "report"])
    parser.add_argument("--db", choices=["sqlite", "pg"], default="sqlite")
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--reps", type=int, default=11)
    args = parser.parse_args()
    vendor = "sqlite" if args.db == "sqlite" else "postgresql"
    common.OUT.mkdir(parents=True, exist_ok=True)
    if args.action == "generate":
        generate(vendor, args.tasks)
    elif args.action == "run":
        run(vendor, args.tasks, args.reps)
    elif args.action == "drop":
        common.drop(url_for(vendor, args.tasks))
    else:
        report()


if __name__ == "__main__":
    sys.exit(main())
