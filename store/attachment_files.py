"""Attachment bytes on disk, stored once by SHA-256 in a private folder beside the database.

`<db>.attachments/ab/cdef…`: folders 0700 and files 0600, each written to a temporary file
and renamed into place, so a reader never sees half a file and two writers of the same bytes
cannot clash. The type is read from the content, never from the name a sender chose.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from store.database import Database
from store.errors import UserError

OCTET_STREAM = "application/octet-stream"
_SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
# Office Open XML files are ZIP archives whose first entry names the kind of document.
_OOXML = ((b"word/", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
          (b"xl/", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
          (b"ppt/", "application/vnd.openxmlformats-officedocument.presentationml.presentation"))
_TEXT_SAMPLE = 4096


def sniff(data: bytes) -> str:
    """The content type the bytes themselves show: PDF, PNG, JPEG, GIF, ZIP (docx, xlsx, pptx),
    UTF-8 text without control characters, else application/octet-stream."""
    for signature, content_type in _SIGNATURES:
        if data.startswith(signature):
            return content_type
    if data.startswith(b"PK\x03\x04"):
        head = data[:65536]
        for marker, content_type in _OOXML:
            if b"[Content_Types].xml" in head and marker in head:
                return content_type
        return "application/zip"
    return "text/plain" if _is_text(data) else OCTET_STREAM


def _is_text(data: bytes) -> bool:
    if not data:
        return False
    sample = data[:_TEXT_SAMPLE]
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multibyte character cut by the sample's end is still text.
        if error.start < len(sample) - 3:
            return False
        text = sample[:error.start].decode("utf-8")
    return all(ch.isprintable() or ch in "\t\n\r\f" for ch in text)


def folder(db: Database) -> Path:
    """The attachment folder of the database `db` is connected to: `<file>.attachments`."""
    for _, name, path in db.conn.execute("PRAGMA database_list").fetchall():
        if name == "main" and path:
            return Path(f"{path}.attachments")
    raise RuntimeError("attachments need a database file")


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_path(root: Path, sha256: str) -> Path:
    return root / sha256[:2] / sha256[2:]


def _private_dir(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)  # mkdir's mode is narrowed by the umask, never widened


def put(root: Path, data: bytes) -> str:
    """Store `data` once under its SHA-256 (kept as it is when already there); returns the digest."""
    sha256 = digest(data)
    target = file_path(root, sha256)
    if target.exists():
        return sha256
    try:
        _private_dir(root)
        _private_dir(target.parent)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")  # mode 0600
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as error:
        raise UserError(f"Cannot store the attachment in {root} ({error.strerror or error}).") from None
    return sha256


def get(root: Path, sha256: str) -> bytes:
    """The stored bytes, checked against their digest; one sentence when missing or damaged."""
    try:
        data = file_path(root, sha256).read_bytes()
    except OSError:
        raise UserError(f"The stored attachment {sha256[:12]} is missing from {root}.") from None
    if digest(data) != sha256:
        raise UserError(f"The stored attachment {sha256[:12]} is damaged (its bytes changed).")
    return data
