"""The command line's CPU cost (issue 18, item 1): `planwatch --help`, `forms list`,
`status` and `due` on the demo store, with `python -c pass` as the floor, in one run.

Each command runs as a child process, several times; its CPU seconds (user + system) are
read from ``resource.getrusage(RUSAGE_CHILDREN)`` before and after, and the least of the
runs is kept (the machine's noise only ever adds). The demo store is made once by
``planwatch demo`` and cached under bench/.cache.

    python -m bench.cli [--people N] [--runs N]
"""

from __future__ import annotations

import argparse
import json
import resource
import sqlite3
import subprocess
import sys
from contextlib import closing
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.corpus import CACHE

PLANWATCH = "from pipeline.cli import main; main()"
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Command:
    name: str
    cpu_seconds: float  # the least of the runs, user + system
    over_floor: float  # cpu_seconds less the floor's
    runs: int


def cpu_seconds(argv: list[str]) -> float:
    """CPU seconds (user + system) of one run of ``argv``, which must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(argv, check=False, cwd=ROOT, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[3:])} failed ({done.returncode}): "
                           f"{done.stderr.strip()[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def demo_home(people: int, seed: int = 2026, cache: Path = CACHE) -> Path:
    """A demo workspace of ``people`` people, made by ``planwatch demo`` once and kept;
    made again when its store is not at this Planwatch's newest schema (a demo made by
    an older checkout)."""
    from pipeline.store.revisions import newest_revision

    home = cache / f"demo-{people}-{seed}"
    store = home / "planwatch.db"
    if not store.is_file() or _revision(store) != newest_revision():
        subprocess.run([sys.executable, "-c", PLANWATCH, "--home", str(home), "demo",
                        "--people", str(people), "--seed", str(seed)],
                       check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return home


def _revision(store: Path) -> str | None:
    with closing(sqlite3.connect(f"file:{store}?mode=ro", uri=True)) as connection:
        try:
            found = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.Error:
            return None
    return found[0] if found else None


def measure(home: Path, *, runs: int = 3) -> dict[str, object]:
    """Every command's CPU seconds on the workspace ``home``, and the floor's."""
    python = [sys.executable]
    planwatch = [sys.executable, "-c", PLANWATCH]
    commands = {
        "python -c pass": [*python, "-c", "pass"],
        "planwatch --help": [*planwatch, "--help"],
        "planwatch forms list": [*planwatch, "forms", "list"],
        "planwatch status": [*planwatch, "--home", str(home), "status"],
        "planwatch due": [*planwatch, "--home", str(home), "due"],
    }
    best: dict[str, float] = {}
    for _ in range(runs):  # interleaved, so that a busy moment falls on each alike
        for name, argv in commands.items():
            best[name] = min(best.get(name, float("inf")), cpu_seconds(argv))
    floor = best["python -c pass"]
    return {"home": str(home), "runs": runs, "floor_seconds": round(floor, 3),
            "commands": [asdict(Command(name, round(seconds, 3), round(seconds - floor, 3),
                                        runs)) for name, seconds in best.items()]}


def seconds_of(results: dict[str, object], name: str) -> float:
    commands = results["commands"]
    assert isinstance(commands, list)
    return float(next(c["cpu_seconds"] for c in commands if c["name"] == name))


def table(results: dict[str, object]) -> str:
    commands = results["commands"]
    assert isinstance(commands, list)
    width = max(len(c["name"]) for c in commands)
    return "\n".join(f"{c['name']:<{width}}  {c['cpu_seconds']:.3f} s CPU "
                     f"({c['over_floor']:+.3f} s over the floor)" for c in commands)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cli",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100, help="demo people (default 100)")
    parser.add_argument("--runs", type=int, default=5, help="runs of each command")
    args = parser.parse_args(argv)
    results = measure(demo_home(args.people), runs=args.runs)
    print(table(results))
    print(json.dumps(results, indent=2), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
