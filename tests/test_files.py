"""pipeline.files: atomic, owner-only writing under safe names, and the only module that
writes (unicode, very long and colliding names are archived safely)."""

from __future__ import annotations

import ast
import hashlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pytest

from pipeline import files
from pipeline.errors import ReportError
from pipeline.files import (
    MAX_NAME_BYTES,
    PRIVATE_DIR,
    PRIVATE_FILE,
    TEMP_PREFIX,
    Copy,
    clean_temporary_files,
    create_private,
    keep_copies,
    keep_copy,
    make_private,
    open_private,
    safe_name,
    write_atomically,
    write_file,
    write_new,
)
from pipeline.reports.saving import report_folder, report_tree

PIPELINE = Path(__file__).resolve().parents[1] / "pipeline"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    value: int = getattr(request, "param", 0o022)
    previous = os.umask(value)
    try:
        yield value
    finally:
        os.umask(previous)


# --- names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param("Zoë Ł plan.docx", "Zoë Ł plan.docx", id="unicode_kept"),
        pytest.param("plan: draft?.docx", "plan_ draft_.docx", id="windows_reserved_characters"),
        pytest.param("..\\..\\etc\\passwd.docx", "passwd.docx", id="path_in_the_name"),
        pytest.param("  .docx", "file.docx", id="nothing_left"),
        pytest.param(f"{TEMP_PREFIX}1.docx", f"file{TEMP_PREFIX}1.docx",
                     id="never_a_temporary_name"),
    ],
)
def test_safe_name(name: str, expected: str) -> None:
    assert safe_name(name) == expected


def test_very_long_names_fit_every_filesystem() -> None:
    name = "Ł" * 300 + ".docx"
    safe = safe_name(name)
    assert safe.endswith(".docx") and len(safe.encode("utf-8")) <= MAX_NAME_BYTES


# --- copies that never overwrite ---------------------------------------------------------------


def test_colliding_names_keep_both_files(tmp_path: Path) -> None:
    first = keep_copy(tmp_path, "plan.docx", sha(b"one"), b"one")
    second = keep_copy(tmp_path, "plan.docx", sha(b"two"), b"two")
    assert first != second and first.read_bytes() == b"one" and second.read_bytes() == b"two"


def test_same_content_reuses_its_copy(tmp_path: Path) -> None:
    """A restart after a crash between copying and committing leaves no second copy."""
    first = keep_copy(tmp_path, "plan.docx", sha(b"one"), b"one")
    again = keep_copy(tmp_path, "plan.docx", sha(b"one"), b"one")
    assert again == first
    assert [p.name for p in tmp_path.iterdir()] == ["plan.docx"]


def test_copies_kept_together_never_overwrite_and_reuse_their_content(tmp_path: Path) -> None:
    march, april = tmp_path / "2026" / "03", tmp_path / "2026" / "04"
    already = keep_copy(march, "plan.docx", sha(b"one"), b"one")  # an interrupted run's copy
    kept = keep_copies([
        Copy(march, "plan.docx", sha(b"one"), b"one"),  # the same content: reused
        Copy(march, "plan.docx", sha(b"two"), b"two"),  # same name, other content: kept too
        Copy(april, "review.docx", sha(b"three"), b"three"),
    ])
    assert kept[0] == already
    assert kept[1] != already and kept[1].parent == march and kept[1].read_bytes() == b"two"
    assert kept[2] == april / "review.docx" and kept[2].read_bytes() == b"three"
    assert sorted(p.name for p in march.iterdir()) == sorted(["plan.docx", kept[1].name])
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in kept)
    assert not list(tmp_path.rglob(".planwatch-tmp-*"))  # no temporary copy left behind


def test_a_copy_streamed_from_a_file(tmp_path: Path) -> None:
    source = tmp_path / "dropped.docx"
    source.write_bytes(b"x" * 3_000_000)
    kept = keep_copy(tmp_path / "archive", "dropped.docx", sha(source.read_bytes()), source)
    assert kept.read_bytes() == source.read_bytes()


def test_copies_where_hard_links_are_refused(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Some network shares refuse hard links: the name is claimed, then renamed over."""
    def no_links(*_args: object) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    first = keep_copy(tmp_path, "plan.docx", sha(b"one"), b"one")
    second = keep_copy(tmp_path, "plan.docx", sha(b"two"), b"two")
    assert (first.read_bytes(), second.read_bytes()) == (b"one", b"two")
    assert write_new(tmp_path / "new.toml", b"a") and not write_new(tmp_path / "new.toml", b"b")
    assert (tmp_path / "new.toml").read_bytes() == b"a"
    assert not list(tmp_path.glob(f"{TEMP_PREFIX}*"))


# --- files replaced atomically -----------------------------------------------------------------


@pytest.mark.parametrize("umask", [0o000, 0o022, 0o077], indirect=True,
                         ids=["umask_000", "umask_022", "umask_077"])
def test_written_files_and_new_folders_are_owner_only_whatever_the_umask(
        tmp_path: Path, umask: int) -> None:
    tmp_path.chmod(0o755)
    path = write_file(tmp_path / "a" / "b" / "status.json", b"{}")
    assert mode(path) == PRIVATE_FILE
    assert [mode(p) for p in (path.parent, path.parent.parent)] == [PRIVATE_DIR] * 2
    assert mode(tmp_path) == 0o755  # a folder it did not make is left alone


def test_a_file_is_replaced_whole_and_keeps_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "week.xlsx"
    path.write_bytes(b"last week's")
    path.chmod(0o644)
    write_file(path, b"this week's")
    assert path.read_bytes() == b"this week's" and mode(path) == PRIVATE_FILE
    assert [p.name for p in tmp_path.iterdir()] == ["week.xlsx"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    path = write_file(tmp_path / "week.xlsx", b"last week's")

    def half(handle: BinaryIO) -> None:
        handle.write(b"this w")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left"):
        write_atomically(path, half)
    assert path.read_bytes() == b"last week's"
    assert [p.name for p in tmp_path.iterdir()] == ["week.xlsx"]


def test_the_temporary_file_is_in_the_same_folder_and_recognised(tmp_path: Path) -> None:
    """Renamed within one folder (so atomic), under the name a crash cleanup removes."""
    seen: list[str] = []

    def write(handle: BinaryIO) -> None:
        seen.extend(p.name for p in tmp_path.iterdir())
        handle.write(b"x")

    write_atomically(tmp_path / "r.ics", write)
    assert len(seen) == 1 and seen[0].startswith(TEMP_PREFIX)


def test_shared_files_follow_the_umask(tmp_path: Path, umask: int) -> None:
    path = write_file(tmp_path / "blank" / "review.docx", b"form", private=False)
    assert mode(path) == 0o644 and mode(path.parent) == 0o755


def test_write_new_never_overwrites(tmp_path: Path, umask: int) -> None:
    path = tmp_path / "planwatch.toml"
    assert write_new(path, b"first")
    assert not write_new(path, b"second")
    assert path.read_bytes() == b"first" and mode(path) == PRIVATE_FILE
    assert [p.name for p in tmp_path.iterdir()] == ["planwatch.toml"]


# --- files written in place, folders, permissions ----------------------------------------------


@pytest.mark.parametrize("umask", [0o000], indirect=True, ids=["umask_000"])
def test_files_written_in_place_are_created_owner_only(tmp_path: Path, umask: int) -> None:
    store = create_private(tmp_path / "planwatch.db")
    assert mode(store) == PRIVATE_FILE and store.read_bytes() == b""
    descriptor = open_private(tmp_path / "x.lock")
    try:
        assert mode(tmp_path / "x.lock") == PRIVATE_FILE
    finally:
        os.close(descriptor)


def test_an_existing_file_written_in_place_is_left_as_it_is(tmp_path: Path) -> None:
    log = tmp_path / "planwatch.log"
    log.write_bytes(b"earlier lines\n")
    log.chmod(0o640)
    create_private(log)
    assert log.read_bytes() == b"earlier lines\n" and mode(log) == 0o640


def test_make_private_tightens_a_tree(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    (archive / "2026").mkdir(parents=True)
    (archive / "2026" / "plan.docx").write_bytes(b"x")
    for path, value in ((archive, 0o755), (archive / "2026", 0o755),
                        (archive / "2026" / "plan.docx", 0o644)):
        path.chmod(value)
    assert make_private(archive) == [archive, archive / "2026", archive / "2026" / "plan.docx"]
    assert make_private(archive) == []
    assert mode(archive / "2026" / "plan.docx") == PRIVATE_FILE


def test_clean_temporary_files_removes_only_temporaries(tmp_path: Path) -> None:
    (tmp_path / "2026").mkdir()
    leftover = tmp_path / "2026" / f"{TEMP_PREFIX}123-abc"
    leftover.write_bytes(b"half")
    kept = write_file(tmp_path / "2026" / "plan.docx", b"whole")
    assert clean_temporary_files(tmp_path, tmp_path / "missing") == [leftover]
    assert [p.name for p in (tmp_path / "2026").iterdir()] == [kept.name]


# --- reports: the same writing, in the words a person sees --------------------------------------


def test_a_report_folder_that_cannot_be_made_is_a_report_error(tmp_path: Path) -> None:
    (tmp_path / "reports").write_text("a file where the folder should be")
    with pytest.raises(ReportError, match="cannot create the folder") as caught:
        report_folder(tmp_path / "reports" / "x" / "w.xlsx", tmp_path / "elsewhere")
    assert caught.value.message.startswith(f"{tmp_path / 'reports' / 'x'}: ")


def test_a_reports_folder_that_cannot_be_tightened_is_a_report_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    reports.chmod(0o755)

    def refused(self: Path, _mode: int) -> None:
        raise PermissionError(1, "Operation not permitted", str(self))

    monkeypatch.setattr(Path, "chmod", refused)
    with pytest.raises(ReportError, match=r"cannot make the folder owner-only") as caught:
        report_tree(reports)
    assert caught.value.message.startswith(f"{reports}: ")
    assert caught.value.hint == (f"Run the command as the folder's owner, or run "
                                 f"`chmod 700 {reports}`.")


# --- one module writes files -------------------------------------------------------------------

# Modules that may write to disk themselves: none but pipeline/files.py. Whatever only writes
# to memory (a BytesIO, a zip entry in a handle pipeline.files gave) is not caught below.
ALLOWED = {PIPELINE / "files.py"}
WRITING_METHODS = {"write_bytes", "write_text", "mkdir", "makedirs", "fsync", "fdatasync",
                   "chmod", "fchmod", "touch", "symlink_to", "hardlink_to"}
WRITING_OS = {"link", "replace", "rename", "symlink", "mkfifo"}
WRITE_MODES = set("wax+")


def _writes(call: ast.Call) -> str | None:
    """What ``call`` writes to disk with, if anything."""
    func = call.func
    if isinstance(func, ast.Attribute):
        on_os = isinstance(func.value, ast.Name) and func.value.id == "os"
        if func.attr in WRITING_METHODS or (on_os and func.attr in WRITING_OS):
            return f"{func.attr}()"
        if on_os and func.attr == "open" and "O_CREAT" in ast.unparse(call):
            return "os.open(O_CREAT)"
        if func.attr == "open" and _mode(call, 0):  # Path.open("w")
            return "open() for writing"
    if isinstance(func, ast.Name) and func.id == "open" and _mode(call, 1):
        return "open() for writing"
    return None


def _mode(call: ast.Call, position: int) -> bool:
    given = [kw.value for kw in call.keywords if kw.arg == "mode"]
    if len(call.args) > position:
        given.append(call.args[position])
    return any(isinstance(value, ast.Constant) and isinstance(value.value, str)
               and WRITE_MODES & set(value.value) for value in given)


def test_only_pipeline_files_writes_files() -> None:
    """Every file Planwatch writes goes through pipeline.files (atomic, fsynced,
    owner-only): no other module creates, syncs or changes files on its own."""
    found = [
        f"{path.relative_to(PIPELINE.parent)}:{node.lineno}: {what}"
        for path in sorted(PIPELINE.rglob("*.py")) if path not in ALLOWED
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and (what := _writes(node)) is not None
    ]
    assert found == []


def test_the_scan_sees_writes() -> None:
    source = ("path.write_bytes(b'')\nfolder.mkdir(parents=True)\nos.fsync(fd)\n"
              "os.open(p, os.O_WRONLY | os.O_CREAT, 0o600)\nopen(p, 'w')\np.open('ab')\n"
              "os.replace(a, b)\nos.open(p, os.O_RDONLY)\nopen(p)\nzf.open(entry, 'w')\n")
    calls = [node for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Call)]
    assert sum(_writes(call) is not None for call in calls) == 7
    assert files.__file__ is not None and Path(files.__file__) in ALLOWED
