"""The import rules of docs/architecture.md, checked on every module's imports.

Every ``import`` and ``from ... import`` in ``pipeline/`` counts, at the top of a module
or inside a function (a lazy import is still a dependency). A rule names who may not
import what; a module is in a package when its dotted name is the package's or starts
with it and a dot.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

FORMAT_PACKAGES = ("pipeline.formats.word", "pipeline.formats.pdf", "pipeline.formats.xlsx")


@dataclass(frozen=True)
class Rule:
    """Modules in ``importers`` (but not in ``allowed``) never import ``forbidden``."""

    says: str
    importers: tuple[str, ...]
    forbidden: tuple[str, ...]
    allowed: tuple[str, ...] = ()


RULES = (
    *(Rule(f"a format package imports no other format package ({package})", (package,),
           tuple(p for p in FORMAT_PACKAGES if p != package))
      for package in FORMAT_PACKAGES),
    Rule("formats import neither inbox, store, rules, reports, watch, demo nor cli",
         ("pipeline.formats",),
         ("pipeline.inbox", "pipeline.store", "pipeline.rules", "pipeline.reports",
          "pipeline.watch", "pipeline.demo", "pipeline.cli")),
    Rule("the rules import neither store, inbox, formats, reports, watch, demo nor cli",
         ("pipeline.rules",),
         ("pipeline.store", "pipeline.inbox", "pipeline.formats", "pipeline.reports",
          "pipeline.watch", "pipeline.demo", "pipeline.cli")),
    Rule("the store imports neither inbox, formats, rules, reports, watch, demo nor cli",
         ("pipeline.store",),
         ("pipeline.inbox", "pipeline.formats", "pipeline.rules", "pipeline.reports",
          "pipeline.watch", "pipeline.demo", "pipeline.cli")),
    Rule("the inbox imports neither reports, watch, demo nor cli",
         ("pipeline.inbox",),
         ("pipeline.reports", "pipeline.watch", "pipeline.demo", "pipeline.cli")),
    # Above the reports: the command line, the watcher's timetable (watch.jobs, not its
    # loop: the watcher only watches) and prefill, which writes into reports/.
    Rule("nothing below the reports imports them", ("pipeline",), ("pipeline.reports",),
         allowed=("pipeline.reports", "pipeline.cli", "pipeline.watch.jobs",
                  "pipeline.prefill")),
    Rule("nothing imports the command line but the command line", ("pipeline",),
         ("pipeline.cli",), allowed=("pipeline.cli",)),
)


def within(module: str, packages: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported(tree: ast.Module, module: str, is_package: bool) -> set[str]:
    """Every name ``tree`` imports, anywhere in it: ``from a import b`` gives ``a.b``
    (a module, or a name in ``a``: both are within ``a``)."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".")
                package = package[:len(package) - node.level + (1 if is_package else 0)]
                base = ".".join([*package, base] if base else package)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return found


def imports_below(root: Path) -> dict[str, set[str]]:
    """Each module under ``root/pipeline`` and the names it imports."""
    modules: dict[str, set[str]] = {}
    for path in sorted((root / "pipeline").rglob("*.py")):
        name = module_name(path, root)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        modules[name] = imported(tree, name, path.name == "__init__.py")
    return modules


def violations(modules: dict[str, set[str]]) -> list[str]:
    return sorted(
        f"{module} imports {target}: {rule.says}"
        for module, targets in modules.items()
        for target in targets
        for rule in RULES
        if within(module, rule.importers) and not within(module, rule.allowed)
        and within(target, rule.forbidden)
    )


def test_pipeline_keeps_the_import_rules() -> None:
    modules = imports_below(ROOT)
    assert len(modules) > 100  # the whole package was read
    assert violations(modules) == []


@pytest.mark.parametrize(
    ("module", "source", "broken"),
    [
        pytest.param("formats/word/read.py", "from pipeline.formats.pdf import names\n",
                     "no other format package", id="format_imports_a_format"),
        pytest.param("formats/xlsx/build.py",
                     "def build():\n    from pipeline.formats.word.build import build_blank\n",
                     "no other format package", id="format_imports_a_format_in_a_function"),
        pytest.param("formats/identity.py", "import pipeline.store.models\n",
                     "formats import neither", id="formats_import_the_store"),
        pytest.param("inbox/ingest.py",
                     "from pipeline.reports.outcome_summary.job import write_closure_summaries\n",
                     "the inbox imports neither", id="inbox_imports_reports"),
        pytest.param("casework.py", "from pipeline.reports.weekly import data\n",
                     "nothing below the reports", id="casework_imports_reports"),
        pytest.param("watch/loop.py", "from pipeline.reports import feed\n",
                     "nothing below the reports", id="watch_loop_imports_reports"),
        pytest.param("rules/events.py", "from pipeline.store.queries import event_facts\n",
                     "the rules import neither", id="rules_import_the_store"),
        pytest.param("store/queries.py", "from ..inbox import recording\n",
                     "the store imports neither", id="store_imports_inbox_relatively"),
        pytest.param("demo/run.py", "from pipeline.cli.app import app\n",
                     "but the command line", id="demo_imports_cli"),
    ],
)
def test_a_planted_violation_is_found(tmp_path: Path, module: str, source: str,
                                      broken: str) -> None:
    planted = tmp_path / "pipeline" / module
    planted.parent.mkdir(parents=True, exist_ok=True)
    planted.write_text(source)

    found = violations(imports_below(tmp_path))

    # One rule or more (the inbox is below the reports too); all about the planted line.
    assert any(broken in line for line in found), found
    assert all(line.startswith(module_name(planted, tmp_path) + " imports ") for line in found)


@pytest.mark.parametrize(
    ("module", "source"),
    [
        pytest.param("formats/word/read.py", "from pipeline.formats import identity\n",
                     id="format_imports_the_shared_formats"),
        pytest.param("formats/word/read.py", "from pipeline.formats.word import names\n",
                     id="format_imports_itself"),
        pytest.param("watch/jobs.py", "from pipeline.reports.weekly.job import weekly_due\n",
                     id="watch_timetable_runs_report_jobs"),
        pytest.param("cli/report.py", "from pipeline.reports.weekly import job\n",
                     id="cli_imports_reports"),
        pytest.param("reports/feed.py", "from pipeline import casework\n",
                     id="reports_import_casework"),
    ],
)
def test_an_allowed_import_is_not_a_violation(tmp_path: Path, module: str, source: str) -> None:
    planted = tmp_path / "pipeline" / module
    planted.parent.mkdir(parents=True, exist_ok=True)
    planted.write_text(source)

    assert violations(imports_below(tmp_path)) == []
