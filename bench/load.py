"""Case (l): signed-in sessions on gunicorn (deploy/gunicorn.conf.py) over the pages and API calls each role uses
daily, against the same server's throughput on a single-unit API read under the same load, in the same run.

    python -m bench.load --db pg --scale full [--sessions 50] [--seconds 60] [--port 8765]

Starts gunicorn on 127.0.0.1 only, signs in one browser-like session per thread (login form, CSRF cookie), then
keeps every session busy for `--seconds` on the baseline (`GET /api/v1/orgunits/38/`) and as long on the mix,
alternating A B B A. Writes var/bench/load-<vendor>-<scale>.json and the case (l) section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path

from bench import common
from bench.generate import COMMUNE_FORM, PROVINCE_FORM

PASSWORD = "bench-load-pw-1"  # a throwaway user of a throwaway database
PROVINCE = "38"
BASELINE = f"/api/v1/orgunits/{PROVINCE}/"
# Sessions by role, out of 50: most are communes' secretaries, then provincial officers, a few national ones.
ROLE_SHARE = (("national", 0.1), ("province", 0.3), ("commune", 0.6))
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
BEGIN, END = "<!-- load: begin -->", "<!-- load: end -->"


def prepare(sessions: int) -> dict:
    """Users for each role (created once) and the URLs each role opens, on the bench database."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from giaoban.orgs.models import OrgUnit, UserRole
    from giaoban.reporting import periods
    from giaoban.reporting.models import ReportForm, Submission

    national = OrgUnit.objects.get(kind="national")
    province = OrgUnit.objects.get(code=PROVINCE)
    form = ReportForm.objects.get(code=COMMUNE_FORM)
    week = periods.previous_period(periods.period_of(timezone.localdate(), "week", form.scheme)).id
    communes = list(
        Submission.objects.filter(form=form, period=week, unit__path__startswith=province.path)
        .order_by("unit__path")
        .values_list("unit__code", flat=True)[:40]
    )
    users = get_user_model().objects
    plan = []
    counts = {role: max(1, round(sessions * share)) for role, share in ROLE_SHARE}
    counts["commune"] = sessions - counts["national"] - counts["province"]
    for role, count in counts.items():
        for i in range(count):
            username = f"load_{role}_{i}"
            user = users.filter(username=username).first() or users.create_user(username=username, password=PASSWORD)
            unit = {"national": national, "province": province}.get(role) or OrgUnit.objects.get(
                code=communes[i % len(communes)]
            )
            kind = {"national": "viewer", "province": "approver", "commune": "secretary"}[role]
            UserRole.objects.get_or_create(user=user, role=kind, org_unit=unit)
            below = communes[(i * 3) % len(communes) : (i * 3) % len(communes) + 2] or communes[:2]
            plan.append({"username": username, "role": role, "urls": urls_for(role, unit.code, week, below)})
    return {"week": week, "sessions": plan}


def urls_for(role: str, unit: str, week: str, below: list[str]) -> list[tuple[str, str]]:
    """(kind, url) pairs a session of this role cycles through: what each role opens in a working day.

    An officer works from the queue of submitted reports and opens each report's status page to approve or
    return it (`below`: two communes of the province); a secretary enters and submits the unit's report."""
    n9 = f"{int(week[:4]) - (1 if week[5:] < '40' else 0)}N9"
    if role == "national":
        return [
            ("dashboard", "/reports/dashboard/"),
            ("rollup", f"/reports/rollup/?indicator=B01&unit={unit}&period={n9}"),
            ("rollup_api", f"/api/v1/rollup/?indicator=B02&unit={unit}&period={n9}&by=child"),
            ("status", f"/reports/{PROVINCE}/{PROVINCE_FORM}/{week}/status/"),
            ("dashboard", f"/reports/dashboard/?unit={PROVINCE}"),
            ("list", "/units/"),
        ]
    if role == "province":
        return [
            ("dashboard", "/reports/dashboard/"),
            ("queue", f"/api/v1/submissions/?status=submitted&period={week}"),
            *(("status", f"/reports/{code}/{COMMUNE_FORM}/{week}/status/") for code in below),
            ("rollup", f"/reports/rollup/?indicator=B01&unit={unit}&period={n9}"),
            ("entry", f"/reports/{unit}/{PROVINCE_FORM}/{week}/"),
            ("list", f"/api/v1/orgunits/?parent={unit}"),
        ]
    return [
        ("list", "/reports/"),
        ("entry", f"/reports/{unit}/{COMMUNE_FORM}/{week}/"),
        ("status", f"/reports/{unit}/{COMMUNE_FORM}/{week}/status/"),
        ("dashboard", "/reports/dashboard/"),
    ]


class Browser:
    """One signed-in session: its own cookies, a new connection per request (gunicorn's sync workers close it)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> tuple[int, int]:
        try:
            with self.opener.open(self.base + path, timeout=60) as response:
                return response.status, len(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, 0
        except OSError:
            return 599, 0

    def login(self, username: str) -> None:
        with self.opener.open(self.base + "/accounts/login/", timeout=60) as response:
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.read().decode()).group(1)
        data = urllib.parse.urlencode({"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token})
        with self.opener.open(self.base + "/accounts/login/", data.encode(), timeout=60) as response:
            if response.url.endswith("/accounts/login/"):
                raise SystemExit(f"login failed for {username}")


def phase(browsers: list[tuple[Browser, list[tuple[str, str]]]], seconds: float) -> list[tuple]:
    """Every session requests its URLs in turn for `seconds`: (kind, latency, status, size, done in time) samples.
    Requests still running at the end are waited for but not counted in the throughput."""
    samples: list[tuple] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def run(browser: Browser, urls: list[tuple[str, str]], offset: int) -> None:
        mine, i = [], offset
        while time.perf_counter() < stop:
            kind, url = urls[i % len(urls)]
            t0 = time.perf_counter()
            status, size = browser.get(url)
            t1 = time.perf_counter()
            mine.append((kind, t1 - t0, status, size, t1 <= stop))
            i += 1
        with lock:
            samples.extend(mine)

    threads = [threading.Thread(target=run, args=(b, urls, n)) for n, (b, urls) in enumerate(browsers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return samples


def summary(samples: list[tuple], seconds: float) -> dict:
    """Throughput (requests finished within the timed windows / their length), latency percentiles, errors."""
    by_kind = defaultdict(list)
    for kind, dt, _status, size, _in_time in samples:
        by_kind[kind].append((dt, size))
    in_time = sum(1 for s in samples if s[4])
    return {
        **stats([s[1] for s in samples]),
        "requests": len(samples),
        "seconds": seconds,
        "rps": round(in_time / seconds, 1),
        "errors": sum(1 for s in samples if s[2] != 200),
        "statuses": dict(sorted(Counter(str(s[2]) for s in samples).items())),
        "by_kind": {
            k: {**stats([dt for dt, _z in v]), "n": len(v), "kb": round(statistics.median(z for _d, z in v) / 1024, 1)}
            for k, v in sorted(by_kind.items())
        },
    }


def stats(times: list[float]) -> dict:
    if not times:
        return {"p50": None, "p95": None, "p99": None}
    q = statistics.quantiles(times, n=100, method="inclusive") if len(times) > 1 else [times[0]] * 99
    return {"p50": round(q[49], 4), "p95": round(q[94], 4), "p99": round(q[98], 4)}


def start_server(url: str, port: int, workers: int | None) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=url, GUNICORN_BIND=f"127.0.0.1:{port}", ALLOWED_HOSTS="127.0.0.1")
    if workers:
        env["GUNICORN_WORKERS"] = str(workers)
    common.OUT.mkdir(parents=True, exist_ok=True)
    log = (common.OUT / "load-gunicorn.log").open("w")
    gunicorn = Path(sys.executable).parent / "gunicorn"
    conf = common.ROOT / "deploy" / "gunicorn.conf.py"
    server = subprocess.Popen([str(gunicorn), "-c", str(conf)], env=env, stdout=log, stderr=log, cwd=common.ROOT)
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5).close()
            return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit("gunicorn exited: see var/bench/load-gunicorn.log") from None
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("gunicorn did not answer")


def write_results(result: dict) -> None:
    b, m = result["baseline"], result["mix"]
    ms = lambda x: "–" if x is None else f"{x * 1000:,.0f}"  # noqa: E731
    lines = [
        BEGIN,
        f"### (l) {result['sessions']} signed-in sessions on gunicorn, {result['vendor']} {result['scale']} "
        f"({result['values']:,} values)",
        "",
        f"{result['date']} · commit {result['commit']} · {result['machine']} · gunicorn workers: {result['workers']} · "
        f"load average before: {result['load_before']} · after: {result['load_after']} · "
        f"{result['seconds']:.0f} s per side, run as A B B A halves; all sessions busy (no think time); requests/s "
        "counts the requests finished within the timed windows",
        "",
        "| phase | requests | requests/s | p50 ms | p95 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
        f"| baseline `GET {BASELINE}` | {b['requests']:,} | {b['rps']} | {ms(b['p50'])} | {ms(b['p95'])} | "
        f"{ms(b['p99'])} | {b['errors']} |",
        f"| daily mix | {m['requests']:,} | {m['rps']} | {ms(m['p50'])} | {ms(m['p95'])} | {ms(m['p99'])} | {m['errors']} |",
        "",
        f"Mix / baseline throughput: **{result['ratio']:.2f}** (target ≥ 0.33, 0 errors).",
        "",
        "| mix: kind | n | p50 ms | p95 ms | p99 ms | median KB |",
        "|---|---:|---:|---:|---:|---:|",
        *(
            f"| {k} | {v['n']:,} | {ms(v['p50'])} | {ms(v['p95'])} | {ms(v['p99'])} | {v['kb']} |"
            for k, v in m["by_kind"].items()
        ),
        END,
    ]
    text = RESULTS.read_text() if RESULTS.exists() else ""
    block = "\n".join(lines)
    if BEGIN in text:
        text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _m: block, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n## Load\n\n" + block + "\n"
    RESULTS.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "pg"], default="pg")
    parser.add_argument("--scale", default="full")
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=None, help="default: deploy/gunicorn.conf.py's (2 x cores + 1)")
    args = parser.parse_args()
    vendor = "sqlite" if args.db == "sqlite" else "postgresql"
    url = common.db_url(vendor, args.scale)
    common.setup_django(url)
    from giaoban.reporting.models import DataValue

    plan = prepare(args.sessions)
    load_before = os.getloadavg()
    server = start_server(url, args.port, args.workers)
    try:
        base = f"http://127.0.0.1:{args.port}"
        browsers = []
        for s in plan["sessions"]:
            b = Browser(base)
            b.login(s["username"])
            browsers.append((b, s["urls"]))
        # The baseline's sessions: as many, of a provincial officer (province 38 is outside a commune's scope).
        readers = []
        for _i in range(len(browsers)):
            readers.append(Browser(base))
            readers[-1].login(next(s["username"] for s in plan["sessions"] if s["role"] == "province"))
        checks = [(b, urls) for b, urls in browsers[:: max(1, len(browsers) // 6)]] + [(readers[0], [("baseline", BASELINE)])]
        for b, urls in checks:  # every URL answers before anything is timed
            for kind, u in urls:
                status, _size = b.get(u)
                if status != 200:
                    raise SystemExit(f"{kind} {u}: HTTP {status}")
        # Baseline and mix alternate (A B B A, half of --seconds each) so that a change in the shared machine's
        # load during the run weighs on both alike.
        half = args.seconds / 2
        print(f"  {len(browsers)} sessions signed in; A B B A, {half:.0f} s each ...", flush=True)
        base_samples, mix_samples = [], []
        for name in ("baseline", "mix", "mix", "baseline"):
            if name == "baseline":
                base_samples += phase([(b, [("baseline", BASELINE)]) for b in readers], half)
            else:
                mix_samples += phase(browsers, half)
            print(f"    {name} done, load {os.getloadavg()[0]:.2f}", flush=True)
        baseline, mix = summary(base_samples, args.seconds), summary(mix_samples, args.seconds)
        print(f"  baseline: {baseline['rps']} req/s, p95 {baseline['p95']} s; mix: {mix['rps']} req/s, p95 {mix['p95']} s")
    finally:
        server.terminate()
        server.wait(timeout=60)
    import datetime

    from bench.run import machine

    workers = args.workers or int(os.environ.get("GUNICORN_WORKERS", (os.cpu_count() or 1) * 2 + 1))
    mach = machine()
    load_after = os.getloadavg()
    result = {
        "vendor": "PostgreSQL" if vendor == "postgresql" else "SQLite",
        "scale": args.scale,
        "values": DataValue.objects.count(),
        "sessions": len(browsers),
        "seconds": args.seconds,
        "workers": workers,
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=common.ROOT).stdout.strip(),
        "machine": f"{mach['cpu']}, {mach['nproc']} cores, {mach['memory']}, Python {mach['python']}",
        "load_before": " ".join(f"{x:.2f}" for x in load_before),
        "load_after": " ".join(f"{x:.2f}" for x in load_after),
        "baseline": baseline,
        "mix": mix,
        "ratio": mix["rps"] / baseline["rps"] if baseline["rps"] else 0.0,
    }
    (common.OUT / f"load-{vendor}-{args.scale}.json").write_text(json.dumps(result, indent=2))
    write_results(result)
    print(json.dumps({k: v for k, v in result.items() if k not in ("baseline", "mix")}, indent=2))
    print(f"  ratio mix/baseline: {result['ratio']:.2f}; errors: baseline {baseline['errors']}, mix {mix['errors']}")


if __name__ == "__main__":
    main()
