"""``python -m bench``: every figure of bench/RESULTS.md, printed and saved as JSON.

    python -m bench                 # 10,000-form backlog; 1,000, 10,000, 20,000 people;
                                    # the command line's CPU on a 100-person demo store
    python -m bench --quick         # tiny sizes, under a minute (the test suite runs it)
    python -m bench --heavy         # as normal, and scaling measured on 100,000 forms
    python -m bench --seed 7 --out results.json

Corpora and stores are cached under bench/.cache (delete it to make them again).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench import baseline, cli, corpus, deadlines, floor, ingest, latency, report, workbook
from bench.plan import HEAVY, NORMAL, QUICK, Plan

DEFAULT_OUT = Path(__file__).resolve().parent / "results.json"


def _say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _ingest_figures(backlog: corpus.Corpus, run: ingest.IngestRun,
                    by_format: dict[str, ingest.IngestRun]) -> dict[str, Any]:
    formats = {f: {"files": r.files, "seconds": round(r.seconds, 3),
                   "per_second": r.per_second, "cpu_ms": r.cpu_ms()}
               for f, r in sorted(by_format.items())}
    return {"files": run.files, "people": backlog.people, "seconds": run.seconds,
            "per_second": run.per_second, "cpu_ms": run.cpu_ms(), "outcomes": run.outcomes,
            "by_format": formats,
            "reader_workers": run.workers, "summaries": run.summaries,
            "summary_seconds": run.summary_seconds, "mix": corpus.FORMAT_MIX,
            "template_people": backlog.template_people}


def versus(timed: floor.Timed, row: dict[str, Any], workers: int) -> dict[str, Any]:
    """One format's end-to-end figures against a one-process measurement of the same files
    (the floor, or the python-docx baseline), like with like.

    ``ratio`` is the one the targets use: CPU a file, the one process's against every
    process that took a file in (readers and main process), so the number of processes
    sharing the work does not enter it; without /proc (no readers' CPU) it is the
    end-to-end rate per reader process against the one process's rate. Both are given,
    with the reader processes' share alone and, for runs before this one, the end-to-end
    rate of every reader process together against the one process.
    """
    cpu = row["cpu_ms"]
    per_reader = row["per_second"] / workers
    figures: dict[str, Any] = {
        "files": timed.files, "per_second": timed.per_second, "cpu_ms": timed.cpu_ms,
        "per_reader_ratio": per_reader / timed.per_second,
        "cpu_ratio": timed.cpu_ms / cpu["total"] if cpu["total"] else None,
        "reader_ratio": timed.cpu_ms / cpu["reader"] if cpu["reader"] else None,
        "all_readers_ratio": row["per_second"] / timed.per_second}
    figures["ratio"] = figures["cpu_ratio"] or figures["per_reader_ratio"]
    return figures


def run(plan: Plan, seed: int) -> dict[str, Any]:
    """Every measurement of ``plan``; the results as one JSON-ready dict."""
    results: dict[str, Any] = {"mode": plan.mode, "seed": seed, "machine": report.machine()}
    _say(f"command line: CPU seconds on a demo store of {plan.demo_people} people")
    results["cli"] = cli.measure(cli.demo_home(plan.demo_people, seed), runs=plan.cli_runs)
    _say(f"corpus: {plan.backlog:,} forms from {plan.pool} template people")
    backlog = corpus.backlog(plan.backlog, seed=seed, pool=plan.pool)
    by_format = {f: [p for f_, p in zip(backlog.files, backlog.paths(), strict=True)
                     if f_.file_format == f] for f in corpus.FORMATS}

    _say("ingest: end to end, the mixed backlog")
    checkpoints = plan.scaling if plan.scaling[1] <= plan.backlog else ()
    main_run = ingest.run_backlog(backlog, checkpoints=checkpoints)
    runs = {}
    for file_format in corpus.FORMATS:
        _say(f"ingest: end to end, the backlog's {file_format} files alone")
        runs[file_format] = ingest.run_backlog(backlog, file_format=file_format)
    results["ingest"] = _ingest_figures(backlog, main_run, runs)

    _say("floor and python-docx baseline")
    results["floor"] = {}
    workers = results["ingest"]["reader_workers"]
    for file_format, paths in by_format.items():
        results["floor"][file_format] = versus(
            floor.measure(paths, file_format), results["ingest"]["by_format"][file_format],
            workers)
    results["baseline"] = versus(baseline.measure(by_format["docx"][:plan.baseline_sample]),
                                 results["ingest"]["by_format"]["docx"], workers)

    _say("durability: the same .docx files with and without syncs, twice each")
    docx_only = corpus.Corpus(backlog.folder, [f for f in backlog.files
                                               if f.file_format == "docx"],
                              backlog.people, backlog.template_people)
    # Interleaved and repeated, the best of each kept: one run alone is within the
    # machine's run-to-run noise of the difference being measured.
    timed: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(2):
        for durable in (True, False):
            measured = ingest.run_backlog(docx_only, limit=plan.durability_sample,
                                          durable=durable, summaries=False)
            timed[durable].append(measured.seconds)
    files = min(plan.durability_sample, len(docx_only.files))
    durable_s, unsynced_s = min(timed[True]), min(timed[False])
    results["durability"] = {
        "files": files, "durable_per_second": files / durable_s,
        "unsynced_per_second": files / unsynced_s,
        "ms_per_form": (durable_s - unsynced_s) / files * 1000}

    _say(f"watch latency: {plan.latency_files} files, settle {plan.settle_seconds:g} s")
    dropped = backlog.paths()[-plan.latency_files:]
    results["latency"] = asdict(latency.measure(dropped, settle_seconds=plan.settle_seconds,
                                                rate_per_second=plan.latency_rate))

    results["deadlines"], results["workbook"] = [], []
    for people in plan.people:
        _say(f"deadlines and workbook: {people:,} people")
        results["deadlines"].append(asdict(deadlines.measure(people, seed=seed,
                                                             pool=plan.pool)))
        results["workbook"].append(asdict(workbook.measure(people, seed=seed, pool=plan.pool)))

    small, large = plan.scaling
    if checkpoints:
        marks = main_run.checkpoints
    else:
        _say(f"scaling: a {large:,}-form backlog")
        big = corpus.backlog(large, seed=seed, pool=plan.pool)
        marks = ingest.run_backlog(big, checkpoints=plan.scaling, summaries=False).checkpoints
    ratio = marks[large] / marks[small]
    results["scaling"] = {"small": small, "large": large, "small_seconds": marks[small],
                          "large_seconds": marks[large], "ratio": ratio,
                          "per_form_ratio": ratio / (large / small)}
    results["targets"] = report.targets(results)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    sizes = parser.add_mutually_exclusive_group()
    sizes.add_argument("--quick", action="store_true", help="tiny sizes (under a minute)")
    sizes.add_argument("--heavy", action="store_true",
                       help="also ingest 100,000 forms to measure scaling")
    parser.add_argument("--seed", type=int, default=2026, help="corpus seed (default 2026)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help=f"JSON results file (default {DEFAULT_OUT.name} in bench/)")
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else HEAVY if args.heavy else NORMAL
    command = "python -m bench" + (f" --{plan.mode}" if plan.mode != "normal" else "")
    started = time.perf_counter()
    results = {"command": command, **run(plan, args.seed)}
    results["total_seconds"] = time.perf_counter() - started
    args.out.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(report.table(results))
    print(f"\n{command}: {results['total_seconds']:.0f} s; figures saved to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
