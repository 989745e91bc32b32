"""Saving attachments out of the store: one by its id (`callsheet attachment save`), or all of one
message's (the Inbox's key)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mailer.actions.outcome import Outcome
from mailer.attachment_saving import check_folder, default_folder, write_new
from store import attachments
from store.attachments import Linked
from store.db import Store
from store.errors import UserError
from store.wording import plural


@dataclass(frozen=True, kw_only=True)
class AttachmentsSaved(Outcome):
    """Where each file went, in order."""

    paths: tuple[Path, ...]


def _write(store: Store, found: Sequence[Linked], folder: Path) -> AttachmentsSaved:
    db = store.reader()
    root = check_folder(folder)
    contents = [attachments.content(db, linked) for linked in found]  # all readable, or nothing written
    paths = tuple(write_new(root, linked.filename, data)
                  for linked, data in zip(found, contents, strict=True))
    names = ", ".join(path.name for path in paths)
    return AttachmentsSaved(sentence=f"Saved {plural(len(paths), 'file')} to {root}: {names}.", paths=paths)


def save(store: Store, linked_ids: Sequence[int], folder: Path) -> AttachmentsSaved:
    """Write the named attachments into `folder`, each under a name no file there has yet."""
    db = store.reader()
    return _write(store, [attachments.get(db, linked_id) for linked_id in linked_ids], folder)


def save_message(store: Store, message_row: int, folder: Path) -> AttachmentsSaved:
    """Write every kept attachment of one message into `folder` (skipped parts are named in the
    sentence, never written)."""
    listed = attachments.for_messages(store.reader(), [message_row]).get(message_row, [])
    kept = [linked for linked in listed if linked.sha256 is not None]
    if not kept:
        raise UserError("The message has no saved attachments." if not listed else
                        "The message's attachments were not kept (too large); nothing was saved.")
    saved = _write(store, kept, folder)
    skipped = len(listed) - len(kept)
    if skipped:
        return AttachmentsSaved(sentence=f"{saved.sentence} {plural(skipped, 'part')} not kept (too large).",
                                paths=saved.paths, warning=True)
    return saved


def save_latest(store: Store, influencer_id: int, campaign_id: int | None = None,
                folder: Path | None = None) -> AttachmentsSaved:
    """The Inbox's key: the files of the conversation's newest message that has any, written into
    `folder` (default ~/Downloads when it exists, else the current folder)."""
    message_row = attachments.latest_with_files(store.reader(), influencer_id, campaign_id)
    if message_row is None:
        raise UserError("No message in this conversation has attachments.")
    return save_message(store, message_row, folder or default_folder())
