"""The header's word that the demo is a rehearsal, and where its mail goes, as fully as there is room for."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.cells import cell_len

from tui.visible import visible

SEPARATOR = " · "


def short_folder(folder: Path, home: Path | None) -> str:
    """`~/…/demo-mail`: the folder's own name, and whether it lies in the home folder (None: none known)."""
    try:
        inside = folder.relative_to(home) if home is not None else None
    except ValueError:
        inside = None
    if inside is None:
        return str(folder) if len(folder.parts) <= 3 else f"/…/{folder.name}"
    return f"~/{inside}" if len(inside.parts) <= 1 else f"~/…/{folder.name}"


def fitted(first: str, phrases: Sequence[str], rest: str, width: int | None) -> str:
    """`first · phrase · rest` with the fullest phrase that fits in `width` cells before `rest` (which
    the header then cuts, marked `…`); the last phrase, the one word that must stay, when none does.
    With no width known yet, the fullest."""
    def line(phrase: str, tail: str) -> str:
        return SEPARATOR.join(part for part in (first, phrase, tail) if part)

    mark = 2 if rest else 0  # room for " …" after the phrase: the cut must not seem to be the phrase's
    chosen = next((phrase for phrase in phrases
                   if width is None or cell_len(line(phrase, "")) + mark <= width), phrases[-1])
    return line(chosen, rest)


@dataclass(frozen=True)
class Rehearsal:
    """A demo run: the mail it sends goes to a local catcher at `address`, which keeps it in `folder`."""

    address: str
    folder: Path

    def phrases(self, home: Path | None) -> tuple[str, ...]:
        """What the header may say about it, fullest first, down to the one word that must stay."""
        full, short = visible(str(self.folder)), visible(short_folder(self.folder, home))
        caught = f"rehearsal: mail caught at {self.address}, kept in"
        return (f"{caught} {full}", f"{caught} {short}", f"rehearsal: mail kept in {short}",
                "rehearsal: mail is caught", "rehearsal")

    def sub_title(self, sub_title: str, width: int | None, home: Path | None = None) -> str:
        """`sub_title` ("demo.db · Mon 23 Nov …") with the rehearsal said after its first part, in `width`."""
        first, _, rest = sub_title.partition(SEPARATOR)
        return fitted(first, self.phrases(home or _home()), rest, width)


def _home() -> Path | None:
    """The home folder, None when the system knows none."""
    try:
        return Path.home()
    except RuntimeError:
        return None
