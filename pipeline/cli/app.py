"""The typer application and the shared pieces every command module uses."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from pipeline.errors import PlanwatchError

app = typer.Typer(
    name="planwatch",
    help="Planwatch: reads the forms support workers fill, checks them, tracks deadlines.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

HomeOption = Annotated[
    Path | None,
    typer.Option("--home", envvar="PLANWATCH_HOME", help="Workspace folder (default: here)."),
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def console_error(exc: PlanwatchError) -> None:
    err.print("Error:", style="bold red", end=" ")
    err.print(exc.message, markup=False)
    if exc.hint:
        err.print(exc.hint, markup=False)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
