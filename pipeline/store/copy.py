"""Moving a whole store to another engine (SQLite → PostgreSQL) with nothing lost.

Contract: ``copy_store(source, target)`` migrates the target to the newest revision,
refuses a target that already holds data, copies every table in dependency order in one
transaction, sets PostgreSQL's id sequences past the copied ids, and then proves the copy:
row counts and a content hash per table must match on both sides, or the copy is
rolled back and a :class:`StoreError` says which table differs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, func, select, text, update

from pipeline.errors import StoreError
from pipeline.store.models import Base
from pipeline.store.session import display_url, open_store, upgrade

BATCH = 1000
AUDIT = "audit_log"


@dataclass(frozen=True)
class TableCopy:
    table: str
    rows: int
    sha256: str


def _ordered_rows(connection: Connection, table: Table) -> Iterator[dict[str, Any]]:
    query = select(table).order_by(*table.primary_key.columns)
    for row in connection.execute(query).mappings():
        yield dict(row)


def table_digest(connection: Connection, table: Table, *, after_id: int = 0,
                 without: tuple[str, ...] = ()) -> TableCopy:
    """Rows and a hash of their content in primary-key order, engine-independent.

    ``after_id`` and ``without`` let the audit log be compared without the target's own
    entries and ids (it is append-only, so copied entries come after them).
    """
    digest = hashlib.sha256()
    count = 0
    for row in _ordered_rows(connection, table):
        if after_id and row["id"] <= after_id:
            continue
        kept = {k: v for k, v in row.items() if k not in without}
        digest.update(json.dumps(kept, sort_keys=True, default=str).encode("utf-8"))
        count += 1
    return TableCopy(table.name, count, digest.hexdigest())


def _self_references(table: Table) -> list[str]:
    return [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]


def _copy_table(source: Connection, target: Connection, table: Table) -> None:
    deferred = _self_references(table)
    later: list[dict[str, Any]] = []
    batch: list[dict[str, Any]] = []
    for row in _ordered_rows(source, table):
        if deferred and any(row[c] is not None for c in deferred):
            later.append({"pk": row[table.primary_key.columns.keys()[0]],
                          **{c: row[c] for c in deferred}})
            row = {**row, **dict.fromkeys(deferred)}
        batch.append(row)
        if len(batch) >= BATCH:
            target.execute(table.insert(), batch)
            batch = []
    if batch:
        target.execute(table.insert(), batch)
    key = table.primary_key.columns.values()[0]
    for values in later:  # links to rows copied after them (a later superseding copy)
        pk = values.pop("pk")
        target.execute(update(table).where(key == pk).values(**values))


def _reset_sequences(target: Connection, table: Table) -> None:
    if target.dialect.name != "postgresql":
        return
    for column in table.primary_key.columns:
        if column.autoincrement is False:
            continue
        highest = target.execute(select(func.max(column))).scalar()
        if highest is not None:
            target.execute(text("SELECT setval(pg_get_serial_sequence(:t, :c), :v)"),
                           {"t": table.name, "c": column.name, "v": int(highest)})


def _refuse_non_empty(writing: Connection, tables: list[Table], target_url: str) -> None:
    for table in tables:
        if table.name == AUDIT and writing.execute(
                select(func.count()).select_from(table).where(
                    table.c.action != "store_migrated")).scalar():
            raise _not_empty(target_url, table.name)
        if table.name != AUDIT and writing.execute(
                select(func.count()).select_from(table)).scalar():
            raise _not_empty(target_url, table.name)


def _not_empty(target_url: str, table: str) -> StoreError:
    return StoreError(f"The store at {display_url(target_url)} already holds data "
                      f"(table {table}).", hint="Copy into a new, empty database.")


def _copy_audit(reading: Connection, writing: Connection, table: Table) -> int:
    """Append the source's audit entries after the target's own (the log is append-only)."""
    own = writing.execute(select(func.max(table.c.id))).scalar() or 0
    batch = [{**row, "id": row["id"] + own} for row in _ordered_rows(reading, table)]
    if batch:
        writing.execute(table.insert(), batch)
    return int(own)


def copy_store(source_url: str, target_url: str) -> list[TableCopy]:
    """Copy every row from ``source_url`` to ``target_url`` (see the module docstring)."""
    upgrade(source_url)
    upgrade(target_url, command="db copy")
    tables = list(Base.metadata.sorted_tables)
    checked: list[TableCopy] = []
    with open_store(source_url) as source, open_store(target_url) as target, \
            source.engine.connect() as reading, target.engine.begin() as writing:
        _refuse_non_empty(writing, tables, target_url)
        own_audit = 0
        for table in tables:
            if table.name == AUDIT:
                own_audit = _copy_audit(reading, writing, table)
            else:
                _copy_table(reading, writing, table)
            _reset_sequences(writing, table)
        for table in tables:
            skip = ("id",) if table.name == AUDIT else ()
            before = table_digest(reading, table, without=skip)
            after = table_digest(writing, table, after_id=own_audit if skip else 0,
                                 without=skip)
            if (before.rows, before.sha256) != (after.rows, after.sha256):
                raise StoreError(
                    f"The copy of table {table.name} does not match the original "
                    f"({before.rows} rows, {after.rows} copied); nothing was changed.",
                    hint="Report this; the original store is untouched.")
            checked.append(before)
    return checked
