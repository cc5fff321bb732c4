"""Ingest: read the input folder into raw records, one per row / JSON line.

Only decoding and parsing happen here; every judgement about a record's content is made
in `validate`. A line that cannot even be parsed (broken JSON) becomes a record carrying
its parse error, so that validation rejects it with file and line like any other.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import pyarrow as pa
import pyarrow.parquet as pq

# Subfolder of the input directory → source name, and the file types read there (any letter case).
SOURCES: dict[str, tuple[str, tuple[str, ...]]] = {
    "feedback": ("feedback", (".csv", ".parquet")),
    "chats": ("chat", (".jsonl",)),
    "calls": ("call", (".csv", ".parquet")),
}
# One text cell may be long (a pasted e-mail thread); validate rejects texts over ingest.max_text_chars with a
# reason, which csv's default 128 KiB cell limit would turn into an exception that ends the night.
csv.field_size_limit(2**31 - 1)

# Finnish exports from Excel and older CRMs are often cp1252; BOM-marked UTF-8 is common too.
ENCODINGS = ("utf-8-sig", "cp1252")


@dataclass(frozen=True)
class RawRecord:
    source: str                     # feedback | chat | call
    file: str                       # path relative to the input folder
    line: int                       # 1-based line (CSV: the data row's first line; header is line 1); 0 = whole file
    fields: dict[str, Any] | None   # None when the line could not be parsed
    error: str | None = None


@dataclass
class InputFile:
    source: str
    file: str
    encoding: str
    records: list[RawRecord] = field(default_factory=list)


class InputError(Exception):
    """The input folder itself is unusable (missing, or holding no input files)."""


def decode(data: bytes) -> tuple[str, str]:
    """Decode bytes trying UTF-8 (with or without BOM) before cp1252; returns (text, encoding)."""
    for enc in ENCODINGS:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if enc == "utf-8-sig":
            enc = "utf-8-bom" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
        return text, enc
    # cp1252 leaves five byte values undefined; latin-1 decodes anything and is its superset there.
    return data.decode("latin-1"), "latin-1"


def csv_delimiter(header_line: str) -> str:
    """The header line's most frequent of comma, semicolon and tab (comma on a tie): Excel in a Finnish
    locale saves "CSV" with semicolons, because the comma is the decimal separator there."""
    return max((",", ";", "\t"), key=lambda d: (header_line.count(d), d == ","))


def read_csv_records(text: str, source: str, file: str) -> Iterator[RawRecord]:
    # newline="" semantics: csv handles quoted newlines; track each row's first physical line.
    end = text.find("\n")  # the header line only: split() would copy the whole file once more
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=csv_delimiter(text if end < 0 else text[:end]))
    try:
        header = next(reader)
    except StopIteration:
        return
    header = [h.strip() for h in header]
    twice = sorted({h for h in header if header.count(h) > 1})
    # An odd number of quote characters means one quote is never closed ("" inside a field counts twice):
    # the csv reader then reads from it to the end of the file as one row (the last), which must not pass
    # as a text.
    unclosed = text.count('"') % 2 == 1
    start = reader.line_num + 1
    last: RawRecord | None = None
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            if last is not None:
                yield last
            yield RawRecord(source, file, start, None, f"cannot parse CSV here ({exc}); the rest of the file is not read")
            return
        if not any(cell.strip() for cell in row):
            start = reader.line_num + 1
            continue  # blank lines are formatting, not rows
        if last is not None:
            yield last
        lines = f"lines {start}–{reader.line_num} were read as this one row" if reader.line_num > start else ""
        if twice:
            last = RawRecord(source, file, start, None, f"the header names column(s) {twice} more than once")
        elif len(row) > len(header) and not any(cell.strip() for cell in row[len(header):]):
            # Trailing separators ("a,b,c,") that some exporters add: nothing is lost by dropping them.
            last = RawRecord(source, file, start, dict(zip(header, row)))
        elif len(row) != len(header):
            last = RawRecord(source, file, start, None, f"row has {len(row)} fields, header has {len(header)}" + (
                f"; {lines} (a quote opened here is not closed where the row should end)" if lines else ""))
        elif unclosed and lines:
            last = RawRecord(source, file, start, None, f"a quote opened here is never closed: {lines}")
        else:
            last = RawRecord(source, file, start, dict(zip(header, row)))
        start = reader.line_num + 1
    if last is not None:
        yield last


def read_jsonl_records(text: str, source: str, file: str) -> Iterator[RawRecord]:
    # "\n" only: splitlines() would also split at U+2028 and other separators that JSON strings may hold.
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield RawRecord(source, file, lineno, None, f"invalid JSON ({exc.msg} at column {exc.colno})")
            continue
        if not isinstance(obj, dict):
            yield RawRecord(source, file, lineno, None, "JSON line is not an object")
            continue
        yield RawRecord(source, file, lineno, obj)


def read_parquet_records(path: Path, source: str, file: str) -> Iterator[RawRecord]:
    table = pq.read_table(path)
    for i, row in enumerate(table.to_pylist(), start=1):
        yield RawRecord(source, file, i, {k: ("" if v is None else v) for k, v in row.items()})


def read_file(path: Path, source: str, rel: str) -> InputFile:
    """A file's records. A file that cannot be read at all (unreadable, or not Parquet inside) becomes one
    reject at line 0: one broken file in a nightly drop must not cost the other files their night."""
    try:
        suffix = path.suffix.lower()
        if suffix == ".parquet":
            return InputFile(source, rel, "parquet", list(read_parquet_records(path, source, rel)))
        text, enc = decode(path.read_bytes())
    except (OSError, pa.ArrowException) as exc:
        return InputFile(source, rel, "unreadable", [RawRecord(source, rel, 0, None, f"cannot read file: {exc}")])
    reader = read_jsonl_records if suffix == ".jsonl" else read_csv_records
    return InputFile(source, rel, enc, list(reader(text, source, rel)))


def _scan(input_dir: Path) -> tuple[list[tuple[str, Path]], list[tuple[str, str]]]:
    """(source, path) of every input file, and (path, reason) of everything else found in the folder, which is
    not read. Hidden entries (".DS_Store", ".gitkeep") and a README beside the input folders are neither."""
    if not input_dir.is_dir():
        raise InputError(f"input folder not found: {input_dir}")
    found: list[tuple[str, Path]] = []
    ignored: list[tuple[str, str]] = []
    for entry in sorted(input_dir.iterdir()):
        if entry.name.startswith(".") or (entry.is_file() and entry.name.lower().startswith("readme")):
            continue
        if entry.name not in SOURCES or not entry.is_dir():
            ignored.append((entry.name, f"not one of the input folders {', '.join(f + '/' for f in SOURCES)}"))
            continue
        source, suffixes = SOURCES[entry.name]
        for p in sorted(entry.rglob("*")):
            rel = str(p.relative_to(input_dir))
            if any(part.startswith(".") for part in p.relative_to(entry).parts) or p.is_dir():
                continue
            if p.parent != entry:
                ignored.append((rel, f"in a subfolder of {entry.name}/ (only files directly in it are read)"))
            elif p.suffix.lower() not in suffixes:
                ignored.append((rel, f"not a {' or '.join(suffixes)} file"))
            elif not p.is_file():
                ignored.append((rel, "not a regular file (a broken link?)"))
            else:
                found.append((source, p))
    return sorted(found, key=lambda sp: str(sp[1])), ignored


def list_input_files(input_dir: Path) -> list[tuple[str, Path]]:
    """(source, path) for every input file, in a deterministic order."""
    found, _ = _scan(input_dir)
    if not found:
        raise InputError(
            f"no input files in {input_dir}: expected feedback/*.csv|parquet, chats/*.jsonl or calls/*.csv|parquet")
    return found


def ignored_input_files(input_dir: Path) -> list[tuple[str, str]]:
    """(path relative to the input folder, reason) for each file or folder in it that a run does not read."""
    return _scan(input_dir)[1]


def read_input(input_dir: Path) -> list[InputFile]:
    return [read_file(p, source, str(p.relative_to(input_dir))) for source, p in list_input_files(input_dir)]
