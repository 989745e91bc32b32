"""Building message bytes ahead of sending, and using them only while they are still current."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from mailer.config import Config, DispatchSettings
from mailer.smtp.mime import ComposeError, build_key, compose
from store.clock import iso
from store.db import Store
from store.outbox.raw import rows_without_raw, save_raw


def settings_key(settings: DispatchSettings) -> str:
    return build_key(settings.unsubscribe_url, settings.unsubscribe_mailto, settings.public_url)


def build(row: Mapping, settings: DispatchSettings) -> bytes:
    """The row's bytes under these settings: the one way every path composes a message."""
    return compose(row, unsubscribe_url=settings.unsubscribe_url,
                   unsubscribe_mailto=settings.unsubscribe_mailto, public_url=settings.public_url)


def prebuilt_bytes(row: Mapping, settings: DispatchSettings, key: str | None = None) -> bytes | None:
    """The bytes built ahead for the row (`raw`: fingerprint and bytes), if built under these settings."""
    prebuilt = row.get("raw")
    if prebuilt and prebuilt[0] == (key or settings_key(settings)):
        return bytes(prebuilt[1])
    return None


def message_bytes(row: Mapping, settings: DispatchSettings) -> bytes:
    """The prebuilt bytes when their fingerprint still matches the row, else freshly built ones."""
    prebuilt = prebuilt_bytes(row, settings)
    if prebuilt is not None:
        return prebuilt
    return build(row, settings)


def attach_bytes(rows: list[dict], settings: DispatchSettings) -> None:
    """Set each claimed row's `bytes`, or its `compose_error` sentence when it cannot be built."""
    for row in rows:
        if "bytes" in row:
            continue
        try:
            row["bytes"] = message_bytes(row, settings)
        except ComposeError as error:
            row["compose_error"] = str(error)


def prepare_outbox(store: Store, config: Config, *, horizon: timedelta = timedelta(hours=24),
                   limit: int = 500) -> int:
    """Build and store the bytes of up to `limit` rows due within `horizon`; returns how many.

    Call it after queueing mail (or let the daemon call it when idle): sending then costs
    only the SMTP exchange, since building a message is the dearest step of the send path.
    """
    settings = config.dispatch
    key = settings_key(settings)
    rows = rows_without_raw(store.reader(), before=iso(store.clock.now() + horizon), limit=limit)
    built = []
    for row in rows:
        try:
            raw = build(row, settings)
        except ComposeError:
            continue  # refused again, with its sentence, when the dispatcher claims it
        built.append((row, key, raw))
    if not built:
        return 0
    with store.write() as db:
        return save_raw(db, built)
