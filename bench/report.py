"""The figures as a table for people and as JSON for tools, with the targets checked.

Targets (reported, never asserted: a slow machine must not fail the test suite):

- end-to-end .docx ingest at least 0.4 of the floor, .xlsx at least 0.3 of its floor, and
  .docx at least 5x the python-docx baseline; like with like: CPU a file, the floor's (or
  the baseline's) one process against every process that took the file in (see
  :func:`bench.__main__.versus`);
- the command line: ``planwatch --help`` under 0.3 s of CPU, ``planwatch due`` on the
  demo store under 1 s (each with ``python -c pass`` measured in the same run);
- deadlines (``planwatch due``'s work) for the largest organisation (20,000 people) in
  under 0.5 s;
- its workbook in under 10 s and under 500 MB of peak memory;
- drop-to-stored latency p95 under the settle window + 1 s;
- ingest time growing linearly: a form costs no more than 1.25x at the large size than
  at the small one.
"""

from __future__ import annotations

import os
import platform
from typing import Any

TARGETS = {
    "docx_vs_floor": 0.4,
    "xlsx_vs_floor": 0.3,
    "docx_vs_python_docx": 5.0,
    "help_cpu_seconds": 0.3,
    "due_cpu_seconds": 1.0,
    "deadlines_seconds": 0.5,
    "workbook_seconds": 10.0,
    "workbook_peak_mb": 500.0,
    "latency_over_settle": 1.0,
    "scaling_per_form": 1.25,
}


def machine() -> dict[str, Any]:
    pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    return {"cores": os.cpu_count(), "memory_gb": round(pages / 2**30, 1),
            "python": platform.python_version(), "system": f"{platform.system()} "
            f"{platform.release()}", "processor": platform.machine()}


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target with the measured value and whether it is met."""
    floor, baseline = results["floor"], results["baseline"]
    largest_deadlines = results["deadlines"][-1]
    largest_workbook = results["workbook"][-1]
    latency, scaling = results["latency"], results["scaling"]
    commands = {c["name"]: c["cpu_seconds"] for c in results["cli"]["commands"]}
    rows = [
        ("planwatch --help < 0.3 s of CPU", "help_cpu_seconds", commands["planwatch --help"],
         "<"),
        ("planwatch due on the demo store < 1 s of CPU", "due_cpu_seconds",
         commands["planwatch due"], "<"),
        ("docx ingest ≥ 0.4 of the floor (CPU a file)", "docx_vs_floor",
         floor["docx"]["ratio"], ">="),
        ("xlsx ingest ≥ 0.3 of the floor (CPU a file)", "xlsx_vs_floor",
         floor["xlsx"]["ratio"], ">="),
        ("docx ingest ≥ 5x python-docx (CPU a file)", "docx_vs_python_docx",
         baseline["ratio"], ">="),
        (f"deadlines for {largest_deadlines['people']:,} people < 0.5 s", "deadlines_seconds",
         largest_deadlines["seconds"], "<"),
        (f"workbook for {largest_workbook['people']:,} people < 10 s", "workbook_seconds",
         largest_workbook["seconds"], "<"),
        (f"workbook for {largest_workbook['people']:,} people < 500 MB", "workbook_peak_mb",
         largest_workbook["peak_mb"], "<"),
        (f"latency p95 < settle ({latency['settle_seconds']:g} s) + 1 s",
         "latency_over_settle", latency["p95"] - latency["settle_seconds"], "<"),
        ("ingest time grows linearly (per-form cost ratio < 1.25)", "scaling_per_form",
         scaling["per_form_ratio"], "<"),
    ]
    found = []
    for label, key, value, sense in rows:
        limit = TARGETS[key]
        met = value >= limit if sense == ">=" else value < limit
        found.append({"target": label, "key": key, "value": round(value, 3),
                      "limit": round(limit, 3), "met": met})
    return found


def _rate(value: float) -> str:
    return f"{value:,.1f}/s"


def _cpu(row: dict[str, Any]) -> str:
    cpu = row.get("cpu_ms") or {}
    if cpu.get("reader") is None:
        return f"readers ? + main {cpu.get('main', 0.0):.2f} ms"
    return f"{cpu['reader']:.2f} + {cpu['main']:.2f} = {cpu['total']:.2f} ms"


def _ratios(row: dict[str, Any], form: str, unit: str = "") -> str:
    keys = ("cpu_ratio", "per_reader_ratio", "reader_ratio", "all_readers_ratio")
    return " / ".join("?" if row.get(k) is None else f"{row[k]:{form}}{unit}" for k in keys)


def table(results: dict[str, Any]) -> str:
    """The figures as aligned text, one line each."""
    lines: list[tuple[str, str]] = []
    cli = results["cli"]
    for command in cli["commands"]:
        over = ("the floor" if command["name"] == "python -c pass" else
                f"{command['over_floor']:+.3f} s over the floor")
        lines.append((f"{command['name']}: CPU, least of {cli['runs']} run(s)",
                      f"{command['cpu_seconds']:.3f} s ({over})"))
    ingest = results["ingest"]
    lines.append((f"ingest, {ingest['files']:,}-form backlog (all formats, "
                  f"{ingest.get('reader_workers', 1)} reader processes)",
                  f"{_rate(ingest['per_second'])}  ({ingest['seconds']:.1f} s)"))
    lines.append(("  then outcome summaries for its closures",
                  f"{ingest.get('summaries', 0):,} written in "
                  f"{ingest.get('summary_seconds', 0.0):.1f} s"))
    workers = ingest.get("reader_workers", 1)
    for file_format, row in ingest["by_format"].items():
        floor = results["floor"][file_format]
        lines.append((f"  {file_format} alone: end to end (per reader process) / floor "
                      "(one process)",
                      f"{_rate(row['per_second'])} ({_rate(row['per_second'] / workers)}) / "
                      f"{_rate(floor['per_second'])}  ({row['files']:,} files)"))
        lines.append((f"    {file_format} CPU a file: readers + main = end to end / floor",
                      f"{_cpu(row)} / {floor['cpu_ms']:.2f} ms"))
        lines.append((f"    {file_format} vs floor: CPU / per reader process / readers' "
                      "CPU / all readers",
                      _ratios(floor, ".3f")))
    baseline = results["baseline"]
    lines.append(("  docx: python-docx baseline (one process), CPU a file",
                  f"{_rate(baseline['per_second'])}, {baseline['cpu_ms']:.2f} ms  "
                  f"({baseline['files']:,} files)"))
    lines.append(("    docx vs python-docx: CPU / per reader process / readers' CPU / "
                  "all readers", _ratios(baseline, ".2f", "x")))
    durability = results["durability"]
    lines.append((f"  docx: with / without fsyncs ({durability['files']:,} files)",
                  f"{_rate(durability['durable_per_second'])} / "
                  f"{_rate(durability['unsynced_per_second'])}  "
                  f"(durability costs {durability['ms_per_form']:.1f} ms a form)"))
    latency = results["latency"]
    lines.append((f"watch latency, settle {latency['settle_seconds']:g} s "
                  f"({latency['files']} files at {latency['rate_per_second']:g}/s)",
                  f"p50 {latency['p50']:.2f} s, p95 {latency['p95']:.2f} s, "
                  f"worst {latency['worst']:.2f} s"))
    for row in results["deadlines"]:
        lines.append((f"deadlines, {row['people']:,} people ({row['events']:,} events)",
                      f"{row['seconds']:.2f} s  ({row['obligations']:,} obligations)"))
    for row in results["workbook"]:
        lines.append((f"workbook, {row['people']:,} people",
                      f"{row['seconds']:.2f} s, peak {row['peak_mb']:,.0f} MB "
                      f"(start {row['start_mb']:,.0f} MB), {row['size_mb']:.1f} MB file"))
    scaling = results["scaling"]
    lines.append((f"scaling, ingest of {scaling['small']:,} vs {scaling['large']:,} forms",
                  f"{scaling['small_seconds']:.1f} s vs {scaling['large_seconds']:.1f} s: "
                  f"x{scaling['ratio']:.2f} (a form costs x{scaling['per_form_ratio']:.2f})"))
    width = max(len(label) for label, _ in lines)
    text = [f"{label:<{width}}  {value}" for label, value in lines]
    text.append("")
    for row in results["targets"]:
        text.append(f"[{'met' if row['met'] else 'NOT MET'}] {row['target']}: {row['value']:g}")
    return "\n".join(text)
