"""Bench case (h), coverage part (issue 10 part 6): a directive of the national committee sent to every committee
below (34 provinces and 3,321 communes), its coverage read by province and for one province, through
`documents.coverage.coverage` against a plain scan in the same run.

    python -m bench.coverage generate --db sqlite|pg
    python -m bench.coverage run --db sqlite|pg [--reps 11]
    python -m bench.coverage drop --db sqlite|pg
    python -m bench.coverage report          # the (h) coverage section of bench/RESULTS.md from var/bench/h-cov-*.json

Data: the real hierarchy (`orgunits_load_vn()`), a BCĐ 35 committee at the national unit, in every province and in
every commune (bulk-inserted), one directive registered in the national committee's outgoing register and sent
`below` with `cascade_send` (timed: the send itself is part of what the issue asks to be quick), then 40% of the
receivers given an implementing document (bulk-inserted documents, cascades updated in bulk), a third of those done;
the deadline lies between the send and the day the coverage is read, so the pending ones are overdue.

Subject: `coverage(admin, directive, national, rows=None)` (the by-province roll-up and the totals) and
`coverage(admin, directive, Thanh Hóa, rows="all")` (by commune, with the rows). Baseline: a plain scan, the obvious
Python: read every cascade of the directive and every unit, then count per child unit in a loop (for the province
case, also build its rows). Both give the same numbers (asserted every run); they alternate (AB, BA, …).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench import common

SENT = date(2026, 3, 2)
DUE = date(2026, 3, 31)
AS_OF = date(2026, 4, 15)
PROVINCE = "38"
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
BEGIN, END = "<!-- case h coverage: begin -->", "<!-- case h coverage: end -->"
KEYS = ("expected", "implemented", "done", "overdue")


def url_for(vendor: str) -> str:
    return common.db_url(vendor, "coverage")


def generate(vendor: str) -> None:
    url = url_for(vendor)
    common.recreate(url)
    common.setup_django(url)
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction

    from giaoban.documents.models import Cascade, Document
    from giaoban.documents.services.cascades import cascade_send
    from giaoban.documents.services.numbering import document_register_outgoing
    from giaoban.orgs.models import Committee, OrgUnit
    from giaoban.orgs.services import orgunits_load_vn

    timings: dict[str, float] = {}
    started = time.perf_counter()
    print(f"== generate case (h) coverage on {vendor} ({url})", flush=True)
    with common.step("migrate", timings):
        call_command("migrate", verbosity=0)
    with common.step("hierarchy", timings):
        orgunits_load_vn()
        OrgUnit.objects.exclude(depth=1).update(valid_from=date(2023, 1, 2))
    units = list(OrgUnit.objects.filter(valid_to__isnull=True).order_by("path"))
    with common.step("committees", timings), transaction.atomic():
        Committee.objects.bulk_create(
            [Committee(name=f"Ban Chỉ đạo 35 {u.name}", short_name="BCĐ 35", org_unit=u) for u in units],
            batch_size=2000,
        )
        get_user_model().objects.create_superuser("bench", password="bench-only-123")
    national = Committee.objects.get(org_unit__depth=1)
    directive = document_register_outgoing(committee=national, type="chi_thi", on=SENT, subject="Chỉ thị (bench)")
    with common.step("cascade_send below (3,355 committees)", timings):
        summary = cascade_send(document=directive, sender=national, below=True, sent_on=SENT, due_on=DUE, notify=False)
    sent = len(summary.sent)
    with common.step("implementations (bulk)", timings), transaction.atomic():
        cascades = list(Cascade.objects.filter(document=directive).order_by("unit_path"))
        chosen = [c for i, c in enumerate(cascades) if i % 5 in (0, 3)]
        docs = Document.objects.bulk_create(
            [
                Document(
                    committee_id=c.committee_id, direction="outgoing", number="01", symbol="KH/BCĐ",
                    number_symbol="01-KH/BCĐ", type="ke_hoach", date=SENT + timedelta(days=7), year=SENT.year,
                    issuer="BCĐ", subject="Kế hoạch thực hiện",
                )
                for c in chosen
            ],
            batch_size=2000,
        )  # fmt: skip
        if not all(d.pk for d in docs):
            docs = list(Document.objects.filter(direction="outgoing").exclude(pk=directive.pk).order_by("pk"))
        for i, (c, d) in enumerate(zip(chosen, docs, strict=True)):
            c.implementing_document_id, c.implemented_on = d.pk, d.date
            c.status = "done" if i % 3 == 0 else "implementing"
            c.done_on = SENT + timedelta(days=20) if c.status == "done" else None
        Cascade.objects.bulk_update(chosen, ["implementing_document", "implemented_on", "status", "done_on"], 1000)
    with common.step("analyze", timings), connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE" if vendor == "postgresql" else "ANALYZE")
    out = {
        "vendor": vendor,
        "sent": sent,
        "implemented": len(chosen),
        "timings": timings,
        "total_seconds": round(time.perf_counter() - started, 1),
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    (common.OUT / f"h-cov-generate-{vendor}.json").write_text(json.dumps(out, indent=2))
    print(json.dumps(out, indent=2))


def plain_scan(directive_id: int, unit, with_rows: bool) -> tuple[dict, dict, int]:
    """The baseline: every cascade of the directive and every unit read as they are, counted in a Python loop."""
    from giaoban.documents.models import Cascade
    from giaoban.orgs.models import OrgUnit

    units = {path: code for path, code in OrgUnit.objects.values_list("path", "code")}
    width = len(unit.path) + OrgUnit.steplen
    total = dict.fromkeys(KEYS, 0)
    groups: dict[str, dict] = {}
    rows = 0
    fields = ["unit_path", "implementing_document_id", "status", "due_on"]
    if with_rows:
        fields += ["committee__name", "committee__org_unit__name", "implementing_document__number_symbol"]
    for c in Cascade.objects.filter(document_id=directive_id).values(*fields):
        if not c["unit_path"].startswith(unit.path):
            continue
        prefix = c["unit_path"][:width]
        key = "" if prefix == unit.path else units[prefix]
        g = groups.setdefault(key, dict.fromkeys(KEYS, 0))
        implemented = c["implementing_document_id"] is not None
        for d in (total, g):
            d["expected"] += 1
            d["implemented"] += implemented
            d["done"] += c["status"] == "done"
            d["overdue"] += not implemented and c["due_on"] is not None and c["due_on"] < AS_OF
        rows += with_rows
    return total, groups, rows


def run(vendor: str, reps: int) -> None:
    url = url_for(vendor)
    common.setup_django(url)
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from giaoban.documents import coverage as cov
    from giaoban.documents.models import Cascade
    from giaoban.orgs.models import OrgUnit

    admin = get_user_model().objects.get(username="bench")
    directive = Cascade.objects.select_related("document").first().document
    national = OrgUnit.objects.get(depth=1)
    province = OrgUnit.objects.get(code=PROVINCE)

    def subject_for(unit, rows):
        def subject():
            c = cov.coverage(admin, directive, unit, as_of=AS_OF, rows=rows)
            groups = {g.key: {k: getattr(g, k) for k in KEYS} for g in c.by_unit}
            return {k: getattr(c.total, k) for k in KEYS}, groups, len(c.rows)

        return subject

    def baseline_for(unit, with_rows):
        return lambda: plain_scan(directive.pk, unit, with_rows)

    with connection.cursor() as cur:
        cur.execute("SELECT sqlite_version()" if vendor == "sqlite" else "SHOW server_version")
        db_version = cur.fetchone()[0]
    cases = {
        "national": (national, None, False, "by province (34 rows + totals), no rows"),
        "province": (province, "all", True, f"one province ({province.name}) by commune, with its rows"),
    }
    print(f"== case (h) coverage on {vendor} {db_version}", flush=True)
    out_cases = {}
    for name, (unit, rows, with_rows, label) in cases.items():
        subject, baseline = subject_for(unit, rows), baseline_for(unit, with_rows)
        got, want = subject(), baseline()
        assert got == want, f"{name}: coverage != plain scan\n{got}\n{want}"
        admin.__dict__.pop("_giaoban_roles", None)
        with CaptureQueriesContext(connection) as ctx:
            subject()
        times: dict[str, list[float]] = {"subject": [], "baseline": []}
        runs = [("subject", subject), ("baseline", baseline)]
        for rep in range(reps):
            for key, fn in runs if rep % 2 == 0 else reversed(runs):
                t0 = time.perf_counter()
                fn()
                times[key].append(time.perf_counter() - t0)
        stats = {
            k: {"median": statistics.median(v), "min": min(v), "max": max(v), "n": len(v)} for k, v in times.items()
        }
        out_cases[name] = {
            "label": label,
            "expected": got[0]["expected"],
            "implemented": got[0]["implemented"],
            "groups": len(got[1]),
            **stats,
            "ratio": stats["subject"]["median"] / stats["baseline"]["median"],
            "queries": len(ctx.captured_queries),
        }
        print(
            f"  {name}: subject {stats['subject']['median'] * 1000:.1f} ms ({len(ctx.captured_queries)} queries), "
            f"baseline {stats['baseline']['median'] * 1000:.1f} ms, ratio {out_cases[name]['ratio']:.3f}"
        )
    from bench.run import machine

    out = {
        "vendor": vendor,
        "db_version": db_version,
        "cases": out_cases,
        "machine": machine(),
        "load": " / ".join(f"{a:.1f}" for a in os.getloadavg()),
        "commit": os.popen(f"git -C {common.ROOT} rev-parse --short HEAD").read().strip(),
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    (common.OUT / f"h-cov-run-{vendor}.json").write_text(json.dumps(out, indent=2))


def _ms(x: float) -> str:
    return f"{x * 1000:,.1f}" if x < 10 else f"{x * 1000:,.0f}"


def _span(r: dict) -> str:
    return f"{_ms(r['median'])} ({_ms(r['min'])}–{_ms(r['max'])}, n={r['n']})"


def report() -> None:
    lines = [BEGIN, ""]
    for vendor, title in (("sqlite", "SQLite"), ("postgresql", "PostgreSQL")):
        path = common.OUT / f"h-cov-run-{vendor}.json"
        if not path.exists():
            lines += [f"#### {title}: not run", ""]
            continue
        r = json.loads(path.read_text())
        m = r["machine"]
        lines += [
            f"#### {title} {r['db_version']} (commit {r['commit']}, {m['nproc']} CPUs {m['cpu']}, {m['memory']}; "
            f"load {r['load']}; {r['at']})",
            "",
            "| coverage | receivers | subject: coverage() median ms (min–max, n) | queries | "
            "baseline: plain scan median ms (min–max, n) | ratio |",
            "|---|---|---|---|---|---|",
        ]
        for c in r["cases"].values():
            lines.append(
                f"| {c['label']} | {c['expected']:,} ({c['implemented']:,} implemented, {c['groups']} groups) | "
                f"{_span(c['subject'])} | {c['queries']} | {_span(c['baseline'])} | {c['ratio']:.3f} |"
            )
        gen_path = common.OUT / f"h-cov-generate-{vendor}.json"
        if gen_path.exists():
            gen = json.loads(gen_path.read_text())
            steps = ", ".join(f"{k} {v:.1f} s" for k, v in gen["timings"].items())
            lines += ["", f"Generation ({gen['generated_at']}): {steps}; {gen['sent']:,} cascades sent.", ""]
    lines.append(END)
    block = "\n".join(lines)
    text = RESULTS.read_text()
    if BEGIN in text:
        text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _m: block, text, flags=re.S)
    else:
        text = (
            text.rstrip("\n")
            + "\n\n## Case (h), coverage: a directive sent to every committee below (issue 10)\n\n"
            + "`python -m bench.coverage generate|run|report --db sqlite|pg` (bench/coverage.py). Subject: "
            + "`documents.coverage.coverage()`, one GROUP BY over the receivers' unit-path prefix; baseline: "
            + "every cascade of the directive and every unit read, counted in a Python loop. Same numbers asserted.\n\n"
            + block
            + "\n"
        )
    RESULTS.write_text(text)
    print(f"written {RESULTS}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("action", choices=["generate", "run", "drop", "report"])
    parser.add_argument("--db", choices=["sqlite", "pg"], default="sqlite")
    parser.add_argument("--reps", type=int, default=11)
    args = parser.parse_args()
    vendor = "sqlite" if args.db == "sqlite" else "postgresql"
    common.OUT.mkdir(parents=True, exist_ok=True)
    if args.action == "generate":
        generate(vendor)
    elif args.action == "run":
        run(vendor, args.reps)
    elif args.action == "drop":
        common.drop(url_for(vendor))
    else:
        report()


if __name__ == "__main__":
    sys.exit(main())
