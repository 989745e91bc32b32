"""Plain snapshots of a dispatch run, for the command line's progress bar and the app's status bar."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class DispatchReport:
    """What a run did; `halted` is the sentence that stopped it, if anything did."""

    sent: int = 0
    deferred: int = 0
    failed: int = 0
    skipped: int = 0
    fenced: int = 0
    halted: str | None = None
    paused: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Everything due was sent or deferred by rule (the `dispatch` exit code 0)."""
        return self.failed == 0 and self.halted is None

    def as_json(self) -> dict:
        return {"sent": self.sent, "deferred": self.deferred, "failed": self.failed,
                "skipped": self.skipped, "halted": self.halted, "paused": list(self.paused)}


@dataclass(frozen=True)
class DispatchProgress:
    """One moment of a run: how far it is and what it is doing."""

    total: int
    sent: int
    deferred: int
    failed: int
    skipped: int
    in_flight: int = 0
    state: str = "sending"  # sending, idle, waiting (server down), halted, done
    note: str | None = None
    paused: tuple[str, ...] = ()  # why the breaker paused each campaign it paused, in order

    @property
    def done(self) -> int:
        return self.sent + self.deferred + self.failed + self.skipped

    def line(self) -> str:
        """`sending 412/2,000 · 3 deferred · 1 failed`: one line for a status bar."""
        if self.state == "halted":
            return f"dispatch stopped: {self.note}"
        parts = [f"{self.state} {self.done:,}/{max(self.total, self.done):,}"]
        if self.deferred:
            parts.append(f"{self.deferred:,} deferred")
        if self.failed:
            parts.append(f"{self.failed:,} failed")
        if self.skipped:
            parts.append(f"{self.skipped:,} skipped")
        if self.note:
            parts.append(self.note)
        return " · ".join(parts)


def snapshot(report: DispatchReport, total: int, in_flight: int, state: str,
             note: str | None = None) -> DispatchProgress:
    return DispatchProgress(total=total, sent=report.sent, deferred=report.deferred,
                            failed=report.failed, skipped=report.skipped, in_flight=in_flight,
                            state="halted" if report.halted else state, note=report.halted or note,
                            paused=tuple(report.paused))
