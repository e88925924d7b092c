"""How big each mode's measurements are."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Plan:
    mode: str
    pool: int  # template people (the demo population the corpus is copied from)
    backlog: int  # forms in the ingest backlog
    scaling: tuple[int, int]  # ingest time at these two sizes, from one run
    baseline_sample: int  # .docx files timed with python-docx
    durability_sample: int  # .docx files ingested with and without syncs
    latency_files: int
    latency_rate: float  # files dropped per second
    settle_seconds: float
    people: tuple[int, ...]  # sizes for deadlines and the workbook
    demo_people: int  # the demo store the command line's CPU is measured on
    cli_runs: int  # runs of each command (the least CPU is kept)


QUICK = Plan(mode="quick", pool=8, backlog=48, scaling=(16, 48), baseline_sample=48,
             durability_sample=16, latency_files=6, latency_rate=4.0, settle_seconds=0.3,
             people=(30, 60, 120), demo_people=5, cli_runs=1)
NORMAL = Plan(mode="normal", pool=200, backlog=10_000, scaling=(1_000, 10_000),
              baseline_sample=1_000, durability_sample=1_000, latency_files=100,
              latency_rate=5.0, settle_seconds=2.0, people=(1_000, 10_000, 20_000),
              demo_people=100, cli_runs=5)
HEAVY = Plan(mode="heavy", pool=200, backlog=10_000, scaling=(10_000, 100_000),
             baseline_sample=1_000, durability_sample=1_000, latency_files=100,
             latency_rate=5.0, settle_seconds=2.0, people=(1_000, 10_000, 20_000),
             demo_people=100, cli_runs=5)
