"""Checking an XLSX package before any XML parser sees it.

openpyxl parses with the standard library unless defusedxml is installed, and we
add no dependency for it: instead every part that an XML parser could read is
scanned here for a document type declaration (the only way to declare the
entities of an expansion bomb or an external entity), and refused if it has one.
The same pass finds merged cells, which read-only openpyxl does not report.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from store.errors import UserError
from store.ingest.source import OLE_MAGIC, ZIP_MAGIC

CHUNK = 1 << 20
OVERLAP = 512
MAX_EXPANDED_BYTES = 512 * 1024 * 1024
MAX_PARTS = 10_000
DECLARATION = re.compile(rb"<!\s*[A-Za-z]")  # <!DOCTYPE, <!ENTITY…; not <!-- or <![CDATA[
MERGE = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?mergeCell\b[^>]*?\bref\s*=\s*[\"']([A-Za-z]+\d+(?::[A-Za-z]+\d+)?)")
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


@dataclass
class Package:
    """What the scan learnt: the merged ranges of each part, by part name."""

    merges: dict[str, set[str]] = field(default_factory=dict)


def check(path: Path, data: bytes) -> Package:
    """Refuse anything that is not a plain, complete, declaration-free XLSX package."""
    _refuse_non_zip(path, data)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UserError(f"{path.name} is damaged or truncated: it is not a complete zip file.") from None
    with archive:
        infos = archive.infolist()
        _refuse_foreign(path, archive, infos)
        package = Package()
        for info in infos:
            _scan_part(path, archive, info, package)
    return package


def _refuse_non_zip(path: Path, data: bytes) -> None:
    if data.startswith(ZIP_MAGIC):
        return
    if data.startswith(OLE_MAGIC):
        raise UserError(f"{path.name} is an Excel 97-2003 or password-protected workbook; "
                        "save it as .xlsx without a password, or as CSV UTF-8.")
    if not data:
        raise UserError(f"{path.name} has no rows.")
    head = data[:4096]
    if b"\x00" not in head and _looks_like_text(head):
        raise UserError(f"{path.name} is not an XLSX workbook but plain text (a CSV file renamed?); "
                        "name it .csv or pass --format csv.")
    raise UserError(f"{path.name} is not an XLSX workbook: it is not a zip file.")


def _looks_like_text(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start > len(head) - 4  # a character cut at the end of the sample
    return True


def _refuse_foreign(path: Path, archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
    names = {info.filename for info in infos}
    if "mimetype" in names and archive.read("mimetype").startswith(ODS_MIMETYPE):
        raise UserError(f"{path.name} is an OpenDocument spreadsheet; save it as .xlsx or CSV UTF-8.")
    if "[Content_Types].xml" not in names or not any(n.endswith("workbook.xml") for n in names):
        raise UserError(f"{path.name} is a zip file but holds no Excel workbook.")
    if len(infos) > MAX_PARTS or sum(info.file_size for info in infos) > MAX_EXPANDED_BYTES:
        raise UserError(f"{path.name} expands to more than {MAX_EXPANDED_BYTES // 2**20} MB; "
                        "callsheet refuses it (a zip bomb?).")


def _scan_part(path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo, package: Package) -> None:
    if info.is_dir():
        return
    try:
        with archive.open(info) as part:
            _scan_stream(path, info.filename, part, package)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as error:
        raise UserError(f"{path.name} is damaged or truncated: its part {info.filename} cannot be "
                        f"read ({error}).") from None
    except RuntimeError:  # zipfile's word for an encrypted member
        raise UserError(f"{path.name} is encrypted; save it without a password.") from None


def _scan_stream(path: Path, name: str, part: IO[bytes], package: Package) -> None:
    chunk = part.read(CHUNK)
    kind = _xml_kind(chunk)
    if kind == "binary":
        return  # an XML parser stops at its first byte, so nothing in it can be declared
    if kind == "utf-16":
        raise UserError(f"{path.name} has a UTF-16 XML part ({name}), which callsheet does not read; "
                        "save it again from your spreadsheet program.")
    tail = b""
    while chunk:
        window = tail + chunk
        if DECLARATION.search(window):
            raise UserError(f"{path.name} declares a document type in {name} (XML entities, as in an "
                            "entity-expansion bomb); callsheet refuses such workbooks.")
        for ref in MERGE.findall(window):
            package.merges.setdefault(name, set()).add(ref.decode("ascii").upper())
        tail = window[-OVERLAP:]
        chunk = part.read(CHUNK)


def _xml_kind(head: bytes) -> str:
    """How an XML parser could read a part: "utf-8" (scanned), "utf-16" (refused) or "binary" (not XML).

    expat reads UTF-16 without a byte-order mark, leading spaces included, so a
    part is only left unscanned when no reading of it starts with markup.
    """
    stripped = head.removeprefix(codecs.BOM_UTF8).lstrip(b" \t\r\n")
    if not stripped or stripped.startswith(b"<"):
        return "utf-8"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    even = head[: len(head) // 2 * 2]
    for codec in ("utf-16-le", "utf-16-be"):
        text = even.decode(codec, "ignore").lstrip(" \t\r\n")
        if not text or text.startswith("<"):
            return "utf-16"
    return "binary"
