"""The Pipeline's questions before a decision and before the start of the collaboration.

Pure text from what the action layer checked (`DecisionCheck`, `CollaborationPreview`): what
will happen, to how many, which email goes out, the agreement deadlines, and who is left out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from store.wording import plural

if TYPE_CHECKING:  # the decisions' module loads with the first decision, not at start-up
    from mailer.actions.pipeline import CollaborationPreview, DecisionCheck

# Decisions whose question the rules must answer first: final ones, and the agreement steps.
CHECKED = frozenset({"accept", "reject", "send-agreement", "signed", "refused"})
HEADLINES = {
    "send-agreement": "Send the agreement to {apps} in {campaign!r}?",
    "signed": "Record the signature of {apps} in {campaign!r}?",
    "refused": "Record that {apps} in {campaign!r} refused the agreement?",
}
BUTTONS = {"send-agreement": "Send {n}", "signed": "Signed: {n}", "refused": "Refused: {n}"}
AFTERWARDS = {
    "signed": "Once signed, a accepts them, or C takes them in when the collaboration starts.",
    "refused": "They stay out of the group; the collaboration leaves them as they are.",
}


def agreement_first(campaign: str) -> str:
    """What an accept in a campaign that requires an agreement needs, and the keys that get it."""
    return (f"{campaign!r} needs a signed agreement before anyone is accepted: send it with A, "
            "record the signature with S, then accept.")


def refusal(campaign: str, check: DecisionCheck) -> str:
    """Why nothing may move; an accept that wants a signature says so first."""
    reason = check.refusal()
    return f"{agreement_first(campaign)}\n{reason}" if check.unsigned else reason


def button(decision: str, check: DecisionCheck) -> str:
    count = len(check.ready)
    return BUTTONS.get(decision, "{verb} {n}").format(n=count, verb=decision.capitalize())


def confirmation(campaign: str, decision: str, check: DecisionCheck) -> str:
    """The question before a decision: what will happen, to how many, and who is left out."""
    # One person is named: "Accept @mia.rossi278 in 'Glow'?" says who, "1 application" does not.
    apps = f"@{check.ready[0]}" if len(check.ready) == 1 else plural(len(check.ready), "application")
    text = HEADLINES.get(decision, "{verb} {apps} in {campaign!r}?").format(
        verb=decision.capitalize(), apps=apps, campaign=campaign)
    text += "\n\n" + _what_happens(decision, check)
    if check.problems:
        others = len(check.problems)
        moved = f"be {decision}ed" if decision in ("accept", "reject") else "move"
        text += (f"\n\n{others} other{'' if others == 1 else 's'} cannot {moved} and stay as "
                 f"{'it is' if others == 1 else 'they are'}:" + "".join(f"\n  {p}" for p in check.problems))
    if check.unsigned:
        text += "\n\n" + agreement_first(campaign)
    return text


def _what_happens(decision: str, check: DecisionCheck) -> str:
    count = len(check.ready)
    if decision in ("accept", "reject"):
        return (f"{count} {decision}ed email{'' if count == 1 else 's'} will be sent. "
                "This is final once the emails leave (u undoes it until then).")
    mail = (f"{plural(count, 'email')} from the {check.email_kind!r} template will be sent."
            if check.email_kind else "No email is sent (no trigger of this campaign sends one for it).")
    if decision == "send-agreement":
        return (f"{mail}\nEach must be signed by {check.new_deadline} (the campaign's time); "
                "after that it expires and cannot be signed.")
    return f"{mail}\nAgreement deadlines:{_deadlines(check)}\n{AFTERWARDS.get(decision, '')}".rstrip()


def _deadlines(check: DecisionCheck) -> str:
    """One line per deadline (one batch of agreements shares one), naming a few of its handles."""
    by_deadline: dict[str, list[str]] = {}
    for handle in check.ready:
        by_deadline.setdefault(check.deadlines.get(handle, "–"), []).append(f"@{handle}")
    return "".join(f"\n  {deadline}: {_some(handles)}" for deadline, handles in by_deadline.items())


def _some(handles: list[str], shown: int = 4) -> str:
    rest = len(handles) - shown
    return ", ".join(handles[:shown]) + (f" and {rest} more" if rest > 0 else "")


def collaboration_question(preview: CollaborationPreview) -> str:
    """The one question before the one-time start of the collaboration, with both counts."""
    return (f"Start the collaboration of {preview.campaign!r}?\n\n"
            f"In campaign, with the congratulations email: {preview.joining} (signed or accepted).\n"
            f"Rejected, with the bummer email: {preview.leaving} (still undecided).\n\n"
            "It runs once: afterwards the group is fixed and nobody else can join.")
