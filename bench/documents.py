"""Bench case (h), search part (issue 10 part 6): the register's search over 100,000 documents (PostgreSQL
full-text GIN index, SQLite FTS5) against a plain scan of the same folded text, in the same run.

    python -m bench.documents generate --db sqlite|pg --docs 100000
    python -m bench.documents run --db sqlite|pg --docs 100000 [--reps 11]
    python -m bench.documents drop --db sqlite|pg --docs 100000
    python -m bench.documents report      # the (h) search section of bench/RESULTS.md from var/bench/h-search-*.json

Data: N documents on the reference shelf and in 34 provincial committees' registers, bulk-inserted through the
model's own derived-field code (`Document.refresh_derived()`: number and symbol, year, folded search text):
types, numbers 1–999, Party and state symbols, dates 2010–2026, issuers and subjects made of a pool of real
Vietnamese register phrases; one real Nghị quyết 35-NQ/TW of the Bộ Chính trị among them.

Subject: `selectors.documents_search(Document.objects.all(), q)` — the first page (50 rows, ranked: exact number
and symbol, then number, then newest) and the count of matches, as the list page and the API run them.
35-NQ/TW is asserted first for "35-nq/tw" and on the first page for the other number queries (there are other
documents numbered 35 of the same type: they share its rank, newest first).
Baseline: the same first page and count from a plain scan: every folded word as `search_text LIKE '%word%'`
(no index can serve it), ordered by date. The subject's matches are a subset of the baseline's (words as word
starts against substrings) and, for the number queries, start with 35-NQ/TW (asserted every run).
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

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
BEGIN, END = "<!-- case h search: begin -->", "<!-- case h search: end -->"
QUERIES = [
    "nghi quyet 35",
    "35-nq/tw",
    "Nghị quyết 35",
    "NQ 35",
    "đảng",
    "phan bac quan diem sai trai",
]
NUMBER_QUERIES = {"nghi quyet 35", "35-nq/tw", "Nghị quyết 35", "NQ 35"}
TYPES = [
    ("nghi_quyet", "NQ"),
    ("chi_thi", "CT"),
    ("ket_luan", "KL"),
    ("quy_dinh", "QĐi"),
    ("huong_dan", "HD"),
    ("ke_hoach", "KH"),
    ("thong_bao", "TB"),
    ("bao_cao", "BC"),
    ("cong_van", "CV"),
    ("quyet_dinh", "QĐ"),
]
ISSUERS = [
    ("Bộ Chính trị", "TW"),
    ("Ban Bí thư", "TW"),
    ("Ban Tuyên giáo và Dân vận Trung ương", "BTGDVTW"),
    ("Tỉnh ủy", "TU"),
    ("Ban Chỉ đạo 35", "BCĐ"),
    ("Đảng ủy xã", "ĐU"),
    ("Ủy ban nhân dân tỉnh", "UBND"),
]
TOPICS = [
    "tăng cường bảo vệ nền tảng tư tưởng của Đảng",
    "đấu tranh phản bác các quan điểm sai trái, thù địch",
    "công tác tuyên truyền kỷ niệm ngày thành lập Đảng",
    "chế độ báo cáo định kỳ hằng tuần",
    "tổ chức giao ban công tác quý",
    "kiện toàn Ban Chỉ đạo",
    "thông tin định hướng trên không gian mạng",
    "sơ kết 6 tháng đầu năm",
    "tổng kết công tác năm",
    "phối hợp giữa các cơ quan thành viên",
    "nâng cao chất lượng trang thông tin điện tử",
    "tập huấn nghiệp vụ cho cán bộ cơ sở",
]
VERBS = ["Về việc", "Triển khai thực hiện", "Hướng dẫn", "Kế hoạch", "Báo cáo kết quả", "Đôn đốc"]


def label(n: int) -> str:
    return f"{n // 1_000_000}m" if n % 1_000_000 == 0 else f"{n // 1000}k"


def url_for(vendor: str, n: int) -> str:
    return common.db_url(vendor, f"docs_{label(n)}")


def generate(vendor: str, n: int) -> None:
    url = url_for(vendor, n)
    common.recreate(url)
    common.setup_django(url)
    from django.core.management import call_command
    from django.db import connection, transaction

    from giaoban.documents.models import Document
    from giaoban.documents.services import register
    from giaoban.orgs.models import Committee, OrgUnit
    from giaoban.orgs.services import orgunits_load_vn

    timings: dict[str, float] = {}
    started = time.perf_counter()
    print(f"== generate case (h) search: {n:,} documents on {vendor} ({url})", flush=True)
    with common.step("migrate", timings):
        call_command("migrate", verbosity=0)
    with common.step("hierarchy and committees", timings):
        orgunits_load_vn()
        provinces = list(OrgUnit.objects.filter(kind="province", valid_to__isnull=True).order_by("path"))
        Committee.objects.bulk_create(
            [Committee(name=f"Ban Chỉ đạo 35 {p.name}", short_name="BCĐ 35", org_unit=p) for p in provinces]
        )
        committees = [None, *Committee.objects.order_by("pk")]
    rng = random.Random(10)
    first = date(2010, 1, 1)
    span = (date(2026, 11, 30) - first).days
    with common.step("documents (refresh_derived + bulk_create)", timings), transaction.atomic():
        chunk: list[Document] = []
        for _ in range(n):
            type_, code = rng.choice(TYPES)
            issuer, abbr = rng.choice(ISSUERS)
            day = first + timedelta(days=rng.randrange(span + 1))
            doc = Document(
                committee=rng.choice(committees),
                direction=rng.choice(("incoming", "outgoing")),
                number=str(rng.randint(1, 999)),
                symbol=f"{code}/{abbr}",
                type=type_,
                date=day,
                issuer=issuer,
                subject=f"{rng.choice(VERBS)} {rng.choice(TOPICS)} năm {day.year}",
                signer=rng.choice(("", "Trưởng Ban", "Phó Trưởng Ban Thường trực")),
            )
            doc.refresh_derived()
            chunk.append(doc)
            if len(chunk) == 5000:
                Document.objects.bulk_create(chunk, batch_size=1000)
                chunk = []
        if chunk:
            Document.objects.bulk_create(chunk, batch_size=1000)
        # The one real Nghị quyết 35 (others numbered 35 of the Bộ Chính trị are dropped: one 35-NQ/TW).
        Document.objects.filter(number_symbol="35-NQ/TW").delete()
        register.document_create(
            committee=None,
            direction="incoming",
            number="35",
            symbol="NQ/TW",
            type="nghi_quyet",
            date=date(2018, 10, 22),
            issuer="Bộ Chính trị",
            subject="Về tăng cường bảo vệ nền tảng tư tưởng của Đảng, đấu tranh phản bác các quan điểm sai trái, "
            "thù địch trong tình hình mới",
        )
    with common.step("vacuum/analyze", timings), connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    out = {
        "vendor": vendor,
        "documents": Document.objects.count(),
        "timings": timings,
        "total_seconds": round(time.perf_counter() - started, 1),
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    (common.OUT / f"h-search-generate-{vendor}-{label(n)}.json").write_text(json.dumps(out, indent=2))
    print(json.dumps(out, indent=2))


def run(vendor: str, n: int, reps: int) -> None:
    common.setup_django(url_for(vendor, n))
    from django.db import connection

    from bench.run import machine
    from giaoban.documents import selectors
    from giaoban.documents.models import Document

    def subject(q: str):
        def go():
            qs = selectors.documents_search(Document.objects.all(), q)
            return [d.pk for d in qs[:50]], qs.count()

        return go

    def baseline(q: str):
        words = [*selectors.search_terms(q).words, *selectors.search_terms(q).numbers]

        def go():
            qs = Document.objects.all()
            for w in words:
                qs = qs.filter(search_text__contains=w)
            return [d.pk for d in qs.order_by("-date", "-id")[:50]], qs.count()

        return go

    with connection.cursor() as cur:
        cur.execute("SELECT sqlite_version()" if vendor == "sqlite" else "SHOW server_version")
        db_version = cur.fetchone()[0]
    total = Document.objects.count()
    nq35 = Document.objects.get(number_symbol="35-NQ/TW").pk
    print(f"== case (h) search on {vendor} {db_version}: {total:,} documents", flush=True)
    rows = []
    load_before = os.getloadavg()
    for q in QUERIES:
        s, b = subject(q), baseline(q)
        (s_page, s_count), (_b_page, b_count) = s(), b()
        matched = set(selectors.documents_search(Document.objects.all(), q).values_list("pk", flat=True))
        scan = Document.objects.all()
        for word in [*selectors.search_terms(q).words, *selectors.search_terms(q).numbers]:
            scan = scan.filter(search_text__contains=word)
        scanned = set(scan.values_list("pk", flat=True))
        assert matched <= scanned, q
        if q in NUMBER_QUERIES:
            # The number matches come first: 35-NQ/TW is on the first page, and first when asked by its symbol.
            assert nq35 in s_page, (q, s_page[:3])
            if "-" in q:
                assert s_page[0] == nq35, (q, s_page[:3])
        times: dict[str, list[float]] = {"subject": [], "baseline": []}
        pair = [("subject", s), ("baseline", b)]
        for rep in range(reps):
            for name, fn in pair if rep % 2 == 0 else reversed(pair):
                t0 = time.perf_counter()
                fn()
                times[name].append(time.perf_counter() - t0)
        stats = {
            k: {"median": statistics.median(v), "min": min(v), "max": max(v), "n": len(v)} for k, v in times.items()
        }
        rows.append(
            {
                "query": q,
                "matches": s_count,
                "scan_matches": b_count,
                "subject": stats["subject"],
                "baseline": stats["baseline"],
                "ratio": stats["subject"]["median"] / stats["baseline"]["median"],
            }
        )
        print(
            f"  {q!r:34} {s_count:>7,} matches  subject {stats['subject']['median'] * 1000:8.1f} ms  "
            f"scan {stats['baseline']['median'] * 1000:8.1f} ms  ratio {rows[-1]['ratio']:.3f}",
            flush=True,
        )
    sql, params = selectors.documents_search(Document.objects.all(), "nghi quyet 35").query.sql_with_params()
    explain = "EXPLAIN QUERY PLAN " if vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cur:
        cur.execute(explain + sql, params)
        plan = "\n".join(str(r[-1]) for r in cur.fetchall())
    out = {
        "vendor": vendor,
        "db_version": db_version,
        "documents": total,
        "rows": rows,
        "plan": plan,
        "machine": machine(),
        "load": " / ".join(f"{a:.1f}-{b:.1f}" for a, b in zip(load_before, os.getloadavg(), strict=True)),
        "commit": os.popen(f"git -C {common.ROOT} rev-parse --short HEAD").read().strip(),
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    (common.OUT / f"h-search-run-{vendor}-{label(n)}.json").write_text(json.dumps(out, indent=2))


def _ms(x: float) -> str:
    return f"{x * 1000:,.1f}" if x < 10 else f"{x * 1000:,.0f}"


def _span(r: dict) -> str:
    return f"{_ms(r['median'])} ({_ms(r['min'])}–{_ms(r['max'])}, n={r['n']})"


def report() -> None:
    lines = [BEGIN, ""]
    for vendor, title in (("sqlite", "SQLite"), ("postgresql", "PostgreSQL")):
        runs = sorted(
            (json.loads(p.read_text()) for p in common.OUT.glob(f"h-search-run-{vendor}-*.json")),
            key=lambda r: r["documents"],
        )
        if not runs:
            lines += [f"#### {title}: not run", ""]
            continue
        for r in runs:
            m = r["machine"]
            lines += [
                f"#### {title} {r['db_version']}: {r['documents']:,} documents (commit {r['commit']}, {m['nproc']} "
                f"CPUs {m['cpu']}, {m['memory']}; load {r['load']}; run at {r['at']})",
                "",
                "| query | matches | subject: documents_search, first page + count, median ms (min–max, n) | "
                "baseline: LIKE scan of search_text, first page + count, median ms (min–max, n) | ratio |",
                "|---|---|---|---|---|",
            ]
            for row in r["rows"]:
                lines.append(
                    f"| `{row['query']}` | {row['matches']:,} (scan: {row['scan_matches']:,}) | {_span(row['subject'])} "
                    f"| {_span(row['baseline'])} | {row['ratio']:.3f} |"
                )
            gen_path = common.OUT / f"h-search-generate-{vendor}-{label(r['documents'] // 1000 * 1000)}.json"
            if gen_path.exists():
                gen = json.loads(gen_path.read_text())
                steps = ", ".join(f"{k} {v:.1f} s" for k, v in gen["timings"].items())
                lines += ["", f"Generation ({gen['generated_at']}): {steps}."]
            lines += ["", "Plan of the subject for `nghi quyet 35`:", "", "```", r["plan"], "```", ""]
    lines.append(END)
    block = "\n".join(lines)
    text = RESULTS.read_text()
    if BEGIN in text:
        text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _m: block, text, flags=re.S)
    else:
        text = (
            text.rstrip("\n")
            + "\n\n## Case (h), search: the document register's search over 100,000 documents (issue 10)\n\n"
            + "Commands: `make bench-h-search` (= for db in sqlite pg: `python -m bench.documents generate`, `run`, "
            + "`drop`; then `report`). What is compared: bench/documents.py's docstring.\n\n"
            + block
            + "\n"
        )
    RESULTS.write_text(text)
    print(f"written {RESULTS}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("action", choices=["generate", "run", "drop", "report"])
    parser.add_argument("--db", choices=["sqlite", "pg"], default="sqlite")
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--reps", type=int, default=11)
    args = parser.parse_args()
    vendor = "sqlite" if args.db == "sqlite" else "postgresql"
    common.OUT.mkdir(parents=True, exist_ok=True)
    if args.action == "generate":
        generate(vendor, args.docs)
    elif args.action == "run":
        run(vendor, args.docs, args.reps)
    elif args.action == "drop":
        common.drop(url_for(vendor, args.docs))
    else:
        report()


if __name__ == "__main__":
    sys.exit(main())
