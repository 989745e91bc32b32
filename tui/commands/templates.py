"""`callsheet template set | list | show | check` and `callsheet trigger set | list | off`."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import click

from mailer.actions import templates as actions
from mailer.outgoing_files import read_files
from mailer.templating import admin
from mailer.templating.rendering import default_template, invitation_length, render
from mailer.templating.trigger_mail import Composer
from store import attachments, campaigns, influencers, templates, triggers
from store.attachments import human_size
from store.errors import UserError
from store.wording import plural
from tui.context import CliContext
from tui.files import read_text
from tui.output import emit_json, emit_table


@click.group("template")
def template() -> None:
    """Email templates (jinja2) per campaign, kind and language."""


@template.command("set")
@click.argument("campaign")
@click.argument("kind")
@click.option("--lang", "language", required=True, help="Language code, e.g. en or fr.")
@click.option("--subject", required=True, help="The subject (a template too).")
@click.option("--body-file", type=click.Path(path_type=Path, dir_okay=False), required=True)
@click.option("--html-file", type=click.Path(path_type=Path, dir_okay=False), help="Optional HTML body.")
@click.option("--attach", "attach", multiple=True, type=click.Path(path_type=Path), metavar="FILE",
              help="Attach this file to every message sent from the template (repeatable; replaces "
              "the files it had).")
@click.option("--no-attach", is_flag=True, help="Remove the template's files.")
@click.pass_obj
def set_(obj: CliContext, campaign: str, kind: str, language: str, subject: str, body_file: Path,
         html_file: Path | None, attach: tuple[Path, ...], no_attach: bool) -> None:
    """Store CAMPAIGN's KIND template in a language, after checking it renders.

    Without --attach or --no-attach, the files it already had stay attached."""
    if attach and no_attach:
        raise UserError("Give --attach or --no-attach, not both.")
    body = read_text(body_file, "--body-file")
    html = read_text(html_file, "--html-file") if html_file else None
    files = read_files(attach) if attach or no_attach else None
    click.echo(actions.save_template(obj.store, campaign, kind, language, subject, body, html,
                                     files=files).sentence)


@template.command("list")
@click.argument("campaign")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def list_(obj: CliContext, campaign: str, as_json: bool) -> None:
    """Every template kind of CAMPAIGN in each of its languages."""
    db = obj.store.reader()
    rows = admin.template_table(db, campaigns.get(db, campaign))
    if as_json:
        emit_json(rows)
        return
    emit_table(("kind", "lang", "source", "subject"),
               [(r["kind"], r["language"], r["source"], r["subject"][:60]) for r in rows])


@template.command("show")
@click.argument("campaign")
@click.argument("kind")
@click.option("--lang", "language", help="Language (default: the campaign's first).")
@click.option("--handle", help="Render it for this influencer instead of showing the source.")
@click.pass_obj
def show(obj: CliContext, campaign: str, kind: str, language: str | None, handle: str | None) -> None:
    """Show a template's source, or render it for one influencer."""
    db = obj.store.reader()
    chosen = campaigns.get(db, campaign)
    kind = templates.parse_kind(kind)
    if handle:
        person = influencers.get_by_handle(db, handle)
        composer = Composer(db, chosen, obj.store.actor)
        try:
            sender = composer.sender()
        except UserError:
            sender = ("", "")  # a preview does not need a sender
        rendered = render(db, chosen, kind, person, language=language, extra=composer.extra_for({}, sender))
        click.echo(f"Subject: {rendered.subject}\nLanguage: {rendered.language}\n\n{rendered.body}")
        if kind == "invitation":
            click.echo(f"-- {invitation_length(rendered)} of {chosen.invite_limit} characters")
        return
    language = templates.parse_language(language) if language else chosen.languages[0]
    stored = templates.find(db, chosen.id, kind, language)
    source = (stored["subject"], stored["body"]) if stored else default_template(kind, language)
    if source is None:
        raise UserError(f"There is no {kind} template in {language!r} for {chosen.name!r}.")
    origin = f"custom, by {stored['updated_by']} at {stored['updated_at']}" if stored else "built-in default"
    click.echo(f"# {kind} ({language}), {origin}\nSubject: {source[0]}\n\n{source[1]}")
    files = attachments.template_files(db, stored["id"]) if stored else []
    if files:
        click.echo("Attached: " + ", ".join(f"{file.filename} ({human_size(file.size)})" for file in files))


@template.command("check")
@click.argument("campaign")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def check(obj: CliContext, campaign: str, as_json: bool) -> None:
    """Render every template for everyone it could go to; exit 1 if any would not go out as is."""
    checked, problems = admin.check_campaign(obj.store, campaign)
    if as_json:
        emit_json({"checked": checked, "problems": [asdict(p) for p in problems]})
    else:
        if problems:
            emit_table(("handle", "kind", "lang", "problem"),
                       [(f"@{p.handle}", p.kind, p.language, p.problem) for p in problems])
        found = plural(len(problems), "problem") if problems else "no problems"
        click.echo(f"Checked {plural(checked, 'email')}: {found}.")
    if problems:
        raise click.exceptions.Exit(1)


@click.group("trigger")
def trigger() -> None:
    """Which template each pipeline event sends."""


@trigger.command("set")
@click.argument("campaign")
@click.argument("event")
@click.argument("template_kind")
@click.pass_obj
def trigger_set(obj: CliContext, campaign: str, event: str, template_kind: str) -> None:
    """Send TEMPLATE_KIND when EVENT happens (submitted, a stage, collaboration-in/out)."""
    click.echo(actions.set_trigger(obj.store, campaign, event, template_kind).sentence)


@trigger.command("off")
@click.argument("campaign")
@click.argument("event")
@click.pass_obj
def trigger_off(obj: CliContext, campaign: str, event: str) -> None:
    """Send nothing when EVENT happens."""
    click.echo(actions.switch_off_trigger(obj.store, campaign, event).sentence)


@trigger.command("list")
@click.argument("campaign")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def trigger_list(obj: CliContext, campaign: str, as_json: bool) -> None:
    """Every event and the template it sends."""
    db = obj.store.reader()
    rows = list(triggers.effective(db, campaigns.get(db, campaign).id).values())
    if as_json:
        emit_json([{**r, "event": triggers.event_name(r["event"])} for r in rows])
        return
    emit_table(("event", "template", "state"),
               [(triggers.event_name(r["event"]), r["template_kind"] or "",
                 ("on" if r["enabled"] else "off") + (" (default)" if r["default"] else ""))
                for r in rows])


COMMANDS = (template, trigger)
