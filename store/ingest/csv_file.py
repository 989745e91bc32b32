"""Reading CSV: the delimiter sniffed from the header, quotes parsed strictly, physical line numbers.

The delimiter is whichever of `,` `;` and tab splits the header line (outside
quotes) into the most columns and also splits the first rows into as many; a
`;` file is therefore never read as one column. Excel's `sep=;` first line, when
present, decides instead. Quotes are strict: a quote left
open, or text after a closing quote, refuses the file with the line it is on.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

from store.errors import UserError
from store.ingest import decoding
from store.ingest.source import RawRow, SourceTable, check_header

DELIMITERS = (",", ";", "\t")
SAMPLE_RECORDS = 20
_SEP_LINE = re.compile(r"sep=([,;\t|])(?:\r\n|\r|\n)")


def read(path: Path, data: bytes) -> SourceTable:
    """Read a CSV file into a header and rows numbered by the line each row starts on."""
    text, notes = decoding.decode(path, data)
    hint = _SEP_LINE.match(text)  # Excel's "sep=;" first line names the delimiter
    delimiter = hint[1] if hint else sniff_delimiter(text)
    records = _records(path, text[hint.end():] if hint else text, delimiter, skipped=1 if hint else 0)
    header: list[str] = []
    rows: list[RawRow] = []
    for line, end, fields in records:
        if not "".join(fields).strip():
            continue
        if not header:
            header = [f.strip(" \t") for f in fields]
            check_header(path.name, header)
            continue
        problem = _shape_problem(fields, len(header), line, end)
        rows.append(RawRow(line, fields, problem))
    return SourceTable(path.name, "csv", header, rows, unit="line", notes=notes)


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the header, and the rows after it, most consistently."""
    counts = _header_counts(text)
    candidates = sorted((d for d in DELIMITERS if counts[d]), key=lambda d: -counts[d])
    for delimiter in candidates:
        if _consistent(text, delimiter, counts[delimiter] + 1):
            return delimiter
    return candidates[0] if candidates else ","


def _header_counts(text: str) -> dict[str, int]:
    """How often each delimiter occurs outside quotes on the first non-blank line."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    started = False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in "\r\n":
            if started:
                break
        elif not quoted and char in counts:
            counts[char] += 1
        started = started or not char.isspace()
    return counts


def _consistent(text: str, delimiter: str, width: int) -> bool:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        widths = [len(fields) for _, fields in zip(range(SAMPLE_RECORDS), reader, strict=False) if fields]
    except csv.Error:
        return False
    return all(w == width for w in widths)


def _records(path: Path, text: str, delimiter: str, skipped: int) -> Iterator[tuple[int, int, list[str]]]:
    """Every record with the line it starts on and the line it ends on (after `skipped` lines).

    Read lazily, so a header refused for its width is refused before the rows are parsed.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    end = skipped
    try:
        for fields in reader:
            yield end + 1, reader.line_num + skipped, fields
            end = reader.line_num + skipped
    except csv.Error as error:
        raise _syntax_error(path, error, end + 1, reader.line_num + skipped) from None


def _syntax_error(path: Path, error: csv.Error, start: int, line: int) -> UserError:
    message = str(error)
    where = f"{path.name} line {start}"
    if "end of data" in message:
        return UserError(f"{where}: a quoted field is never closed (the file ends inside it); "
                         'add the missing ".')
    if "field limit" in message:
        return UserError(f"{where}: a field is longer than {csv.field_size_limit()} characters; "
                         "is a closing quote missing?")
    opened = f" (inside a quoted field opened on line {start})" if line > start else ""
    return UserError(f"{path.name} line {line}: text follows a closing quote{opened}; quote the whole "
                     'field and double any quote inside it ("").')


def _shape_problem(fields: list[str], width: int, line: int, end: int) -> str | None:
    if len(fields) == width:
        return None
    if len(fields) > width and not any(f.strip() for f in fields[width:]):
        del fields[width:]
        return None
    spans = f" (it runs to line {end}: is a closing quote missing?)" if end > line else ""
    return f"has {len(fields)} fields but the header has {width}{spans}"
