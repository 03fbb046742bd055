"""Writes the generated part of bench/RESULTS.md from var/bench/*.json (the notes outside the markers stay).

python -m bench.report --scale small|full
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from bench import common

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
BEGIN, END = "<!-- generated: begin -->", "<!-- generated: end -->"
TARGETS = {"b": ("at least 10x faster than its baseline", lambda r: r <= 0.1), "c": ("within 3x", lambda r: r <= 3)}
VENDORS = (("sqlite", "SQLite"), ("postgresql", "PostgreSQL"))


def load(name: str) -> dict | None:
    path = common.OUT / name
    return json.loads(path.read_text()) if path.exists() else None


def ms(x: float) -> str:
    return f"{x * 1000:,.1f}" if x < 10 else f"{x * 1000:,.0f}"


def span(r: dict) -> str:
    return f"{ms(r['median'])} ({ms(r['min'])}–{ms(r['max'])}, n={r['n']})"


def queries(case: dict, key: str) -> str:
    q = case.get(key)
    if not q:
        return "–"
    return f"≥{q['queries']:,}" if q["queries"] == 9000 else f"{q['queries']:,}"  # CaptureQueriesContext's cap


def table(run: dict, small: dict | None) -> list[str]:
    lines = [
        "| case | subject: median ms (min–max, n) | queries | baseline: median ms (min–max, n) | queries | ratio | target |",
        "|---|---|---|---|---|---|---|",
    ]
    for key, case in run["cases"].items():
        target = ""
        if key in TARGETS:
            text, ok = TARGETS[key]
            target = f"{text}: {'met' if ok(case['ratio']) else 'NOT met'}"
        lines.append(
            f"| ({key}) {case['label']} | {span(case['subject'])} | {queries(case, 'subject_queries')} | "
            f"{span(case['baseline'])} | {queries(case, 'baseline_queries')} | {case['ratio']:.2f} | {target} |"
        )
    if small and run["scale"] != small["scale"] and run.get("engine") != small.get("engine"):
        lines.append(
            f"| (f) not comparable: the {little_values(small)} run measured giaoban/reporting {small.get('engine')}, "
            f"this one {run.get('engine')} | | | | | | |"
        )
    elif small and run["scale"] != small["scale"]:
        for key in ("a", "b"):
            if key in small["cases"] and key in run["cases"]:
                big, little = run["cases"][key], small["cases"][key]
                growth = big["subject"]["median"] / little["subject"]["median"]
                base_growth = big["baseline"]["median"] / little["baseline"]["median"]
                # "Within noise": the 10M median no higher than the 1M run's slowest repetition.
                ok = big["subject"]["median"] <= little["subject"]["max"] * 1.1
                lines.append(
                    f"| (f) ({key}) at {little_values(small)} values: subject {span(little['subject'])}, "
                    f"baseline {span(little['baseline'])} | x{growth:.2f} from 1M to {little_values(run)} | | "
                    f"baseline x{base_growth:.2f} | | | no slower at 10M: {'met' if ok else 'NOT met'} |"
                )
    return lines


def little_values(run: dict) -> str:
    return f"{run['values'] / 1e6:.2f}M"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default="small")
    args = parser.parse_args()
    out = [BEGIN, ""]
    machine_done = False
    # Every scale that has results (a small `make bench` keeps the last full results in the file).
    scales = list(dict.fromkeys([args.scale, "full", "small"]))
    for vendor, title, scale in [(v, t, sc) for sc in scales for v, t in VENDORS]:
        run = load(f"run-{vendor}-{scale}.json")
        if not run:
            out += [f"### {title} — scale {scale}", "", "not run", ""]
            continue
        if not machine_done:
            m = run["machine"]
            out += [
                f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['memory']} memory; Python {m['python']}, "
                f"SQLite {m['sqlite']}. Load average during the runs: see each table (the machine was shared).",
                "",
            ]
            machine_done = True
        small = load(f"run-{vendor}-small.json")
        gen = load(f"generate-{vendor}-{scale}.json")
        out += [
            f"### {title} {run['db_version']} — scale {run['scale']}: {run['values']:,} values "
            f"(run {run['at']}, load average {run.get('load', '?')}, giaoban/reporting {run.get('engine', '?')})",
            "",
            *table(run, small),
            "",
        ]
        if gen:
            steps = ", ".join(f"{k} {v:.0f} s" for k, v in gen["timings"].items())
            out += [
                f"Generation ({gen['generated_at']}): {gen['submissions']:,} submissions ({gen['approved']:,} approved), "
                f"{gen['values']:,} values, {gen['aggregates']:,} aggregate rows, weeks {gen['weeks'][0]}–"
                f"{gen['weeks'][1]} ({gen['weeks'][2]}), in {gen['total_seconds']:.0f} s ({steps}). "
                f"Checked: {gen['checked_service_rows']:,} aggregate rows equal to the services' on replayed tiny "
                f"data, {gen['checked_sample_rows']:,} sampled rows equal to a recomputation from the values.",
                "",
            ]
        out += [f"Where the subject's time goes on {title} (one warm run):", ""]
        for key, case in run["cases"].items():
            q = case.get("subject_queries")
            if q:
                out.append(
                    f"- ({key}) {q['queries']} queries taking {q.get('query_seconds', 0) * 1000:,.0f} ms in all; the slowest "
                    f"{q['slowest_query_s'] * 1000:,.0f} ms: `{q['slowest_query'][:140]}…`"
                )
        out.append("")
        for key in ("a", "b"):
            case = run["cases"].get(key)
            if case and case.get("plan"):
                out += [f"Plan of the baseline ({key}) on {title}:", "", "```", case["plan"], "```", ""]
            if case and case.get("subject_slowest_plan"):
                out += [
                    f"Plan of the subject's slowest query ({key}) on {title}:",
                    "",
                    "```",
                    case["subject_slowest_plan"],
                    "```",
                    "",
                ]
    out.append(END)
    block = "\n".join(out)
    text = RESULTS.read_text() if RESULTS.exists() else f"# Benchmark results\n\n{BEGIN}\n{END}\n"
    text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _m: block, text, flags=re.S)
    RESULTS.write_text(text)
    print(f"written {RESULTS}")


if __name__ == "__main__":
    main()
