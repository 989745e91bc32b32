"""The attachment store: content-addressed files beside the database, private, named safely."""

from __future__ import annotations

import os
import stat
import zipfile
from io import BytesIO

import pytest

from store import attachment_files, attachments
from store.db import Store
from store.errors import UserError

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _mode(path: os.PathLike[str] | str) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_same_bytes_twice_are_stored_once_and_privately(store: Store) -> None:
    with store.write() as db:
        first = attachments.store_bytes(db, PDF, now=store.now_iso())
        second = attachments.store_bytes(db, PDF, now=store.now_iso())
        other = attachments.store_bytes(db, b"plain words\n", now=store.now_iso())
    assert first == second != other
    root = attachment_files.folder(store.reader())
    assert root == store.path.with_name(store.path.name + ".attachments")
    files = [path for path in root.rglob("*") if path.is_file()]
    assert len(files) == 2
    assert _mode(root) == 0o700
    assert all(_mode(path.parent) == 0o700 and _mode(path) == 0o600 for path in files)
    sha = attachment_files.digest(PDF)
    assert attachment_files.file_path(root, sha).read_bytes() == PDF
    assert store.reader().execute("SELECT count(*) FROM attachments").fetchone()[0] == 2


def test_a_damaged_file_is_refused_not_served(store: Store) -> None:
    with store.write() as db:
        attachment_id = attachments.store_bytes(db, PDF, now=store.now_iso())
        message = db.conn.execute(
            "INSERT INTO messages (direction, kind, created_at, updated_at) VALUES ('in', 'reply', 'x', 'x')"
        ).lastrowid
        assert message is not None
        linked_id = attachments.link(db, message, attachment_id, "brief.pdf", len(PDF))
    path = attachment_files.file_path(attachment_files.folder(store.reader()), attachment_files.digest(PDF))
    os.chmod(path, 0o600)
    path.write_bytes(b"%PDF-tampered")
    linked = attachments.get(store.reader(), linked_id)
    with pytest.raises(UserError, match="damaged"):
        attachments.content(store.reader(), linked)


def _docx() -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return out.getvalue()


@pytest.mark.parametrize(("data", "expected"), [
    (PDF, "application/pdf"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "image/png"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
    (b"GIF89a\x01\x00", "image/gif"),
    (b"PK\x03\x04plain zip", "application/zip"),
    ("Grüße, rates attached\n".encode(), "text/plain"),
    (b"MZ\x90\x00\x03\x00", "application/octet-stream"),
    (b"#!/bin/sh\x00\x01", "application/octet-stream"),
    (b"", "application/octet-stream"),
])
def test_the_type_comes_from_the_content(data: bytes, expected: str) -> None:
    assert attachment_files.sniff(data) == expected


def test_office_documents_are_told_from_plain_zips() -> None:
    assert attachment_files.sniff(_docx()).endswith("wordprocessingml.document")


@pytest.mark.parametrize(("given", "expected"), [
    ("mediakit.pdf", "mediakit.pdf"),
    ("../../etc/passwd", "passwd"),
    ("..\\..\\boot.ini", "boot.ini"),
    ("folder/", "attachment"),
    (".bashrc", "bashrc"),
    ("...", "attachment"),
    ("", "attachment"),
    (None, "attachment"),
    ("rate\r\ncard\x1b[31m.pdf", "rate_card_[31m.pdf"),
    ("invoice\u202egpj.exe", "invoice_gpj.exe"),
    ("Café brief.pdf", "Café brief.pdf"),
])
def test_file_names_are_only_names(given: str | None, expected: str) -> None:
    assert attachments.safe_name(given) == expected


def test_long_names_are_capped_keeping_the_extension() -> None:
    name = attachments.safe_name("x" * 500 + ".pdf")
    assert len(name) == attachments.MAX_NAME_CHARS and name.endswith("xx.pdf")
